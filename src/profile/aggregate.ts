// Aggregates span lines into groups (by name, cmd,name or run): counts, times, quantiles, errors, self time
// and share of parent. Memory is per group plus per span still waiting for its parent, never per line.
import { DDSKETCH_RELATIVE_ACCURACY } from './ddsketch.js';
import { EXACT_LIMIT, QuantileEstimator, type QuantileMethod } from './quantiles.js';
import type { SpanLine } from './spanLine.js';

export type GroupField = 'cmd' | 'name' | 'run';
export const GROUP_FIELDS: readonly GroupField[] = ['cmd', 'name', 'run'];
export type SortKey = 'total' | 'p95' | 'count';
export const SORT_KEYS: readonly SortKey[] = ['total', 'p95', 'count'];

/** One group's statistics. Times are microseconds. */
export interface GroupStats {
  /** The group's key: its field values joined by a space, in --by order (e.g. `search parse`). */
  key: string;
  /** The group's field values by field name (`{name: "parse"}`, `{cmd: "search", name: "parse"}`). */
  fields: Partial<Record<GroupField, string>>;
  /** Spans in the group. */
  count: number;
  /** Sum of durations. */
  totalUs: number;
  /** totalUs / count. */
  meanUs: number;
  minUs: number;
  maxUs: number;
  /** Nearest-rank quantiles of the durations (the ceil(q·n)-th smallest), exact or from the sketch (see `quantiles`). */
  p50Us: number;
  p95Us: number;
  p99Us: number;
  /** How p50/p95/p99 were found: `exact`, or `ddsketch` (within `quantileRelativeError` of the exact value). */
  quantiles: QuantileMethod;
  /** Relative error bound of the quantiles: 0 when exact, 0.01 for the sketch. */
  quantileRelativeError: number;
  /** Spans with status `error`. */
  errors: number;
  /** Sum of self times: each span's duration minus its children's (children by parent id in the same run), at least 0. */
  selfUs: number;
  /** Sum of durations of the parent spans that contain spans of this group, each parent counted once; 0 for roots. */
  parentUs: number;
  /** Time of the group's spans that have a parent / parentUs: what part of its parents' time it takes; null for roots. */
  shareOfParent: number | null;
}

interface Group {
  key: string;
  fields: Partial<Record<GroupField, string>>;
  count: number;
  totalUs: number;
  minUs: number;
  maxUs: number;
  errors: number;
  selfUs: number;
  parentUs: number;
  childUs: number;
  q: QuantileEstimator;
}

/** Children seen before their parent (the writer ends children first): their time, and their groups. */
interface Pending {
  childUs: number;
  groups: Group[];
  groupUs: number[];
}

export class Aggregator {
  private readonly groups = new Map<string, Group>();
  /** Per run, children waiting for their parent, by the parent's span id. */
  private readonly pending = new Map<string, Map<string, Pending>>();
  private lastRun = '';
  private lastPending: Map<string, Pending> | undefined;

  constructor(
    private readonly by: readonly GroupField[] = ['name'],
    private readonly exactLimit = EXACT_LIMIT,
  ) {}

  add(s: SpanLine): void {
    const g = this.group(s);
    const dur = s.dur_us;
    g.count++;
    g.totalUs += dur;
    if (dur < g.minUs) g.minUs = dur;
    if (dur > g.maxUs) g.maxUs = dur;
    if (s.status === 'error') g.errors++;
    g.q.add(dur);
    const runPending = this.runPending(s.run);
    const mine = runPending.get(s.span);
    if (mine === undefined) g.selfUs += dur;
    else {
      runPending.delete(s.span);
      g.selfUs += Math.max(0, dur - mine.childUs);
      for (let i = 0; i < mine.groups.length; i++) {
        const child = mine.groups[i]!;
        child.parentUs += dur;
        child.childUs += mine.groupUs[i]!;
      }
    }
    if (s.parent !== null) {
      let p = runPending.get(s.parent);
      if (p === undefined) {
        p = { childUs: 0, groups: [], groupUs: [] };
        runPending.set(s.parent, p);
      }
      p.childUs += dur;
      const at = p.groups.indexOf(g);
      if (at === -1) {
        p.groups.push(g);
        p.groupUs.push(dur);
      } else p.groupUs[at]! += dur;
    } else if (runPending.size === 0) {
      // The root ends its run: nothing of it waits any more.
      this.pending.delete(this.lastRun);
      this.lastPending = undefined;
    }
  }

  private runPending(run: string): Map<string, Pending> {
    if (this.lastPending !== undefined && run === this.lastRun) return this.lastPending;
    let m = this.pending.get(run);
    if (m === undefined) {
      run = ownCopy(run);
      m = new Map();
      this.pending.set(run, m);
    }
    this.lastRun = run;
    this.lastPending = m;
    return m;
  }

  /** The groups, sorted (descending) by `sort`, ties by key. */
  result(sort: SortKey = 'total'): GroupStats[] {
    const out: GroupStats[] = [];
    for (const g of this.groups.values()) {
      const method = g.q.method;
      out.push({
        key: g.key,
        fields: g.fields,
        count: g.count,
        totalUs: g.totalUs,
        meanUs: g.totalUs / g.count,
        minUs: g.minUs,
        maxUs: g.maxUs,
        p50Us: g.q.quantile(0.5)!,
        p95Us: g.q.quantile(0.95)!,
        p99Us: g.q.quantile(0.99)!,
        quantiles: method,
        quantileRelativeError: method === 'exact' ? 0 : DDSKETCH_RELATIVE_ACCURACY,
        errors: g.errors,
        selfUs: g.selfUs,
        parentUs: g.parentUs,
        shareOfParent: g.parentUs > 0 ? g.childUs / g.parentUs : null,
      });
    }
    const field = sort === 'total' ? 'totalUs' : sort === 'p95' ? 'p95Us' : 'count';
    return out.sort((a, b) => b[field] - a[field] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private group(s: SpanLine): Group {
    const by = this.by;
    let key = by.length === 1 ? s[by[0]!] : by.map((f) => s[f]).join(' ');
    let g = this.groups.get(key);
    if (g === undefined) {
      key = ownCopy(key);
      const fields: Partial<Record<GroupField, string>> = {};
      for (const f of by) fields[f] = ownCopy(s[f]);
      g = {
        key,
        fields,
        count: 0,
        totalUs: 0,
        minUs: Infinity,
        maxUs: 0,
        errors: 0,
        selfUs: 0,
        parentUs: 0,
        childUs: 0,
        q: new QuantileEstimator(this.exactLimit),
      };
      this.groups.set(key, g);
    }
    return g;
  }
}

/** `name`, `cmd,name`, `run` → the fields; a usage error text for anything else (null when fine). */
export function parseGroupFields(text: string): GroupField[] | string {
  const fields = text.split(',').map((f) => f.trim());
  for (const f of fields)
    if (!(GROUP_FIELDS as readonly string[]).includes(f))
      return `--by takes fields among ${GROUP_FIELDS.join(', ')} (comma-separated), got "${text}"`;
  return fields as GroupField[];
}

/** A string that shares no memory with the line it was cut from (a slice of a line would keep the whole read chunk alive). */
function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
