// Times a command's phases as spans and appends them as JSON lines (DESIGN.md, "Profiler — JSON lines").
// One profiler per thread: initProfiler in the main thread writes the sink; workers buffer and hand lines back.

import { threadId } from 'node:worker_threads';
import { messageOf } from '../util/errors.js';
import { JsonlSink, rotatedFiles } from './jsonlSink.js';
import { SPAN_LINE_VERSION, type AttrValue, type Attrs, type SpanLine } from './spanLine.js';

export { rotatedFiles };
export { isSpanLine, SPAN_LINE_VERSION } from './spanLine.js';
export type { AttrValue, Attrs, SpanLine };

export interface ProfilerOptions {
  /** Command name: written as `cmd` on every line and used as the root span's name. */
  cmd: string;
  /** File the lines are appended to; null turns profiling off. Usually from {@link resolveProfileSink}. */
  sink: string | null;
  /** Rotate the sink before a write that would take it past this size. @default 16 MiB */
  maxBytes?: number;
  /** Rotated files kept beside the sink (`profile.1.jsonl` newest). @default 3 */
  keep?: number;
  /** Lines are written in chunks of at most this many bytes (at least 4 KiB). @default 64 KiB */
  bufferBytes?: number;
}

/** A timed piece of work; ends once, with or without an error. */
export interface Span {
  /** The span's id, to pass as a parent (also across threads). Empty on the no-op span. */
  readonly id: string;
  /** Sets an attribute. */
  set(key: string, value: AttrValue): void;
  /** Adds n to a numeric attribute (a missing or non-numeric one counts as 0). */
  add(key: string, n: number): void;
  /** Ends the span, as failed if an error is given; later calls do nothing. */
  end(error?: unknown): void;
}

export interface Profiler {
  /** False when profiling is off, the sink failed, or the profiler was closed: spans are then no-ops. */
  readonly enabled: boolean;
  /** Id of this process run; empty when off. */
  readonly run: string;
  /** Why profiling turned itself off (at most one message); the command goes on regardless. */
  readonly warnings: readonly string[];
  /** The root span (named after the command), ended by close(); in a worker, the span the work was handed from. */
  root(): Span;
  /** Opens a span; parent defaults to the root. */
  start(name: string, attrs?: Attrs, parent?: Span | string): Span;
  /** Times fn, sync or returning a promise (the span ends when it settles); failures are recorded and rethrown. */
  span<T>(name: string, fn: (s: Span) => T, attrs?: Attrs, parent?: Span | string): T;
  /** Adds lines finished in a worker thread (see {@link drainSpans}). */
  ingest(lines: readonly SpanLine[]): void;
  /** Plain data for a worker's {@link initWorkerProfiler}, its spans parented on `parent` (default root); null when off. */
  workerContext(parent?: Span | string): WorkerProfilerContext | null;
  /** Writes the buffered lines now. */
  flushSync(): void;
  /** Ends the root span with this status, writes everything and closes the sink. */
  close(status?: 'ok' | 'error', err?: string): void;
}

/** What a worker thread needs to record spans of the main thread's run; structured-clone and JSON safe. */
export interface WorkerProfilerContext {
  readonly v: typeof SPAN_LINE_VERSION;
  readonly run: string;
  readonly cmd: string;
  /** The run's t0 on process.hrtime.bigint() (nanoseconds, decimal), a clock all threads of a process share. */
  readonly hrt0: string;
  /** Span the worker's spans hang under when they name no parent. */
  readonly parent: string;
}

const MiB = 1024 * 1024;
const DEFAULTS = { maxBytes: 16 * MiB, keep: 3, bufferBytes: 64 * 1024 };
/** Below this a chunk could not hold one line with a capped message and attributes. */
const MIN_BUFFER_BYTES = 4096;
/** Caps on free text, so one careless attribute or error message cannot outgrow a chunk. */
const MAX_TEXT = 1000;
const MAX_NAME = 200;
/** A worker that is never drained must not grow without bound. */
const MAX_WORKER_LINES = 100_000;

const NOOP_SPAN: Span = Object.freeze({
  id: '',
  set(): void {},
  add(): void {},
  end(): void {},
});

/** The profiler when off: every call returns at once, nothing reads the clock. */
const NOOP_PROFILER: Profiler = Object.freeze({
  enabled: false,
  run: '',
  warnings: Object.freeze([]) as readonly string[],
  root: () => NOOP_SPAN,
  start: () => NOOP_SPAN,
  span: <T>(_name: string, fn: (s: Span) => T): T => fn(NOOP_SPAN),
  ingest(): void {},
  workerContext: () => null,
  flushSync(): void {},
  close(): void {},
});

let current: Profiler = NOOP_PROFILER;
/** Main-thread profilers with an open sink, flushed by flushAllSync and on exit. */
const live = new Set<MainProfiler>();
let exitHookInstalled = false;
/** Span counter of this thread; never reset, so re-initialising in one thread cannot reuse an id. */
let spanCount = 0;
/** Lines finished in this worker thread and not yet drained; shared by re-inits so none are lost. */
let workerLines: SpanLine[] = [];
let workerDropped = 0;

/** A 64-bit random run id in hex. Math.random is enough to tell runs apart, and node:crypto costs start-up time. */
function runId(): string {
  const part = () =>
    Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return part() + part();
}

/** Last rss reading of this thread and when it was taken (hrtime ns). */
let rssAt = -1n;
let rssBytes = 0;
/** Reading rss costs ~10 µs (it parses /proc on Linux), far more than a span; a 50 ms old value is as good. */
const RSS_MAX_AGE_NS = 50_000_000n;

function rssNow(nowNs: bigint): number {
  if (rssAt < 0n || nowNs - rssAt >= RSS_MAX_AGE_NS) {
    rssBytes = process.memoryUsage.rss();
    rssAt = nowNs;
  }
  return rssBytes;
}

function nextSpanId(): string {
  return `${threadId}:${++spanCount}`;
}

/** Keeps an attribute JSON-safe and small: NaN/Infinity would serialize as null. */
function cleanAttr(value: AttrValue): AttrValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' && value.length > MAX_TEXT) return value.slice(0, MAX_TEXT);
  return value;
}

function errorText(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? error.message || error.name : messageOf(error);
  } catch {
    text = 'unprintable error'; // a thrown object whose toString throws
  }
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

class LiveSpan implements Span {
  private attrs: Record<string, AttrValue> | null = null;
  private done = false;

  constructor(
    private readonly rec: Recorder,
    readonly id: string,
    readonly name: string,
    readonly parent: string | null,
    readonly startNs: bigint,
    attrs: Attrs | undefined,
  ) {
    if (attrs !== undefined) for (const [key, value] of Object.entries(attrs)) this.set(key, value);
  }

  set(key: string, value: AttrValue): void {
    // A prototype-less object, so a key like `__proto__` is stored rather than swallowed.
    (this.attrs ??= Object.create(null) as Record<string, AttrValue>)[key] = cleanAttr(value);
  }

  add(key: string, n: number): void {
    const old = this.attrs?.[key];
    this.set(key, (typeof old === 'number' ? old : 0) + n);
  }

  end(error?: unknown): void {
    this.finish(error === undefined ? undefined : errorText(error));
  }

  /** Ends the span as failed with err, or as ok when err is undefined. */
  finish(err: string | undefined): void {
    if (this.done) return;
    this.done = true;
    this.rec.record(this, err, this.attrs ?? {});
  }

  get ended(): boolean {
    return this.done;
  }
}

/** The root of a worker's spans: a span of the main thread, which only the main thread ends. */
class RemoteSpan implements Span {
  constructor(readonly id: string) {}
  set(): void {}
  add(): void {}
  end(): void {}
}

/** Span bookkeeping shared by the main-thread and worker profilers; they differ in where lines go. */
abstract class Recorder implements Profiler {
  abstract readonly enabled: boolean;
  readonly warnings: string[] = [];

  constructor(
    readonly run: string,
    readonly cmd: string,
    protected readonly hrt0: bigint,
  ) {}

  protected abstract rootId(): string;
  abstract root(): Span;
  protected abstract write(line: SpanLine): void;
  abstract flushSync(): void;
  abstract close(status?: 'ok' | 'error', err?: string): void;

  start(name: string, attrs?: Attrs, parent?: Span | string): Span {
    if (!this.enabled) return NOOP_SPAN;
    return this.open(name, attrs, parent);
  }

  span<T>(name: string, fn: (s: Span) => T, attrs?: Attrs, parent?: Span | string): T {
    if (!this.enabled) return fn(NOOP_SPAN);
    const s = this.open(name, attrs, parent);
    let out: T;
    try {
      out = fn(s);
    } catch (err) {
      s.finish(errorText(err));
      throw err;
    }
    if (!isPromiseLike(out)) {
      s.finish(undefined);
      return out;
    }
    return out.then(
      (value) => {
        s.finish(undefined);
        return value;
      },
      (err: unknown) => {
        s.finish(errorText(err));
        throw err;
      },
    ) as unknown as T; // a promise of the same value, settling after the span has ended
  }

  ingest(lines: readonly SpanLine[]): void {
    if (!this.enabled) return;
    for (const line of lines) this.write(line);
  }

  workerContext(parent?: Span | string): WorkerProfilerContext | null {
    if (!this.enabled) return null;
    return { v: SPAN_LINE_VERSION, run: this.run, cmd: this.cmd, hrt0: this.hrt0.toString(), parent: this.parentId(parent) };
  }

  /** Turns a finished span into its line. */
  record(span: LiveSpan, err: string | undefined, attrs: Attrs, extra?: { t0: number }): void {
    const endNs = process.hrtime.bigint();
    const start_us = Number((span.startNs - this.hrt0) / 1000n);
    const dur_us = Number((endNs - span.startNs) / 1000n);
    const rss = rssNow(endNs);
    // One plain literal, no spreads: JSON.stringify has a fast path for such objects, and it is most of a span's
    // cost. An `err` of undefined is left out of the JSON, so the key order stays that of the design.
    const line: SpanLine = {
      v: SPAN_LINE_VERSION,
      run: this.run,
      cmd: this.cmd,
      span: span.id,
      parent: span.parent,
      name: span.name,
      start_us,
      dur_us,
      status: err === undefined ? 'ok' : 'error',
      err,
      rss,
      attrs,
    };
    if (extra !== undefined) line.t0 = extra.t0;
    this.write(line);
  }

  protected open(name: string, attrs: Attrs | undefined, parent: Span | string | undefined): LiveSpan {
    return new LiveSpan(this, nextSpanId(), name.slice(0, MAX_NAME), this.parentId(parent), process.hrtime.bigint(), attrs);
  }

  private parentId(parent: Span | string | undefined): string {
    const id = typeof parent === 'string' ? parent : parent?.id;
    return id === undefined || id === '' ? this.rootId() : id; // '' is the no-op span
  }
}

/** The main thread's profiler: owns the root span and the sink. */
class MainProfiler extends Recorder {
  private readonly sink: JsonlSink;
  private readonly rootSpan: LiveSpan;
  /**
   * Wall clock at hrt0, in epoch microseconds (of whole milliseconds), carried by the root line. Read from Date.now():
   * performance.timeOrigin + performance.now() is the wall clock at the process's start plus monotonic time since,
   * which drifts from the wall clock over a long-lived process (a test worker minutes old put it 2.5 ms before a
   * Date.now() read just earlier).
   */
  private readonly t0: number;
  private closed = false;

  constructor(opts: ProfilerOptions & { sink: string }) {
    const hrt0 = process.hrtime.bigint();
    super(runId(), opts.cmd, hrt0);
    this.t0 = Date.now() * 1000;
    this.sink = new JsonlSink(opts.sink, {
      maxBytes: opts.maxBytes ?? DEFAULTS.maxBytes,
      keep: opts.keep ?? DEFAULTS.keep,
      bufferBytes: Math.max(MIN_BUFFER_BYTES, opts.bufferBytes ?? DEFAULTS.bufferBytes),
      onFailure: (message) => this.warnings.push(message),
    });
    this.rootSpan = new LiveSpan(this, nextSpanId(), opts.cmd.slice(0, MAX_NAME), null, hrt0, undefined);
  }

  get enabled(): boolean {
    return !this.closed && this.sink.failure === null;
  }

  protected rootId(): string {
    return this.rootSpan.id;
  }

  root(): Span {
    return this.enabled ? this.rootSpan : NOOP_SPAN;
  }

  override record(span: LiveSpan, err: string | undefined, attrs: Attrs): void {
    super.record(span, err, attrs, span === this.rootSpan ? { t0: this.t0 } : undefined);
  }

  protected write(line: SpanLine): void {
    if (this.sink.append(JSON.stringify(line))) return;
    // Longer than a chunk even with capped texts: keep the timing, drop the attributes.
    this.sink.append(JSON.stringify({ ...line, attrs: { attrs_dropped: true } }));
  }

  flushSync(): void {
    this.sink.flushSync();
  }

  close(status: 'ok' | 'error' = 'ok', err?: string): void {
    if (this.closed) return;
    this.rootSpan.finish(status === 'ok' ? undefined : (err ?? 'failed'));
    this.closed = true;
    this.sink.close();
    live.delete(this);
  }

  /** On process exit without close(): end the root by the exit code so the run keeps its t0. */
  closeAtExit(code: number): void {
    if (!this.rootSpan.ended) this.close(code === 0 ? 'ok' : 'error', `exited with code ${code} before the profiler was closed`);
    else this.close();
  }
}

/** A worker thread's profiler: lines wait in memory until drainSpans() hands them to the main thread. */
class WorkerProfiler extends Recorder {
  readonly enabled = true;
  private readonly parent: RemoteSpan;

  constructor(ctx: WorkerProfilerContext) {
    super(ctx.run, ctx.cmd, BigInt(ctx.hrt0));
    this.parent = new RemoteSpan(ctx.parent);
  }

  protected rootId(): string {
    return this.parent.id;
  }

  root(): Span {
    return this.parent;
  }

  protected write(line: SpanLine): void {
    if (workerLines.length < MAX_WORKER_LINES) workerLines.push(line);
    else if (workerDropped++ === 0) this.warnings.push(`profiling: worker ${threadId} dropped spans; call drainSpans() more often`);
  }

  flushSync(): void {}
  close(): void {}
}

function flushAtExit(code: number): void {
  for (const p of [...live]) p.closeAtExit(code);
}

/**
 * Starts the process-wide profiler in the main thread and opens its root span.
 * A previous profiler is closed first. Never throws: a sink it cannot write turns it off, with a warning.
 */
export function initProfiler(opts: ProfilerOptions): Profiler {
  for (const p of [...live]) p.close();
  if (opts.sink === null) {
    current = NOOP_PROFILER;
    return current;
  }
  const p = new MainProfiler({ ...opts, sink: opts.sink });
  if (p.enabled) {
    live.add(p);
    if (!exitHookInstalled) {
      // Flushes what a run buffered when it ends without close(), including an exit from a signal handler.
      process.on('exit', flushAtExit);
      exitHookInstalled = true;
    }
  }
  current = p;
  return p;
}

/** The current profiler of this thread; a no-op one until initProfiler/initWorkerProfiler. */
export function profiler(): Profiler {
  return current;
}

/** Writes every main-thread profiler's buffered lines; for commands/main.ts's SIGINT/SIGTERM handler. */
export function flushAllSync(): void {
  for (const p of live) p.flushSync();
}

/**
 * Starts this worker thread's profiler from the main thread's {@link Profiler.workerContext}.
 * Its spans are kept in memory; send {@link drainSpans} back with each task result. Null turns it off.
 */
export function initWorkerProfiler(ctx: WorkerProfilerContext | null): Profiler {
  current = ctx !== null && ctx.v === SPAN_LINE_VERSION ? new WorkerProfiler(ctx) : NOOP_PROFILER;
  return current;
}

/** Takes the lines this worker thread finished since the last drain, for the main thread's ingest(). */
export function drainSpans(): SpanLine[] {
  const lines = workerLines;
  workerLines = [];
  return lines;
}

/** The sink to profile to: `--profile FILE` wins, then QUARRY_PROFILE (`off` disables), then defaultPath. */
export function resolveProfileSink(opts: { flag?: string; env?: string; defaultPath: string | null }): string | null {
  if (opts.flag !== undefined && opts.flag !== '') return opts.flag;
  const env = opts.env?.trim();
  if (env !== undefined && env !== '') return env.toLowerCase() === 'off' ? null : env;
  return opts.defaultPath;
}
