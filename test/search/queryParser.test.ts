import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseQuery } from '../../src/search/queryParser.js';
import { QuarryError } from '../../src/util/errors.js';

describe('query parser', () => {
  it('parses words, phrases, exclusions and filters', () => {
    const q = parseQuery('fetch "exact phrase" -test sym:loadConfig path:src/** lang:ts /re+gex/i case:yes');
    expect(q.words).toEqual(['fetch', 'exact', 'phrase']);
    expect(q.phrases).toEqual(['exact phrase']);
    expect(q.excludes).toEqual(['test']);
    expect(q.symbols).toEqual([{ name: 'loadConfig', prefix: false }]);
    expect(q.paths).toEqual(['src/**']);
    expect(q.langs).toEqual(['ts', 'tsx', 'dts']);
    expect(q.regexes.map((r) => r.source)).toEqual(['re+gex']);
    expect(q.caseSensitive).toBe(true);
  });

  it('takes sym:prefix* as a prefix', () => {
    expect(parseQuery('sym:load*').symbols).toEqual([{ name: 'load', prefix: true }]);
  });

  it('keeps spaces inside a /regex/', () => {
    expect(parseQuery('/a b/').regexes[0]!.source).toBe('a b');
  });

  for (const [input, message] of [
    ['', /empty query/],
    ['   ', /empty query/],
    ['"unbalanced', /unbalanced quote/],
    ['/[a-/', /invalid regex/],
    ['lang:cobol', /unknown language/],
    ['case:maybe', /case: takes yes or no/],
    ['-only', /nothing to match/],
    ['sym:', /needs a value/],
    ['/unterminated', /unterminated/],
  ] as const) {
    it(`rejects ${JSON.stringify(input)} with a usage error`, () => {
      let caught: unknown;
      try {
        parseQuery(input);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(QuarryError);
      expect((caught as QuarryError).code).toBe('usage');
      expect((caught as QuarryError).message).toMatch(message);
    });
  }

  it('never throws anything but a usage error, for thousands of random queries', () => {
    const alphabet = fc.constantFrom(...'ab_Z9 "-/:*\\()[]{}.?+|^$'.split(''), 'sym:', 'path:', 'lang:', 'case:', 'yes', 'ts');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
        ),
        (input) => {
          try {
            parseQuery(input);
          } catch (err) {
            expect(err).toBeInstanceOf(QuarryError);
            expect((err as QuarryError).code).toBe('usage');
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
