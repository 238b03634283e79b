import { describe, expect, it } from 'vitest';
import { ChunkList } from '../../src/index/chunkList.js';

describe('chunk lists', () => {
  it('merge adjacent views of one buffer and keep the rest apart, in order', () => {
    const a = Buffer.from('0123456789');
    const b = Buffer.from('abcdef');
    const list = new ChunkList();
    list.push(a.subarray(0, 3));
    list.push(a.subarray(3, 5));
    list.push(new Uint8Array(0));
    list.push(b.subarray(1, 3));
    list.push(a.subarray(5, 7));
    list.push(a.subarray(8, 10));
    expect(list.chunks.map((c) => Buffer.from(c).toString())).toEqual(['01234', 'bc', '56', '89']);
    expect(list.length).toBe(11);
  });
});
