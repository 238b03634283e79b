// The `quarry profile` view of span files: one streaming pass that filters, aggregates and (optionally)
// exports a trace. Returns plain data; commands/profile.ts prints it.
import { DDSKETCH_RELATIVE_ACCURACY } from './ddsketch.js';
import { Aggregator, type GroupField, type GroupStats, type SortKey } from './aggregate.js';
import { EXACT_LIMIT } from './quantiles.js';
import { checkFiles, readSpans, type SkipCounts } from './reader.js';
import { spanFilter, type SpanFilterOptions } from './spanFilter.js';
import { TraceWriter } from './traceExport.js';

export interface SummarizeOptions extends SpanFilterOptions {
  files: string[];
  /** Group by these fields. @default ['name'] */
  by?: GroupField[];
  /** @default 'total' */
  sort?: SortKey;
  /** Keep only the first N groups after sorting. */
  top?: number;
  /** Also write a Chrome Trace Event file of the matching spans. */
  tracePath?: string;
  /** Groups up to this size get exact quantiles. @default 10000 */
  exactLimit?: number;
}

/** The `data` of `quarry profile --json` (spans mode). Times are microseconds. */
export interface ProfileSummary {
  mode: 'spans';
  /** The files read, in order (rotated files oldest first). */
  files: string[];
  /** Non-blank lines read. */
  lines: number;
  /** Span lines read. */
  spans: number;
  /** Span lines that passed --cmd/--run/--since and were aggregated. */
  matched: number;
  /** Lines that were not spans, by reason. */
  skipped: SkipCounts;
  /** The grouping fields. */
  by: GroupField[];
  /** What the groups are sorted by (descending). */
  sort: SortKey;
  /** How quantiles are found: exact up to `exactUpTo` values per group, DDSketch above (relative error `sketchRelativeError`). */
  quantiles: { exactUpTo: number; sketch: 'ddsketch'; sketchRelativeError: number };
  /** Number of groups before --top. */
  totalGroups: number;
  /** The groups, sorted, cut to --top. */
  groups: GroupStats[];
  /** The trace written by --trace, if any: its path and number of events. */
  trace: { path: string; events: number } | null;
}

export async function summarize(opts: SummarizeOptions): Promise<ProfileSummary> {
  checkFiles(opts.files);
  const by = opts.by ?? ['name'];
  const sort = opts.sort ?? 'total';
  const exactLimit = opts.exactLimit ?? EXACT_LIMIT;
  const keep = await spanFilter(opts.files, opts);
  const agg = new Aggregator(by, exactLimit);
  const trace = opts.tracePath === undefined ? null : new TraceWriter(opts.tracePath);
  let matched = 0;
  let stats;
  try {
    stats = await readSpans(opts.files, (s) => {
      if (!keep(s)) return;
      matched++;
      agg.add(s);
      trace?.add(s);
    });
  } finally {
    trace?.close();
  }
  const groups = agg.result(sort);
  return {
    mode: 'spans',
    files: stats.files,
    lines: stats.lines,
    spans: stats.spans,
    matched,
    skipped: stats.skipped,
    by,
    sort,
    quantiles: { exactUpTo: exactLimit, sketch: 'ddsketch', sketchRelativeError: DDSKETCH_RELATIVE_ACCURACY },
    totalGroups: groups.length,
    groups: opts.top === undefined ? groups : groups.slice(0, opts.top),
    trace: trace === null ? null : { path: trace.path, events: trace.events },
  };
}
