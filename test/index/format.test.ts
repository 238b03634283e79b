import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packr } from '../../src/util/packr.js';
import { unpackr } from '../../src/util/unpackr.js';
import { runIndex } from '../../src/index/indexer.js';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { FORMAT_VERSION, INDEX_MAGIC } from '../../src/index/format.js';
import { search } from '../../src/search/search.js';
import { QuarryError } from '../../src/util/errors.js';
import { fixture, tempDir, withHeader } from '../helpers.js';

describe('index format', () => {
  it('round-trips every typed array the index stores (msgpackr moreTypes)', () => {
    const value = {
      u8: Uint8Array.from([0, 255]),
      u32: Uint32Array.from([1, 2, 300000, 2 ** 32 - 1]),
      f64: Float64Array.from([0.5, 1e300, -1]),
      f32: Float32Array.from([1.5]),
      buf: Buffer.from('hello'),
      nested: { strings: ['a', 'ü'], n: 2 ** 40 },
    };
    const back = unpackr.unpack(packr.pack(value)) as typeof value;
    expect(back.u8).toBeInstanceOf(Uint8Array);
    expect([...back.u32]).toEqual([...value.u32]);
    expect(back.u32).toBeInstanceOf(Uint32Array);
    expect([...back.f64]).toEqual([...value.f64]);
    expect(back.f64).toBeInstanceOf(Float64Array);
    expect([...back.f32]).toEqual([1.5]);
    expect(Buffer.from(back.buf).toString()).toBe('hello');
    expect(back.nested).toEqual(value.nested);
  });

  it('has a versioned header with section offsets, readable without decoding the rest', async () => {
    const root = fixture('index/basic');
    await runIndex({ root, cacheDir: null, workers: 1 });
    const r = new IndexReader(indexPathOf(root));
    expect(r.header.magic).toBe(INDEX_MAGIC);
    expect(r.header.format).toBe(FORMAT_VERSION);
    expect(r.header.fileCount).toBe(6);
    expect(Object.keys(r.header.sections)).toEqual(
      expect.arrayContaining([
        'paths',
        'files',
        'fieldLen',
        'dictIndex',
        'dictBlocks',
        'postings',
        'symIndex',
        'symBlocks',
        'imports',
        'exports',
        'skipped',
      ]),
    );
    r.close();
  });

  describe('a damaged index is reported as unreadable, never crashes', () => {
    const cases: [string, (bytes: Buffer) => Buffer | string][] = [
      ['a zero-length file', () => Buffer.alloc(0)],
      ['random bytes', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
      ['the header cut in half', (b) => b.subarray(0, 20)],
      ['a truncated file', (b) => b.subarray(0, Math.floor(b.length * 0.6))],
      ['another format version', (b) => withHeader(b, (h) => ({ ...h, format: FORMAT_VERSION + 1 }))],
      [
        'section offsets past the end',
        (b) => withHeader(b, (h) => ({ ...h, sections: { ...(h.sections as object), postings: [1e9, 10] } })),
      ],
      ['garbage inside the postings', (b) => corruptSection(b, 'postings')],
      ['garbage inside the dictionary', (b) => corruptSection(b, 'dictBlocks')],
    ];
    for (const [name, damage] of cases) {
      it(`${name}`, async () => {
        const root = fixture('index/basic');
        await runIndex({ root, cacheDir: null, workers: 1 });
        const path = indexPathOf(root);
        writeFileSync(path, damage(readFileSync(path)));
        let caught: unknown;
        try {
          for (const q of ['fetchUser', 'sym:loadConfig', 'parse response', 'path:**'])
            search({ root, cwd: root, query: q, limit: 0, filesOnly: false, explain: false, maxLines: 0 });
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(QuarryError);
        expect((caught as QuarryError).code).toBe('unreadable-index');
        expect((caught as QuarryError).message).toMatch(/index .*index\.msgpack is unreadable \(.+\); run `quarry index`/);
      });
    }
  });

  it('a directory in place of the index is unreadable', () => {
    const root = tempDir();
    mkdirSync(indexPathOf(root), { recursive: true });
    expect(() => new IndexReader(indexPathOf(root))).toThrow(/unreadable \((not a regular file|EISDIR)/);
  });

  it('no index at all says to run quarry index', () => {
    const root = tempDir();
    expect(() => search({ root, cwd: root, query: 'x1', limit: 0, filesOnly: false, explain: false, maxLines: 0 })).toThrow(/no index/);
  });

  it('keys such as __proto__ in a crafted index do not reach Object.prototype', async () => {
    const root = fixture('index/basic');
    await runIndex({ root, cacheDir: null, workers: 1 });
    const path = indexPathOf(root);
    const crafted = withHeader(readFileSync(path), (h) => JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(h).slice(1)}`));
    writeFileSync(path, crafted);
    const r = new IndexReader(path);
    r.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A hostile header can still carry __proto__ as data, but never as a prototype.
    expect(Object.getPrototypeOf(r.header)).toBe(Object.prototype);
  });
});

/** Rewrites the header with `change`, keeping the sections' bytes. */
function corruptSection(bytes: Buffer, name: string): Buffer {
  const len = bytes.readUInt32LE(8);
  const header = unpackr.unpack(bytes.subarray(12, 12 + len)) as { sections: Record<string, [number, number]> };
  const [off, size] = header.sections[name]!;
  const out = Buffer.from(bytes);
  for (let i = 0; i < size; i++) out[12 + len + off + i] = 0xff - (i % 7);
  return out;
}
