// `quarry profile --diff A B`: two files, or two runs of one file, compared span name by span name and ranked
// by what got slower. Slowdown is measured on the mean per span, so sides with different run counts compare.
import { Aggregator, type GroupStats } from './aggregate.js';
import { checkFiles, emptySkips, readSpans, type SkipCounts } from './reader.js';

/** One side of a diff: files, and optionally one run id in them. */
export interface DiffSide {
  files: string[];
  run?: string;
}

/** A span name's figures on one side. Times are microseconds. */
export interface DiffFigures {
  count: number;
  totalUs: number;
  meanUs: number;
}

/** One span name, before and after. */
export interface DiffRow {
  name: string;
  /** null when the name is only in B. */
  before: DiffFigures | null;
  /** null when the name is only in A. */
  after: DiffFigures | null;
  /** after.meanUs / before.meanUs; null when either side is missing or before's mean is 0. */
  ratio: number | null;
  /** after.totalUs / before.totalUs; null likewise. */
  totalRatio: number | null;
  /** `slower` / `faster` when the mean moved by more than the threshold, `same` otherwise; `added` / `removed`. */
  change: 'slower' | 'faster' | 'same' | 'added' | 'removed';
}

/** The `data` of `quarry profile --diff --json`. */
export interface ProfileDiff {
  mode: 'diff';
  /** What A and B were: file paths, or `run <id>`. */
  before: string;
  after: string;
  /** A change of the mean under this percentage is `same`; with --fail-on-regression, its value. @default 5 */
  thresholdPct: number;
  /** Rows, slowest-getting first (by ratio; added, then removed, last). */
  rows: DiffRow[];
  /** Names that got slower by more than thresholdPct. */
  regressions: string[];
  /** Lines that were not spans, by reason, over both sides. */
  skipped: SkipCounts;
}

async function side(s: DiffSide, skipped: SkipCounts): Promise<Map<string, GroupStats>> {
  const agg = new Aggregator(['name']);
  const stats = await readSpans(s.files, (span) => {
    if (s.run === undefined || span.run === s.run) agg.add(span);
  });
  skipped.torn += stats.skipped.torn;
  skipped.notJson += stats.skipped.notJson;
  skipped.notSpan += stats.skipped.notSpan;
  return new Map(agg.result().map((g) => [g.key, g]));
}

const figures = (g: GroupStats | undefined): DiffFigures | null =>
  g === undefined ? null : { count: g.count, totalUs: g.totalUs, meanUs: g.meanUs };

export async function diffProfiles(
  a: DiffSide,
  b: DiffSide,
  opts: { thresholdPct?: number; labels: [string, string] },
): Promise<ProfileDiff> {
  checkFiles([...a.files, ...b.files]);
  const thresholdPct = opts.thresholdPct ?? 5;
  const skipped = emptySkips();
  const before = await side(a, skipped);
  const after = await side(b, skipped);
  const rows: DiffRow[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const x = figures(before.get(name));
    const y = figures(after.get(name));
    const ratio = x !== null && y !== null && x.meanUs > 0 ? y.meanUs / x.meanUs : null;
    const totalRatio = x !== null && y !== null && x.totalUs > 0 ? y.totalUs / x.totalUs : null;
    const change: DiffRow['change'] =
      x === null
        ? 'added'
        : y === null
          ? 'removed'
          : ratio === null
            ? 'same'
            : ratio > 1 + thresholdPct / 100
              ? 'slower'
              : ratio < 1 - thresholdPct / 100
                ? 'faster'
                : 'same';
    rows.push({ name, before: x, after: y, ratio, totalRatio, change });
  }
  const rank = (r: DiffRow) => (r.change === 'added' ? -1 : r.change === 'removed' ? -2 : (r.ratio ?? 1));
  rows.sort((p, q) => rank(q) - rank(p) || (p.name < q.name ? -1 : 1));
  return {
    mode: 'diff',
    before: opts.labels[0],
    after: opts.labels[1],
    thresholdPct,
    rows,
    regressions: rows.filter((r) => r.change === 'slower').map((r) => r.name),
    skipped,
  };
}
