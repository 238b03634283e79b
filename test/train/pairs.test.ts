import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { runIndex } from '../../src/index/indexer.js';
import { buildQueries, docWords, moduleKey, nameWords, splitOf } from '../../src/train/pairs.js';
import { tempDir } from '../helpers.js';
import { indexedFixture } from './helpers.js';

let root = '';
let reader: IndexReader;

describe('training queries', () => {
  beforeAll(async () => {
    root = await indexedFixture('basic');
    reader = new IndexReader(indexPathOf(root));
  });

  it('splits a symbol name into words and drops the name from its doc sentence', () => {
    expect(nameWords('parseHTTPResponse')).toEqual(['parse', 'http', 'response']);
    expect(nameWords('render')).toEqual(['render']);
    expect(docWords('Loads the config; loadConfig never throws.', 'loadConfig')).toEqual(['loads', 'the', 'config', 'never', 'throws']);
  });

  it('answers a split name and a doc sentence with the defining file', () => {
    const { queries } = buildQueries(reader, { seed: 1, maxPairs: 1e6 });
    const byText = new Map(queries.map((q) => [q.text, q]));
    const name = byText.get('parse config header')!;
    expect(name.source).toBe('name');
    expect(name.docs.map((d) => reader.pathOf(d))).toEqual(['src/ui/configHeader24.ts']);
    const doc = byText.get('reads config out of raw header text and')!;
    expect(doc.source).toBe('doc');
    expect(doc.docs.map((d) => reader.pathOf(d))).toEqual(['src/ui/configHeader24.ts']);
    // At most MAX_QUERY_WORDS (8) words; one query per distinct text.
    expect(new Set(queries.map((q) => q.text)).size).toBe(queries.length);
  });

  it('never puts a file in two splits, and every query in the split of its files', () => {
    const { queries } = buildQueries(reader, { seed: 1, maxPairs: 1e6 });
    const splitOfFile = new Map<number, string>();
    for (const q of queries) {
      for (const d of q.docs) {
        expect(splitOfFile.get(d) ?? q.split).toBe(q.split);
        splitOfFile.set(d, q.split);
        expect(splitOf(1, reader.pathOf(d))).toBe(q.split);
      }
    }
    expect(new Set(splitOfFile.values())).toEqual(new Set(['train', 'validation', 'test']));
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = buildQueries(reader, { seed: 1, maxPairs: 1e6 });
    const b = buildQueries(reader, { seed: 1, maxPairs: 1e6 });
    const c = buildQueries(reader, { seed: 2, maxPairs: 1e6 });
    expect(b).toEqual(a);
    expect(c.queries.map((q) => q.split)).not.toEqual(a.queries.map((q) => q.split));
  });

  it('--max-pairs caps the pairs with a seeded sample', () => {
    const all = buildQueries(reader, { seed: 1, maxPairs: 1e6 });
    const some = buildQueries(reader, { seed: 1, maxPairs: 50 });
    expect(some.stats.pairs).toBeLessThanOrEqual(50);
    expect(some.stats.capped).toBe(all.queries.length - some.queries.length);
    const texts = new Set(all.queries.map((q) => q.text));
    for (const q of some.queries) expect(texts.has(q.text)).toBe(true);
  });

  it('drops a pair whose query is just the file name from training and the metrics', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'src', 'parse-thing.ts'),
      '/** Parses a thing from text. */\nexport function parseThing(s: string) {\n  return s;\n}\n',
    );
    await runIndex({ root: dir, cacheDir: null, workers: 1 });
    const r = new IndexReader(indexPathOf(dir));
    const { queries, fileNames, stats } = buildQueries(r, { seed: 1, maxPairs: 1e6 });
    r.close();
    expect(stats.trivial).toBe(1);
    expect(queries.map((q) => q.text)).toEqual(['parses thing from text']);
    // Kept apart, only to measure that a file searched by its name is not buried.
    expect(fileNames.map((q) => [q.text, q.source])).toEqual([['parse thing', 'filename']]);
  });

  it('puts the copies a package ships of one module in one split', () => {
    const copies = [
      'src/internal/operators/map.ts',
      'dist/cjs/internal/operators/map.js',
      'dist/esm/internal/operators/map.js',
      'dist/esm5/internal/operators/map.js',
      'dist/types/internal/operators/map.d.ts',
    ];
    expect(new Set(copies.map(moduleKey))).toEqual(new Set(['internal/operators/map']));
    for (const seed of [1, 2, 3, 4, 5]) expect(new Set(copies.map((p) => splitOf(seed, p))).size).toBe(1);
    expect(moduleKey('lib/rules/no-unused-vars.js')).toBe('rules/no-unused-vars');
    expect(moduleKey('lib/rules/no-unused-vars.js')).not.toBe(moduleKey('lib/rules/no-undef.js'));
  });
});
