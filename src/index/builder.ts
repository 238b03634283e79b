// Assembles the sections of an index from the files of the new tree, each either fresh (an analysis from a
// worker or the cache) or kept from the old index. Kept files are never re-analysed: their postings and symbols
// are merged term by term from the old index, so an update costs one pass over the old postings, not a rebuild.
import { packr } from '../util/packr.js';
import { profiler } from '../profile/profiler.js';
import { LANGUAGES, type Language } from './language.js';
import { SYMBOL_KINDS } from './symbolKinds.js';
import { ByteReader, ByteWriter } from './varint.js';
import type { IndexedAnalysis } from './analysis.js';
import { BLOCK_SIZE, type BlockIndex, type DictBlock, type FileColumns, type SymbolBlock, type SymbolIndex } from './format.js';
import type { IndexReader } from './reader.js';

export interface IndexedDoc {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha1 hex of the content. */
  hash: string;
  analysis: IndexedAnalysis;
}

/** One file of the new index: fresh, or kept from the old index (same path, same size and mtime). */
export type DocSource = { fresh: IndexedDoc } | { old: number };

export interface BuiltIndex {
  sections: [string, Uint8Array][];
  fileCount: number;
  termCount: number;
  symbolCount: number;
  indexedBytes: number;
  avgFieldLen: number[];
  parseErrors: number;
  /** Whether the dictionary and postings were encoded on a thread of their own. */
  postingsThread: boolean;
}

/** Field mask bits in postings (body tf is always present). */
const MASK_PATH = 1;
const MASK_SYM = 2;
const MASK_DOC = 4;

export interface SymRow {
  key: string;
  name: string;
  file: number;
  line: number;
  endLine: number;
  kind: number;
  exported: number;
  doc: string;
}

/**
 * What the main thread sends the thread that encodes a cold build's dictionary (postingsWorker.ts): the fresh terms
 * as they are first seen, in order (so they are there, and hashed, before the build ends), then the postings.
 */
export type PostingsMessage = { terms: string[] } | { data: Uint32Array; count: number };

/** Postings of fresh files, grouped by term at the end (term ids in order of first sight). */
class FreshPostings {
  readonly termIds = new Map<string, number>();
  readonly terms: string[] = [];

  /**
   * 4 numbers per posting: term id, doc, body tf, other tfs (path 8 bits | sym 12 bits << 8 | doc 12 bits << 20).
   * Shared memory, so that the thread that encodes them (postingsWorker.ts) reads them where they are, uncopied.
   */
  data: Uint32Array = sharedUint32(1 << 16);
  count = 0;

  /** The term ids of `terms`, new ones numbered in order. */
  intern(terms: readonly string[]): Uint32Array {
    const ids = new Uint32Array(terms.length);
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      let tid = this.termIds.get(term);
      if (tid === undefined) {
        tid = this.terms.length;
        this.termIds.set(term, tid);
        this.terms.push(term);
      }
      ids[i] = tid;
    }
    return ids;
  }

  /** The postings of file `doc`: its term ids `refs`, with four counts each in `tf` (path, body, symbols, doc). */
  addFile(doc: number, refs: Uint32Array, tf: Uint32Array): void {
    const n = refs.length;
    let o = this.count * 4;
    if (o + n * 4 > this.data.length) {
      const next = sharedUint32(Math.max(this.data.length * 2, o + n * 4));
      next.set(this.data.subarray(0, o));
      this.data = next;
    }
    const d = this.data;
    for (let i = 0; i < n; i++) {
      const t = i * 4;
      d[o] = refs[i]!;
      d[o + 1] = doc;
      d[o + 2] = tf[t + 1]!;
      d[o + 3] = Math.min(tf[t]!, 0xff) | (Math.min(tf[t + 2]!, 0xfff) << 8) | (Math.min(tf[t + 3]!, 0xfff) << 20);
      o += 4;
    }
    this.count += n;
  }

  /** Terms in sorted order, and for each the range of its postings in `perm` (docs ascending: added in order). */
  group(): { sorted: string[]; starts: Uint32Array; perm: Uint32Array } {
    const terms = this.terms;
    // The default sort (UTF-16 code units, as `<` compares) runs without calling back into JS for each pair:
    // several times faster than sorting ids with a comparator. Terms are distinct, so ranks come from the map.
    const sorted = terms.slice().sort();
    const rank = new Uint32Array(terms.length);
    for (let r = 0; r < sorted.length; r++) rank[this.termIds.get(sorted[r]!)!] = r;
    const count = this.count;
    const d = this.data;
    const starts = new Uint32Array(terms.length + 1);
    for (let i = 0; i < count; i++) starts[rank[d[i * 4]!]! + 1]!++;
    for (let r = 0; r < terms.length; r++) starts[r + 1]! += starts[r]!;
    const cursor = starts.slice(0, terms.length);
    const perm = new Uint32Array(count);
    for (let i = 0; i < count; i++) perm[cursor[rank[d[i * 4]!]!]!++] = i;
    return { sorted, starts, perm };
  }
}

function sharedUint32(length: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(length * 4));
}

/** Encodes blocks of BLOCK_SIZE sorted keys; `makeBlock(from, to)` builds the block for keys[from, to). */
export function encodeBlocks(keys: string[], makeBlock: (from: number, to: number) => unknown): { index: BlockIndex; bytes: Buffer } {
  const first: string[] = [];
  const chunks: Buffer[] = [];
  const offsets: number[] = [0];
  let total = 0;
  for (let from = 0; from < keys.length; from += BLOCK_SIZE) {
    const to = Math.min(keys.length, from + BLOCK_SIZE);
    first.push(keys[from]!);
    const bytes = packr.pack(makeBlock(from, to));
    chunks.push(bytes);
    total += bytes.length;
    offsets.push(total);
  }
  return { index: { first, offsets: Float64Array.from(offsets) }, bytes: Buffer.concat(chunks, total) };
}

/** Writes one term's postings: varint(docDelta*8 + mask), varint(body tf), then the masked fields' tfs. */
class PostingsWriter {
  readonly w: ByteWriter;
  private prev = 0;
  count = 0;

  constructor(size: number) {
    this.w = new ByteWriter(size);
  }

  startTerm(): void {
    this.prev = 0;
    this.count = 0;
  }

  add(doc: number, body: number, path: number, sym: number, docTf: number): void {
    const mask = (path ? MASK_PATH : 0) | (sym ? MASK_SYM : 0) | (docTf ? MASK_DOC : 0);
    this.w.varint((doc - this.prev) * 8 + mask);
    this.prev = doc;
    this.w.varint(body);
    if (path) this.w.varint(path);
    if (sym) this.w.varint(sym);
    if (docTf) this.w.varint(docTf);
    this.count++;
  }
}

/**
 * Builds an index: add every file in path order with `add(path, source)` (a fresh analysis can be dropped as
 * soon as it is added), then `finish()`. `old` is the previous index when any source is `{old}`; it must stay
 * open until finish. Doc ids are the order of adding, so ids follow path order.
 */
export class IndexAssembler {
  private readonly n: number;
  private readonly remap: Int32Array;
  private readonly fresh = new FreshPostings();
  private readonly freshSyms: SymRow[] = [];
  private readonly hash: Uint8Array;
  private readonly size: Float64Array;
  private readonly mtime: Float64Array;
  private readonly lang: Uint8Array;
  private readonly lines: Uint32Array;
  private readonly parseError: Uint8Array;
  private readonly fieldLen: Uint32Array;
  private readonly imports: string[][];
  private readonly exports: string[][];
  private readonly oldCols: {
    files: FileColumns;
    fieldLen: Uint32Array;
    imports: string[][];
    exports: string[][];
  } | null;
  private readonly paths: string[] = [];

  /**
   * `capacity`: the most files that will be added. `postingsThreadAt`: fresh postings from which a cold build
   * encodes the dictionary on a thread of its own (tests lower it to take that path on small trees).
   */
  constructor(
    capacity: number,
    private readonly old: IndexReader | null,
    private readonly postingsThreadAt = PARALLEL_POSTINGS,
  ) {
    const n = capacity;
    this.n = n;
    this.remap = new Int32Array(old?.fileCount ?? 0).fill(-1);
    this.hash = new Uint8Array(n * 20);
    this.size = new Float64Array(n);
    this.mtime = new Float64Array(n);
    this.lang = new Uint8Array(n);
    this.lines = new Uint32Array(n);
    this.parseError = new Uint8Array(n);
    this.fieldLen = new Uint32Array(n * 4);
    this.imports = new Array<string[]>(n);
    this.exports = new Array<string[]>(n);
    this.oldCols =
      old && old.fileCount > 0 ? { files: old.files(), fieldLen: old.fieldLen(), imports: old.imports(), exports: old.exports() } : null;
    // A cold build of a large tree starts its postings thread now: loading it then costs the end of the build
    // nothing, when everything else waits for it. (An update does not: merging its postings there, beside the
    // symbols' merge, saved no time with one file changed in the corpus, 1.75-1.82 s against 1.78-1.81 s.)
    if (this.oldCols === null && n * POSTINGS_PER_FILE >= postingsThreadAt) this.postingsThread = new PostingsThread();
  }

  private postingsThread: PostingsThread | null = null;

  /** Stops what a build that will not finish started (its postings thread). */
  dispose(): void {
    this.postingsThread?.stop();
    this.postingsThread = null;
  }

  /** Per worker thread: its term list's ids (see WorkerReply) mapped to this index's term ids. */
  private readonly threadTerms = new Map<number, { ids: Uint32Array; count: number }>();

  /**
   * Re-points the refs of fresh analyses from the term list of the thread that made them to this index's term ids;
   * every fresh analysis must pass through here once before it is added. `terms` are the thread's terms that are new
   * since its previous reply, numbered from `base`: replies of one thread must come in the order it sent them.
   */
  adoptTerms(thread: number, base: number, terms: readonly string[], analyses: readonly IndexedAnalysis[]): void {
    let map = this.threadTerms.get(thread);
    if (map === undefined) this.threadTerms.set(thread, (map = { ids: new Uint32Array(Math.max(1024, terms.length)), count: 0 }));
    if (base !== map.count) throw new Error(`terms of thread ${thread} out of order: ${base} after ${map.count}`);
    if (map.count + terms.length > map.ids.length) {
      const ids = new Uint32Array(Math.max(map.ids.length * 2, map.count + terms.length));
      ids.set(map.ids.subarray(0, map.count));
      map.ids = ids;
    }
    const known = this.fresh.terms.length;
    map.ids.set(this.fresh.intern(terms), map.count);
    this.postingsThread?.addTerms(this.fresh.terms.slice(known));
    map.count += terms.length;
    const ids = map.ids;
    for (const a of analyses) {
      const refs = a.refs;
      for (let i = 0; i < refs.length; i++) refs[i] = ids[refs[i]!]!;
    }
  }

  /** Adds the next file (paths must come in ascending order). */
  add(path: string, src: DocSource): void {
    const id = this.paths.length;
    if (id >= this.n) throw new Error(`more files than the capacity of ${this.n}`);
    this.paths.push(path);
    if ('old' in src) {
      const o = src.old;
      const c = this.oldCols!;
      this.remap[o] = id;
      this.hash.set(c.files.hash.subarray(o * 20, o * 20 + 20), id * 20);
      this.size[id] = c.files.size[o]!;
      this.mtime[id] = c.files.mtime[o]!;
      this.lang[id] = c.files.lang[o]!;
      this.lines[id] = c.files.lines[o]!;
      this.parseError[id] = c.files.parseError[o]!;
      this.fieldLen.set(c.fieldLen.subarray(o * 4, o * 4 + 4), id * 4);
      this.imports[id] = c.imports[o]!;
      this.exports[id] = c.exports[o]!;
      return;
    }
    const doc = src.fresh;
    const a = doc.analysis;
    this.hash.set(Buffer.from(doc.hash, 'hex').subarray(0, 20), id * 20);
    this.size[id] = doc.size;
    this.mtime[id] = doc.mtimeMs;
    this.lang[id] = Math.max(0, LANGUAGES.indexOf(a.lang as Language));
    this.lines[id] = a.lines;
    this.parseError[id] = a.parseError === undefined ? 0 : 1;
    this.imports[id] = a.imports;
    this.exports[id] = a.exports;
    this.fieldLen.set(a.fieldLen.subarray(0, 4), id * 4);
    this.fresh.addFile(id, a.refs, a.tf);
    for (const s of a.symbols) {
      this.freshSyms.push({
        key: s.name.toLowerCase(),
        name: s.name,
        file: id,
        line: s.line,
        endLine: s.endLine,
        kind: Math.max(0, SYMBOL_KINDS.indexOf(s.kind)),
        exported: s.exported ? 1 : 0,
        doc: s.doc,
      });
    }
  }

  /**
   * Encodes the sections. A cold build with many postings encodes the dictionary and postings on a thread of their
   * own while this thread encodes the symbol table: the two are independent, and the cores are idle by then.
   */
  async finish(): Promise<BuiltIndex> {
    const n = this.paths.length;
    const prof = profiler();
    const thread = this.postingsThread;
    this.postingsThread = null;
    const threadDict = thread && this.fresh.count >= this.postingsThreadAt ? thread.encode(this.fresh.data, this.fresh.count) : null;
    if (threadDict === null) thread?.stop();
    const sections: [string, Uint8Array][] = [];
    const pathBufs = this.paths.map((p) => Buffer.from(p, 'utf8'));
    const pathOffsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) pathOffsets[i + 1] = pathOffsets[i]! + pathBufs[i]!.length;
    sections.push(['paths', packr.pack({ blob: Buffer.concat(pathBufs), offsets: pathOffsets })]);
    sections.push([
      'files',
      packr.pack({
        hash: this.hash.slice(0, n * 20),
        size: this.size.slice(0, n),
        mtime: this.mtime.slice(0, n),
        lang: this.lang.slice(0, n),
        lines: this.lines.slice(0, n),
        parseError: this.parseError.slice(0, n),
      }),
    ]);
    sections.push(['fieldLen', packr.pack(this.fieldLen.slice(0, n * 4))]);

    const syms = prof.span('merge-symbols', () => mergeSymbols(this.old, this.remap, this.freshSyms));
    // With a thread, merge-postings-wait is how long it still ran after the symbols were done.
    const encoded = threadDict && (await prof.span('merge-postings-wait', () => threadDict));
    const dict = encoded ?? prof.span('merge-postings', () => mergeDictionary(this.old, this.remap, this.fresh));
    sections.push(['dictIndex', packr.pack(dict.index)], ['dictBlocks', dict.blocks], ['postings', dict.postings]);
    sections.push(['symIndex', packr.pack(syms.index)], ['symBlocks', syms.blocks], ['symDocs', packr.pack(syms.docs)]);
    sections.push(['imports', packr.pack(this.imports.slice(0, n))], ['exports', packr.pack(this.exports.slice(0, n))]);

    const avg = [0, 0, 0, 0];
    let indexedBytes = 0;
    let parseErrors = 0;
    for (let i = 0; i < n; i++) {
      for (let f = 0; f < 4; f++) avg[f]! += this.fieldLen[i * 4 + f]!;
      indexedBytes += this.size[i]!;
      parseErrors += this.parseError[i]!;
    }
    return {
      sections,
      fileCount: n,
      termCount: dict.termCount,
      symbolCount: syms.docs.length,
      indexedBytes,
      avgFieldLen: avg.map((s) => (n === 0 ? 0 : s / n)),
      parseErrors,
      postingsThread: !!encoded,
    };
  }
}

/** Fresh postings from which a cold build encodes its dictionary on another thread (below that, it is not worth one). */
const PARALLEL_POSTINGS = 200_000;
/** Postings a file brings, about (the corpus: 7.5M for 23k files): when to start the thread before they are in. */
const POSTINGS_PER_FILE = 100;

/** The dictionary and postings sections. */
export interface EncodedDictionary {
  index: BlockIndex;
  blocks: Uint8Array;
  postings: Uint8Array;
  termCount: number;
}

/** The dictionary of a cold build (no old index) from PostingsMessages, in the order sent: what postingsWorker.ts runs. */
export class FreshDictionaryEncoder {
  readonly #fresh = new FreshPostings();

  /** Takes one message; the encoded dictionary once the postings have come. */
  take(msg: PostingsMessage): EncodedDictionary | null {
    if ('terms' in msg) {
      this.#fresh.intern(msg.terms);
      return null;
    }
    this.#fresh.data = msg.data;
    this.#fresh.count = msg.count;
    return mergeDictionary(null, new Int32Array(0), this.#fresh);
  }
}

/**
 * A thread for encodeFreshDictionary, started before it is needed; `encode` resolves to null when the thread did not
 * start or failed, and the caller encodes here instead (the postings are shared, not transferred, so still there).
 * It never keeps the process alive.
 */
class PostingsThread {
  /** The thread once it is up (null: it could not start); undefined while it starts. */
  #worker: import('node:worker_threads').Worker | null | undefined = undefined;
  /** Messages sent while the thread starts, in order. */
  #queue: PostingsMessage[] = [];
  readonly #started: Promise<import('node:worker_threads').Worker | null>;
  #exited = false;

  constructor() {
    this.#started = Promise.all([import('node:worker_threads'), import('../util/workerModuleUrl.js')])
      .then(
        ([{ Worker }, { workerModuleUrl }]) => {
          try {
            const worker = new Worker(workerModuleUrl('./postingsWorker.js', import.meta.url));
            worker.unref();
            worker.on('error', () => {});
            worker.once('exit', () => (this.#exited = true));
            return worker;
          } catch {
            return null;
          }
        },
        () => null,
      )
      .then((worker) => {
        this.#worker = worker;
        for (const msg of this.#queue.splice(0)) worker?.postMessage(msg);
        return worker;
      });
  }

  /**
   * Posts `msg` now when the thread is up, else as soon as it is, after those queued before: never from a later
   * microtask, which would run only once the caller's synchronous work (the symbols' encoding) is done.
   */
  #send(msg: PostingsMessage): void {
    if (this.#worker === undefined) this.#queue.push(msg);
    else this.#worker?.postMessage(msg);
  }

  /** Sends terms first seen since the last call (in order of their ids). */
  addTerms(terms: string[]): void {
    if (terms.length > 0) this.#send({ terms });
  }

  /**
   * The dictionary of the terms sent and `count` postings in `data` (shared memory, read in place). The postings go to
   * the thread at once, so that it works while the caller goes on with the symbols: until 2026-12-03 they went from a
   * microtask, after the symbols, and the cold corpus build's encode took 1.56-1.90 s against 1.34-1.37 s now.
   */
  encode(data: Uint32Array, count: number): Promise<EncodedDictionary | null> {
    this.#send({ data: data.subarray(0, count * 4), count });
    // The thread's reply is an event, which comes after this microtask has attached the listeners.
    return this.#started.then((worker) => {
      if (worker === null || this.#exited) return null;
      return new Promise<EncodedDictionary | null>((resolve) => {
        worker.once('message', (out: EncodedDictionary) => {
          resolve(out);
          void worker.terminate();
        });
        worker.once('error', () => resolve(null));
        worker.once('exit', () => resolve(null));
      });
    });
  }

  stop(): void {
    void this.#started.then((w) => w?.terminate());
  }
}

/** Old terms (remapped, dropped files removed) merged with fresh terms, in term order. */
function mergeDictionary(old: IndexReader | null, remap: Int32Array, fresh: FreshPostings) {
  const g = fresh.group();
  const oldPostings = old && old.fileCount > 0 ? old.postingsBytes() : Buffer.alloc(0);
  const out = new PostingsWriter(Math.max(1 << 16, oldPostings.length + fresh.count * 3));
  const terms: string[] = [];
  const dfs: number[] = [];
  const offsets: number[] = [];
  const fd = fresh.data;
  let fi = 0; // next fresh term (sorted)

  /** Writes fresh postings k in [from, to) whose doc is below `limit`; returns where it stopped. */
  const writeFresh = (from: number, to: number, limit: number): number => {
    let k = from;
    for (; k < to; k++) {
      const i = g.perm[k]! * 4;
      const doc = fd[i + 1]!;
      if (doc >= limit) break;
      const other = fd[i + 3]!;
      out.add(doc, fd[i + 2]!, other & 0xff, (other >>> 8) & 0xfff, other >>> 20);
    }
    return k;
  };
  const finishTerm = (term: string): void => {
    if (out.count > 0) {
      terms.push(term);
      dfs.push(out.count);
    } else {
      offsets.pop();
    }
  };
  const freshOnly = (until: string | null): void => {
    while (fi < g.sorted.length && (until === null || g.sorted[fi]! < until)) {
      offsets.push(out.w.length);
      out.startTerm();
      writeFresh(g.starts[fi]!, g.starts[fi + 1]!, Number.POSITIVE_INFINITY);
      finishTerm(g.sorted[fi]!);
      fi++;
    }
  };

  if (old && old.fileCount > 0) {
    const n = old.fileCount;
    old.forEachDictBlock((block: DictBlock) => {
      for (let t = 0; t < block.terms.length; t++) {
        const term = block.terms[t]!;
        freshOnly(term);
        const hasFresh = fi < g.sorted.length && g.sorted[fi] === term;
        let k = hasFresh ? g.starts[fi]! : 0;
        const kEnd = hasFresh ? g.starts[fi + 1]! : 0;
        offsets.push(out.w.length);
        out.startTerm();
        const r = new ByteReader(oldPostings, block.post[t]!, block.post[t + 1]!);
        let doc = 0;
        for (let d = 0; d < block.df[t]!; d++) {
          const head = r.varint();
          const mask = head % 8;
          doc += (head - mask) / 8;
          if (doc >= n) throw new RangeError(`posting for file ${doc} of ${n}`);
          const body = r.varint();
          const path = mask & MASK_PATH ? r.varint() : 0;
          const sym = mask & MASK_SYM ? r.varint() : 0;
          const dtf = mask & MASK_DOC ? r.varint() : 0;
          const to = remap[doc]!;
          if (to < 0) continue;
          if (hasFresh) k = writeFresh(k, kEnd, to);
          out.add(to, body, path, sym, dtf);
        }
        if (hasFresh) {
          writeFresh(k, kEnd, Number.POSITIVE_INFINITY);
          fi++;
        }
        finishTerm(term);
      }
    });
  }
  freshOnly(null);
  offsets.push(out.w.length);

  const post = Float64Array.from(offsets);
  const df = Uint32Array.from(dfs);
  const { index, bytes } = encodeBlocks(terms, (from, to): DictBlock => ({
    terms: terms.slice(from, to),
    df: df.slice(from, to),
    post: post.slice(from, to + 1),
  }));
  return { index, blocks: bytes, postings: out.w.bytes(), termCount: terms.length };
}

/** The symbol table order: by lowercased name, then file, then line. */
export function compareRows(a: SymRow, b: SymRow): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : a.file - b.file || a.line - b.line;
}

/**
 * `rows` in compareRows order, as a stable sort would leave them. The distinct keys are sorted with the default
 * sort (no JS comparator) and the rows bucketed by key rank; rows come in file order and almost always in line
 * order within a file, so each run of equal keys is then put in (file, line) order by insertion.
 */
export function sortRows(rows: SymRow[]): SymRow[] {
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const keyOf = new Uint32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const key = rows[i]!.key;
    let id = ids.get(key);
    if (id === undefined) {
      id = keys.length;
      ids.set(key, id);
      keys.push(key);
    }
    keyOf[i] = id;
  }
  const sorted = keys.slice().sort();
  const rank = new Uint32Array(keys.length);
  for (let r = 0; r < sorted.length; r++) rank[ids.get(sorted[r]!)!] = r;
  const starts = new Uint32Array(keys.length + 1);
  for (let i = 0; i < rows.length; i++) starts[rank[keyOf[i]!]! + 1]!++;
  for (let r = 0; r < keys.length; r++) starts[r + 1]! += starts[r]!;
  const cursor = starts.slice(0, keys.length);
  const out = new Array<SymRow>(rows.length);
  for (let i = 0; i < rows.length; i++) out[cursor[rank[keyOf[i]!]!]!++] = rows[i]!;
  for (let r = 0; r < keys.length; r++) {
    for (let i = starts[r]! + 1; i < starts[r + 1]!; i++) {
      const row = out[i]!;
      let j = i - 1;
      while (j >= starts[r]! && (out[j]!.file > row.file || (out[j]!.file === row.file && out[j]!.line > row.line))) {
        out[j + 1] = out[j]!;
        j--;
      }
      out[j + 1] = row;
    }
  }
  return out;
}

/** A block of rows encoded for the symbol table. */
function encodeSymbolBlock(rows: SymRow[]): { keys: number; first: string; bytes: Uint8Array } {
  const keys: string[] = [];
  const start: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    if (r === 0 || rows[r]!.key !== rows[r - 1]!.key) {
      keys.push(rows[r]!.key);
      start.push(r);
    }
  }
  start.push(rows.length);
  const block: SymbolBlock = {
    keys,
    start: Uint32Array.from(start),
    names: rows.map((s) => s.name),
    file: Uint32Array.from(rows, (s) => s.file),
    line: Uint32Array.from(rows, (s) => s.line),
    endLine: Uint32Array.from(rows, (s) => s.endLine),
    kind: Uint8Array.from(rows, (s) => s.kind),
    exported: Uint8Array.from(rows, (s) => s.exported),
  };
  return { keys: keys.length, first: keys[0]!, bytes: packr.pack(block) };
}

/** Splits sorted rows into blocks of at most BLOCK_SIZE names (a name never spans two blocks). */
function chunkRows(rows: SymRow[], emit: (rows: SymRow[]) => void): void {
  let from = 0;
  let keys = 0;
  for (let r = 0; r < rows.length; r++) {
    if (r > 0 && rows[r]!.key !== rows[r - 1]!.key) {
      if (keys === BLOCK_SIZE) {
        emit(rows.slice(from, r));
        from = r;
        keys = 0;
      }
    }
    if (r === from || rows[r]!.key !== rows[r - 1]!.key) keys++;
  }
  if (from < rows.length) emit(rows.slice(from));
}

/**
 * Old symbols of kept files merged with fresh ones, sorted by (name, file, line). Works block by block: a block
 * with no dropped file, no renumbered file and no fresh name in its range is copied as it was (bytes and docs).
 */
function mergeSymbols(old: IndexReader | null, remap: Int32Array, rows: SymRow[]) {
  const freshRows = sortRows(rows);
  const first: string[] = [];
  const offsets: number[] = [0];
  const bases: number[] = [];
  const chunks: Uint8Array[] = [];
  const docs: string[] = [];
  let bytes = 0;
  const push = (b: { first: string; bytes: Uint8Array }, blockDocs: string[]): void => {
    first.push(b.first);
    bases.push(docs.length);
    for (const d of blockDocs) docs.push(d);
    chunks.push(b.bytes);
    bytes += b.bytes.length;
    offsets.push(bytes);
  };
  const pushRows = (rows: SymRow[]): void =>
    chunkRows(rows, (part) =>
      push(
        encodeSymbolBlock(part),
        part.map((r) => r.doc),
      ),
    );

  let fi = 0;
  if (old && old.fileCount > 0 && old.header.symbolCount > 0) {
    const oldDocs = old.symbolDocs();
    const blocks: { block: SymbolBlock; first: string; base: number; raw: Uint8Array }[] = [];
    old.forEachSymbolBlock((block, info) => blocks.push({ block, ...info }));
    for (let bi = 0; bi < blocks.length; bi++) {
      const { block: b, base, raw } = blocks[bi]!;
      const nextFirst = blocks[bi + 1]?.first;
      // Fresh rows sorting before the next block's first name belong here (the first block takes any earlier).
      let fe = fi;
      while (fe < freshRows.length && (nextFirst === undefined || freshRows[fe]!.key < nextFirst)) fe++;
      let clean = fe === fi;
      for (let r = 0; clean && r < b.names.length; r++) if (remap[b.file[r]!] !== b.file[r]) clean = false;
      if (clean) {
        push({ first: b.keys[0]!, bytes: raw }, oldDocs.slice(base, base + b.names.length));
        continue;
      }
      const kept: SymRow[] = [];
      for (let k = 0; k < b.keys.length; k++) {
        for (let r = b.start[k]!; r < b.start[k + 1]!; r++) {
          const file = remap[b.file[r]!];
          if (file === undefined || file < 0) continue;
          kept.push({
            key: b.keys[k]!,
            name: b.names[r]!,
            file,
            line: b.line[r]!,
            endLine: b.endLine[r]!,
            kind: b.kind[r]!,
            exported: b.exported[r]!,
            doc: oldDocs[base + r] ?? '',
          });
        }
      }
      pushRows(mergeRows(kept, freshRows.slice(fi, fe)));
      fi = fe;
    }
  }
  if (fi < freshRows.length) pushRows(freshRows.slice(fi));
  const index: SymbolIndex = { first, offsets: Float64Array.from(offsets), bases: Uint32Array.from(bases) };
  return { index, blocks: Buffer.concat(chunks, bytes), docs };
}

/** Linear merge of two sorted row lists (remapping keeps file order, so kept rows stay sorted). */
function mergeRows(a: SymRow[], b: SymRow[]): SymRow[] {
  if (b.length === 0) return a;
  const out: SymRow[] = new Array<SymRow>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && compareRows(a[i]!, b[j]!) <= 0)) out[k++] = a[i++]!;
    else out[k++] = b[j++]!;
  }
  return out;
}
