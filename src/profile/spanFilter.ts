// Which spans a `quarry profile` view counts: --cmd, --run ID|last, --since DURATION.
// --since and --run last need facts about runs (their t0, which one came last) that a run's root span,
// written last, carries; a light first pass over the same files gathers them.
import { QuarryError } from '../util/errors.js';
import { readLines } from './reader.js';
import type { SpanLine } from './spanLine.js';

export interface SpanFilterOptions {
  /** Only spans of this command. */
  cmd?: string;
  /** Only spans of this run id, or of the run that started last (`last`). */
  run?: string;
  /** Only spans that started at most this many microseconds before `nowUs`. */
  sinceUs?: number;
  /** Wall clock in µs since the epoch; default Date.now(). */
  nowUs?: number;
}

const UNITS: Record<string, number> = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6 };

/** `30s`, `15m`, `1h`, `2d`, `500ms` → microseconds; a usage error otherwise. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (m === null) throw new QuarryError('usage', `--since takes a duration like 30s, 15m, 1h or 2d, got "${text}"`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Run ids → t0 (µs since epoch) from the root spans of the files, and the run that started last. */
export async function scanRuns(files: string[]): Promise<{ t0: Map<string, number>; last: string | null }> {
  const t0 = new Map<string, number>();
  let last: string | null = null;
  let lastT0 = -Infinity;
  for (const file of files) {
    await readLines(file, (line) => {
      if (!line.includes('"t0"')) return;
      let v: Partial<SpanLine>;
      try {
        v = JSON.parse(line) as Partial<SpanLine>;
      } catch {
        return;
      }
      if (typeof v.run !== 'string' || typeof v.t0 !== 'number') return;
      t0.set(v.run, v.t0);
      if (v.t0 >= lastT0) {
        lastT0 = v.t0;
        last = v.run;
      }
    });
  }
  return { t0, last };
}

/** A predicate over spans for the options; reads the files first only when --since or --run last needs it. */
export async function spanFilter(files: string[], opts: SpanFilterOptions): Promise<(s: SpanLine) => boolean> {
  const needRuns = opts.sinceUs !== undefined || opts.run === 'last';
  const runs = needRuns ? await scanRuns(files) : null;
  let run = opts.run;
  if (run === 'last') {
    if (runs!.last === null)
      throw new QuarryError('not-found', 'no run with a root span in the profile', { hint: 'give a run id with --run' });
    run = runs!.last;
  }
  const cutoff = opts.sinceUs === undefined ? undefined : (opts.nowUs ?? Date.now() * 1000) - opts.sinceUs;
  const cmd = opts.cmd;
  if (cmd === undefined && run === undefined && cutoff === undefined) return () => true;
  return (s) => {
    if (cmd !== undefined && s.cmd !== cmd) return false;
    if (run !== undefined && s.run !== run) return false;
    if (cutoff !== undefined) {
      // A run whose root span is missing (killed before it flushed) has no known time: left out.
      const t0 = runs!.t0.get(s.run);
      if (t0 === undefined || t0 + s.start_us < cutoff) return false;
    }
    return true;
  };
}
