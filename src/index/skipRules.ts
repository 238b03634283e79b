// What `quarry index` does not treat as source; apart from analyze.ts so that callers need not load babel.

export interface SkipRules {
  /** Files larger than this are skipped as too large. @default 2 MiB */
  maxFileBytes: number;
  /** Lines longer than this are minified code; a file is skipped when they hold most of its bytes. @default 4000 */
  maxLineChars: number;
  /** A file (over 2 KiB) whose average line is longer than this is minified. @default 300 */
  maxAvgLineChars: number;
}

export const DEFAULT_SKIP_RULES: SkipRules = { maxFileBytes: 2 * 1024 * 1024, maxLineChars: 4000, maxAvgLineChars: 300 };
