// Where a root's index lives, and the `.quarry` folder around it. On its own so that a command can look for an index
// without loading the reader.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../util/makeDirs.js';

/** The folder of a tree's quarry data: its index, default profile, bench baselines and ranking model. */
export const INDEX_DIR = '.quarry';
export const INDEX_FILE = 'index.msgpack';

/**
 * What quarry writes into a `.quarry` folder it makes: `*` ignores the folder's contents, this file included, so a
 * tree's quarry data never shows in `git status` nor goes in with `git add -A` (the convention of .pytest_cache or
 * .ruff_cache).
 */
export const SELF_IGNORE = '# Made by quarry: its index, profile, baselines and model are local and generated.\n*\n';

export function indexPathOf(root: string): string {
  return join(root, INDEX_DIR, INDEX_FILE);
}

/**
 * Makes `<root>/.quarry` and the folders `sub` inside it; returns the innermost. A `.quarry` made by this call gets
 * its `.gitignore` (SELF_IGNORE); one that was there is left as its owner keeps it. Throws when the folders cannot be
 * made (see makeDirs); the `.gitignore` is a courtesy, and failing to write it is not an error.
 */
export function makeIndexDir(root: string, ...sub: string[]): string {
  const dir = join(root, INDEX_DIR);
  const made = !existsSync(dir);
  const inner = join(dir, ...sub);
  makeDirs(inner);
  if (made) {
    try {
      // 'wx': a process that made the folder at the same moment may have written it already.
      writeFileSync(join(dir, '.gitignore'), SELF_IGNORE, { flag: 'wx' });
    } catch {
      // Already there, or the folder is not writable: the index would fail next, with its own message.
    }
  }
  return inner;
}
