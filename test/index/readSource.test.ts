import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReadArena, readSource } from '../../src/index/readSource.js';
import { DEFAULT_SKIP_RULES } from '../../src/index/skipRules.js';
import { tempDir } from '../helpers.js';

describe('ReadArena', () => {
  it('hands out buffers that do not overlap, and keeps the earlier ones intact when it grows', () => {
    const arena = new ReadArena(16);
    const a = arena.take(10).fill(1);
    const b = arena.take(10).fill(2); // does not fit: a new, larger block
    const c = arena.take(4).fill(3);
    expect([...a]).toEqual(Array(10).fill(1));
    expect([...b]).toEqual(Array(10).fill(2));
    expect([...c]).toEqual(Array(4).fill(3));
    expect(b.buffer).not.toBe(a.buffer);
  });

  it('reuses its memory after a reset, and takes back only the last buffer taken', () => {
    const arena = new ReadArena(64);
    const a = arena.take(8);
    const b = arena.take(8);
    arena.giveBack(a); // not the last: stays taken
    expect(arena.take(8).byteOffset).toBe(b.byteOffset + 8);
    const d = arena.take(8);
    arena.giveBack(d);
    expect(arena.take(8).byteOffset).toBe(d.byteOffset);
    arena.reset();
    const again = arena.take(8);
    expect(again.buffer).toBe(a.buffer);
    expect(again.byteOffset).toBe(a.byteOffset);
  });
});

describe('readSource into an arena', () => {
  it('reads files larger than the arena and skipped files in between, each with its own bytes and hash', () => {
    const root = tempDir();
    const files: [string, string][] = [
      ['one.js', `const one = 1;\n${'// filler line for the first file\n'.repeat(3000)}export const lastOfOne = 1;\n`],
      ['min.js', `var a=${'1+'.repeat(20000)}1;\n`],
      ['two.js', `const two = 2;\n${'// filler line for the second file\n'.repeat(3000)}export const lastOfTwo = 2;\n`],
    ];
    for (const [name, text] of files) writeFileSync(join(root, name), text);
    const arena = new ReadArena(1024);
    const reads = files.map(([name]) => readSource(join(root, name), DEFAULT_SKIP_RULES, arena));
    expect(reads[1]).toMatchObject({ ok: false, reason: 'minified' });
    for (const k of [0, 2]) {
      const r = reads[k]!;
      if (!r.ok) throw new Error(`${files[k]![0]} was skipped`);
      expect(r.buf.toString('utf8')).toBe(files[k]![1]);
      expect(r.hash).toBe(createHash('sha1').update(files[k]![1]).digest('hex'));
    }
  });
});
