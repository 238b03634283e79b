import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addTerms, forEachWord, splitIdentifier } from '../../src/index/tokenize.js';

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
});
