// Saved results (.quarry/bench/NAME.json, written atomically) and the comparison of a run with them: a
// significance test and a minimum effect size, each command against its saved self.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomicWrite.js';
import { QuarryError, errnoCode } from '../util/errors.js';
import type { BenchmarkResult } from './result.js';
import { mannWhitneyU, welchTTest } from './stats.js';
import { INDEX_DIR, makeIndexDir } from '../index/indexPath.js';

/** A saved baseline: the results of one `quarry bench --save NAME`. */
export interface Baseline {
  schemaVersion: 1;
  name: string;
  /** ISO time of the save. */
  savedAt: string;
  results: BenchmarkResult[];
}

export type SignificanceTest = 'welch' | 'mann-whitney';

export interface Comparison {
  command: string;
  verdict: 'faster' | 'slower' | 'no significant change' | 'too few runs' | 'not in baseline';
  /** Current mean / baseline mean (median / median for Mann–Whitney); null when not compared. */
  ratio: number | null;
  p: number | null;
  runs: { current: number; baseline: number };
}

/** Fewer runs on either side than this and a test says nothing worth trusting. */
export const MIN_RUNS_TO_COMPARE = 5;

export function baselinePath(root: string, name: string): string {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.'))
    throw new QuarryError('usage', `baseline name "${name}" must be letters, digits, '.', '_' or '-'`);
  return join(root, INDEX_DIR, 'bench', `${name}.json`);
}

/** Writes the baseline atomically (util/atomicWrite.ts): a reader sees the old NAME.json or the new, never half. */
export function saveBaseline(root: string, name: string, results: BenchmarkResult[], now = new Date()): string {
  const path = baselinePath(root, name);
  makeIndexDir(root, 'bench');
  const doc: Baseline = { schemaVersion: 1, name, savedAt: now.toISOString(), results };
  writeFileAtomicSync(path, `${JSON.stringify(doc, null, 2)}\n`);
  return path;
}

export function loadBaseline(root: string, name: string): Baseline {
  const path = baselinePath(root, name);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT')
      throw new QuarryError('not-found', `no baseline "${name}" (${path})`, { hint: `save one with quarry bench --save ${name} -- …` });
    throw err;
  }
  const doc = JSON.parse(text) as Partial<Baseline>;
  if (doc.schemaVersion !== 1 || !Array.isArray(doc.results)) throw new QuarryError('bad-input', `${path} is not a quarry bench baseline`);
  return doc as Baseline;
}

/** Each current result against the baseline result of the same command. */
export function compare(
  current: readonly BenchmarkResult[],
  baseline: Baseline,
  o: { test: SignificanceTest; alpha?: number; minEffect?: number },
): Comparison[] {
  const alpha = o.alpha ?? 0.05;
  const minEffect = o.minEffect ?? 0.05;
  return current.map((c) => {
    const b = baseline.results.find((r) => r.command === c.command);
    const runs = { current: c.times.length, baseline: b?.times.length ?? 0 };
    if (b === undefined) return { command: c.command, verdict: 'not in baseline', ratio: null, p: null, runs };
    if (runs.current < MIN_RUNS_TO_COMPARE || runs.baseline < MIN_RUNS_TO_COMPARE)
      return { command: c.command, verdict: 'too few runs', ratio: null, p: null, runs };
    const { p } = o.test === 'welch' ? welchTTest(c.times, b.times) : mannWhitneyU(c.times, b.times);
    const ratio = o.test === 'welch' ? c.mean / b.mean : c.median / b.median;
    const verdict = p < alpha && Math.abs(ratio - 1) >= minEffect ? (ratio > 1 ? 'slower' : 'faster') : 'no significant change';
    return { command: c.command, verdict, ratio, p, runs };
  });
}
