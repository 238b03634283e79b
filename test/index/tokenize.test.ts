import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TermIds, TermTable, addTerms, forEachWord, splitIdentifier, termHash } from '../../src/index/tokenize.js';

function terms(text: string): string[] {
  const m = new Map<string, number>();
  addTerms(text, m);
  return [...m.keys()].sort();
}

describe('tokenizer', () => {
  it('splits camelCase, acronyms and digits into lowercased parts', () => {
    expect(splitIdentifier('parseHTTPResponse')).toEqual(['parse', 'http', 'response']);
    expect(splitIdentifier('HTTPServer')).toEqual(['http', 'server']);
    expect(splitIdentifier('base64Url')).toEqual(['base', '64', 'url']);
    expect(splitIdentifier('XMLHttpRequest')).toEqual(['xml', 'http', 'request']);
  });

  it('splits snake_case and SCREAMING_CASE', () => {
    expect(splitIdentifier('snake_case_helper')).toEqual(['snake', 'case', 'helper']);
    expect(splitIdentifier('MAX_RESPONSE_BYTES')).toEqual(['max', 'response', 'bytes']);
  });

  it('gives no parts for a single-part word', () => {
    expect(splitIdentifier('Server')).toEqual([]);
    expect(splitIdentifier('render')).toEqual([]);
  });

  it('indexes the whole word and its parts', () => {
    expect(terms('const x = parseHTTPResponse(body);')).toEqual(['body', 'const', 'http', 'parse', 'parsehttpresponse', 'response']);
  });

  it('treats $ and . as separators, like rg -w', () => {
    expect(terms('$scope.applyAsync')).toEqual(['apply', 'applyasync', 'async', 'scope']);
  });

  it('counts repeated terms', () => {
    const m = new Map<string, number>();
    const tokens = addTerms('foo foo fooBar', m);
    expect(m.get('foo')).toBe(3);
    expect(tokens).toBe(5);
  });

  it('the fast tokenizer counts exactly the words and identifier parts, for random text', () => {
    const chars = fc.constantFrom(...'aZbY_09 .$-(\nxXHTTPServerİé'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 120 }).map((a) => a.join('')),
        (text) => {
          const expected = new Map<string, number>();
          forEachWord(text, (a, b) => {
            const word = text.slice(a, b);
            if (word.length < 2 || word.length > 64) return;
            for (const t of [word.toLowerCase(), ...splitIdentifier(word)]) expected.set(t, (expected.get(t) ?? 0) + 1);
          });
          const got = new Map<string, number>();
          addTerms(text, got);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('finds every word boundary: words never contain separators', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        forEachWord(s, (a, b) => {
          expect(b).toBeGreaterThan(a);
          expect(/[\s.,;:(){}[\]"'`+\-*/=<>!?&|^%~@#$\\]/.test(s.slice(a, b))).toBe(false);
        });
      }),
    );
  });

  it('keeps counts per field in one table, terms in order of first sight', () => {
    const t = new TermTable(3);
    expect(t.add('fooBar baz', 0)).toBe(4);
    expect(t.add('fooBar', 1)).toBe(3);
    expect(t.add('qux baz', 2)).toBe(2);
    expect(t.terms).toEqual(['foobar', 'foo', 'bar', 'baz', 'qux']);
    expect([...t.tf()]).toEqual([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1]);
  });

  it("hashes each term as termHash does: a cached analysis (no hashes) and a fresh one share a thread's term ids", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('HTTPServer', 'snake_case_x', 'Größe', 'ÉTÉ_été', 'x1y2Z3')), { maxLength: 12 }),
        (words) => {
          const t = new TermTable(2);
          t.add(words.join(' '), 0);
          t.add(words.join('-'), 1);
          expect([...t.termHashes()]).toEqual(t.terms.map(termHash));
        },
      ),
    );
  });

  it('numbers terms once whatever their source: TermIds by hash and in-place range give the same id', () => {
    const ids = new TermIds(4);
    const text = 'parseHTTPResponse';
    const a = ids.idOfRange(text, 0, text.length, termHash('parsehttpresponse'));
    expect(ids.idOf('parsehttpresponse', termHash('parsehttpresponse'))).toBe(a);
    const many = Array.from({ length: 3000 }, (_, i) => `t${i}`);
    const got = many.map((w) => ids.idOf(w, termHash(w)));
    expect(many.map((w) => ids.idOf(w, termHash(w)))).toEqual(got);
    expect(new Set(got).size).toBe(3000);
    expect(ids.terms.length).toBe(3001);
  });

  it('grows past its first capacity without losing a count', () => {
    const words = Array.from({ length: 5000 }, (_, i) => `Word_${i.toString(36)}`);
    const t = new TermTable(1, 16);
    t.add(words.join(' ') + ' ' + words.join(' '), 0);
    const m = new Map<string, number>();
    t.terms.forEach((term, i) => m.set(term, t.counts[i]!));
    expect(m.get('word_0')).toBe(2);
    expect(m.get(`word_${(4999).toString(36)}`)).toBe(2);
    expect(m.get('word')).toBe(10000);
    expect(new Set(t.terms).size).toBe(t.terms.length);
  });
});
