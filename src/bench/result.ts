// A command's runs summarized the way hyperfine's JSON has them (seconds), plus what quarry adds around it.
import type { CommandRuns } from './runner.js';
import { countOutliers, max, mean, median, min, relativeSpeed, stddev } from './stats.js';

/** One command's result, field for field hyperfine's `results[]` entry of --export-json. */
export interface BenchmarkResult {
  command: string;
  /** Mean wall time, s. */
  mean: number;
  /** Sample standard deviation, s (null below two runs, as hyperfine). */
  stddev: number | null;
  median: number;
  /** Mean user / system CPU time of the child, s (Linux: /proc's 10 ms ticks; 0 elsewhere). */
  user: number;
  system: number;
  min: number;
  max: number;
  /** Wall time of each run, s. */
  times: number[];
  exit_codes: (number | null)[];
  /** The values of -P/-L parameters for this command (only when scanning). */
  parameters?: Record<string, string>;
}

export function summarize(r: CommandRuns): BenchmarkResult {
  const sd = stddev(r.times);
  return {
    command: r.command,
    mean: mean(r.times),
    stddev: Number.isFinite(sd) ? sd : null,
    median: median(r.times),
    user: mean(r.user),
    system: mean(r.system),
    min: min(r.times),
    max: max(r.times),
    times: r.times,
    exit_codes: r.exitCodes,
    ...(r.parameters ? { parameters: r.parameters } : {}),
  };
}

/** Relative speed of each result against the fastest (ratio 1 for it), as hyperfine's summary and markdown. */
export function relativeToFastest(results: readonly BenchmarkResult[]): { ratio: number; stddev: number }[] {
  const fastest = results.reduce((a, b) => (b.mean < a.mean ? b : a), results[0]!);
  return results.map((r) =>
    r === fastest
      ? { ratio: 1, stddev: 0 }
      : relativeSpeed({ mean: r.mean, stddev: r.stddev ?? NaN }, { mean: fastest.mean, stddev: fastest.stddev ?? NaN }),
  );
}

/** Warnings hyperfine would print for a result: outliers by the MAD rule, a much slower first run. */
export function resultWarnings(r: BenchmarkResult): string[] {
  const out: string[] = [];
  const outliers = countOutliers(r.times);
  if (outliers > 0)
    out.push(
      `${r.command}: ${outliers} statistical outlier${outliers === 1 ? ' was' : 's were'} detected (median absolute deviation); ` +
        'consider re-running on a quieter system, or with --warmup',
    );
  // hyperfine: the first run is more than 5× the mean of the rest (src/benchmark/mod.rs)
  const [first, ...rest] = r.times;
  if (first !== undefined && rest.length > 0 && first > 5 * mean(rest))
    out.push(`${r.command}: the first run was much slower than the rest (${first.toFixed(3)} s): caches? try --warmup or --prepare`);
  return out;
}
