// Scans one JS/TS file: one babel parse, then line counts, functions with complexity, and in one more walk every
// rule's findings with the imports/exports (see scanResult.ts for what that gives). Loaded where files are parsed:
// it brings in babel.
import { collectSymbols, parseProgram } from '../index/parse.js';
import type { Language } from '../index/language.js';
import { countLines, functionsOf } from './metrics.js';
import { ModuleLinks } from './moduleLinks.js';
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
  // The rules' walk also collects the imports and exports; the index's collectSymbols would walk the tree again
  // for a symbol table and doc comments that the scan does not use, so it is asked only when the exports need it.
  const links = new ModuleLinks();
  out.findings.push(...runRules(parsed.ast, ALL_RULES, { path: '', source: text }, links));
  out.imports = [...links.imports];
  out.exports = links.needsSymbols() ? collectSymbols(parsed.ast, text).exports : [...links.exports];
  out.functions = functionsOf(parsed.ast);
  return out;
}
