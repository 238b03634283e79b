import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIndex } from '../../src/index/indexer.js';
import { search, type SearchOptions } from '../../src/search/search.js';
import { fixture } from '../helpers.js';

let root = '';
const find = (query: string, o: Partial<SearchOptions> = {}) =>
  search({ root, cwd: root, query, limit: 0, filesOnly: false, explain: false, maxLines: 0, ...o });
const paths = (query: string, o: Partial<SearchOptions> = {}) => find(query, o).hits.map((h) => h.path);

describe('quarry search', () => {
  beforeAll(async () => {
    root = fixture('index/basic');
    await runIndex({ root, cacheDir: null, workers: 1 });
  });

  it('finds camelCase parts of an identifier', () => {
    expect(paths('http')).toEqual(expect.arrayContaining(['src/http/client.ts', 'src/http/parse.ts']));
    expect(paths('response')).toContain('src/http/parse.ts');
    const hit = find('response').hits.find((h) => h.path === 'src/http/parse.ts')!;
    expect(hit.lines.map((l) => l.line)).toEqual([2, 5, 9]); // MAX_RESPONSE_BYTES holds "response" as a part
  });

  it('matches a whole identifier case-insensitively', () => {
    expect(paths('PARSEHTTPRESPONSE').sort()).toEqual(['src/http/client.ts', 'src/http/parse.ts']);
  });

  it('requires every word', () => {
    expect(paths('loadConfig fetchUser')).toEqual(['docs/guide.md']);
  });

  it('ranks the defining file first for a symbol name', () => {
    expect(paths('parseHTTPResponse')[0]).toBe('src/http/parse.ts');
  });

  it('sym: finds definitions with their line, and sym:prefix* a range', () => {
    const r = find('sym:loadConfig');
    expect(r.hits.map((h) => [h.path, h.lines.map((l) => l.line)])).toEqual([['src/config.ts', [14]]]);
    expect(r.hits[0]!.symbols).toEqual([{ name: 'loadConfig', kind: 'function', line: 14, exported: true }]);
    expect(paths('sym:fetch*')).toEqual(['src/http/client.ts']);
  });

  it('"exact phrase" is verified against the file', () => {
    expect(paths('"retry the request"')).toEqual(['docs/guide.md']);
    expect(paths('"request the retry"')).toEqual([]);
  });

  it('-word excludes files', () => {
    expect(paths('config -fetch').sort()).toEqual(['src/config.ts']);
  });

  it('path: and lang: filter', () => {
    expect(paths('config path:src/http/**').sort()).toEqual(['src/http/client.ts']);
    expect(paths('loadConfig lang:md')).toEqual(['docs/guide.md']);
    expect(paths('path:*.js')).toEqual(['src/util/strings.js']);
  });

  it('/regex/ is checked on candidate files', () => {
    const r = find('config /baseUrl\\s*\\+/');
    expect(r.hits.map((h) => h.path)).toEqual(['src/http/client.ts']);
    expect(r.hits[0]!.lines.map((l) => l.line)).toContain(15);
  });

  it('case:yes matches the exact case only', () => {
    expect(paths('case:yes HTTP')).toEqual(expect.arrayContaining(['src/http/parse.ts']));
    expect(paths('case:yes Http')).toEqual(['src/http/client.ts']);
    expect(paths('case:yes loadconfig')).toEqual([]);
  });

  it('limits files and lines, and reports the total', () => {
    const r = find('config', { limit: 1, maxLines: 1 });
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.lines).toHaveLength(1);
    expect(r.total).toBeGreaterThan(1);
  });

  it('explains the score by term and field', () => {
    const h = find('loadConfig', { explain: true }).hits[0]!;
    expect(h.explain!.terms[0]!.term).toBe('loadconfig');
    const f = h.explain!.terms[0]!.fields;
    expect(f.path + f.body + f.symbols + f.doc).toBeCloseTo(h.explain!.terms[0]!.score, 2);
    expect(f.symbols).toBeGreaterThan(0);
  });

  it('answers from the index and names files changed since indexing', () => {
    writeFileSync(join(root, 'src', 'http', 'parse.ts'), 'export const replaced = 1;\n');
    const r = find('parseHTTPResponse');
    expect(r.stale).toContain('src/http/parse.ts');
  });
});

describe('quarry search --files on a tree changed since indexing', () => {
  it('names the changed or deleted files it shows, and only those', async () => {
    const tree = fixture('index/basic');
    await runIndex({ root: tree, cacheDir: null, workers: 1 });
    const files = (query: string, limit = 0) =>
      search({ root: tree, cwd: tree, query, limit, filesOnly: true, explain: false, maxLines: 0 });
    expect(files('parseHTTPResponse').stale).toEqual([]);
    writeFileSync(join(tree, 'src', 'http', 'parse.ts'), 'export const replaced = 1;\n');
    rmSync(join(tree, 'src', 'http', 'client.ts'));
    const r = files('parseHTTPResponse');
    expect(r.hits.map((h) => h.path).sort()).toEqual(['src/http/client.ts', 'src/http/parse.ts']);
    expect([...r.stale].sort()).toEqual(['src/http/client.ts', 'src/http/parse.ts']);
    // A file not shown is not looked at: with --limit 1 one of the two is named.
    expect(files('parseHTTPResponse', 1).stale).toHaveLength(1);
  });
});
