// Decodes one term's varint postings (see index/builder.ts) into typed arrays, and intersects doc lists.
import { ByteReader } from '../index/varint.js';

export interface Postings {
  docs: Uint32Array;
  /** 4 per doc, FIELDS order: path, body, symbols, doc. */
  tf: Float32Array;
}

export function decodePostings(buf: Uint8Array, df: number, fileCount: number): Postings {
  const docs = new Uint32Array(df);
  const tf = new Float32Array(df * 4);
  const r = new ByteReader(buf);
  let doc = 0;
  for (let i = 0; i < df; i++) {
    const head = r.varint();
    const mask = head % 8;
    doc += (head - mask) / 8;
    if (doc >= fileCount) throw new RangeError(`posting for file ${doc} of ${fileCount}`);
    docs[i] = doc;
    const o = i * 4;
    tf[o + 1] = r.varint();
    if (mask & 1) tf[o] = r.varint();
    if (mask & 2) tf[o + 2] = r.varint();
    if (mask & 4) tf[o + 3] = r.varint();
  }
  return { docs, tf };
}

/** Sorted intersection of two ascending id lists. */
export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) ((out[k++] = x), i++, j++);
    else if (x < y) i++;
    else j++;
  }
  return out.subarray(0, k);
}
