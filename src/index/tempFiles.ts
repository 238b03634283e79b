// Temp files of index writers that died, removed when their pid is gone: the index's `<index>.tmp-<pid>-<time>`, and
// the lock's `<index>.lock.new-<pid>` and `<index>.lock.stale-<pid>-<time>` (see lockFile.ts).
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isPidAlive } from './lockFile.js';

/** Removes temp files left by index writers that died (their pid is gone). */
export function removeStaleTemps(indexPath: string): number {
  const dir = dirname(indexPath);
  const base = basename(indexPath);
  const prefixes = [`${base}.tmp-`, `${base}.lock.new-`, `${base}.lock.stale-`];
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const prefix = prefixes.find((p) => name.startsWith(p));
    if (prefix === undefined) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && isPidAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // another process removed it
    }
  }
  return removed;
}
