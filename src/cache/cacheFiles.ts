// Whole files kept in the cache directory beside the lmdb store, for what is one large record per tree rather than
// one entry per content hash: the last scan's report of each root (scan/lastReport.ts). `quarry cache stats|clear`
// count and clear them as a namespace of their own; they are built from the `scan` entries, so clearing `scan`
// clears them too.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_NAMESPACE_PREFIX } from './cacheKey.js';
import { errnoCode } from '../util/errors.js';

/** Where the reports lie and how stats and clear name them (`local-`: they name this machine's paths). */
export const SCAN_REPORTS = { namespace: `${LOCAL_NAMESPACE_PREFIX}scan-report`, dir: 'scan-reports', ext: '.json' } as const;

/** The reports in `cacheDir` (none unless `ns` is undefined or theirs): entries and bytes, left out when none. */
export function fileUsage(cacheDir: string, ns?: string): { namespace: string; entries: number; bytes: number }[] {
  if (ns !== undefined && ns !== SCAN_REPORTS.namespace) return [];
  let entries = 0;
  let bytes = 0;
  for (const name of reportNames(cacheDir, false)) {
    try {
      bytes += statSync(join(cacheDir, SCAN_REPORTS.dir, name)).size;
      entries++;
    } catch {
      // removed meanwhile
    }
  }
  return entries > 0 ? [{ namespace: SCAN_REPORTS.namespace, entries, bytes }] : [];
}

/**
 * Deletes the reports (when `ns` is undefined, theirs or `scan`) and the temp files that writers left beside them
 * (see util/atomicWrite.ts); the number of reports deleted.
 */
export function clearFiles(cacheDir: string, ns?: string): number {
  if (ns !== undefined && ns !== SCAN_REPORTS.namespace && ns !== 'scan') return 0;
  let n = 0;
  for (const name of reportNames(cacheDir, true)) {
    rmSync(join(cacheDir, SCAN_REPORTS.dir, name), { force: true });
    if (name.endsWith(SCAN_REPORTS.ext)) n++;
  }
  return n;
}

function reportNames(cacheDir: string, temps: boolean): string[] {
  const { dir, ext } = SCAN_REPORTS;
  try {
    return readdirSync(join(cacheDir, dir)).filter((n) => n.endsWith(ext) || (temps && n.includes(`${ext}.tmp-`)));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}
