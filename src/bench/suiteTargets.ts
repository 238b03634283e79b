// The targets of `quarry bench --suite` (issues 3, 4 and 5), one row per job, and the verdict of a measured figure
// against them. Lower is better everywhere: a time, a ratio to a peer, a peak RSS.

/** The jobs of the suite, in the order they run and print. */
export const SUITE_JOBS = [
  'index-cold',
  'index-warm',
  'index-incremental',
  'search-rare',
  'search-common',
  'search-sym',
  'scan-cold',
  'scan-warm',
  'profile-1m',
  'profile-1m-rss',
] as const;
export type SuiteJob = (typeof SUITE_JOBS)[number];

/** A bar to stay under: `must` is the requirement, `goal` the aim (goal ≤ must). */
export interface Bound {
  must: number;
  goal: number;
}

export type Unit = 's' | 'MiB';

export interface Target {
  /** What the job measures, for people. */
  label: string;
  /** The peer a ratio is taken against, or null when there is none. */
  peer: string | null;
  /** Bounds on quarry / peer, when the issue sets them. */
  ratio?: Bound;
  /** How the ratio reads: `0.61×` or, for a share of another quarry figure, `16.3%`. @default 'times' */
  ratioAs?: 'times' | 'percent';
  /** Bounds on quarry's own figure, used when no ratio is (the peer is missing or the issue sets none). */
  absolute?: Bound & { unit: Unit };
  /** Where the target comes from. */
  source: string;
}

export const TARGETS: Record<SuiteJob, Target> = {
  'index-cold': {
    label: 'index, cold (no index, empty cache)',
    peer: 'ctags -R',
    ratio: { must: 2.0, goal: 1.0 },
    source: 'issue 3',
  },
  'index-warm': {
    label: 're-index, nothing changed',
    peer: null,
    absolute: { must: 1, goal: 0.3, unit: 's' },
    source: 'issue 3',
  },
  'index-incremental': {
    label: 're-index, one file changed',
    peer: null,
    absolute: { must: 1.5, goal: 0.5, unit: 's' },
    source: 'issue 3',
  },
  'search-rare': {
    label: 'search, rare word (useLayoutEffect --files)',
    peer: 'rg -l -w',
    ratio: { must: 1.0, goal: 0.5 },
    source: 'issue 3',
  },
  'search-common': {
    label: 'search, common word (createElement --limit 20)',
    peer: 'rg -n -w -i',
    ratio: { must: 1.0, goal: 0.5 },
    source: 'issue 3',
  },
  'search-sym': {
    label: 'search, definitions (sym:createElement)',
    peer: 'rg definition regex',
    source: 'informational (no target in the issues)',
  },
  'scan-cold': {
    label: 'scan, cold (empty cache)',
    peer: 'cloc',
    ratio: { must: 1.0, goal: 0.5 },
    source: 'issue 4',
  },
  'scan-warm': {
    label: 'scan, warm (cache filled)',
    peer: 'cold scan',
    ratio: { must: 0.2, goal: 0.1 },
    ratioAs: 'percent',
    source: 'issue 4',
  },
  'profile-1m': {
    label: 'profile, 1,000,000 span lines',
    peer: null,
    absolute: { must: 2, goal: 1, unit: 's' },
    source: 'issue 5',
  },
  'profile-1m-rss': {
    label: 'profile, 1,000,000 span lines: peak RSS',
    peer: null,
    absolute: { must: 100, goal: 100, unit: 'MiB' },
    source: 'issue 5',
  },
};

/** goal: the goal is met; must: the requirement is met but not the goal; miss: neither; n/a: nothing to judge by. */
export type Verdict = 'goal' | 'must' | 'miss' | 'n/a';

/** Which bound a verdict was taken against. */
export type JudgedBy = 'ratio' | 'absolute' | null;

/**
 * The verdict of a job: against the ratio bounds when the peer was measured, else against the absolute bounds when
 * the job has them, else n/a (an informational job, or a ratio target whose peer is not installed).
 */
export function judge(target: Target, figure: number | null, ratio: number | null): { verdict: Verdict; by: JudgedBy } {
  if (target.ratio !== undefined && ratio !== null && Number.isFinite(ratio)) return { verdict: against(target.ratio, ratio), by: 'ratio' };
  if (target.absolute !== undefined && figure !== null && Number.isFinite(figure))
    return { verdict: against(target.absolute, figure), by: 'absolute' };
  return { verdict: 'n/a', by: null };
}

function against(b: Bound, value: number): Verdict {
  if (value <= b.goal) return 'goal';
  if (value <= b.must) return 'must';
  return 'miss';
}

/** The target as people read it: `≤ 2.0× (goal 1.0×)`, `≤ 20% (goal 10%)`, `≤ 1 s (goal 0.3 s)`, `≤ 100 MiB`, `informational`. */
export function describeTarget(target: Target, by: JudgedBy): string {
  if (by === 'ratio' && target.ratio !== undefined) {
    const f = target.ratioAs === 'percent' ? (x: number) => `${Math.round(x * 100)}%` : (x: number) => `${x.toFixed(1)}×`;
    return boundText(target.ratio, f);
  }
  if (target.absolute !== undefined) {
    const { unit } = target.absolute;
    return boundText(target.absolute, (x) => `${x} ${unit}`);
  }
  if (target.ratio !== undefined) return `${boundText(target.ratio, (x) => `${x.toFixed(1)}×`)} (needs ${target.peer})`;
  return 'informational';
}

function boundText(b: Bound, f: (x: number) => string): string {
  return b.goal < b.must ? `≤ ${f(b.must)} (goal ${f(b.goal)})` : `≤ ${f(b.must)}`;
}
