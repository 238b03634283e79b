// Typed, lazy views of an index file for readers (search, scan, train): each accessor reads only its section.
import {
  IndexFile,
  isRecord,
  strings,
  typed,
  type BlockIndex,
  type DictBlock,
  type DictIndex,
  type FileColumns,
  type StringLists,
  type SymbolBlock,
  type SymbolIndex,
} from './format.js';
import { findBlock } from './blocks.js';
import {
  checkStringColumn,
  columnLength,
  columnStrings,
  findInColumn,
  lowerBoundInColumn,
  stringAt,
  type StringColumn,
} from './stringColumn.js';
import { LANGUAGES } from './language.js';
import type { SkipReason } from './analysis.js';
import { SYMBOL_KINDS, type SymbolKind } from './symbolKinds.js';

export { INDEX_DIR, INDEX_FILE, indexPathOf } from './indexPath.js';

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
    name: stringAt(block.names, r),
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

function checkDictIndex(v: unknown): DictIndex {
  const idx = checkBlockIndex(v);
  const postings = typed((v as Record<string, unknown>).postings, Float64Array, idx.first.length + 1);
  for (let b = 1; b < postings.length; b++) if (postings[b]! < postings[b - 1]!) throw new Error('block postings go back');
  return { ...idx, postings };
}

function checkSymbolIndex(v: unknown): SymbolIndex {
  const idx = checkBlockIndex(v);
  return { ...idx, bases: typed((v as Record<string, unknown>).bases, Uint32Array, idx.first.length) };
}

function checkDictBlock(v: unknown): DictBlock {
  if (!isRecord(v)) throw new Error('expected a dictionary block');
  const terms = checkStringColumn(v.terms);
  const n = columnLength(terms);
  return { terms, df: typed(v.df, Uint32Array, n), post: typed(v.post, Float64Array, n + 1) };
}

function checkSymbolBlock(v: unknown): SymbolBlock {
  if (!isRecord(v)) throw new Error('expected a symbol block');
  const keys = checkStringColumn(v.keys);
  const start = typed(v.start, Uint32Array, columnLength(keys) + 1);
  const names = checkStringColumn(v.names);
  const n = columnLength(names);
  if (start[0] !== 0 || start[start.length - 1] !== n) throw new Error('symbol block key ranges do not cover its records');
  for (let k = 1; k < start.length; k++) if (start[k]! < start[k - 1]!) throw new Error('symbol block key ranges go back');
  return {
    keys,
    start,
    names,
    file: typed(v.file, Uint32Array, n),
    line: typed(v.line, Uint32Array, n),
    endLine: typed(v.endLine, Uint32Array, n),
    kind: typed(v.kind, Uint8Array, n),
    exported: typed(v.exported, Uint8Array, n),
    docs: checkStringColumn(v.docs, n),
  };
}

function checkStringLists(v: unknown, files: number): StringLists {
  if (!isRecord(v)) throw new Error('expected a list per file');
  const lists = checkStringColumn(v.strings);
  const start = typed(v.start, Uint32Array, files + 1);
  if (start[0] !== 0 || start[files] !== columnLength(lists)) throw new Error('list ranges do not cover the strings');
  for (let i = 1; i <= files; i++) if (start[i]! < start[i - 1]!) throw new Error('list ranges go back');
  return { strings: lists, start };
}

/** The lists of `l`, one per file. */
function listsOf(l: StringLists): string[][] {
  const all = columnStrings(l.strings);
  const out = new Array<string[]>(l.start.length - 1);
  for (let i = 0; i < out.length; i++) out[i] = all.slice(l.start[i]!, l.start[i + 1]!);
  return out;
}

export class IndexReader {
  readonly file: IndexFile;
  private pathColumn: StringColumn | undefined;

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

  private paths(): StringColumn {
    this.pathColumn ??= this.file.section('paths', (v) => checkStringColumn(v, this.fileCount));
    return this.pathColumn;
  }

  pathOf(id: number): string {
    return stringAt(this.paths(), id);
  }

  allPaths(): string[] {
    return columnStrings(this.paths());
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

  /** The dictionary's block index. */
  dictIndex(): DictIndex {
    return this.file.section('dictIndex', checkDictIndex);
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
    const k = findInColumn(block.terms, term);
    if (k < 0) return null;
    const base = this.dictIndex().postings[b]!;
    const from = base + block.post[k]!;
    return { term, df: block.df[k]!, postings: this.file.bytes('postings', from, base + block.post[k + 1]! - from) };
  }

  /** The symbol table's block index. */
  symIndex(): SymbolIndex {
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
      const keys = columnLength(block.keys);
      let k = lowerBoundInColumn(block.keys, key);
      for (; k < keys; k++) {
        const kk = stringAt(block.keys, k);
        if (prefix ? !kk.startsWith(key) : kk !== key) return out;
        for (let r = block.start[k]!; r < block.start[k + 1]!; r++) {
          out.push(symbolHit(block, r, idx.bases[b]!));
          if (out.length >= limit) return out;
        }
      }
      if (!prefix && k < keys) return out;
    }
    return out;
  }

  /** Every symbol, in name order (for scan and train). */
  allSymbols(): SymbolHit[] {
    const idx = this.symIndex();
    const out: SymbolHit[] = [];
    for (let b = 0; b < idx.first.length; b++) {
      const block = this.symBlock(b);
      for (let r = 0; r < block.file.length; r++) out.push(symbolHit(block, r, idx.bases[b]!));
    }
    return out;
  }

  /** Every term with its postings, in term order (for tests and tools: it reads the whole dictionary). */
  allTerms(): TermEntry[] {
    const idx = this.dictIndex();
    const all = this.file.bytes('dictBlocks');
    const postings = this.postingsBytes();
    const out: TermEntry[] = [];
    for (let b = 0; b < idx.first.length; b++) {
      const block = this.decodeDictBlock(all.subarray(idx.offsets[b]!, idx.offsets[b + 1]!));
      const base = idx.postings[b]!;
      for (let k = 0; k < block.df.length; k++) {
        const postingsOf = postings.subarray(base + block.post[k]!, base + block.post[k + 1]!);
        out.push({ term: stringAt(block.terms, k), df: block.df[k]!, postings: postingsOf });
      }
    }
    return out;
  }

  /** The whole dictBlocks section, undecoded (blocks lie where dictIndex().offsets say). */
  dictBlocksBytes(): Buffer {
    return this.file.bytes('dictBlocks');
  }

  /** A dictionary block from its bytes. */
  decodeDictBlock(raw: Uint8Array): DictBlock {
    return this.file.decodeBytes(raw, checkDictBlock, 'dictBlocks');
  }

  /** The whole postings section. */
  postingsBytes(): Buffer {
    return this.file.bytes('postings');
  }

  /** The whole symBlocks section, undecoded (blocks lie where symIndex().offsets say). */
  symBlocksBytes(): Buffer {
    return this.file.bytes('symBlocks');
  }

  /** A symbol block from its bytes. */
  decodeSymbolBlock(raw: Uint8Array): SymbolBlock {
    return this.file.decodeBytes(raw, checkSymbolBlock, 'symBlocks');
  }

  /** Every symbol's doc comment ('' for none), by record number (SymbolHit.record). */
  symbolDocs(): string[] {
    const idx = this.symIndex();
    // One read of the section, then each block decoded from it (a read per block was ~2,000 reads on the corpus).
    const all = this.symBlocksBytes();
    const docs: string[] = [];
    for (let b = 0; b < idx.first.length; b++) {
      const block = this.decodeSymbolBlock(all.subarray(idx.offsets[b]!, idx.offsets[b + 1]!));
      for (let r = 0; r < block.file.length; r++) docs.push(stringAt(block.docs, r));
    }
    return docs;
  }

  /** The module specifiers each file imports. */
  imports(): string[][] {
    return listsOf(this.importLists());
  }

  /** The names each file exports. */
  exports(): string[][] {
    return listsOf(this.exportLists());
  }

  importLists(): StringLists {
    return this.file.section('imports', (v) => checkStringLists(v, this.fileCount));
  }

  exportLists(): StringLists {
    return this.file.section('exports', (v) => checkStringLists(v, this.fileCount));
  }
}
