// Training checkpoints: the whole FitState plus a fingerprint of what it was trained on, msgpack, written
// atomically — in the background every N steps, synchronously on SIGINT. A checkpoint that does not decode or
// belongs to another run is reported, and training starts fresh.
import { readFileSync, rmSync } from 'node:fs';
import { packr } from '../util/packr.js';
import { unpackr } from '../util/unpackr.js';
import { isRecord } from '../index/format.js';
import { errnoCode, messageOf } from '../util/errors.js';
import { writeFileAtomic, writeFileAtomicSync } from '../util/atomicWrite.js';
import { NF } from './features.js';
import type { FitState } from './fit.js';

export const CHECKPOINT_FILE = 'train-checkpoint.msgpack';
const MAGIC = 'quarry-train-checkpoint';
const VERSION = 1;

export function encodeCheckpoint(fingerprint: string, s: FitState): Uint8Array {
  // pack() returns a view of msgpackr's reused buffer: copy it before the next pack.
  return Uint8Array.from(packr.pack({ magic: MAGIC, version: VERSION, fingerprint, state: s }));
}

export type CheckpointRead = { state: FitState } | { problem: string } | null;

/** What a checkpoint file holds, without asking which run it belongs to (for tools and tests); null if it is not one. */
export function checkpointInfo(path: string): { fingerprint: string; steps: number } | null {
  try {
    const v: unknown = unpackr.unpack(readFileSync(path));
    if (!isRecord(v) || v.magic !== MAGIC || typeof v.fingerprint !== 'string' || checkState(v.state) !== null) return null;
    return { fingerprint: v.fingerprint, steps: (v.state as FitState).steps };
  } catch {
    return null;
  }
}

/** The state in `path` if it is a checkpoint of the run `fingerprint`; null when there is none; else why not. */
export function readCheckpoint(path: string, fingerprint: string): CheckpointRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    return { problem: `cannot read ${path}: ${messageOf(err)}` };
  }
  let v: unknown;
  try {
    v = unpackr.unpack(bytes);
  } catch (err) {
    return { problem: `${path} is not a checkpoint (${messageOf(err)})` };
  }
  if (!isRecord(v) || v.magic !== MAGIC || v.version !== VERSION) return { problem: `${path} is not a checkpoint of this quarry` };
  if (v.fingerprint !== fingerprint) return { problem: `${path} is from another training run (other index, seed or options)` };
  const problem = checkState(v.state);
  return problem === null ? { state: v.state as FitState } : { problem: `${path} is damaged (${problem})` };
}

function f64(v: unknown, n?: number): boolean {
  return v instanceof Float64Array && (n === undefined || v.length === n);
}

function int(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

/** Why `v` is not a usable FitState, or null. */
function checkState(v: unknown): string | null {
  if (!isRecord(v)) return 'no state';
  for (const k of ['config', 'epoch', 'step', 'steps', 't'] as const) if (!int(v[k])) return `bad ${k}`;
  for (const k of ['w', 'm', 'v'] as const) if (!f64(v[k], NF)) return `bad ${k}`;
  if (!(v.rng instanceof Uint32Array) || v.rng.length !== 4) return 'bad rng';
  if (!(v.perm instanceof Int32Array)) return 'bad perm';
  if (typeof v.loss !== 'number') return 'bad loss';
  const ring = v.ring;
  if (!isRecord(ring) || !(ring.items instanceof Int32Array) || !int(ring.head) || !int(ring.size)) return 'bad ring';
  if ((ring.size as number) > ring.items.length || (ring.head as number) >= Math.max(1, ring.items.length)) return 'bad ring';
  const best = v.best;
  if (
    !isRecord(best) ||
    !f64(best.w, NF) ||
    typeof best.mrr !== 'number' ||
    typeof best.config !== 'number' ||
    typeof best.epoch !== 'number'
  )
    return 'bad best';
  if (!Array.isArray(v.history) || !v.history.every((x) => typeof x === 'number')) return 'bad history';
  return null;
}

/** Writes checkpoints: at most one background write at a time (a request while one runs is skipped). */
export class Checkpointer {
  private inFlight: Promise<void> | null = null;
  written = 0;
  failure: string | null = null;

  constructor(
    readonly path: string,
    private readonly fingerprint: string,
  ) {}

  /** Starts a background write of `s` unless one is running; the bytes are taken now, so `s` may change after. */
  request(s: FitState): void {
    if (this.inFlight !== null) return;
    const bytes = encodeCheckpoint(this.fingerprint, s);
    this.inFlight = writeFileAtomic(this.path, bytes)
      .then(() => {
        this.written++;
      })
      .catch((err: unknown) => {
        this.failure ??= `checkpoint ${this.path} not written: ${messageOf(err)}`;
      })
      .finally(() => {
        this.inFlight = null;
      });
  }

  /** Waits for the background write, if any. */
  async drain(): Promise<void> {
    await this.inFlight;
  }

  /** Writes `s` now (SIGINT, or a stop): the last word, whatever a background write does. */
  writeSync(s: FitState): void {
    writeFileAtomicSync(this.path, encodeCheckpoint(this.fingerprint, s));
    this.written++;
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
