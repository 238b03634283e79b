// The span line: the JSON object, one per line, that the profiler writes and `quarry profile` reads.
// See DESIGN.md, "Profiler — JSON lines".

/** A span attribute's value: a count, a byte size, a flag or a short label. */
export type AttrValue = number | string | boolean;

/** A span's attributes: a small flat object (counts, bytes, cache hits). */
export type Attrs = Readonly<Record<string, AttrValue>>;

/** The schema version written as `v`; bumped when a field changes meaning. */
export const SPAN_LINE_VERSION = 1;

/** One finished span, as written on one line of the profile sink. */
export interface SpanLine {
  /** Schema version of the line, {@link SPAN_LINE_VERSION}. */
  v: typeof SPAN_LINE_VERSION;
  /** Id of the process run that produced the span: random hex, the same on every line of the run. */
  run: string;
  /** Name of the command that ran (`index`, `search`, …). */
  cmd: string;
  /** Id of the span, unique within the run: `<threadId>:<counter>`, so worker spans never collide with main-thread ones. */
  span: string;
  /** Id of the enclosing span; null only on the root span. */
  parent: string | null;
  /** What was timed (`walk`, `parse`, …); on the root span, the command name. */
  name: string;
  /** Start, in whole microseconds since the run's `t0`, from the process-wide monotonic clock. */
  start_us: number;
  /** Duration in whole microseconds, never negative. */
  dur_us: number;
  /** `error` when the timed work threw or rejected (or the span was ended with an error). */
  status: 'ok' | 'error';
  /** The error's message; present only when `status` is `error`. */
  err?: string;
  /** Resident set size of the whole process, in bytes, when the span ended (a reading at most 50 ms old). */
  rss: number;
  /** The span's attributes; `{}` when it has none. */
  attrs: Attrs;
  /** On the root span only: wall-clock time of the run's start, in microseconds since the Unix epoch. */
  t0?: number;
}

/** Whether a parsed JSON value has the span line shape (extra keys are allowed, so newer writers still read). */
export function isSpanLine(x: unknown): x is SpanLine {
  if (typeof x !== 'object' || x === null) return false;
  const l = x as Record<string, unknown>;
  return (
    l.v === SPAN_LINE_VERSION &&
    typeof l.run === 'string' &&
    typeof l.cmd === 'string' &&
    typeof l.span === 'string' &&
    (l.parent === null || typeof l.parent === 'string') &&
    typeof l.name === 'string' &&
    Number.isInteger(l.start_us) &&
    Number.isInteger(l.dur_us) &&
    (l.dur_us as number) >= 0 &&
    (l.status === 'ok' || (l.status === 'error' && typeof l.err === 'string')) &&
    typeof l.rss === 'number' &&
    isAttrs(l.attrs) &&
    (l.t0 === undefined || Number.isInteger(l.t0))
  );
}

function isAttrs(x: unknown): x is Attrs {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  // for-in, not Object.values: no array per line (quarry profile checks a million lines in one go).
  for (const key in x) {
    const t = typeof (x as Record<string, unknown>)[key];
    if (t !== 'number' && t !== 'string' && t !== 'boolean') return false;
  }
  return true;
}
