// `mkdir -p` that always ends. Node's own (`mkdirSync(dir, { recursive: true })`, Node 20.20) spins at 100% CPU for
// ever, deaf to signals, when a parent exists but the child still answers ENOENT, as under /proc
// (QUARRY_CACHE_DIR=/proc/x/cache hung `quarry scan`). Here a directory that cannot be made once its parent is there
// is an error, reported like any other.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errnoCode } from './errors.js';

/** Makes `dir` and any missing parents; throws the fs error (ENOENT, ENOTDIR, EACCES, EEXIST for a file) when it cannot. */
export function makeDirs(dir: string): void {
  const target = resolve(dir);
  // Up from the target to the nearest directory that exists (or that this call made), then down again.
  const missing: string[] = [];
  let d = target;
  for (;;) {
    try {
      mkdirSync(d);
      break;
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'EEXIST') {
        if (d === target && !statSync(d).isDirectory()) throw err;
        break;
      }
      const parent = dirname(d);
      if (code !== 'ENOENT' || parent === d) throw err;
      missing.push(d);
      d = parent;
    }
  }
  // Each parent exists now: an error here, ENOENT included, is final.
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST' || !statSync(missing[i]!).isDirectory()) throw err;
    }
  }
}
