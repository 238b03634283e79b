import { existsSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/util/makeDirs.js';
import { tempDir } from '../helpers.js';

describe('makeDirs', () => {
  it('makes a directory and its missing parents, and leaves an existing one as it is', () => {
    const root = tempDir();
    const deep = join(root, 'a', 'b', 'c');
    makeDirs(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    writeFileSync(join(deep, 'keep.txt'), 'x');
    makeDirs(deep);
    expect(existsSync(join(deep, 'keep.txt'))).toBe(true);
  });

  it('throws for a file in the way: in the path (ENOTDIR) or at the end (EEXIST)', () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDirs(join(root, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirs(join(root, 'file'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
  });

  it('throws ENOENT below a dangling symlink', () => {
    const root = tempDir();
    symlinkSync(join(root, 'nowhere'), join(root, 'dangling'));
    expect(() => makeDirs(join(root, 'dangling', 'cache'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  // Where Node 20's recursive mkdir spins for ever: the parent exists, the child keeps answering ENOENT.
  it.runIf(existsSync('/proc/self'))('throws ENOENT under /proc instead of trying for ever', () => {
    expect(() => makeDirs('/proc/no-such-quarry-dir/cache')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
