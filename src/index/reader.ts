// Typed, lazy views of an index file for readers (search, scan, train): each accessor reads only its section.
import { join } from 'node:path';
import {
  IndexFile,
  isRecord,
  strings,
  typed,
  type BlockIndex,
  type DictBlock,
  type FileColumns,
  type SymbolBlock,
  type SymbolIndex,
} from './format.js';
import { findBlock, findKey, lowerBound } from './blocks.js';
import { LANGUAGES } from './language.js';
import type { SkipReason } from './analysis.js';
import { SYMBOL_KINDS, type SymbolKind } from './symbolKinds.js';

export const INDEX_DIR = '.quarry';
export const INDEX_FILE = 'index.msgpack';

export function indexPathOf(root: string): string {
  return join(root, INDEX_DIR, INDEX_FILE);
}

export interface TermEntry {
  term: string;
  df: number;
  postings: Buffer;
}

export interface SymbolHit {
  name: string;
  kind: SymbolKind;
  file: number;
  line: number;
  endLine: number;
  exported: boolean;
  /** Global record number (for symDocs). */
  record: number;
}

/** Record `r` of a symbol block whose first record is global record `base`. */
function symbolHit(block: SymbolBlock, r: number, base: number): SymbolHit {
  return {
    name: block.names[r]!,
    kind: SYMBOL_KINDS[block.kind[r]!] ?? 'variable',
    file: block.file[r]!,
    line: block.line[r]!,
    endLine: block.endLine[r]!,
    exported: block.exported[r] === 1,
    record: base + r,
  };
}

function checkBlockIndex(v: unknown): BlockIndex {
  if (!isRecord(v)) throw new Error('expected a block index');
  const first = strings(v.first);
  const offsets = typed(v.offsets, Float64Array, first.length + 1);
  return { first, offsets };
}

function checkSymbolIndex(v: unknown): SymbolIndex {
  const idx = checkBlockIndex(v);
  return { ...idx, bases: typed((v as Record<string, unknown>).bases, Uint32Array, idx.first.length) };
}

function checkDictBlock(v: unknown): DictBlock {
  if (!isRecord(v)) throw new Error('expected a dictionary block');
  const terms = strings(v.terms);
  return { terms, df: typed(v.df, Uint32Array, terms.length), post: typed(v.post, Float64Array, terms.length + 1) };
}

function checkSymbolBlock(v: unknown): SymbolBlock {
  if (!isRecord(v)) throw new Error('expected a symbol block');
  const keys = strings(v.keys);
  const start = typed(v.start, Uint32Array, keys.length + 1);
  const names = strings(v.names);
  const n = names.length;
  return {
    keys,
    start,
    names,
    file: typed(v.file, Uint32Array, n),
    line: typed(v.line, Uint32Array, n),
    endLine: typed(v.endLine, Uint32Array, n),
    kind: typed(v.kind, Uint8Array, n),
    exported: typed(v.exported, Uint8Array, n),
  };
}

export class IndexReader {
  readonly file: IndexFile;
  private pathBlob: { blob: Uint8Array; offsets: Uint32Array } | undefined;

  constructor(readonly path: string) {
    this.file = IndexFile.open(path);
  }

  get header() {
    return this.file.header;
  }

  get fileCount(): number {
    return this.file.header.fileCount;
  }

  close(): void {
    this.file.close();
  }

  private paths(): { blob: Uint8Array; offsets: Uint32Array } {
    this.pathBlob ??= this.file.section('paths', (v) => {
      if (!isRecord(v)) throw new Error('expected paths');
      const blob = typed(v.blob, Uint8Array);
      const offsets = typed(v.offsets, Uint32Array, this.fileCount + 1);
      if (offsets[this.fileCount]! > blob.length) throw new Error('path offsets past the blob');
      return { blob, offsets };
    });
    return this.pathBlob;
  }

  pathOf(id: number): string {
    const { blob, offsets } = this.paths();
    return Buffer.from(blob.buffer, blob.byteOffset + offsets[id]!, offsets[id + 1]! - offsets[id]!).toString('utf8');
  }

  allPaths(): string[] {
    const out: string[] = new Array<string>(this.fileCount);
    for (let i = 0; i < this.fileCount; i++) out[i] = this.pathOf(i);
    return out;
  }

  files(): FileColumns {
    const n = this.fileCount;
    return this.file.section('files', (v) => {
      if (!isRecord(v)) throw new Error('expected file columns');
      return {
        hash: typed(v.hash, Uint8Array, n * 20),
        size: typed(v.size, Float64Array, n),
        mtime: typed(v.mtime, Float64Array, n),
        lang: typed(v.lang, Uint8Array, n),
        lines: typed(v.lines, Uint32Array, n),
        parseError: typed(v.parseError, Uint8Array, n),
      };
    });
  }

  hashOf(id: number): string {
    return Buffer.from(this.files().hash.subarray(id * 20, id * 20 + 20)).toString('hex');
  }

  /** Files the index skipped, with why and their size and mtime then (empty for an index without the section). */
  skippedFiles(): Map<string, { size: number; mtime: number; reason: SkipReason }> {
    const out = new Map<string, { size: number; mtime: number; reason: SkipReason }>();
    if (!this.file.has('skipped')) return out;
    const s = this.file.section('skipped', (v) => {
      if (!isRecord(v)) throw new Error('expected skipped files');
      const p = strings(v.paths);
      return {
        paths: p,
        reasons: strings(v.reasons, p.length),
        size: typed(v.size, Float64Array, p.length),
        mtime: typed(v.mtime, Float64Array, p.length),
      };
    });
    for (let i = 0; i < s.paths.length; i++)
      out.set(s.paths[i]!, { size: s.size[i]!, mtime: s.mtime[i]!, reason: s.reasons[i] as SkipReason });
    return out;
  }

  languageOf(id: number): string {
    return LANGUAGES[this.files().lang[id]!] ?? 'text';
  }

  /** Tokens per field, 4 per file (FIELDS order). */
  fieldLen(): Uint32Array {
    return this.file.section('fieldLen', (v) => typed(v, Uint32Array, this.fileCount * 4));
  }

  private dictIndex(): BlockIndex {
    return this.file.section('dictIndex', checkBlockIndex);
  }

  private dictBlock(b: number): DictBlock {
    return this.blockAt('dictBlocks', this.dictIndex(), b, checkDictBlock);
  }

  /** Block `b` of a blocked section, read and checked on its own. */
  private blockAt<T>(section: string, idx: BlockIndex, b: number, check: (v: unknown) => T): T {
    const off = idx.offsets[b]!;
    return this.file.block(section, off, idx.offsets[b + 1]! - off, check);
  }

  /** The postings of `term` (already lowercased), or null. */
  lookupTerm(term: string): TermEntry | null {
    const b = findBlock(this.dictIndex(), term);
    if (b < 0) return null;
    const block = this.dictBlock(b);
    const k = findKey(block.terms, term);
    if (k < 0) return null;
    const from = block.post[k]!;
    return { term, df: block.df[k]!, postings: this.file.bytes('postings', from, block.post[k + 1]! - from) };
  }

  private symIndex(): SymbolIndex {
    return this.file.section('symIndex', checkSymbolIndex);
  }

  private symBlock(b: number): SymbolBlock {
    return this.blockAt('symBlocks', this.symIndex(), b, checkSymbolBlock);
  }

  /** Symbols named `name` (case-insensitive); with `prefix`, every symbol whose name starts with it. */
  lookupSymbols(name: string, prefix = false, limit = 10_000): SymbolHit[] {
    const key = name.toLowerCase();
    const idx = this.symIndex();
    const out: SymbolHit[] = [];
    for (let b = Math.max(0, findBlock(idx, key)); b < idx.first.length; b++) {
      const block = this.symBlock(b);
      let k = lowerBound(block.keys, key);
      for (; k < block.keys.length; k++) {
        const kk = block.keys[k]!;
        if (prefix ? !kk.startsWith(key) : kk !== key) return out;
        for (let r = block.start[k]!; r < block.start[k + 1]!; r++) {
          out.push(symbolHit(block, r, idx.bases[b]!));
          if (out.length >= limit) return out;
        }
      }
      if (!prefix && k < block.keys.length) return out;
    }
    return out;
  }

  /** Every symbol, in name order (for scan and train). */
  allSymbols(): SymbolHit[] {
    const idx = this.symIndex();
    const out: SymbolHit[] = [];
    for (let b = 0; b < idx.first.length; b++) {
      const block = this.symBlock(b);
      for (let r = 0; r < block.names.length; r++) out.push(symbolHit(block, r, idx.bases[b]!));
    }
    return out;
  }

  /** Every dictionary block in term order, decoded one at a time from one read of the section. */
  forEachDictBlock(fn: (block: DictBlock) => void): void {
    const idx = this.dictIndex();
    const all = this.file.bytes('dictBlocks');
    for (let b = 0; b < idx.first.length; b++) {
      const off = idx.offsets[b]!;
      fn(this.file.decodeBytes(all.subarray(off, idx.offsets[b + 1]!), checkDictBlock, 'dictBlocks'));
    }
  }

  /** The whole postings section. */
  postingsBytes(): Buffer {
    return this.file.bytes('postings');
  }

  /** Every symbol block in name order, with its first key, global record base and raw bytes. */
  forEachSymbolBlock(fn: (block: SymbolBlock, info: { first: string; base: number; raw: Uint8Array }) => void): void {
    const idx = this.symIndex();
    const all = this.file.bytes('symBlocks');
    for (let b = 0; b < idx.first.length; b++) {
      const raw = all.subarray(idx.offsets[b]!, idx.offsets[b + 1]!);
      fn(this.file.decodeBytes(raw, checkSymbolBlock, 'symBlocks'), { first: idx.first[b]!, base: idx.bases[b]!, raw });
    }
  }

  exports(): string[][] {
    return this.file.section('exports', (v) => {
      if (!Array.isArray(v) || v.length !== this.fileCount) throw new Error('expected exports per file');
      return v.map((x) => strings(x));
    });
  }

  symbolDocs(): string[] {
    return this.file.section('symDocs', (v) => strings(v, this.header.symbolCount));
  }

  imports(): string[][] {
    return this.file.section('imports', (v) => {
      if (!Array.isArray(v) || v.length !== this.fileCount) throw new Error('expected imports per file');
      return v.map((x) => strings(x));
    });
  }
}
