// A small ESLint-style RuleTester: valid code must give no findings, invalid code exactly the expected ones.
import { describe, expect, it } from 'vitest';
import { languageOf } from '../../../src/index/language.js';
import { parseProgram } from '../../../src/index/parse.js';
import type { Finding, Rule } from '../../../src/scan/rule.js';
import { runRules, type ParsedFile } from '../../../src/scan/runRules.js';

/** Code to scan, with the file name it is scanned as (default `src/example.ts`; the extension picks the parser plugins). */
export interface CodeCase {
  code: string;
  filename?: string;
}

export interface InvalidCase extends CodeCase {
  /** How many findings, or each finding's line and messageId in order. */
  errors: number | { line: number; messageId: string }[];
}

export interface RuleCases {
  valid: (string | CodeCase)[];
  invalid: InvalidCase[];
}

const DEFAULT_FILENAME = 'src/example.ts';

/** Parses `code` as the scan does (parseProgram); fails the test when the code itself does not parse cleanly. */
export function parseForTest(code: string, filename = DEFAULT_FILENAME): ParsedFile {
  const parsed = parseProgram(code, languageOf(filename));
  expect(parsed.error, 'test code must parse without errors').toBeUndefined();
  return parsed.ast!;
}

/** Runs `rule` alone over `code` at its default severity. */
export function findings(rule: Rule, code: string, filename = DEFAULT_FILENAME): Finding[] {
  return runRules(parseForTest(code, filename), [{ rule, severity: rule.meta.severity }], { path: filename, source: code });
}

/** The first line of a case with code, trimmed, as a test title. */
function title(code: string): string {
  const line =
    code
      .trim()
      .split('\n')
      .find((l) => !l.trim().startsWith('//') && !l.trim().startsWith('#!') && !l.trim().startsWith('import')) ?? code;
  const short = line.trim();
  return short.length > 70 ? `${short.slice(0, 70)}…` : short;
}

/** Defines one test per case. */
export function testRule(rule: Rule, cases: RuleCases): void {
  describe(rule.meta.id, () => {
    describe('valid', () => {
      cases.valid.forEach((c, i) => {
        const { code, filename } = typeof c === 'string' ? { code: c, filename: undefined } : c;
        it(`#${i + 1} ${title(code)}`, () => {
          expect(findings(rule, code, filename)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      cases.invalid.forEach((c, i) => {
        it(`#${i + 1} ${title(c.code)}`, () => {
          const found = findings(rule, c.code, c.filename);
          for (const f of found) {
            expect(f.ruleId).toBe(rule.meta.id);
            expect(f.message, 'every placeholder is filled').not.toMatch(/\{\{/);
          }
          if (typeof c.errors === 'number') expect(found).toHaveLength(c.errors);
          else expect(found.map((f) => ({ line: f.line, messageId: f.messageId }))).toEqual(c.errors);
        });
      });
    });
  });
}
