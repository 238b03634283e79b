// Strings stored as one UTF-8 blob and n+1 byte offsets: decoding a column makes no string until one is asked for,
// and a writer copies the entries it keeps as bytes. An index update keeps almost every term and symbol name, and
// decoding them as msgpack strings (then encoding them again) was a third of its time and most of its garbage.

/** The on-disk and in-memory shape of a string column. */
export interface StringColumn {
  /** The UTF-8 bytes of every string, one after another. */
  blob: Buffer;
  /** length + 1 byte offsets into `blob`, non-decreasing, the first 0 (16 bits when the blob is under 64 KiB). */
  offsets: Uint16Array | Uint32Array;
}

export function columnLength(c: StringColumn): number {
  return c.offsets.length - 1;
}

/** String `i` of the column. */
export function stringAt(c: StringColumn, i: number): string {
  return c.blob.toString('utf8', c.offsets[i]!, c.offsets[i + 1]!);
}

/** Every string of the column. */
export function columnStrings(c: StringColumn): string[] {
  const n = columnLength(c);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = stringAt(c, i);
  return out;
}

/** Position of `key` in a column sorted in string order, or -1. */
export function findInColumn(c: StringColumn, key: string): number {
  let lo = 0;
  let hi = columnLength(c) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = stringAt(c, mid);
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Position of the first string ≥ `key` in a column sorted in string order (its length when none). */
export function lowerBoundInColumn(c: StringColumn, key: string): number {
  let lo = 0;
  let hi = columnLength(c);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stringAt(c, mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Checks a decoded value is a column (of `length` strings, when given). The blob comes back as a Buffer view
 * whatever msgpack made of it, and the offsets are checked to stay inside it, so reading a string cannot go astray.
 */
export function checkStringColumn(v: unknown, length?: number): StringColumn {
  if (typeof v !== 'object' || v === null) throw new Error('expected a string column');
  const { blob, offsets } = v as Record<string, unknown>;
  if (!(blob instanceof Uint8Array)) throw new Error('expected the bytes of a string column');
  if (!(offsets instanceof Uint32Array || offsets instanceof Uint16Array) || offsets.length === 0) {
    throw new Error('expected the offsets of a string column');
  }
  if (length !== undefined && offsets.length !== length + 1) throw new Error(`expected a column of ${length} strings`);
  if (offsets[0] !== 0) throw new Error('string column offsets must start at 0');
  for (let i = 1; i < offsets.length; i++) if (offsets[i]! < offsets[i - 1]!) throw new Error('string column offsets go back');
  if (offsets[offsets.length - 1]! > blob.length) throw new Error('string column offsets past its bytes');
  return { blob: Buffer.isBuffer(blob) ? blob : Buffer.from(blob.buffer, blob.byteOffset, blob.length), offsets };
}

/** Builds a column from strings and from entries of other columns, copied as bytes. */
export class StringColumnWriter {
  private buf: Buffer;
  private length = 0;
  private offsets: Uint32Array;
  private count = 0;
  /** Bytes [pendFrom, pendTo) of pendSrc, copied but not yet appended: adjacent copies become one. */
  private pendSrc: Buffer | null = null;
  private pendFrom = 0;
  private pendTo = 0;

  constructor(strings = 1024, bytes = strings * 8) {
    this.buf = Buffer.allocUnsafe(Math.max(64, bytes));
    this.offsets = new Uint32Array(Math.max(16, strings + 1));
  }

  /** Strings so far. */
  get size(): number {
    return this.count;
  }

  /** Makes room for `entries` more strings of `bytes` bytes in all (beyond the pending copy). */
  private room(bytes: number, entries: number): void {
    const need = this.length + (this.pendTo - this.pendFrom) + bytes;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, need));
      this.buf.copy(next, 0, 0, this.length);
      this.buf = next;
    }
    if (this.count + entries + 1 > this.offsets.length) {
      const next = new Uint32Array(Math.max(this.offsets.length * 2, this.count + entries + 1));
      next.set(this.offsets.subarray(0, this.count + 1));
      this.offsets = next;
    }
  }

  private flush(): void {
    if (this.pendSrc !== null && this.pendTo > this.pendFrom) {
      this.pendSrc.copy(this.buf, this.length, this.pendFrom, this.pendTo);
      this.length += this.pendTo - this.pendFrom;
    }
    this.pendFrom = this.pendTo = 0;
    this.pendSrc = null;
  }

  add(s: string): void {
    this.flush();
    this.room(s.length * 3, 1);
    this.length += this.buf.write(s, this.length, 'utf8');
    this.offsets[++this.count] = this.length;
  }

  /** Adds entries [from, to) of `c` as they are. */
  copy(c: StringColumn, from: number, to: number): void {
    if (to <= from) return;
    const start = c.offsets[from]!;
    const end = c.offsets[to]!;
    this.room(end - start, to - from);
    if (c.blob !== this.pendSrc || start !== this.pendTo) {
      this.flush();
      this.pendSrc = c.blob;
      this.pendFrom = this.pendTo = start;
    }
    // Where byte `start` of c lands here.
    const shift = this.length + (this.pendTo - this.pendFrom) - start;
    for (let i = from; i < to; i++) this.offsets[++this.count] = c.offsets[i + 1]! + shift;
    this.pendTo = end;
  }

  /** The column so far (a copy: the writer can go on). */
  column(): StringColumn {
    return this.slice(0, this.count);
  }

  /** Entries [from, to) of the column so far, as a column of their own (a copy). */
  slice(from: number, to: number): StringColumn {
    this.flush();
    const base = this.offsets[from]!;
    const bytes = this.offsets[to]! - base;
    const offsets = bytes < 0x10000 ? new Uint16Array(to - from + 1) : new Uint32Array(to - from + 1);
    for (let i = from; i <= to; i++) offsets[i - from] = this.offsets[i]! - base;
    return { blob: Buffer.from(this.buf.subarray(base, base + bytes)), offsets };
  }

  /** Empties the writer, keeping its memory. */
  clear(): void {
    this.pendSrc = null;
    this.pendFrom = this.pendTo = 0;
    this.length = 0;
    this.count = 0;
  }

  /** String `i` of the column so far. */
  stringAt(i: number): string {
    this.flush();
    return this.buf.toString('utf8', this.offsets[i]!, this.offsets[i + 1]!);
  }
}

/** A column of `strings`. */
export function toStringColumn(strings: readonly string[]): StringColumn {
  const w = new StringColumnWriter(strings.length);
  for (const s of strings) w.add(s);
  return w.column();
}
