// Per-file analysis: what a worker computes from one file's bytes and what the cache stores by content hash.
import type { SymbolKind } from './symbolKinds.js';

/** Bump when the analysis of the same bytes would change: cache keys carry it, so old entries are never read. */
export const ANALYSIS_VERSION = 3;
export const ANALYSIS_NAMESPACE = 'analysis';

/** Content fields of BM25F, in the order of `FileAnalysis.tf` (the path field is derived from the path). */
export const CONTENT_FIELDS = ['body', 'symbols', 'doc'] as const;

export interface FileAnalysis {
  /** Language code (see language.ts). */
  lang: string;
  lines: number;
  /** Distinct terms of the file, any field. */
  terms: string[];
  /** Term frequencies, `CONTENT_FIELDS.length` per term: tf[i*3+f]. */
  tf: Uint32Array;
  /** Tokens per content field. */
  fieldLen: Uint32Array;
  symbols: { name: string; kind: SymbolKind; line: number; endLine: number; exported: boolean; doc: string }[];
  imports: string[];
  exports: string[];
  /** First babel error, when the file could not be parsed cleanly (it is still tokenized). */
  parseError?: string;
}

/** Why a walked file was not indexed. */
export type SkipReason = 'binary' | 'invalid-utf8' | 'too-large' | 'minified' | 'unreadable' | 'vanished' | 'symlink' | 'not-a-file';

/**
 * A file as the index builder takes it: the analysis with its terms turned into refs into a term list shared by
 * a batch of files (each distinct term crosses threads and is looked up once per batch, not once per file), and
 * the path field added. `refs[i]` has four counts `tf[i*4 + f]` and the file four lengths, in FIELDS order
 * (path, body, symbols, doc).
 */
export interface IndexedAnalysis extends Omit<FileAnalysis, 'terms' | 'tf' | 'fieldLen'> {
  refs: Uint32Array;
  tf: Uint32Array;
  fieldLen: Uint32Array;
}

/** The result of reading one file in a worker. */
export type FileResult =
  | { ok: true; hash: string; size: number; mtimeMs: number; analysis: IndexedAnalysis; cached: boolean }
  | { ok: false; reason: SkipReason; detail?: string };

/** How many files were skipped for each reason. */
export function countReasons(skipped: readonly { reason: SkipReason }[]): Partial<Record<SkipReason, number>> {
  const out: Partial<Record<SkipReason, number>> = {};
  for (const s of skipped) out[s.reason] = (out[s.reason] ?? 0) + 1;
  return out;
}
