// `quarry search`: reads the header, the dictionary blocks and postings it needs, ranks with BM25F, and reads
// only the files it shows (for their lines, and to verify phrases, regexes and case:yes).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type picomatchType from 'picomatch';
import { QuarryError, messageOf } from '../util/errors.js';
import { profiler } from '../profile/profiler.js';
import { IndexReader, INDEX_DIR, INDEX_FILE, indexPathOf, type SymbolHit } from '../index/reader.js';
import { unreadable, FIELDS } from '../index/format.js';
import { LANGUAGES, type Language } from '../index/language.js';
import { parseQuery, type Query } from './queryParser.js';
import { decodePostings, intersect, type Postings } from './postings.js';
import { fieldShares, idf, termScore } from './bm25f.js';
import { contentMatcher, type LineMatch } from './matchLines.js';
import { findUp } from '../util/findUp.js';

export interface SearchOptions {
  /** Indexed root; when absent, the nearest directory upwards from `cwd` that has an index. */
  root?: string;
  cwd: string;
  query: string;
  /** Files to return; 0 for all. @default 20 */
  limit: number;
  /** Paths only: no lines are read unless the query needs verifying. */
  filesOnly: boolean;
  explain: boolean;
  /** Lines per file; 0 for all. @default 0 */
  maxLines: number;
  /** A learned re-ranker of the BM25F top K (see rerank.ts); the caller loads it, so a search without a model loads nothing more. */
  reranker?: Reranker;
}

/** What a re-ranker sees of one query: its words, their postings, and the BM25F top K (best first). */
export interface RerankInput {
  reader: IndexReader;
  root: string;
  words: string[];
  terms: { terms: string[]; postings: Postings[]; idfs: Float64Array };
  docs: Uint32Array;
  bm25: Float64Array;
}

export interface FeatureContribution {
  feature: string;
  /** The raw feature value. */
  value: number;
  weight: number;
  /** Its part of the model score (weight × normalized value). */
  contribution: number;
}

export interface RerankOutput {
  /** Model score of each of `docs`. */
  scores: Float64Array;
  explain(row: number): FeatureContribution[];
}

export interface Reranker {
  /** How many of the BM25F top files it re-orders. */
  readonly k: number;
  score(input: RerankInput): RerankOutput;
}

export interface TermExplain {
  term: string;
  df: number;
  idf: number;
  score: number;
  /** Share of the score by field. */
  fields: Record<(typeof FIELDS)[number], number>;
}

export interface SearchHit {
  path: string;
  score: number;
  lang: string;
  lines: LineMatch[];
  /** Definitions matched by sym: terms. */
  symbols: { name: string; kind: string; line: number; exported: boolean }[];
  /** The model's score, when a model re-ranked this file (`score` stays the BM25F score). */
  modelScore?: number;
  explain?: { terms: TermExplain[]; symbolBonus: number; model?: { score: number; features: FeatureContribution[] } };
}

export interface SearchResult {
  root: string;
  query: string;
  hits: SearchHit[];
  /** Files that matched (a lower bound when `totalExact` is false). */
  total: number;
  totalExact: boolean;
  /** Shown files whose size or mtime differ from the index. */
  stale: string[];
  /** How the files were ordered: plain BM25F, or BM25F then a trained model over the top K. */
  ranking: 'bm25f' | 'model';
}

/** picomatch is loaded on the first path: query only (start-up is most of a search's budget). */
const requireCjs = createRequire(import.meta.url);
function picomatch(glob: string, options: picomatchType.PicomatchOptions): picomatchType.Matcher {
  return (requireCjs('picomatch') as typeof picomatchType)(glob, options);
}

/** Points added per matching definition, on the BM25F scale (a strong single-term match is ~3–8). */
const SYMBOL_BONUS = 6;
const EXPORTED_BONUS = 1;

/** The root whose `.quarry/index.msgpack` answers a search started in `cwd`. */
export function findIndexRoot(cwd: string): string | null {
  return findUp(cwd, (dir) => (existsSync(join(dir, INDEX_DIR, INDEX_FILE)) ? dir : null));
}

export function search(opts: SearchOptions): SearchResult {
  const prof = profiler();
  const q = prof.span('parse-query', () => parseQuery(opts.query));
  const root = opts.root !== undefined ? resolve(opts.root) : findIndexRoot(opts.cwd);
  if (root === null) {
    throw new QuarryError('no-index', `no index found in ${resolve(opts.cwd)} or above`, {
      hint: 'run `quarry index` in the root of the source tree first',
    });
  }
  const reader = prof.span('load', () => new IndexReader(indexPathOf(root)));
  try {
    return run(reader, root, q, opts);
  } catch (err) {
    if (err instanceof QuarryError) throw err;
    // Bytes that decode but make no sense (a file id past the end, a broken varint) are a damaged index.
    throw unreadable(reader.path, messageOf(err));
  } finally {
    reader.close();
  }
}

function run(reader: IndexReader, root: string, q: Query, opts: SearchOptions): SearchResult {
  const prof = profiler();
  const n = reader.fileCount;
  const h = reader.header;
  const query = prof.start('query');

  // 1. Terms: postings for every distinct word, rarest first; any missing word means no match.
  const terms = [...new Set(q.words.map((w) => w.toLowerCase()))];
  const postings: { term: string; df: number; p: Postings }[] = [];
  for (const term of terms) {
    const e = reader.lookupTerm(term);
    if (!e) return empty(root, opts, query);
    postings.push({ term, df: e.df, p: decodePostings(e.postings, e.df, n) });
  }
  postings.sort((a, b) => a.df - b.df);

  let candidates: Uint32Array | null = null;
  for (const { p } of postings) candidates = candidates ? intersect(candidates, p.docs) : p.docs;

  // 2. Definitions.
  const defs = new Map<number, SymbolHit[]>();
  for (const s of q.symbols) {
    const hits = reader
      .lookupSymbols(s.name, s.prefix)
      .filter((d) => !q.caseSensitive || (s.prefix ? d.name.startsWith(s.name) : d.name === s.name));
    const docs = new Set<number>();
    for (const d of hits) {
      if (d.file >= n) throw new RangeError(`symbol in file ${d.file} of ${n}`);
      docs.add(d.file);
      const list = defs.get(d.file);
      if (list) list.push(d);
      else defs.set(d.file, [d]);
    }
    const sorted = Uint32Array.from(docs).sort();
    candidates = candidates ? intersect(candidates, sorted) : sorted;
  }
  if (candidates === null) candidates = Uint32Array.from({ length: n }, (_, i) => i);

  // 3. Filters.
  if (q.langs.length > 0) {
    const codes = new Set(q.langs.map((l) => LANGUAGES.indexOf(l as Language)));
    const lang = reader.files().lang;
    candidates = candidates.filter((d) => codes.has(lang[d]!));
  }
  if (q.paths.length > 0) {
    const matchers = q.paths.map((g) => picomatch(g, { dot: true, basename: !g.includes('/') }));
    candidates = candidates.filter((d) => {
      const p = reader.pathOf(d);
      return matchers.some((m) => m(p));
    });
  }
  for (const ex of new Set(q.excludes.map((w) => w.toLowerCase()))) {
    const e = reader.lookupTerm(ex);
    if (!e) continue;
    const out = new Set(decodePostings(e.postings, e.df, n).docs);
    candidates = candidates.filter((d) => !out.has(d));
  }
  query.set('candidates', candidates.length);
  query.end();

  // 4. Rank.
  const rank = prof.start('rank', { candidates: candidates.length });
  const fieldLen = postings.length > 0 ? reader.fieldLen() : new Uint32Array(0);
  const avg = h.avgFieldLen;
  const idfs = postings.map((t) => idf(t.df, n));
  const scores = new Float64Array(candidates.length);
  const cursors = new Int32Array(postings.length);
  for (let c = 0; c < candidates.length; c++) {
    const doc = candidates[c]!;
    let s = 0;
    for (let t = 0; t < postings.length; t++) {
      const p = postings[t]!.p;
      const i = seek(p.docs, doc, cursors[t]!);
      cursors[t] = i;
      s += termScore(p, i, doc, fieldLen, avg, idfs[t]!);
    }
    const d = defs.get(doc);
    if (d) for (const def of d) s += SYMBOL_BONUS + (def.exported ? EXPORTED_BONUS : 0);
    scores[c] = s;
  }
  // Doc ids are in path order, so ties fall back to the path.
  let order = Uint32Array.from(candidates.keys()).sort((a, b) => scores[b]! - scores[a]! || candidates[a]! - candidates[b]!);
  rank.end();
  // The model re-orders the BM25F top K of plain word queries (it was fitted on those; a sym: bonus is not a feature).
  let model: { output: RerankOutput; rowOf: Map<number, number> } | null = null;
  if (opts.reranker && postings.length > 0 && q.symbols.length === 0 && order.length > 1) {
    const rr = opts.reranker;
    const re = prof.start('rerank');
    const top = Math.min(rr.k, order.length);
    const docs = new Uint32Array(top);
    const bm25 = new Float64Array(top);
    for (let r = 0; r < top; r++) ((docs[r] = candidates[order[r]!]!), (bm25[r] = scores[order[r]!]!));
    const terms = { terms: postings.map((t) => t.term), postings: postings.map((t) => t.p), idfs: Float64Array.from(idfs) };
    const output = rr.score({ reader, root, words: q.words, terms, docs, bm25 });
    const rows = Uint32Array.from(docs.keys()).sort((a, b) => output.scores[b]! - output.scores[a]! || a - b);
    const reordered = order.slice();
    const rowOf = new Map<number, number>();
    for (let r = 0; r < top; r++) {
      reordered[r] = order[rows[r]!]!;
      rowOf.set(order[rows[r]!]!, rows[r]!);
    }
    order = reordered;
    model = { output, rowOf };
    re.set('reranked', top);
    re.end();
  }

  // 5. Read what is shown (and verify what the index cannot).
  const show = prof.start('read-hits');
  const matcher = contentMatcher(q);
  const limit = opts.limit > 0 ? opts.limit : Number.POSITIVE_INFINITY;
  const needText = matcher.needsVerify || !opts.filesOnly;
  // Sizes and mtimes as indexed: each file shown is checked against them, with --files too (7 ms on the corpus).
  const files = reader.files();
  const hits: SearchHit[] = [];
  const stale: string[] = [];
  let verified = 0;
  let scanned = 0;
  for (let k = 0; k < order.length; k++) {
    const c = order[k]!;
    const doc = candidates[c]!;
    const path = reader.pathOf(doc);
    let text: string | null = null;
    if (needText) {
      scanned++;
      const abs = join(root, path);
      const changed = changedSinceIndexed(abs, files.size[doc]!, files.mtime[doc]!);
      if (changed) stale.push(path);
      try {
        text = readFileSync(abs, 'utf8');
      } catch {
        if (!changed) stale.push(path);
        if (matcher.needsVerify) continue;
      }
      if (matcher.needsVerify && (text === null || !matcher.verify(text))) continue;
    }
    verified++;
    if (hits.length >= limit) {
      if (!matcher.needsVerify) break;
      continue;
    }
    if (!needText && changedSinceIndexed(join(root, path), files.size[doc]!, files.mtime[doc]!)) stale.push(path);
    const d = defs.get(doc) ?? [];
    const hit: SearchHit = {
      path,
      score: round(scores[c]!),
      lang: reader.languageOf(doc),
      lines: text !== null && !opts.filesOnly ? matcher.lines(text, new Set(d.map((x) => x.line)), opts.maxLines) : [],
      symbols: d.map((x) => ({ name: x.name, kind: x.kind, line: x.line, exported: x.exported })),
    };
    const row = model?.rowOf.get(c);
    if (model && row !== undefined) hit.modelScore = round(model.output.scores[row]!);
    if (opts.explain) {
      hit.explain = explain(postings, idfs, doc, fieldLen, avg, d);
      if (model && row !== undefined) hit.explain.model = { score: round(model.output.scores[row]!), features: model.output.explain(row) };
    }
    hits.push(hit);
    // Verifying every remaining candidate only to count them is not worth reading the whole tree.
    if (hits.length >= limit && matcher.needsVerify && opts.limit > 0) break;
  }
  show.set('files_read', scanned);
  show.end();
  const totalExact = !matcher.needsVerify || scanned === order.length || opts.limit === 0;
  return {
    root,
    query: opts.query,
    hits,
    total: matcher.needsVerify ? verified : candidates.length,
    totalExact,
    stale,
    ranking: model ? 'model' : 'bm25f',
  };
}

function empty(root: string, opts: SearchOptions, span: { end(): void }): SearchResult {
  span.end();
  return { root, query: opts.query, hits: [], total: 0, totalExact: true, stale: [], ranking: 'bm25f' };
}

/** Position of `doc` in ascending `docs`, galloping forward from `from` (candidates come in ascending order). */
function seek(docs: Uint32Array, doc: number, from: number): number {
  let lo = from;
  let step = 1;
  let hi = from;
  while (hi < docs.length && docs[hi]! < doc) {
    lo = hi;
    hi += step;
    step *= 2;
  }
  hi = Math.min(hi, docs.length - 1);
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]! < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function explain(
  postings: { term: string; df: number; p: Postings }[],
  idfs: number[],
  doc: number,
  fieldLen: Uint32Array,
  avg: number[],
  defs: SymbolHit[],
) {
  const terms: TermExplain[] = postings.map((t, k) => {
    const i = seek(t.p.docs, doc, 0);
    const score = termScore(t.p, i, doc, fieldLen, avg, idfs[k]!);
    const shares = fieldShares(t.p, i, doc, fieldLen, avg, score);
    return {
      term: t.term,
      df: t.df,
      idf: round(idfs[k]!),
      score: round(score),
      fields: { path: round(shares[0]!), body: round(shares[1]!), symbols: round(shares[2]!), doc: round(shares[3]!) },
    };
  });
  const symbolBonus = defs.reduce((s, d) => s + SYMBOL_BONUS + (d.exported ? EXPORTED_BONUS : 0), 0);
  return { terms, symbolBonus };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Whether the file at `abs` is gone, unreadable or no longer has the size and mtime the index recorded. */
function changedSinceIndexed(abs: string, size: number, mtimeMs: number): boolean {
  try {
    const st = statSync(abs);
    return st.size !== size || st.mtimeMs !== mtimeMs;
  } catch {
    return true;
  }
}
