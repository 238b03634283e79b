// One JS/TS file scanned: line counts, functions and classes with complexity, imports and exports, and the findings
// of every rule at its default severity. This is what the scan cache keeps per content hash; the run's rule
// settings are applied afterwards (scan.ts), so changing them never invalidates the cache. No heavy imports here:
// a warm scan reads results without loading the parser.
import type { Language } from '../index/language.js';
import type { ParseError } from '../index/parse.js';
import type { FunctionInfo, LineCounts } from './metrics.js';
import type { Finding } from './rule.js';

/** Bump when scanning the same bytes would give another result (a rule added or changed, a metric redefined). */
export const SCAN_VERSION = 4;
export const SCAN_NAMESPACE = 'scan';

/** The rule id of the finding that stands for a file babel could not parse (cleanly). */
export const PARSE_ERROR_RULE = 'parse-error';

export interface FileScan {
  lang: Language;
  lines: LineCounts;
  /** Functions, methods and classes in source order (see metrics.ts). */
  functions: FunctionInfo[];
  /** Module specifiers imported, required, re-exported or import()ed, in source order, unique. */
  imports: string[];
  /** Exported names ('default' for a default export). */
  exports: string[];
  /** Every rule's findings at its default severity, sorted by position; a parse error first. */
  findings: Finding[];
  /** Set when babel reported an error; the file is still counted, and scanned as far as babel recovered. */
  parseError?: ParseError;
}

/**
 * The cache key part that stands for the content: the hash and the language (which picks the parser's plugins and
 * is part of the result). Nothing path-dependent goes in (see RuleMeta.exemptInCliEntry), so a hash from the
 * index finds the entry without reading the file.
 */
export function scanCacheHash(contentHash: string, lang: Language): string {
  return `${contentHash}.${lang}`;
}
