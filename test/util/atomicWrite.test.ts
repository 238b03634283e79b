import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomicSync } from '../../src/util/atomicWrite.js';
import { tempDir } from '../helpers.js';

describe('atomic writes', () => {
  it('write thousands of chunks in order (more than one writev takes) and leave no temp file', () => {
    const dir = tempDir();
    const path = join(dir, 'out.bin');
    const chunks = Array.from({ length: 3000 }, (_, i) => Buffer.from(`${i};`));
    writeFileAtomicSync(path, chunks);
    expect(readFileSync(path)).toEqual(Buffer.concat(chunks));
    expect(readdirSync(dir)).toEqual(['out.bin']);
  });

  it('replace a file whole, from text or one buffer', () => {
    const dir = tempDir();
    const path = join(dir, 'out.txt');
    writeFileAtomicSync(path, 'first version, longer');
    writeFileAtomicSync(path, Buffer.from('second'));
    expect(readFileSync(path, 'utf8')).toBe('second');
  });
});
