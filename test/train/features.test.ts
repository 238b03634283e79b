import { beforeAll, describe, expect, it } from 'vitest';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { FEATURES, FeatureSource, NF, extractFeatures, minWindow, slowWordOffsets, wordOffsets } from '../../src/train/features.js';
import { retrieve } from '../../src/train/candidates.js';
import { search } from '../../src/search/search.js';
import { idf } from '../../src/search/bm25f.js';
import { indexedFixture } from './helpers.js';

let root = '';
let reader: IndexReader;

/** Feature name → value of one row. */
function row(x: Float32Array, r: number): Record<string, number> {
  return Object.fromEntries(FEATURES.map((f, i) => [f, x[r * NF + i]!]));
}

describe('features of (query, file)', () => {
  beforeAll(async () => {
    // src/greet.ts defines greetPerson ("Says hello to someone by name."); src/main.ts imports and calls it.
    root = await indexedFixture('tiny');
    reader = new IndexReader(indexPathOf(root));
  });

  it('minWindow is the smallest span of positions holding every term', () => {
    expect(minWindow([Int32Array.from([1, 9]), Int32Array.from([4, 12])])).toBe(3);
    expect(minWindow([Int32Array.from([5]), Int32Array.from([5])])).toBe(0);
    expect(minWindow([Int32Array.from([0, 20]), Int32Array.from([7]), Int32Array.from([2, 30])])).toBe(7);
    expect(minWindow([Int32Array.from([1]), new Int32Array(0)])).toBe(-1);
  });

  it('proximity of a one-word query is whether the file text holds the word, as read from the file', () => {
    for (const word of ['greet', 'person', 'main', 'hello']) {
      const c = retrieve(reader, [word], 100, reader.fieldLen());
      if (!c || c.docs.length === 0) continue;
      const src = new FeatureSource(reader, root, new Set([word]));
      const x = new Float32Array(c.docs.length * NF);
      extractFeatures(src, c, [word], c.docs, c.bm25, x, 0);
      c.docs.forEach((doc, r) => {
        const inText = (src.termPositions(doc).get(word)?.length ?? 0) > 0;
        expect(row(x, r).proximity).toBe(inText ? 1 : 0);
      });
    }
  });

  it('match the hand-checked values for "greet person"', () => {
    const c = retrieve(reader, ['greet', 'person'], 100, reader.fieldLen())!;
    expect(c.docs.length).toBe(2);
    const paths = [...c.docs].map((d) => reader.pathOf(d));
    const src = new FeatureSource(reader, root, new Set(['greet', 'person']));
    const x = new Float32Array(2 * NF);
    extractFeatures(src, c, ['greet', 'person'], c.docs, c.bm25, x, 0);
    const greet = row(x, paths.indexOf('src/greet.ts'));
    const main = row(x, paths.indexOf('src/main.ts'));

    // The definition: greetPerson is an exported function; both words are parts of a symbol; "greet" is the base name
    // and a path segment (1 of 2 words); greet and person are parts of one word (distance 0); src/ is one level deep.
    expect(greet).toMatchObject({ sym_exact: 1, sym_exact_exported: 1, sym_exact_callable: 1, sym_exact_type: 0 });
    expect(greet).toMatchObject({ cover_symbols: 1, cover_doc: 0, cover_path: 0.5, base_match: 0.5, proximity: 1 });
    expect(greet).toMatchObject({ depth: 1, is_test: 0, is_generated: 0, is_code: 1 });
    // The caller defines only `main`; its doc says "greeting", which is not the term "greet".
    expect(main).toMatchObject({
      sym_exact: 0,
      sym_exact_exported: 0,
      cover_symbols: 0,
      cover_doc: 0,
      cover_path: 0,
      base_match: 0,
      proximity: 1,
    });
    expect(main.bm25_path).toBe(0);
    expect(main.bm25_symbols).toBe(0);

    // bm25f is the score search gives the file; the body length feature is log(1 + body tokens).
    const hits = search({ root, cwd: root, query: 'greet person', limit: 0, filesOnly: true, explain: false, maxLines: 0 }).hits;
    for (const h of hits) expect(row(x, paths.indexOf(h.path)).bm25f).toBeCloseTo(h.score, 3);
    const fieldLen = reader.fieldLen();
    const greetDoc = c.docs[paths.indexOf('src/greet.ts')]!;
    expect(greet.log_length).toBeCloseTo(Math.log1p(fieldLen[greetDoc * 4 + 1]!), 5);

    // The path field by hand: "greet" once in src/greet.ts (path terms: src, greet, ts), weight 2.5, b 0.3.
    const n = reader.fileCount;
    const e = reader.lookupTerm('greet')!;
    const avgPath = reader.header.avgFieldLen[0]!;
    const tf = (2.5 * 1) / (1 - 0.3 + (0.3 * fieldLen[greetDoc * 4]!) / avgPath);
    expect(greet.bm25_path).toBeCloseTo((idf(e.df, n) * tf) / (1.2 + tf), 5);
  });
});

describe('word offsets for proximity', () => {
  it('searching per term finds exactly what tokenizing finds', () => {
    const text = [
      'export function parseHttpResponse(res) { return parse(res.body); }',
      '// HTTP_RESPONSE_PARSER reparse parsed parse_http http2 Ünïcode_parse parseÜber',
      'const x = response.parse ? RESPONSE : null; parseparse parse',
    ].join('\n');
    const terms = new Set(['parse', 'http', 'response', 'parser', 'ünïcode', 'x', 'nothing']);
    expect(wordOffsets(text, terms)).toEqual(slowWordOffsets(text, terms));
    // "parse" inside "reparse", "parsed" or "parseparse" is not a part of those words.
    const parse = [...wordOffsets(text, new Set(['parse'])).get('parse')!];
    expect(parse.map((o) => text.slice(o, o + 12))).toEqual([
      'parseHttpRes',
      'parse(res.bo',
      'parse_http h',
      'Ünïcode_pars',
      'parse ? RESP',
      'parse',
    ]);
  });
});
