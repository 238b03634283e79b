// Looking upwards from a directory, as git finds its repository: the index of search and the profile of
// `quarry profile` are found this way.
import { dirname, resolve } from 'node:path';

/** The first non-null `probe(dir)` from `start` up to the filesystem root, or null. */
export function findUp<T>(start: string, probe: (dir: string) => T | null): T | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const found = probe(dir);
    if (found !== null) return found;
    if (dirname(dir) === dir) return null;
  }
}
