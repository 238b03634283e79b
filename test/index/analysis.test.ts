import { describe, expect, it } from 'vitest';
import { fromCached, toCached, type CachedAnalysis, type FileAnalysis } from '../../src/index/analysis.js';
import { analyzeText } from '../../src/index/analyze.js';
import { termHash } from '../../src/index/tokenize.js';
import { packr } from '../../src/util/packr.js';
import { unpackr } from '../../src/util/unpackr.js';

/** Through the cache's encoding and back. */
function roundTrip(a: FileAnalysis): FileAnalysis | undefined {
  return fromCached(unpackr.unpack(packr.pack(toCached(a))) as CachedAnalysis);
}

/** What the cache keeps of an analysis: all of it but the terms' hashes, which are termHash of the terms. */
function cachedPart(a: FileAnalysis): FileAnalysis {
  const { termHashes, ...rest } = a;
  expect(termHashes && [...termHashes]).toEqual(a.terms.map(termHash));
  return rest;
}

describe('the cached form of an analysis', () => {
  it('gives back the same analysis: terms, counts, symbols, imports, exports, parse error', () => {
    const source = [
      "import { a } from './a.js';",
      '/** Parses an HTTP response. */',
      'export function parseHttpResponse(x: string) { return x; }',
      'export class Server { listen() {} }',
      'interface Options { port: number }',
    ].join('\n');
    const a = analyzeText(source, 'ts', 5);
    expect(a.symbols.length).toBeGreaterThan(2);
    expect(a.imports).toEqual(['./a.js']);
    expect(roundTrip(a)).toEqual(cachedPart(a));
    const broken = analyzeText('export const ok = 1;\nconst broken = ;\n', 'js', 2);
    expect(broken.parseError).toBeDefined();
    expect(roundTrip(broken)).toEqual(cachedPart(broken));
  });

  it('keeps counts of every size and an analysis with no terms', () => {
    const big = analyzeText('word '.repeat(70_000), 'text', 1);
    expect(Math.max(...big.tf)).toBeGreaterThan(0xffff);
    expect(roundTrip(big)).toEqual(cachedPart(big));
    const mid = analyzeText('word '.repeat(300), 'text', 1);
    expect(roundTrip(mid)).toEqual(cachedPart(mid));
    const empty = analyzeText('', 'js', 0);
    expect(empty.terms).toEqual([]);
    expect(roundTrip(empty)).toEqual(cachedPart(empty));
  });

  it('is smaller than the analysis packed as it is', () => {
    const source = Array.from({ length: 200 }, (_, i) => `/** Handler ${i}. */\nexport function handler${i}(x) { return x + ${i}; }`).join(
      '\n',
    );
    const a = analyzeText(source, 'js', 400);
    expect(packr.pack(toCached(a)).length).toBeLessThan(packr.pack(a).length * 0.8);
  });

  it('reads an entry of another shape as a miss', () => {
    expect(fromCached({ terms: ['a'], tf: new Uint32Array(3) } as unknown as CachedAnalysis)).toBeUndefined();
    expect(fromCached(undefined)).toBeUndefined();
  });
});
