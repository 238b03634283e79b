// V8 `.cpuprofile` files (from `node --cpu-prof`): self and total time by function, so a sampled profile of any
// command reads like the span view. Total time counts a function once per sample, however deep it recurses.
import { readFileSync } from 'node:fs';
import { QuarryError, messageOf } from '../util/errors.js';
import { checkFiles } from './reader.js';

interface CpuNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One function's time. Times are microseconds. */
export interface CpuFunction {
  /** Function name; `(anonymous)` for none; V8's `(program)`, `(idle)`, `(garbage collector)` as they are. */
  function: string;
  /** Script URL (`file:///…`, `node:fs`), '' for V8's own entries. */
  url: string;
  /** 1-based line of the function's start; 0 when unknown. */
  line: number;
  /** Time of samples taken in the function itself. */
  selfUs: number;
  /** Time of samples with the function anywhere on the stack. */
  totalUs: number;
  /** selfUs over the profile's sampled time. */
  selfShare: number;
}

/** The `data` of `quarry profile FILE.cpuprofile --json`. */
export interface CpuProfileSummary {
  mode: 'cpuprofile';
  files: string[];
  /** Samples read. */
  samples: number;
  /** Sampled time: the sum of every sample's interval. */
  totalUs: number;
  /** Functions in the profile before --top. */
  totalFunctions: number;
  /** By self time (or total with --sort total), descending, cut to --top. */
  functions: CpuFunction[];
}

function isCpuProfile(x: unknown): x is CpuProfile {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return Array.isArray(p.nodes) && Array.isArray(p.samples) && Array.isArray(p.timeDeltas) && typeof p.endTime === 'number';
}

function load(file: string): CpuProfile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new QuarryError('bad-input', `${file} is not a V8 CPU profile: ${messageOf(err)}`, { hint: 'write one with node --cpu-prof' });
  }
  if (!isCpuProfile(value)) throw new QuarryError('bad-input', `${file} is not a V8 CPU profile (no nodes/samples/timeDeltas)`);
  return value;
}

export function summarizeCpuProfiles(files: string[], opts: { top?: number; sort?: 'self' | 'total' } = {}): CpuProfileSummary {
  checkFiles(files);
  const fns = new Map<string, CpuFunction>();
  let samples = 0;
  let totalUs = 0;
  for (const file of files) {
    const p = load(file);
    const byId = new Map<number, CpuNode>();
    const parent = new Map<number, number>();
    for (const n of p.nodes) {
      byId.set(n.id, n);
      for (const c of n.children ?? []) parent.set(c, n.id);
    }
    // Time per node: a sample lasts until the next one (the last, until endTime).
    const nodeUs = new Map<number, number>();
    let t = p.startTime;
    const stamps: number[] = [];
    for (const d of p.timeDeltas) stamps.push((t += d));
    for (let i = 0; i < p.samples.length; i++) {
      const next = i + 1 < stamps.length ? stamps[i + 1]! : p.endTime;
      const dur = Math.max(0, next - (stamps[i] ?? p.startTime));
      const id = p.samples[i]!;
      nodeUs.set(id, (nodeUs.get(id) ?? 0) + dur);
      totalUs += dur;
      samples++;
    }
    const fnOf = (n: CpuNode): CpuFunction | null => {
      const f = n.callFrame;
      if (f.functionName === '(root)') return null;
      const name = f.functionName === '' ? '(anonymous)' : f.functionName;
      const key = `${name}\u0000${f.url}\u0000${f.lineNumber}`;
      let fn = fns.get(key);
      if (fn === undefined) {
        fn = { function: name, url: f.url, line: f.lineNumber >= 0 ? f.lineNumber + 1 : 0, selfUs: 0, totalUs: 0, selfShare: 0 };
        fns.set(key, fn);
      }
      return fn;
    };
    for (const [id, us] of nodeUs) {
      const leaf = byId.get(id);
      if (leaf === undefined) continue;
      const self = fnOf(leaf);
      if (self !== null) self.selfUs += us;
      const onStack = new Set<CpuFunction>();
      for (let n: CpuNode | undefined = leaf; n !== undefined; n = byId.get(parent.get(n.id) ?? -1)) {
        const fn = fnOf(n);
        if (fn !== null && !onStack.has(fn)) {
          onStack.add(fn);
          fn.totalUs += us;
        }
      }
    }
  }
  const all = [...fns.values()].filter((f) => f.totalUs > 0);
  for (const f of all) f.selfShare = totalUs > 0 ? f.selfUs / totalUs : 0;
  const key = opts.sort === 'total' ? 'totalUs' : 'selfUs';
  all.sort((a, b) => b[key] - a[key] || b.totalUs - a.totalUs || (a.function < b.function ? -1 : 1));
  return {
    mode: 'cpuprofile',
    files,
    samples,
    totalUs,
    totalFunctions: all.length,
    functions: opts.top === undefined ? all : all.slice(0, opts.top),
  };
}
