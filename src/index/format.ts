// The on-disk index: "QUARRYIX", a u32 header length, a msgpack header, then sections that can each be read and
// decoded on their own (positional reads), so a query touches only the header, a dictionary block and postings.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { unpackr } from '../util/unpackr.js';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';
import type { StringColumn } from './stringColumn.js';

export const INDEX_MAGIC = 'QUARRYIX';
/**
 * 3 (2026-12-03): strings (terms, symbol names and docs, paths, imports, exports) as UTF-8 columns, symbol docs in
 * the symbol blocks, dictionary blocks of up to BLOCK_SIZE terms with postings offsets from the block's start. An
 * update copies the blocks it does not touch as they are. 1 kept strings as msgpack strings and the dictionary in
 * blocks of exactly BLOCK_SIZE terms with absolute offsets, so that an update decoded and encoded all of it again.
 */
export const FORMAT_VERSION = 3;
/** Most terms or symbol names in a block (an update leaves some blocks with fewer). */
export const BLOCK_SIZE = 128;

/** Where each section lies: [offset from the end of the header, length in bytes]. */
export type SectionTable = Record<string, [number, number]>;

export interface IndexHeader {
  /** Always INDEX_MAGIC. */
  magic: string;
  /** FORMAT_VERSION of the writer; readers refuse any other. */
  format: number;
  quarryVersion: string;
  /** Absolute path of the indexed root. */
  root: string;
  /** ISO time the index was written. */
  createdAt: string;
  fileCount: number;
  termCount: number;
  symbolCount: number;
  /** Bytes of the indexed files. */
  indexedBytes: number;
  /** Average tokens per field over all files, in FIELDS order. */
  avgFieldLen: number[];
  /** How the files were found. */
  walk: 'git' | 'fs';
  /** Files walked but not indexed, by reason. */
  skipped: Record<string, number>;
  sections: SectionTable;
}

/** BM25F fields, in the order of `fieldLen` (4 per file) and of postings' field masks. */
export const FIELDS = ['path', 'body', 'symbols', 'doc'] as const;
export type Field = (typeof FIELDS)[number];

/** Per-file columns (section `files`). */
export interface FileColumns {
  /** 20-byte sha1 per file. */
  hash: Uint8Array;
  size: Float64Array;
  mtime: Float64Array;
  /** Index into LANGUAGES. */
  lang: Uint8Array;
  lines: Uint32Array;
  /** 1 when babel reported an error for the file. */
  parseError: Uint8Array;
}

/** A dictionary block (section `dictBlocks`): terms with document frequency and postings ranges. */
export interface DictBlock {
  /** The block's terms, sorted. */
  terms: StringColumn;
  df: Uint32Array;
  /** terms + 1 offsets of each term's postings, from where the block's start (DictIndex.postings). */
  post: Float64Array;
}

/** The block index of the dictionary: also where each block's postings start in section `postings`. */
export interface DictIndex extends BlockIndex {
  /** first.length + 1 offsets into section `postings`: block b's postings are postings[b] to postings[b + 1]. */
  postings: Float64Array;
}

/** The block index of a sorted key table: the first key of every block and where each block lies. */
export interface BlockIndex {
  first: string[];
  /** first.length + 1 offsets into the blocks section. */
  offsets: Float64Array;
}

/** The block index of the symbol table: also where each block's records start globally (for `symDocs`). */
export interface SymbolIndex extends BlockIndex {
  bases: Uint32Array;
}

/** A symbol block (section `symBlocks`): records sorted by lowercased name, then file, then line. */
export interface SymbolBlock {
  /** Distinct lowercased names, sorted. */
  keys: StringColumn;
  /** keys + 1 offsets into the records of this block. */
  start: Uint32Array;
  /** Per record from here on. */
  names: StringColumn;
  file: Uint32Array;
  line: Uint32Array;
  endLine: Uint32Array;
  kind: Uint8Array;
  exported: Uint8Array;
  /** The doc comment, '' for none. */
  docs: StringColumn;
}

/** A list of strings per file (sections `imports`, `exports`): file i's are strings start[i] to start[i + 1]. */
export interface StringLists {
  strings: StringColumn;
  /** fileCount + 1 offsets into `strings`. */
  start: Uint32Array;
}

/** Thrown for anything wrong with the bytes of an index. */
export function unreadable(file: string, reason: string): QuarryError {
  return new QuarryError('unreadable-index', `index ${file} is unreadable (${reason}); run \`quarry index\``, {
    hint: 'rebuild it with `quarry index`',
  });
}

/** Random access to an index file. Every method throws QuarryError('unreadable-index') on bad bytes. */
export class IndexFile {
  readonly header: IndexHeader;
  private readonly dataStart: number;
  private readonly cache = new Map<string, unknown>();

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly size: number,
    header: IndexHeader,
    dataStart: number,
  ) {
    this.header = header;
    this.dataStart = dataStart;
  }

  /** Opens and checks the header; `no-index` when the file does not exist. */
  static open(path: string): IndexFile {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') {
        throw new QuarryError('no-index', `no index at ${path}`, { hint: 'run `quarry index` first' });
      }
      throw unreadable(path, messageOf(err));
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw unreadable(path, 'not a regular file');
      if (st.size < 12) throw unreadable(path, st.size === 0 ? 'empty file' : 'truncated');
      const head = Buffer.alloc(12);
      readExactly(fd, head, 0, path);
      if (head.toString('latin1', 0, 8) !== INDEX_MAGIC) throw unreadable(path, 'not a quarry index');
      const headerLen = head.readUInt32LE(8);
      if (12 + headerLen > st.size) throw unreadable(path, 'truncated');
      const hb = Buffer.alloc(headerLen);
      readExactly(fd, hb, 12, path);
      const header = checkHeader(decode(hb, path), path);
      const dataStart = 12 + headerLen;
      for (const [name, [off, len]] of Object.entries(header.sections)) {
        if (dataStart + off + len > st.size) throw unreadable(path, `truncated (section ${name})`);
      }
      return new IndexFile(path, fd, st.size, header, dataStart);
    } catch (err) {
      closeSync(fd);
      throw err instanceof QuarryError ? err : unreadable(path, messageOf(err));
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }

  has(name: string): boolean {
    return name in this.header.sections;
  }

  /** Raw bytes of `length` bytes at `offset` inside section `name`. */
  bytes(name: string, offset = 0, length?: number): Buffer {
    const entry = this.header.sections[name];
    if (!entry) throw unreadable(this.path, `section ${name} is missing`);
    const [off, len] = entry;
    const n = length ?? len - offset;
    if (offset < 0 || n < 0 || offset + n > len) throw unreadable(this.path, `read outside section ${name}`);
    const buf = Buffer.allocUnsafe(n);
    readExactly(this.fd, buf, this.dataStart + off + offset, this.path);
    return buf;
  }

  /** A whole section, msgpack-decoded and checked by `check`; decoded once and kept. */
  section<T>(name: string, check: (value: unknown) => T): T {
    const hit = this.cache.get(name);
    if (hit !== undefined) return hit as T;
    const value = this.decodeChecked(this.bytes(name), check, name);
    this.cache.set(name, value);
    return value;
  }

  /** Decodes a slice of a section holding concatenated msgpack blocks. */
  block<T>(name: string, offset: number, length: number, check: (value: unknown) => T): T {
    return this.decodeChecked(this.bytes(name, offset, length), check, name);
  }

  /** Decodes bytes already read from section `name`. */
  decodeBytes<T>(buf: Uint8Array, check: (value: unknown) => T, name: string): T {
    return this.decodeChecked(buf, check, name);
  }

  private decodeChecked<T>(buf: Uint8Array, check: (value: unknown) => T, name: string): T {
    const value = decode(buf, this.path);
    try {
      return check(value);
    } catch (err) {
      throw unreadable(this.path, `section ${name}: ${messageOf(err)}`);
    }
  }

  get fileSize(): number {
    return this.size;
  }
}

function readExactly(fd: number, buf: Buffer, position: number, path: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw unreadable(path, 'truncated');
    done += n;
  }
}

function decode(buf: Uint8Array, path: string): unknown {
  try {
    return unpackr.unpack(buf);
  } catch (err) {
    throw unreadable(path, `bad msgpack: ${messageOf(err)}`);
  }
}

function checkHeader(value: unknown, path: string): IndexHeader {
  if (!isRecord(value)) throw unreadable(path, 'header is not a map');
  if (value.magic !== INDEX_MAGIC) throw unreadable(path, 'not a quarry index');
  if (value.format !== FORMAT_VERSION) {
    throw unreadable(path, `format version ${String(value.format)}, this quarry reads ${FORMAT_VERSION}`);
  }
  const sections = value.sections;
  if (!isRecord(sections)) throw unreadable(path, 'no section table');
  for (const [name, entry] of Object.entries(sections)) {
    if (!Array.isArray(entry) || entry.length !== 2 || !entry.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
      throw unreadable(path, `bad section entry ${name}`);
    }
  }
  for (const key of ['fileCount', 'termCount', 'symbolCount', 'indexedBytes'] as const) {
    if (!Number.isSafeInteger(value[key]) || (value[key] as number) < 0) throw unreadable(path, `bad ${key}`);
  }
  if (
    !Array.isArray(value.avgFieldLen) ||
    value.avgFieldLen.length !== 4 ||
    !value.avgFieldLen.every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    throw unreadable(path, 'bad avgFieldLen');
  }
  if (typeof value.root !== 'string' || typeof value.createdAt !== 'string' || typeof value.quarryVersion !== 'string') {
    throw unreadable(path, 'bad header strings');
  }
  if (!isRecord(value.skipped)) throw unreadable(path, 'bad skipped counts');
  return value as unknown as IndexHeader;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Checks that `v` is a typed array of `ctor` (and of `length`, when given). */
export function typed<T extends ArrayBufferView>(v: unknown, ctor: { new (n: number): T; name: string }, length?: number): T {
  if (!(v instanceof (ctor as unknown as typeof Uint8Array))) throw new Error(`expected ${ctor.name}`);
  if (length !== undefined && (v as unknown as Uint8Array).length !== length) throw new Error(`expected ${ctor.name} of length ${length}`);
  return v as unknown as T;
}

export function strings(v: unknown, length?: number): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new Error('expected an array of strings');
  if (length !== undefined && v.length !== length) throw new Error(`expected ${length} strings`);
  return v as string[];
}
