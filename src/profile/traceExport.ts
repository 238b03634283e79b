// Chrome Trace Event export (`{"traceEvents": […]}`) for Perfetto, speedscope and chrome://tracing: one complete
// event (`ph: "X"`) per span, written to the file as spans stream by, so memory does not grow with the file.
import { closeSync, openSync, writeSync } from 'node:fs';
import { QuarryError, messageOf } from '../util/errors.js';
import type { AttrValue, SpanLine } from './spanLine.js';

/** One event of the trace; the fields Chrome's Trace Event Format defines for complete and metadata events. */
export interface TraceEvent {
  /** Span name (`X`), or `process_name` / `thread_name` (`M`). */
  name: string;
  /** `X`: a complete event with a duration; `M`: metadata naming a process or thread. */
  ph: 'X' | 'M';
  /** Start in microseconds since the run's t0 (`X` only). */
  ts?: number;
  /** Duration in microseconds (`X` only). */
  dur?: number;
  /** One process per run: 1, 2, … in order of first appearance. */
  pid: number;
  /** The thread of the span: the `<thread>` of its span id `<thread>:<n>` (0 is the main thread). */
  tid: number;
  /** Category: the command name. */
  cat?: string;
  /** The span's attrs, plus `span`, `parent`, and `err` when it failed; for `M`, the name. */
  args: Record<string, AttrValue | null>;
}

const FLUSH_AT = 1 << 20;

/** Writes a trace file event by event; call add() per span, then close(). */
export class TraceWriter {
  private readonly fd: number;
  private buf = '';
  private first = true;
  private readonly pids = new Map<string, number>();
  private readonly threads = new Set<string>();
  events = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new QuarryError('bad-input', `cannot write the trace ${path}: ${messageOf(err)}`);
    }
    this.buf = '{"traceEvents":[\n';
  }

  add(s: SpanLine): void {
    let pid = this.pids.get(s.run);
    if (pid === undefined) {
      pid = this.pids.size + 1;
      this.pids.set(s.run, pid);
      this.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: `quarry ${s.cmd} (run ${s.run})` } });
    }
    const colon = s.span.indexOf(':');
    const tid = colon > 0 ? Number(s.span.slice(0, colon)) || 0 : 0;
    const thread = `${pid}:${tid}`;
    if (!this.threads.has(thread)) {
      this.threads.add(thread);
      this.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: tid === 0 ? 'main' : `worker ${tid}` } });
    }
    const args: Record<string, AttrValue | null> = { ...s.attrs, span: s.span, parent: s.parent };
    if (s.status === 'error') args.err = s.err ?? 'error';
    this.push({ name: s.name, ph: 'X', ts: s.start_us, dur: s.dur_us, pid, tid, cat: s.cmd, args });
  }

  /** Ends the JSON document and closes the file. */
  close(): void {
    this.buf += '\n],"displayTimeUnit":"ms"}\n';
    this.flush();
    closeSync(this.fd);
  }

  private push(e: TraceEvent): void {
    this.buf += (this.first ? '' : ',\n') + JSON.stringify(e);
    this.first = false;
    this.events++;
    if (this.buf.length >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    try {
      writeSync(this.fd, this.buf);
    } catch (err) {
      // A full disk or /dev/full: the trace is the user's file to fix, as when it cannot be opened.
      throw new QuarryError('bad-input', `cannot write the trace ${this.path}: ${messageOf(err)}`);
    }
    this.buf = '';
  }
}
