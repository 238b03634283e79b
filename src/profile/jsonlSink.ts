// Appends lines to a file in whole-line chunks and rotates it at a size limit.
// The fd is opened O_APPEND and each chunk is one write() of at most the buffer size, so lines from
// several processes appending to the same file land whole and never interleave.

import { closeSync, fstatSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { errnoCode, messageOf } from '../util/errors.js';
import { makeDirs } from '../util/makeDirs.js';

export interface JsonlSinkOptions {
  /** Rotate before a write that would take the file past this size. */
  maxBytes: number;
  /** Rotated files kept (`<base>.1<ext>` newest … `<base>.<keep><ext>` oldest). */
  keep: number;
  /** Buffer size: the largest chunk written at once, and the longest line accepted. */
  bufferBytes: number;
  /** Called once, when the sink gives up on the file; the sink drops everything afterwards. */
  onFailure: (message: string) => void;
}

export class JsonlSink {
  /** Absolute path, so a later chdir does not move the file or its rotations. */
  readonly path: string;
  /** Why the sink stopped writing, or null while it works. */
  failure: string | null = null;
  private closed = false;
  private fd = -1;
  // Identity of the open file, to notice when another process rotated it away from under us.
  private ino = 0;
  private dev = 0;
  private readonly buf: Buffer;
  private used = 0;

  constructor(
    path: string,
    private readonly opts: JsonlSinkOptions,
  ) {
    this.path = resolve(path);
    this.buf = Buffer.allocUnsafe(opts.bufferBytes);
    this.guard(() => {
      makeDirs(dirname(this.path));
      this.open();
    });
  }

  /** Buffers one line (given without its newline). False if it is longer than a chunk and was dropped. */
  append(line: string): boolean {
    if (this.failure !== null || this.closed) return true;
    const n = Buffer.byteLength(line) + 1;
    if (n > this.buf.length) return false;
    if (this.used + n > this.buf.length) this.flushSync();
    if (this.failure !== null) return true;
    this.used += this.buf.write(line, this.used);
    this.buf[this.used++] = 0x0a;
    return true;
  }

  /** Writes the buffered lines as one chunk. */
  flushSync(): void {
    if (this.used === 0) return;
    this.guard(() => {
      this.prepare(this.used);
      let off = 0;
      while (off < this.used) {
        const n = writeSync(this.fd, this.buf, off, this.used - off);
        if (n <= 0) throw new Error('short write');
        off += n;
      }
    });
    this.used = 0;
  }

  /** Flushes and closes the file; later lines are dropped. */
  close(): void {
    if (this.closed) return;
    this.flushSync();
    this.closed = true;
    this.release();
  }

  private open(): void {
    this.fd = openSync(this.path, 'a');
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.dev = st.dev;
  }

  private release(): void {
    if (this.fd < 0) return;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing left to save: the lines were written or the sink has already failed.
    }
    this.fd = -1;
  }

  /** Makes sure the next chunk goes to the current file and fits under maxBytes. */
  private prepare(chunk: number): void {
    let size = 0;
    try {
      const st = statSync(this.path);
      size = st.size;
      if (st.ino !== this.ino || st.dev !== this.dev) this.reopen();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      this.reopen(); // another process rotated it away and has not written the new file yet
    }
    if (size > 0 && size + chunk > this.opts.maxBytes) {
      this.rotate();
      this.reopen();
    }
  }

  private reopen(): void {
    this.release();
    this.open();
  }

  /** Shifts `.n` to `.n+1`, dropping the oldest, and the current file to `.1`. */
  private rotate(): void {
    const { keep } = this.opts;
    if (keep <= 0) {
      ignoreMissing(() => unlinkSync(this.path));
      return;
    }
    ignoreMissing(() => unlinkSync(rotatedName(this.path, keep)));
    for (let n = keep - 1; n >= 1; n--) {
      const from = rotatedName(this.path, n);
      ignoreMissing(() => renameSync(from, rotatedName(this.path, n + 1)));
    }
    // Missing files are fine: a concurrent writer may have just rotated the same set.
    ignoreMissing(() => renameSync(this.path, rotatedName(this.path, 1)));
  }

  private guard(fn: () => void): void {
    if (this.failure !== null) return;
    try {
      fn();
    } catch (err) {
      this.failure = `profiling disabled: cannot write ${this.path}: ${messageOf(err)}`;
      this.used = 0;
      this.release();
      this.opts.onFailure(this.failure);
    }
  }
}

/** The n-th rotated file of a sink: `profile.jsonl` → `profile.<n>.jsonl`. */
export function rotatedName(sink: string, n: number): string {
  const { dir, stem, ext } = splitSink(sink);
  return join(dir, `${stem}.${n}${ext}`);
}

/** The sink's rotated files that exist, oldest first, then the sink itself if it exists. */
export function rotatedFiles(sink: string): string[] {
  const { dir, stem, ext } = splitSink(sink);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rotated: { n: number; name: string }[] = [];
  for (const name of names) {
    if (!name.startsWith(`${stem}.`) || !name.endsWith(ext)) continue;
    const middle = name.slice(stem.length + 1, name.length - ext.length);
    if (/^[1-9][0-9]*$/.test(middle)) rotated.push({ n: Number(middle), name });
  }
  rotated.sort((a, b) => b.n - a.n);
  const files = rotated.map((r) => join(dir, r.name));
  if (names.includes(stem + ext)) files.push(join(dir, stem + ext));
  return files;
}

function splitSink(sink: string): { dir: string; stem: string; ext: string } {
  const path = resolve(sink);
  const base = basename(path);
  const ext = extname(base);
  return { dir: dirname(path), stem: base.slice(0, base.length - ext.length), ext };
}

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}
