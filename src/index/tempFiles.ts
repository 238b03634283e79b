// Temp files of index writers that died: named `<index>.tmp-<pid>-<time>`, removed when their pid is gone.
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isPidAlive } from './lockFile.js';

/** Removes temp files left by index writers that died (their pid is gone). */
export function removeStaleTemps(indexPath: string): number {
  const dir = dirname(indexPath);
  const prefix = `${basename(indexPath)}.tmp-`;
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
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
