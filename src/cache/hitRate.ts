// The cache's hit rate as the profile recorded it: index and scan put `cache_hits`, `cache_misses` and
// `cache_errors` on their batch spans, so summing those attributes over a profile gives the rate per command.
import { readSpans } from '../profile/reader.js';

/** Cache counters summed over the spans of one command in a profile. */
export interface CommandHitRate {
  cmd: string;
  /** Runs of the command that looked anything up. */
  runs: number;
  hits: number;
  misses: number;
  /** hits / (hits + misses); null when nothing was looked up. */
  rate: number | null;
  /** Failed, timed-out or skipped cache operations (a shared cache that was down shows here). */
  errors: number;
}

/** Sums the cache attributes of every span in `files`, by command; also the total over all commands (`cmd: 'all'`). */
export async function profileHitRates(files: string[]): Promise<CommandHitRate[]> {
  const byCmd = new Map<string, CommandHitRate & { runIds: Set<string> }>();
  const total = { cmd: 'all', runs: 0, hits: 0, misses: 0, rate: null, errors: 0, runIds: new Set<string>() };
  // cache_errors is a thread's running count, not the batch's: the largest value per run and thread is its total.
  const errorsByThread = new Map<string, { cmd: string; errors: number }>();
  await readSpans(files, (span) => {
    const a = span.attrs;
    const hits = num(a['cache_hits']);
    const misses = num(a['cache_misses']);
    const errors = num(a['cache_errors']);
    if (hits + misses + errors === 0) return;
    let c = byCmd.get(span.cmd);
    if (c === undefined)
      byCmd.set(span.cmd, (c = { cmd: span.cmd, runs: 0, hits: 0, misses: 0, rate: null, errors: 0, runIds: new Set() }));
    for (const t of [c, total]) {
      t.hits += hits;
      t.misses += misses;
      t.runIds.add(span.run);
    }
    const thread = `${span.run}/${span.span.split(':')[0]}`;
    const seen = errorsByThread.get(thread);
    if (seen === undefined || seen.errors < errors) errorsByThread.set(thread, { cmd: span.cmd, errors });
  });
  for (const { cmd, errors } of errorsByThread.values()) {
    byCmd.get(cmd)!.errors += errors;
    total.errors += errors;
  }
  const rows = [...byCmd.values()].sort((a, b) => (a.cmd < b.cmd ? -1 : 1));
  if (rows.length > 1) rows.push(total);
  return rows.map(({ runIds, ...r }) => ({ ...r, runs: runIds.size, rate: r.hits + r.misses === 0 ? null : r.hits / (r.hits + r.misses) }));
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}
