// Per-file analysis: what a worker computes from one file's bytes and what the cache stores by content hash.
import { SYMBOL_KINDS, type SymbolKind } from './symbolKinds.js';
import { languageOf } from './language.js';
import { addTerms } from './tokenize.js';

/** Bump when the analysis of the same bytes would change: cache keys carry it, so old entries are never read. */
export const ANALYSIS_VERSION = 5;
export const ANALYSIS_NAMESPACE = 'analysis';

/** The cache key's content part: the analysis of the same bytes differs by language (a .js and a .ts twin). */
export function analysisKey(hash: string, path: string): string {
  return `${hash}.${languageOf(path)}`;
}

/** Content fields of BM25F, in the order of `FileAnalysis.tf` (the path field is derived from the path). */
export const CONTENT_FIELDS = ['body', 'symbols', 'doc'] as const;

/**
 * A file's analysis. Made in two places (analyzeText, fromCached), always with every field and in this order, so that
 * the code reading analyses (ThreadTerms.index, the builder) meets one object shape: when a cached analysis (no
 * termHashes) or one with a parseError came after V8 had optimised that code for the others, it was deoptimised and
 * compiled again ("wrong map", `--trace-deopt`), several times a thread over the corpus.
 */
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
  parseError?: string | undefined;
  /** termHash of each term, when the tokenizer that found them made them (not cached: a hit recomputes them). */
  termHashes?: Int32Array | undefined;
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
  /** 16-bit when every count fits. */
  tf: Uint16Array | Uint32Array;
  fieldLen: Uint32Array;
}

/** A path's terms as the index counts them in the path field: each term's count, and the number of tokens. */
export function pathTerms(path: string): { counts: Map<string, number>; tokens: number } {
  const counts = new Map<string, number>();
  return { counts, tokens: addTerms(path, counts) };
}

/** A file's four field lengths in the index (FIELDS order): its path's tokens, then the analysis's content fields. */
export function indexedFieldLen(pathTokens: number, a: FileAnalysis): Uint32Array {
  return Uint32Array.of(pathTokens, a.fieldLen[0] ?? 0, a.fieldLen[1] ?? 0, a.fieldLen[2] ?? 0);
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

/**
 * A FileAnalysis as the cache stores it: 40% fewer bytes to pack, write, send (Redis) and read. Terms are one string
 * (no term holds a newline), term counts the narrowest typed array that holds them, symbols columns rather than
 * one map per symbol with its keys spelled out.
 */
export interface CachedAnalysis {
  lang: string;
  lines: number;
  terms: string;
  tf: Uint8Array | Uint16Array | Uint32Array;
  fieldLen: Uint32Array;
  symbols: {
    names: string[];
    /** Positions in SYMBOL_KINDS. */
    kinds: Uint8Array;
    line: Uint32Array;
    endLine: Uint32Array;
    exported: Uint8Array;
    docs: string[];
  };
  imports: string[];
  exports: string[];
  parseError?: string;
}

/**
 * The narrowest unsigned typed array, of at least `bits` bits, that holds every value of `a`: a copy, or `a` itself
 * when only 32 bits do.
 */
export function narrow(a: Uint32Array, bits: 8 | 16 = 8): Uint8Array | Uint16Array | Uint32Array {
  let max = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > max) max = a[i]!;
  return max < 0x100 && bits === 8 ? new Uint8Array(a) : max < 0x10000 ? new Uint16Array(a) : a;
}

export function toCached(a: FileAnalysis): CachedAnalysis {
  const s = a.symbols;
  const n = s.length;
  // One pass into preallocated columns: `TypedArray.from(list, fn)` goes through the iterator protocol per column.
  const symbols: CachedAnalysis['symbols'] = {
    names: new Array<string>(n),
    kinds: new Uint8Array(n),
    line: new Uint32Array(n),
    endLine: new Uint32Array(n),
    exported: new Uint8Array(n),
    docs: new Array<string>(n),
  };
  for (let i = 0; i < n; i++) {
    const x = s[i]!;
    symbols.names[i] = x.name;
    symbols.kinds[i] = SYMBOL_KINDS.indexOf(x.kind);
    symbols.line[i] = x.line;
    symbols.endLine[i] = x.endLine;
    symbols.exported[i] = x.exported ? 1 : 0;
    symbols.docs[i] = x.doc;
  }
  const out: CachedAnalysis = {
    lang: a.lang,
    lines: a.lines,
    terms: a.terms.join('\n'),
    tf: narrow(a.tf),
    fieldLen: a.fieldLen,
    symbols,
    imports: a.imports,
    exports: a.exports,
  };
  if (a.parseError !== undefined) out.parseError = a.parseError;
  return out;
}

/** The FileAnalysis of a cache entry; undefined when the entry does not have the shape toCached gives (a miss). */
export function fromCached(c: CachedAnalysis | undefined): FileAnalysis | undefined {
  if (c === undefined) return undefined;
  const s = c.symbols;
  if (typeof c.terms !== 'string' || !ArrayBuffer.isView(c.tf) || !ArrayBuffer.isView(c.fieldLen) || !s || !Array.isArray(s.names))
    return undefined;
  const terms = c.terms === '' ? [] : c.terms.split('\n');
  if (c.tf.length !== terms.length * CONTENT_FIELDS.length) return undefined;
  const symbols: FileAnalysis['symbols'] = new Array<FileAnalysis['symbols'][number]>(s.names.length);
  for (let i = 0; i < s.names.length; i++) {
    const kind = SYMBOL_KINDS[s.kinds[i]!];
    if (kind === undefined) return undefined;
    symbols[i] = { name: s.names[i]!, kind, line: s.line[i]!, endLine: s.endLine[i]!, exported: s.exported[i] === 1, doc: s.docs[i] ?? '' };
  }
  return {
    lang: c.lang,
    lines: c.lines,
    terms,
    tf: c.tf instanceof Uint32Array ? c.tf : Uint32Array.from(c.tf),
    fieldLen: c.fieldLen,
    symbols,
    imports: c.imports,
    exports: c.exports,
    parseError: c.parseError,
    termHashes: undefined,
  };
}
