// Bytes kept as a list of chunks rather than one buffer: an index update's sections are mostly runs of the old
// index's bytes, written out from where they were read instead of copied into a new buffer first (fresh pages cost
// far more than the copy on a virtual machine). Adjacent ranges of one buffer become one chunk.

export class ChunkList {
  readonly #chunks: Uint8Array[] = [];
  /** Bytes [from, to) of buffer, not yet a chunk: a range that follows them extends them instead of adding one. */
  #buffer: ArrayBufferLike | null = null;
  #from = 0;
  #to = 0;
  #done = 0;

  /** Bytes so far. */
  get length(): number {
    return this.#done + (this.#to - this.#from);
  }

  /** The chunks, in order. */
  get chunks(): Uint8Array[] {
    this.#close();
    return this.#chunks;
  }

  push(bytes: Uint8Array): void {
    this.pushRange(bytes, 0, bytes.length);
  }

  /** Adds bytes [from, to) of `src`, as a view (not copied). */
  pushRange(src: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    const start = src.byteOffset + from;
    if (src.buffer !== this.#buffer || start !== this.#to) {
      this.#close();
      this.#buffer = src.buffer;
      this.#from = start;
    }
    this.#to = src.byteOffset + to;
  }

  #close(): void {
    if (this.#buffer !== null) {
      this.#chunks.push(new Uint8Array(this.#buffer, this.#from, this.#to - this.#from));
      this.#done += this.#to - this.#from;
    }
    this.#buffer = null;
    this.#from = this.#to = 0;
  }
}
