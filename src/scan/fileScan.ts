// Scans one JS/TS file: one babel parse, then line counts, functions with complexity, imports/exports and every
// rule's findings (see scanResult.ts for what that gives). Loaded where files are parsed: it brings in babel.
import { collectSymbols, parseProgram } from '../index/parse.js';
import type { Language } from '../index/language.js';
import { countLines, functionsOf } from './metrics.js';
import { RULES, runRules } from './runRules.js';
import { PARSE_ERROR_RULE, type FileScan } from './scanResult.js';

const ALL_RULES = RULES.map((rule) => ({ rule, severity: rule.meta.severity }));

/**
 * Scans one file; never throws (a file babel gives up on still gets its line counts). The result depends on the
 * bytes and the language only: rules see no path (a `#!` line still makes a CLI entry point).
 */
export function scanText(text: string, lang: Language): FileScan {
  const parsed = parseProgram(text, lang);
  const out: FileScan = {
    lang,
    lines: countLines(text, parsed.ast ? parsed.ast.comments : null),
    functions: [],
    imports: [],
    exports: [],
    findings: [],
  };
  if (parsed.error) {
    // babel ends its message with the position in 0-based columns; line and column give it, 1-based.
    const error = { ...parsed.error, message: parsed.error.message.replace(/ \(\d+:\d+\)$/, '') };
    out.parseError = error;
    out.findings.push({
      ruleId: PARSE_ERROR_RULE,
      messageId: 'parseError',
      severity: 'error',
      message: error.message,
      line: error.line,
      column: error.column,
      endLine: error.line,
      endColumn: error.column + 1,
    });
  }
  if (parsed.ast === null) return out;
  const symbols = collectSymbols(parsed.ast, text);
  out.imports = symbols.imports;
  out.exports = symbols.exports;
  out.functions = functionsOf(parsed.ast);
  out.findings.push(...runRules(parsed.ast, ALL_RULES, { path: '', source: text }));
  return out;
}
