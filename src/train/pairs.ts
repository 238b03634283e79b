// Training data from the index: queries made from the code (a symbol's doc sentence without its name, and its
// name split into words) with the defining file as the answer, plus the user's judgments; split by module (the copies of one module together).
import type { IndexReader } from '../index/reader.js';
import { MAX_TERM, MIN_TERM, splitIdentifier } from '../index/tokenize.js';
import { lookupWords } from '../search/queryParser.js';
import { seededUnit } from './prng.js';
import type { Judgment } from './judgments.js';

export type Split = 'train' | 'validation' | 'test';
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];
/** Share of files in train and validation; the rest is test. */
const TRAIN_SHARE = 0.7;
const VALIDATION_SHARE = 0.15;
/** A doc sentence is cut to this many words: people type queries, not paragraphs. */
export const MAX_QUERY_WORDS = 8;

export interface TrainQuery {
  /** Lowercased words joined by one space (the key duplicates are merged on). */
  text: string;
  words: string[];
  /** Where the query came from; `filename` queries (the file's own name) are only measured, never fitted. */
  source: 'doc' | 'name' | 'judgment' | 'filename';
  /** Relevant file ids, ascending, with their grades (1 for generated pairs). */
  docs: number[];
  grades: number[];
  split: Split;
}

export interface PairStats {
  symbols: number;
  /** Distinct queries before the split. */
  queries: number;
  pairs: number;
  /** Pairs dropped because the query is the file's name. */
  trivial: number;
  /** Queries dropped because their answers fell into different splits. */
  straddling: number;
  /** Queries left out by --max-pairs. */
  capped: number;
  bySplit: Record<Split, { queries: number; pairs: number; files: number }>;
}

export interface PairOptions {
  seed: number;
  /** Stop adding queries once this many (query, file) pairs are in. */
  maxPairs: number;
  judgments?: Judgment[];
}

/** Folders that hold one more build or copy of a package's modules, not a module of their own. */
const COPY_DIRS = new Set([
  'src',
  'lib',
  'dist',
  'build',
  'out',
  'es',
  'esm',
  'esm5',
  'es2015',
  'es5',
  'cjs',
  'commonjs',
  'umd',
  'amd',
  'module',
  'types',
  'typings',
  'bundles',
]);

/**
 * A file's module: its path without copy folders and extensions. A package ships the same module several times
 * (rxjs: `src/internal/operators/map.ts`, `dist/cjs/…/map.js`, `dist/esm/…`, `dist/esm5/…`, `dist/types/…/map.d.ts`);
 * all of them go to one split, or a copy in the training split would hand the model the test answer.
 */
export function moduleKey(path: string): string {
  const parts = path.split('/');
  const name = parts.pop()!.replace(/(\.d)?\.[mc]?[jt]sx?$/, '');
  return [...parts.filter((p) => !COPY_DIRS.has(p)), name].join('/');
}

/** The split of a file: a hash of its module (moduleKey) under the seed, so it does not depend on file order. */
export function splitOf(seed: number, path: string): Split {
  const u = seededUnit(seed, moduleKey(path));
  return u < TRAIN_SHARE ? 'train' : u < TRAIN_SHARE + VALIDATION_SHARE ? 'validation' : 'test';
}

/** The words of a symbol name: its identifier parts, or the name itself when it is one part. */
export function nameWords(name: string): string[] {
  const parts = splitIdentifier(name);
  const words = parts.length > 0 ? parts : [name.toLowerCase()];
  return words.filter((w) => w.length >= MIN_TERM && w.length <= MAX_TERM);
}

/** The words of a doc sentence without the symbol's own name, at most MAX_QUERY_WORDS. */
export function docWords(doc: string, name: string): string[] {
  const lname = name.toLowerCase();
  return lookupWords(doc)
    .map((w) => w.toLowerCase())
    .filter((w) => w !== lname)
    .slice(0, MAX_QUERY_WORDS);
}

/** A base name reduced to letters and digits (`parse-response.ts` → parseresponse) for the trivial-pair test. */
function compactStem(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const stem = base.includes('.') ? base.slice(0, base.indexOf('.')) || base : base;
  return stem.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

interface Draft {
  words: string[];
  source: TrainQuery['source'];
  grades: Map<number, number>;
}

export function buildQueries(reader: IndexReader, opts: PairOptions): { queries: TrainQuery[]; fileNames: TrainQuery[]; stats: PairStats } {
  const symbols = reader.allSymbols();
  const docs = reader.symbolDocs();
  const drafts = new Map<string, Draft>();
  const add = (words: string[], source: Draft['source'], doc: number, grade: number) => {
    if (words.length === 0) return;
    const text = words.join(' ');
    let d = drafts.get(text);
    if (!d) drafts.set(text, (d = { words, source, grades: new Map() }));
    d.grades.set(doc, Math.max(grade, d.grades.get(doc) ?? 0));
  };
  for (const s of symbols) {
    add(nameWords(s.name), 'name', s.file, 1);
    const doc = docs[s.record] ?? '';
    if (doc !== '') {
      const words = docWords(doc, s.name);
      // One word left of a sentence is no description; it would only repeat name queries.
      if (words.length >= 2) add(words, 'doc', s.file, 1);
    }
  }
  for (const j of opts.judgments ?? []) add(j.words, 'judgment', j.doc, j.grade);

  const paths = new Map<number, string>();
  const pathOf = (doc: number) => {
    let p = paths.get(doc);
    if (p === undefined) paths.set(doc, (p = reader.pathOf(doc)));
    return p;
  };
  let trivial = 0;
  let straddling = 0;
  const kept: TrainQuery[] = [];
  /** The trivial pairs by query: kept apart to check that the model does not bury a file searched by its name. */
  const byName = new Map<string, { words: string[]; docs: number[] }>();
  for (const [text, d] of drafts) {
    const compact = d.words.join('');
    const rel = [...d.grades].filter(([doc]) => {
      const isTrivial = compactStem(pathOf(doc)) === compact;
      if (isTrivial) {
        trivial++;
        const e = byName.get(text);
        if (e) e.docs.push(doc);
        else byName.set(text, { words: d.words, docs: [doc] });
      }
      return !isTrivial;
    });
    // A query needs at least one relevant answer to teach anything.
    if (!rel.some(([, g]) => g > 0)) continue;
    rel.sort((a, b) => a[0] - b[0]);
    const splits = new Set(rel.map(([doc]) => splitOf(opts.seed, pathOf(doc))));
    if (splits.size > 1) {
      straddling++;
      continue;
    }
    kept.push({
      text,
      words: d.words,
      source: d.source,
      docs: rel.map(([doc]) => doc),
      grades: rel.map(([, g]) => g),
      split: [...splits][0]!,
    });
  }
  // --max-pairs: a seeded sample, then back in text order so the result does not depend on the sample's order.
  kept.sort((a, b) => seededUnit(opts.seed, a.text) - seededUnit(opts.seed, b.text) || (a.text < b.text ? -1 : 1));
  const queries: TrainQuery[] = [];
  let pairs = 0;
  for (const q of kept) {
    if (pairs + q.docs.length > opts.maxPairs) continue;
    queries.push(q);
    pairs += q.docs.length;
  }
  queries.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const bySplit = {} as PairStats['bySplit'];
  for (const s of SPLITS) {
    const qs = queries.filter((q) => q.split === s);
    bySplit[s] = { queries: qs.length, pairs: qs.reduce((n, q) => n + q.docs.length, 0), files: new Set(qs.flatMap((q) => q.docs)).size };
  }
  const fileNames: TrainQuery[] = [];
  for (const [text, e] of byName) {
    const docs = [...new Set(e.docs)].sort((a, b) => a - b);
    const splits = new Set(docs.map((doc) => splitOf(opts.seed, pathOf(doc))));
    if (splits.size > 1) continue;
    fileNames.push({ text, words: e.words, source: 'filename', docs, grades: docs.map(() => 1), split: [...splits][0]! });
  }
  fileNames.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return {
    queries,
    fileNames,
    stats: {
      symbols: symbols.length,
      queries: drafts.size,
      pairs,
      trivial,
      straddling,
      capped: kept.length - queries.length,
      bySplit,
    },
  };
}
