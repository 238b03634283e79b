// Whole files kept in the cache directory beside the lmdb store, for what is one large record per tree rather than
// one entry per content hash: today the last scan's report of each root (scan/lastReport.ts). `quarry cache
// stats|clear` count and clear them as a namespace of their own.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_NAMESPACE_PREFIX } from './cacheKey.js';
import { errnoCode } from '../util/errors.js';

/** A folder of the cache directory holding one kind of file. */
interface FileArea {
  /** How stats and clear name it (`local-`: the files name this machine's paths). */
  namespace: string;
  /** Namespaces whose clearing clears these files too: they are built from those entries. */
  builtFrom: readonly string[];
  dir: string;
  ext: string;
}

/** The last scan's report of each root, built from the `scan` entries. */
export const SCAN_REPORTS: FileArea = {
  namespace: `${LOCAL_NAMESPACE_PREFIX}scan-report`,
  builtFrom: ['scan'],
  dir: 'scan-reports',
  ext: '.json',
};

const AREAS: readonly FileArea[] = [SCAN_REPORTS];

/** The files of every area (only `ns`'s when given) in `cacheDir`: entries and bytes by namespace, empty areas left out. */
export function fileUsage(cacheDir: string, ns?: string): { namespace: string; entries: number; bytes: number }[] {
  const out: { namespace: string; entries: number; bytes: number }[] = [];
  for (const area of AREAS) {
    if (ns !== undefined && ns !== area.namespace) continue;
    let entries = 0;
    let bytes = 0;
    for (const name of namesIn(cacheDir, area, false)) {
      try {
        bytes += statSync(join(cacheDir, area.dir, name)).size;
        entries++;
      } catch {
        // removed meanwhile
      }
    }
    if (entries > 0) out.push({ namespace: area.namespace, entries, bytes });
  }
  return out;
}

/**
 * Deletes the files of every area (with `ns`: of its area, and of the areas built from `ns`), and the temp files
 * that writers left there (see util/atomicWrite.ts); the number of files deleted, temp files not counted.
 */
export function clearFiles(cacheDir: string, ns?: string): number {
  let n = 0;
  for (const area of AREAS) {
    if (ns !== undefined && ns !== area.namespace && !area.builtFrom.includes(ns)) continue;
    for (const name of namesIn(cacheDir, area, true)) {
      rmSync(join(cacheDir, area.dir, name), { force: true });
      if (name.endsWith(area.ext)) n++;
    }
  }
  return n;
}

function namesIn(cacheDir: string, area: FileArea, temps: boolean): string[] {
  try {
    return readdirSync(join(cacheDir, area.dir)).filter((n) => n.endsWith(area.ext) || (temps && n.includes(`${area.ext}.tmp-`)));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw err;
  }
}
