// Bytes kept as a list of chunks rather than one buffer: an index update's sections are mostly runs of the old
// index's bytes, written out from where they were read instead of copied into a new buffer first (fresh pages
// cost far more than the copy on a virtual machine). Adjacent views of one buffer merge into one chunk.

export class ChunkList {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.length += bytes.length;
    const last = this.chunks[this.chunks.length - 1];
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.chunks[this.chunks.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
    } else {
      this.chunks.push(bytes);
    }
  }
}
