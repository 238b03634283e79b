// Turns per-file analyses, added in path order, into the sections of an index: the columnar file tables,
// the sorted term dictionary with varint postings, and the symbol table.
import { packr } from '../util/packr.js';
import { addTerms } from './tokenize.js';
import { LANGUAGES, type Language } from './language.js';
import { SYMBOL_KINDS } from './symbolKinds.js';
import { encodeBlocks } from './blocks.js';
import { ByteWriter } from './varint.js';
import type { FileAnalysis } from './analysis.js';
import type { DictBlock, SymbolBlock } from './format.js';

export interface IndexedDoc {
  path: string;
  size: number;
  mtimeMs: number;
  /** sha1 hex of the content. */
  hash: string;
  analysis: FileAnalysis;
}

/** Field mask bits in postings, in FIELDS order after body (body tf is always present). */
const MASK_PATH = 1;
const MASK_SYM = 2;
const MASK_DOC = 4;

/** A growable Uint32Array. */
class U32 {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

interface SymRow {
  key: string;
  name: string;
  file: number;
  line: number;
  endLine: number;
  kind: number;
  exported: number;
  doc: string;
}

export interface BuiltIndex {
  sections: [string, Uint8Array][];
  fileCount: number;
  termCount: number;
  symbolCount: number;
  indexedBytes: number;
  avgFieldLen: number[];
  parseErrors: number;
}

export class IndexBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly termList: string[] = [];
  private readonly pTerm = new U32();
  private readonly pDoc = new U32();
  private readonly pBody = new U32();
  /** Path, symbol and doc tf packed: path (8 bits) | sym (12 bits) << 8 | doc (12 bits) << 20, each saturated. */
  private readonly pOther = new U32();
  private readonly paths: string[] = [];
  private readonly hashes: string[] = [];
  private readonly sizes: number[] = [];
  private readonly mtimes: number[] = [];
  private readonly langs: number[] = [];
  private readonly lines: number[] = [];
  private readonly parseErrors: number[] = [];
  private readonly fieldLen = new U32();
  private readonly imports: string[][] = [];
  private readonly exports: string[][] = [];
  private readonly symbols: SymRow[] = [];
  private indexedBytes = 0;

  add(doc: IndexedDoc): void {
    const id = this.paths.length;
    const a = doc.analysis;
    this.paths.push(doc.path);
    this.hashes.push(doc.hash);
    this.sizes.push(doc.size);
    this.mtimes.push(doc.mtimeMs);
    this.langs.push(Math.max(0, LANGUAGES.indexOf(a.lang as Language)));
    this.lines.push(a.lines);
    this.parseErrors.push(a.parseError === undefined ? 0 : 1);
    this.imports.push(a.imports);
    this.exports.push(a.exports);
    this.indexedBytes += doc.size;

    const pathCounts = new Map<string, number>();
    const pathLen = addTerms(doc.path, pathCounts);
    this.fieldLen.push(pathLen);
    this.fieldLen.push(a.fieldLen[0] ?? 0);
    this.fieldLen.push(a.fieldLen[1] ?? 0);
    this.fieldLen.push(a.fieldLen[2] ?? 0);

    const { terms, tf } = a;
    for (let i = 0; i < terms.length; i++) {
      const term = terms[i]!;
      const p = pathCounts.get(term) ?? 0;
      if (p > 0) pathCounts.delete(term);
      this.posting(term, id, tf[i * 3]!, p, tf[i * 3 + 1]!, tf[i * 3 + 2]!);
    }
    for (const [term, p] of pathCounts) this.posting(term, id, 0, p, 0, 0);

    for (const s of a.symbols) {
      this.symbols.push({
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

  private posting(term: string, doc: number, body: number, path: number, sym: number, docTf: number): void {
    let tid = this.termIds.get(term);
    if (tid === undefined) {
      tid = this.termList.length;
      this.termIds.set(term, tid);
      this.termList.push(term);
    }
    this.pTerm.push(tid);
    this.pDoc.push(doc);
    this.pBody.push(body);
    this.pOther.push(Math.min(path, 0xff) | (Math.min(sym, 0xfff) << 8) | (Math.min(docTf, 0xfff) << 20));
  }

  finish(): BuiltIndex {
    const n = this.paths.length;
    const sections: [string, Uint8Array][] = [];

    // Paths as one UTF-8 blob with offsets: a search decodes only the paths it prints.
    const pathBufs = this.paths.map((p) => Buffer.from(p, 'utf8'));
    const pathOffsets = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) pathOffsets[i + 1] = pathOffsets[i]! + pathBufs[i]!.length;
    sections.push(['paths', packr.pack({ blob: Buffer.concat(pathBufs), offsets: pathOffsets })]);

    const hash = new Uint8Array(n * 20);
    for (let i = 0; i < n; i++) hash.set(Buffer.from(this.hashes[i]!, 'hex').subarray(0, 20), i * 20);
    sections.push([
      'files',
      packr.pack({
        hash,
        size: Float64Array.from(this.sizes),
        mtime: Float64Array.from(this.mtimes),
        lang: Uint8Array.from(this.langs),
        lines: Uint32Array.from(this.lines),
        parseError: Uint8Array.from(this.parseErrors),
      }),
    ]);
    const fieldLen = this.fieldLen.data.slice(0, this.fieldLen.length);
    sections.push(['fieldLen', packr.pack(fieldLen)]);

    const { dictIndex, dictBlocks, postings } = this.encodeDictionary();
    sections.push(['dictIndex', packr.pack(dictIndex)], ['dictBlocks', dictBlocks], ['postings', postings]);

    const { symIndex, symBlocks, symDocs } = this.encodeSymbols();
    sections.push(['symIndex', packr.pack(symIndex)], ['symBlocks', symBlocks], ['symDocs', packr.pack(symDocs)]);
    sections.push(['imports', packr.pack(this.imports)], ['exports', packr.pack(this.exports)]);

    const avg = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) for (let f = 0; f < 4; f++) avg[f]! += fieldLen[i * 4 + f]!;
    return {
      sections,
      fileCount: n,
      termCount: this.termList.length,
      symbolCount: this.symbols.length,
      indexedBytes: this.indexedBytes,
      avgFieldLen: avg.map((s) => (n === 0 ? 0 : s / n)),
      parseErrors: this.parseErrors.reduce((a, b) => a + b, 0),
    };
  }

  private encodeDictionary(): { dictIndex: unknown; dictBlocks: Buffer; postings: Uint8Array } {
    const terms = this.termList;
    const order = Uint32Array.from(terms.keys()).sort((a, b) => (terms[a]! < terms[b]! ? -1 : terms[a]! > terms[b]! ? 1 : 0));
    const rank = new Uint32Array(terms.length);
    for (let r = 0; r < order.length; r++) rank[order[r]!] = r;

    // Counting sort of postings by term rank; stable, so each term's documents stay in ascending order.
    const count = this.pTerm.length;
    const starts = new Uint32Array(terms.length + 1);
    const pTerm = this.pTerm.data;
    for (let i = 0; i < count; i++) starts[rank[pTerm[i]!]! + 1]!++;
    for (let r = 0; r < terms.length; r++) starts[r + 1]! += starts[r]!;
    const cursor = starts.slice(0, terms.length);
    const perm = new Uint32Array(count);
    for (let i = 0; i < count; i++) perm[cursor[rank[pTerm[i]!]!]!++] = i;

    const w = new ByteWriter(Math.max(1 << 16, count * 3));
    const postOffsets = new Float64Array(terms.length + 1);
    const df = new Uint32Array(terms.length);
    const pDoc = this.pDoc.data;
    const pBody = this.pBody.data;
    const pOther = this.pOther.data;
    for (let r = 0; r < terms.length; r++) {
      postOffsets[r] = w.length;
      let prev = 0;
      const end = starts[r + 1]!;
      df[r] = end - starts[r]!;
      for (let k = starts[r]!; k < end; k++) {
        const i = perm[k]!;
        const other = pOther[i]!;
        const path = other & 0xff;
        const sym = (other >>> 8) & 0xfff;
        const doc = other >>> 20;
        const mask = (path ? MASK_PATH : 0) | (sym ? MASK_SYM : 0) | (doc ? MASK_DOC : 0);
        w.varint((pDoc[i]! - prev) * 8 + mask);
        prev = pDoc[i]!;
        w.varint(pBody[i]!);
        if (path) w.varint(path);
        if (sym) w.varint(sym);
        if (doc) w.varint(doc);
      }
    }
    postOffsets[terms.length] = w.length;
    const sorted = Array.from(order, (i) => terms[i]!);
    const { index, bytes } = encodeBlocks(sorted, (from, to): DictBlock => ({
      terms: sorted.slice(from, to),
      df: df.slice(from, to),
      post: postOffsets.slice(from, to + 1),
    }));
    return { dictIndex: index, dictBlocks: bytes, postings: w.bytes() };
  }

  private encodeSymbols(): { symIndex: unknown; symBlocks: Buffer; symDocs: string[] } {
    const rows = this.symbols.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.file - b.file || a.line - b.line));
    const keys: string[] = [];
    const keyStart: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (i === 0 || rows[i]!.key !== rows[i - 1]!.key) {
        keys.push(rows[i]!.key);
        keyStart.push(i);
      }
    }
    keyStart.push(rows.length);
    const { index, bytes } = encodeBlocks(keys, (from, to): SymbolBlock => {
      const lo = keyStart[from]!;
      const hi = keyStart[to]!;
      const slice = rows.slice(lo, hi);
      return {
        keys: keys.slice(from, to),
        start: Uint32Array.from(keyStart.slice(from, to + 1), (s) => s - lo),
        base: lo,
        names: slice.map((s) => s.name),
        file: Uint32Array.from(slice, (s) => s.file),
        line: Uint32Array.from(slice, (s) => s.line),
        endLine: Uint32Array.from(slice, (s) => s.endLine),
        kind: Uint8Array.from(slice, (s) => s.kind),
        exported: Uint8Array.from(slice, (s) => s.exported),
      };
    });
    return { symIndex: index, symBlocks: bytes, symDocs: rows.map((s) => s.doc) };
  }
}
