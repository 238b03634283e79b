// A command's runs summarized the way hyperfine's JSON has them (seconds), plus what quarry adds around it.
import type { CommandRuns } from './runner.js';
import { OUTLIER_THRESHOLD, max, mean, median, min, modifiedZScores, relativeSpeed, stddev } from './stats.js';

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

/** Warnings hyperfine prints for a result (src/benchmark/mod.rs): very fast runs, a slow first run, outliers. */
export function resultWarnings(r: BenchmarkResult): string[] {
  const out: string[] = [];
  if (r.times.some((t) => t < 0.005)) out.push(`${r.command}: runs took less than 5 ms; the results may be inaccurate`);
  if (r.exit_codes.some((c) => c !== 0)) out.push(`${r.command}: ignoring a non-zero exit code`);
  // hyperfine: the first run is itself an outlier → caches; otherwise any outlier → a noisy system.
  const scores = modifiedZScores(r.times);
  if ((scores[0] ?? 0) > OUTLIER_THRESHOLD)
    out.push(
      `${r.command}: the first run was much slower than the rest (${r.times[0]!.toFixed(3)} s), perhaps (file system) caches; ` +
        'try --warmup or --prepare',
    );
  else if (scores.some((z) => Math.abs(z) > OUTLIER_THRESHOLD))
    out.push(
      `${r.command}: statistical outliers were detected (median absolute deviation); ` +
        'consider re-running on a quieter system, or with --warmup',
    );
  return out;
}
