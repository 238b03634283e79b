// LEB128 varints in a growable byte buffer: postings are sequences of small integers, mostly one byte each.

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initial = 1 << 16) {
    this.buf = new Uint8Array(initial);
  }

  private grow(min: number): void {
    let size = this.buf.length * 2;
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends a non-negative integer below 2^53. */
  varint(value: number): void {
    if (this.length + 10 > this.buf.length) this.grow(this.length + 10);
    const buf = this.buf;
    let v = value;
    while (v >= 0x80) {
      buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.length++] = v;
  }

  /** The buffer written to, up to `length` (growing moves to a new one: views of this one stay as they were). */
  get buffer(): Uint8Array {
    return this.buf;
  }
}

/** Reads varints from `buf` starting at `pos`; `pos` advances. */
export class ByteReader {
  pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    if (b === undefined || this.pos > this.end) throw new RangeError('varint past the end of its postings');
    if (b < 0x80) return b;
    let value = b & 0x7f;
    let mul = 0x80;
    for (;;) {
      b = buf[this.pos++];
      if (b === undefined || this.pos > this.end) throw new RangeError('varint past the end of its postings');
      value += (b & 0x7f) * mul;
      if (b < 0x80) return value;
      mul *= 0x80;
      if (mul > 2 ** 56) throw new RangeError('varint too long');
    }
  }
}
