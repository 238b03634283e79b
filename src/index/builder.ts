// Assembles the sections of an index from the files of the new tree, each either fresh (an analysis from a
// worker or the cache) or kept from the old index. Kept files are never re-analysed: their postings and symbols
// are merged term by term from the old index, so an update costs one pass over the old postings, not a rebuild.
import { packr } from '../util/packr.js';
import { profiler } from '../profile/profiler.js';
import { LANGUAGES, type Language } from './language.js';
import { SYMBOL_KINDS } from './symbolKinds.js';
import { ByteReader, ByteWriter } from './varint.js';
import type { IndexedAnalysis } from './analysis.js';
import {
  BLOCK_SIZE,
  type DictBlock,
  type DictIndex,
  type FileColumns,
  type StringLists,
  type SymbolBlock,
  type SymbolIndex,
} from './format.js';
import type { IndexReader } from './reader.js';
import { StringColumnWriter, columnLength, stringAt, toStringColumn } from './stringColumn.js';
import { ChunkList } from './chunkList.js';

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
  /** Each section's bytes, in one buffer or in chunks to write one after another. */
  sections: [string, Uint8Array | Uint8Array[]][];
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
  addFile(doc: number, refs: Uint32Array, tf: Uint16Array | Uint32Array): void {
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

  /** The terms sorted so far (by presort), with their ids; `terms` from #sortedUpTo on are not in them yet. */
  #sorted: string[] = [];
  #sortedIds = new Uint32Array(0);
  #sortedUpTo = 0;

  /**
   * Sorts the terms added since the last call into those sorted before: what `group` would sort at the end, done
   * ahead while the build still runs. Sorting the corpus's 200k terms at the end took 230-270 ms of the postings
   * thread, the last of a cold build's work. The default sort (UTF-16 code units, as `<` compares) runs without
   * calling back into JS for each pair; the sorted runs are merged with `<`, which orders them the same.
   */
  presort(): void {
    const terms = this.terms;
    if (this.#sortedUpTo === terms.length) return;
    const run = terms.slice(this.#sortedUpTo).sort();
    this.#sortedUpTo = terms.length;
    const a = this.#sorted;
    const aIds = this.#sortedIds;
    const out = new Array<string>(a.length + run.length);
    const ids = new Uint32Array(out.length);
    let i = 0;
    let j = 0;
    for (let k = 0; k < out.length; k++) {
      if (j >= run.length || (i < a.length && a[i]! < run[j]!)) {
        ids[k] = aIds[i]!;
        out[k] = a[i++]!;
      } else {
        ids[k] = this.termIds.get(run[j]!)!;
        out[k] = run[j++]!;
      }
    }
    this.#sorted = out;
    this.#sortedIds = ids;
  }

  /** Terms not yet presorted. */
  get unsorted(): number {
    return this.terms.length - this.#sortedUpTo;
  }

  /** Terms in sorted order, and for each the range of its postings in `perm` (docs ascending: added in order). */
  group(): { sorted: string[]; starts: Uint32Array; perm: Uint32Array } {
    const terms = this.terms;
    this.presort();
    const sorted = this.#sorted;
    const rank = new Uint32Array(terms.length);
    for (let r = 0; r < sorted.length; r++) rank[this.#sortedIds[r]!] = r;
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

/** Writes one term's postings: varint(docDelta*8 + mask), varint(body tf), then the masked fields' tfs. */
class PostingsWriter {
  /** Bytes written here (not copied), from `cut` on not yet in `out`. */
  private readonly w: ByteWriter;
  private cut = 0;
  private readonly out = new ChunkList();
  private prev = 0;
  count = 0;

  constructor(size: number) {
    this.w = new ByteWriter(size);
  }

  /** Bytes so far. */
  get length(): number {
    return this.out.length + (this.w.length - this.cut);
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

  /** Appends `count` postings as they are (bytes [from, to) of `src`), the last of them for file `lastDoc`. */
  copy(src: Uint8Array, from: number, to: number, count: number, lastDoc: number): void {
    this.flushWritten();
    this.out.pushRange(src, from, to);
    this.count += count;
    this.prev = lastDoc;
  }

  /** The postings, as chunks. */
  chunks(): Uint8Array[] {
    this.flushWritten();
    return this.out.chunks;
  }

  /** Moves the bytes written since the last cut to `out` (a view of the writer's buffer, which only grows). */
  private flushWritten(): void {
    if (this.w.length > this.cut) this.out.pushRange(this.w.buffer, this.cut, this.w.length);
    this.cut = this.w.length;
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
  /** Per file, the old file it is kept from, or -1 for a fresh one. */
  private readonly oldOf: Int32Array;
  /** Imports and exports of fresh files. */
  private readonly imports: string[][];
  private readonly exports: string[][];
  private readonly oldCols: {
    files: FileColumns;
    fieldLen: Uint32Array;
    imports: StringLists;
    exports: StringLists;
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
    this.oldOf = new Int32Array(n).fill(-1);
    this.imports = new Array<string[]>(n);
    this.exports = new Array<string[]>(n);
    this.oldCols =
      old && old.fileCount > 0
        ? { files: old.files(), fieldLen: old.fieldLen(), imports: old.importLists(), exports: old.exportLists() }
        : null;
    // A cold build of a large tree starts its postings thread now: loading it then costs the end of the build
    // nothing, when everything else waits for it. (An update does not: merging its postings there, beside the
    // symbols' merge, saved no time with one file changed in the corpus, 1.75-1.82 s against 1.78-1.81 s.)
    if (this.oldCols === null && n * POSTINGS_PER_FILE >= postingsThreadAt) this.postingsThread = new PostingsThread();
  }

  private postingsThread: PostingsThread | null = null;
  private dropped: DroppedFiles | null = null;

  /** What is known of the old files this update drops (see DroppedFiles); the merge checks it adds up. */
  knowDropped(dropped: DroppedFiles): void {
    this.dropped = dropped;
  }

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
      this.oldOf[id] = o;
      this.hash.set(c.files.hash.subarray(o * 20, o * 20 + 20), id * 20);
      this.size[id] = c.files.size[o]!;
      this.mtime[id] = c.files.mtime[o]!;
      this.lang[id] = c.files.lang[o]!;
      this.lines[id] = c.files.lines[o]!;
      this.parseError[id] = c.files.parseError[o]!;
      this.fieldLen.set(c.fieldLen.subarray(o * 4, o * 4 + 4), id * 4);
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
    const sections: BuiltIndex['sections'] = [];
    sections.push(['paths', packr.pack(toStringColumn(this.paths))]);
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

    // What is known of the dropped files helps only when every kept file keeps its id.
    let dropped = this.dropped !== null && this.dropped.files === droppedKeepingIds(this.remap) ? this.dropped : null;
    /** The merge with what is known of the dropped files; without, if what it found disagrees (a stale cache entry). */
    const merge = <T>(name: string, run: (d: DroppedFiles | null) => T): T =>
      prof.span(name, (s) => {
        s.set('dropped_known', dropped !== null);
        try {
          return run(dropped);
        } catch (err) {
          if (!(err instanceof DroppedMismatch)) throw err;
          s.set('dropped_mismatch', err.message);
          dropped = null;
          return run(null);
        }
      });
    const syms = merge('merge-symbols', (d) => mergeSymbols(this.old, this.remap, this.freshSyms, d));
    // With a thread, merge-postings-wait is how long it still ran after the symbols were done.
    const encoded = threadDict && (await prof.span('merge-postings-wait', () => threadDict));
    const dict = encoded ?? merge('merge-postings', (d) => mergeDictionary(this.old, this.remap, this.fresh, d));
    sections.push(['dictIndex', packr.pack(dict.index)], ['dictBlocks', dict.blocks], ['postings', dict.postings]);
    sections.push(['symIndex', packr.pack(syms.index)], ['symBlocks', syms.blocks]);
    sections.push(
      ['imports', packr.pack(this.lists(n, this.imports, this.oldCols?.imports))],
      ['exports', packr.pack(this.lists(n, this.exports, this.oldCols?.exports))],
    );

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
      symbolCount: syms.count,
      indexedBytes,
      avgFieldLen: avg.map((s) => (n === 0 ? 0 : s / n)),
      parseErrors,
      postingsThread: !!encoded,
    };
  }

  /** The imports or exports section: fresh files' lists, and kept files' copied as bytes from the old index. */
  private lists(n: number, fresh: string[][], old: StringLists | undefined): StringLists {
    const w = new StringColumnWriter(n * 4);
    const start = new Uint32Array(n + 1);
    for (let id = 0; id < n; id++) {
      const o = this.oldOf[id]!;
      if (o >= 0) w.copy(old!.strings, old!.start[o]!, old!.start[o + 1]!);
      else for (const s of fresh[id]!) w.add(s);
      start[id + 1] = w.size;
    }
    return { strings: w.column(), start };
  }
}

/** Fresh postings from which a cold build encodes its dictionary on another thread (below that, it is not worth one). */
const PARALLEL_POSTINGS = 200_000;
/** Postings a file brings, about (the corpus: 7.5M for 23k files): when to start the thread before they are in. */
const POSTINGS_PER_FILE = 100;

/** The dictionary and postings sections. */
export interface EncodedDictionary {
  index: DictIndex;
  /** Section dictBlocks, in chunks. */
  blocks: Uint8Array[];
  /** Section postings, in chunks. */
  postings: Uint8Array[];
  termCount: number;
}

/** The fewest new terms the postings thread sorts into the others ahead of the end (FreshPostings.presort). */
const PRESORT_RUN = 8192;

/** The dictionary of a cold build (no old index) from PostingsMessages, in the order sent: what postingsWorker.ts runs. */
export class FreshDictionaryEncoder {
  readonly #fresh = new FreshPostings();

  /** Takes one message; the encoded dictionary once the postings have come. */
  take(msg: PostingsMessage): EncodedDictionary | null {
    if ('terms' in msg) {
      this.#fresh.intern(msg.terms);
      // Sorted ahead in runs that grow with what is sorted: each merge costs about as much as sorting the run.
      if (this.#fresh.unsorted >= Math.max(PRESORT_RUN, this.#fresh.terms.length >> 2)) this.#fresh.presort();
      return null;
    }
    this.#fresh.data = msg.data;
    this.#fresh.count = msg.count;
    return mergeDictionary(null, new Int32Array(0), this.#fresh, null);
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

/**
 * What an update knows of the old versions of the files it drops (edited or removed), from their analyses in the
 * cache: which terms and symbol names have a posting or record of them. With it, and when every kept file keeps its
 * id, the blocks none of those touch (nor a fresh term or symbol) are copied as they are, postings and all, without
 * being decoded. What the merge then finds must add up (every posting and record of a dropped file found), else it
 * starts over the slow way (DroppedMismatch).
 */
export interface DroppedFiles {
  /** Old files described: every old file the update drops. */
  files: number;
  /** Terms with a posting of a dropped file. */
  terms: Set<string>;
  /** Postings of the dropped files, all terms together. */
  postings: number;
  /** Lowercased names of the dropped files' symbols. */
  symbolKeys: Set<string>;
  /** Symbols of the dropped files. */
  symbols: number;
}

/** What the merge found disagrees with DroppedFiles: merge again, reading everything. */
class DroppedMismatch extends Error {}

/**
 * How many old files are dropped, when every one that is kept keeps its id (files were edited, none added or removed
 * before another); -1 when ids move.
 */
function droppedKeepingIds(remap: Int32Array): number {
  let n = 0;
  for (let o = 0; o < remap.length; o++) {
    if (remap[o] === -1) n++;
    else if (remap[o] !== o) return -1;
  }
  return n;
}

/** How many entries of sorted `list`, from `i`, sort before `next` (all of them when next is undefined). */
function countBefore(list: readonly string[], i: number, next: string | undefined): number {
  let j = i;
  while (j < list.length && (next === undefined || list[j]! < next)) j++;
  return j - i;
}

/** Sorted keys taken block by block, in order: the dropped files' terms or symbol names, for the merges. */
class SortedCursor {
  #i = 0;
  constructor(private readonly keys: readonly string[]) {}

  /** How many keys from here sort before `next` (all that are left when undefined); moves past them. */
  take(next: string | undefined): number {
    const n = countBefore(this.keys, this.#i, next);
    this.#i += n;
    return n;
  }
}

/**
 * Old terms (remapped, dropped files removed) merged with fresh terms, in term order. Old postings are copied as
 * bytes wherever their doc deltas still hold, so an update decodes and writes again only the postings next to a
 * dropped, renumbered or fresh file. With `dropped` (and ids kept), a block that no fresh term and no term of a
 * dropped file falls in is copied whole, its postings too; the others are decoded and cut into blocks again.
 */
function mergeDictionary(
  old: IndexReader | null,
  remap: Int32Array,
  fresh: FreshPostings,
  dropped: DroppedFiles | null,
): EncodedDictionary {
  const g = fresh.group();
  const hasOld = old !== null && old.fileCount > 0;
  const oldPostings = hasOld ? old.postingsBytes() : Buffer.alloc(0);
  // Written postings are fresh ones and those next to a change; old ones are copied from where they are.
  const out = new PostingsWriter(Math.max(1 << 16, fresh.count * 3));
  const blocks = new ChunkList();
  const first: string[] = [];
  const blockOffsets: number[] = [0];
  const blockPostings: number[] = [0];
  let termCount = 0;
  // Terms merged since the last block went out, to be cut into blocks: their postings start at `offsets`.
  const terms = new StringColumnWriter(1024);
  let dfs: number[] = [];
  let offsets: number[] = [];
  const fd = fresh.data;
  let fi = 0; // next fresh term (sorted)

  /** Cuts the terms merged so far into blocks of BLOCK_SIZE; their postings are all written by now. */
  const emitTerms = (): void => {
    const count = terms.size;
    if (count === 0) return;
    offsets.push(out.length);
    for (let from = 0; from < count; from += BLOCK_SIZE) {
      const to = Math.min(count, from + BLOCK_SIZE);
      const base = offsets[from]!;
      const post = new Float64Array(to - from + 1);
      for (let i = from; i <= to; i++) post[i - from] = offsets[i]! - base;
      first.push(terms.stringAt(from));
      const block: DictBlock = { terms: terms.slice(from, to), df: Uint32Array.from(dfs.slice(from, to)), post };
      blocks.push(packr.pack(block));
      blockOffsets.push(blocks.length);
      blockPostings.push(offsets[to]!);
    }
    termCount += count;
    terms.clear();
    dfs = [];
    offsets = [];
  };
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
  /** Ends the term whose postings start at the last of `offsets`: kept (true) when it has any. */
  const endTerm = (): boolean => {
    if (out.count > 0) {
      dfs.push(out.count);
      return true;
    }
    offsets.pop();
    return false;
  };
  const freshOnly = (until: string | null): void => {
    while (fi < g.sorted.length && (until === null || g.sorted[fi]! < until)) {
      offsets.push(out.length);
      out.startTerm();
      writeFresh(g.starts[fi]!, g.starts[fi + 1]!, Number.POSITIVE_INFINITY);
      if (endTerm()) terms.add(g.sorted[fi]!);
      fi++;
    }
  };

  if (hasOld) {
    const n = old.fileCount;
    const bytes = oldPostings;
    let droppedSeen = 0;
    let oldTermsDecoded = 0;
    /**
     * Writes the `df` old postings in bytes [from, to), remapped, with fresh postings [k, kEnd) of the same term
     * merged in. A run of postings whose deltas (to the posting before) are the same after remapping is copied.
     */
    const mergeOld = (from: number, to: number, df: number, k: number, kEnd: number): void => {
      let p = from;
      let runFrom = from; // the run of postings to copy as they are: bytes [runFrom, p), runCount of them
      let runCount = 0;
      let last = 0; // new file of the last posting written or in the run
      let oldDoc = 0;
      for (let d = 0; d < df; d++) {
        const start = p;
        if (p >= to) throw new RangeError('postings shorter than their count');
        let b = bytes[p++]!;
        let head = b & 0x7f;
        for (let mul = 0x80; b >= 0x80; mul *= 0x80) {
          if (p >= to) throw new RangeError('varint past the end of its postings');
          b = bytes[p++]!;
          head += (b & 0x7f) * mul;
        }
        const mask = head % 8;
        const prevOld = oldDoc;
        oldDoc += (head - mask) / 8;
        if (oldDoc >= n) throw new RangeError(`posting for file ${oldDoc} of ${n}`);
        // Skip the body tf and the tfs the mask announces.
        for (let left = 1 + (mask & 1) + ((mask >> 1) & 1) + (mask >> 2); left > 0;) {
          if (p >= to) throw new RangeError('varint past the end of its postings');
          if (bytes[p++]! < 0x80) left--;
        }
        const doc = remap[oldDoc]!;
        const freshFirst = k < kEnd && fd[g.perm[k]! * 4 + 1]! < doc;
        if (doc >= 0 && !freshFirst && doc - last === oldDoc - prevOld) {
          runCount++;
          last = doc;
          continue;
        }
        if (runCount > 0) out.copy(bytes, runFrom, start, runCount, last);
        runFrom = p;
        runCount = 0;
        if (doc < 0) {
          droppedSeen++;
          continue;
        }
        if (freshFirst) k = writeFresh(k, kEnd, doc);
        const r = new ByteReader(bytes, start, p);
        r.varint();
        const body = r.varint();
        out.add(doc, body, mask & MASK_PATH ? r.varint() : 0, mask & MASK_SYM ? r.varint() : 0, mask & MASK_DOC ? r.varint() : 0);
        last = doc;
      }
      if (p !== to) throw new RangeError('postings longer than their count');
      if (runCount > 0) out.copy(bytes, runFrom, p, runCount, last);
      writeFresh(k, kEnd, Number.POSITIVE_INFINITY);
    };
    const idx = old.dictIndex();
    const raw = old.dictBlocksBytes();
    const touched = new SortedCursor(dropped ? [...dropped.terms].sort() : []);
    for (let b = 0; b < idx.first.length; b++) {
      const next = idx.first[b + 1];
      // Fresh terms before the next block's first belong here (the first block takes any earlier); so do the
      // dropped files' terms, which are old terms.
      const freshHere = countBefore(g.sorted, fi, next) > 0;
      const touchedHere = touched.take(next);
      if (dropped && !freshHere && touchedHere === 0) {
        emitTerms();
        const from = idx.postings[b]!;
        const to = idx.postings[b + 1]!;
        if (to < from || to > bytes.length) throw new RangeError('block postings outside the section');
        first.push(idx.first[b]!);
        blocks.pushRange(raw, idx.offsets[b]!, idx.offsets[b + 1]!);
        blockOffsets.push(blocks.length);
        out.copy(bytes, from, to, 0, 0);
        blockPostings.push(out.length);
        continue;
      }
      const block = old.decodeDictBlock(raw.subarray(idx.offsets[b]!, idx.offsets[b + 1]!));
      const count = columnLength(block.terms);
      oldTermsDecoded += count;
      const base = idx.postings[b]!;
      for (let t = 0; t < count; t++) {
        let k = 0;
        let kEnd = 0;
        const term = freshHere || dropped ? stringAt(block.terms, t) : '';
        if (freshHere) {
          freshOnly(term);
          if (fi < g.sorted.length && g.sorted[fi] === term) {
            k = g.starts[fi]!;
            kEnd = g.starts[fi + 1]!;
            fi++;
          }
        }
        const from = base + block.post[t]!;
        const to = base + block.post[t + 1]!;
        if (to < from || to > bytes.length) throw new RangeError('term postings outside the section');
        offsets.push(out.length);
        out.startTerm();
        // With ids kept, a term no dropped file has and no fresh file brings is as it was.
        if (dropped && k === kEnd && !dropped.terms.has(term)) out.copy(bytes, from, to, block.df[t]!, 0);
        else mergeOld(from, to, block.df[t]!, k, kEnd);
        if (endTerm()) terms.copy(block.terms, t, t + 1);
      }
      if (freshHere && next !== undefined) freshOnly(next);
    }
    if (dropped && droppedSeen !== dropped.postings) {
      throw new DroppedMismatch(`${droppedSeen} postings of dropped files, not ${dropped.postings}`);
    }
    // The blocks copied whole keep their terms.
    termCount += old.header.termCount - oldTermsDecoded;
  }
  freshOnly(null);
  emitTerms();
  const index: DictIndex = { first, offsets: Float64Array.from(blockOffsets), postings: Float64Array.from(blockPostings) };
  return { index, blocks: blocks.chunks, postings: out.chunks(), termCount };
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

/** String columns of a symbol block being encoded, reused block after block. */
const symbolColumns = {
  keys: new StringColumnWriter(BLOCK_SIZE),
  names: new StringColumnWriter(BLOCK_SIZE),
  docs: new StringColumnWriter(BLOCK_SIZE),
};

/**
 * A block of rows encoded for the symbol table. The columns are filled in one pass, into writers kept from block to
 * block, instead of `TypedArray.from(rows, fn)` per column (the iterator protocol) and a new writer per string column
 * per block: merge-symbols, at the end of a cold build of the corpus, took 615-654 against 692-765 ms (3 runs each).
 */
function encodeSymbolBlock(rows: SymRow[]): Uint8Array {
  const n = rows.length;
  const { keys, names, docs } = symbolColumns;
  keys.clear();
  names.clear();
  docs.clear();
  const start: number[] = [];
  const file = new Uint32Array(n);
  const line = new Uint32Array(n);
  const endLine = new Uint32Array(n);
  const kind = new Uint8Array(n);
  const exported = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    if (r === 0 || row.key !== rows[r - 1]!.key) {
      keys.add(row.key);
      start.push(r);
    }
    names.add(row.name);
    docs.add(row.doc);
    file[r] = row.file;
    line[r] = row.line;
    endLine[r] = row.endLine;
    kind[r] = row.kind;
    exported[r] = row.exported;
  }
  start.push(n);
  // The fields in the order the format has always had them: the block's bytes are unchanged.
  const block: SymbolBlock = {
    keys: keys.column(),
    start: Uint32Array.from(start),
    names: names.column(),
    file,
    line,
    endLine,
    kind,
    exported,
    docs: docs.column(),
  };
  return packr.pack(block);
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
 * with no dropped file, no renumbered file and no fresh name in its range is copied as it was. With `dropped` (and
 * ids kept), a block none of whose names a dropped file has is known clean without being decoded.
 */
function mergeSymbols(old: IndexReader | null, remap: Int32Array, rows: SymRow[], dropped: DroppedFiles | null) {
  const freshRows = sortRows(rows);
  const first: string[] = [];
  const offsets: number[] = [0];
  const bases: number[] = [];
  const chunks = new ChunkList();
  let records = 0;
  /** Adds a block of `count` records: bytes [from, to) of `src`. */
  const push = (firstKey: string, count: number, src: Uint8Array, from = 0, to = src.length): void => {
    first.push(firstKey);
    bases.push(records);
    records += count;
    chunks.pushRange(src, from, to);
    offsets.push(chunks.length);
  };
  const pushRows = (rows: SymRow[]): void => chunkRows(rows, (part) => push(part[0]!.key, part.length, encodeSymbolBlock(part)));

  let fi = 0;
  if (old && old.fileCount > 0 && old.header.symbolCount > 0) {
    const idx = old.symIndex();
    const raw = old.symBlocksBytes();
    const touched = new SortedCursor(dropped ? [...dropped.symbolKeys].sort() : []);
    let droppedSeen = 0;
    for (let b = 0; b < idx.first.length; b++) {
      const next = idx.first[b + 1];
      // Fresh rows sorting before the next block's first name belong here (the first block takes any earlier).
      let fe = fi;
      while (fe < freshRows.length && (next === undefined || freshRows[fe]!.key < next)) fe++;
      const touchedHere = touched.take(next);
      if (dropped && fe === fi && touchedHere === 0) {
        const count = (next === undefined ? old.header.symbolCount : idx.bases[b + 1]!) - idx.bases[b]!;
        if (count < 0) throw new RangeError('symbol block bases go back');
        push(idx.first[b]!, count, raw, idx.offsets[b]!, idx.offsets[b + 1]!);
        continue;
      }
      const block = old.decodeSymbolBlock(raw.subarray(idx.offsets[b]!, idx.offsets[b + 1]!));
      const count = block.file.length;
      let clean = fe === fi;
      for (let r = 0; clean && r < count; r++) if (remap[block.file[r]!] !== block.file[r]) clean = false;
      if (clean) {
        push(idx.first[b]!, count, raw, idx.offsets[b]!, idx.offsets[b + 1]!);
        continue;
      }
      const kept: SymRow[] = [];
      for (let k = 0; k < columnLength(block.keys); k++) {
        const key = stringAt(block.keys, k);
        for (let r = block.start[k]!; r < block.start[k + 1]!; r++) {
          const file = remap[block.file[r]!];
          if (file === undefined || file < 0) {
            droppedSeen++;
            continue;
          }
          kept.push({
            key,
            name: stringAt(block.names, r),
            file,
            line: block.line[r]!,
            endLine: block.endLine[r]!,
            kind: block.kind[r]!,
            exported: block.exported[r]!,
            doc: stringAt(block.docs, r),
          });
        }
      }
      pushRows(mergeRows(kept, freshRows.slice(fi, fe)));
      fi = fe;
    }
    if (dropped && droppedSeen !== dropped.symbols)
      throw new DroppedMismatch(`${droppedSeen} symbols of dropped files, not ${dropped.symbols}`);
  }
  if (fi < freshRows.length) pushRows(freshRows.slice(fi));
  const index: SymbolIndex = { first, offsets: Float64Array.from(offsets), bases: Uint32Array.from(bases) };
  return { index, blocks: chunks.chunks, count: records };
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
