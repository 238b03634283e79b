import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FreshDictionaryEncoder, IndexAssembler, type EncodedDictionary } from '../../src/index/builder.js';
import { analyzeBatch } from '../../src/index/analyzeBatch.js';
import { DEFAULT_SKIP_RULES } from '../../src/index/skipRules.js';
import { profiler } from '../../src/profile/profiler.js';
import { fixture } from '../helpers.js';

/** A section's bytes, whether in one buffer or in chunks. */
function bytesOf(section: Uint8Array | Uint8Array[]): Buffer {
  return Buffer.concat(section instanceof Uint8Array ? [section] : section);
}

/** Sections of a cold build of `root`, with the dictionary encoded on a thread of its own or here. */
async function coldSections(
  root: string,
  postingsThreadAt: number,
): Promise<{ sections: [string, Uint8Array | Uint8Array[]][]; postingsThread: boolean }> {
  const paths = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => `${d.parentPath.slice(root.length + 1)}${d.parentPath === root ? '' : '/'}${d.name}`.replace(/^\//, ''))
    .sort();
  const reply = await analyzeBatch(
    { root, paths, rules: DEFAULT_SKIP_RULES, cacheDir: null, profile: null, job: postingsThreadAt === 0 ? 1001 : 1002 },
    profiler(),
  );
  const assembler = new IndexAssembler(paths.length, null, postingsThreadAt);
  const fresh = reply.results.flatMap((r) => (r.ok ? [r.analysis] : []));
  assembler.adoptTerms(reply.thread, reply.termBase, reply.terms, fresh);
  reply.results.forEach((r, i) => {
    if (r.ok)
      assembler.add(paths[i]!, { fresh: { path: paths[i]!, size: r.size, mtimeMs: r.mtimeMs, hash: r.hash, analysis: r.analysis } });
  });
  return assembler.finish();
}

describe('index assembler', () => {
  it('encodes the same bytes whether the dictionary of a cold build is encoded on its own thread or not', async () => {
    const root = fixture('index/basic');
    const { sections: threaded, postingsThread } = await coldSections(root, 0);
    const { sections: inline, postingsThread: inlineThread } = await coldSections(root, Number.POSITIVE_INFINITY);
    expect([postingsThread, inlineThread]).toEqual([true, false]);
    expect(threaded.map(([name]) => name)).toEqual(inline.map(([name]) => name));
    expect(bytesOf(threaded.find(([name]) => name === 'postings')![1]).length).toBeGreaterThan(0);
    for (let i = 0; i < inline.length; i++) expect(bytesOf(threaded[i]![1]).equals(bytesOf(inline[i]![1]))).toBe(true);
  });
});

describe('term lists across threads', () => {
  it('sends each term once per thread and job, and maps later batches by the ids already sent', async () => {
    const root = fixture('index/basic');
    const paths = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => `${d.parentPath.slice(root.length + 1)}${d.parentPath === root ? '' : '/'}${d.name}`.replace(/^\//, ''))
      .sort();
    const task = (ps: string[], job: number) => ({ root, paths: ps, rules: DEFAULT_SKIP_RULES, cacheDir: null, profile: null, job });
    const half = Math.ceil(paths.length / 2);
    const first = await analyzeBatch(task(paths.slice(0, half), 2001), profiler());
    const second = await analyzeBatch(task(paths.slice(half), 2001), profiler());
    expect(second.termBase).toBe(first.terms.length);
    expect(second.terms.filter((t) => first.terms.includes(t))).toEqual([]);
    // A new job starts a new list.
    const again = await analyzeBatch(task(paths.slice(0, half), 2002), profiler());
    expect(again.termBase).toBe(0);
    expect(again.terms).toEqual(first.terms);

    // Two batches through the delta protocol give the same index as one batch.
    const whole = await analyzeBatch(task(paths, 2003), profiler());
    const build = async (replies: Awaited<ReturnType<typeof analyzeBatch>>[]) => {
      const assembler = new IndexAssembler(paths.length, null, Number.POSITIVE_INFINITY);
      const results = replies.flatMap((r) => r.results);
      replies.forEach((r) =>
        assembler.adoptTerms(
          r.thread,
          r.termBase,
          r.terms,
          r.results.flatMap((x) => (x.ok ? [x.analysis] : [])),
        ),
      );
      results.forEach((r, i) => {
        if (r.ok)
          assembler.add(paths[i]!, { fresh: { path: paths[i]!, size: r.size, mtimeMs: r.mtimeMs, hash: r.hash, analysis: r.analysis } });
      });
      return (await assembler.finish()).sections;
    };
    const split = await build([first, second]);
    const one = await build([whole]);
    expect(split.map(([n]) => n)).toEqual(one.map(([n]) => n));
    for (let i = 0; i < one.length; i++) expect(bytesOf(split[i]![1]).equals(bytesOf(one[i]![1]))).toBe(true);
  });

  it('refuses a thread reply that skips or repeats terms', async () => {
    const assembler = new IndexAssembler(1, null);
    assembler.adoptTerms(7, 0, ['a', 'b'], []);
    expect(() => assembler.adoptTerms(7, 0, ['c'], [])).toThrow(/out of order/);
    expect(() => assembler.adoptTerms(7, 3, ['c'], [])).toThrow(/out of order/);
    assembler.adoptTerms(8, 0, ['c'], []);
  });
});

describe('the postings thread (FreshDictionaryEncoder)', () => {
  /** `count` distinct terms from a seeded generator: shared prefixes, digits, `_` and `$`, upper case and non-ASCII. */
  function randomTerms(count: number, seed: number): string[] {
    let x = seed;
    const next = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), (x >>> 8) % n);
    const alphabet = ['a', 'b', 'e', 'get', 'set', 'Z', '_', '$', '0', '9', 'é', 'ß', '中', 'ж', '\u{1F600}'];
    const out = new Set<string>();
    while (out.size < count) {
      let t = '';
      for (let i = 1 + next(6); i > 0; i--) t += alphabet[next(alphabet.length)]!;
      out.add(t);
    }
    return [...out];
  }

  /** The dictionary of `terms` (sent in messages of `perMessage`), each term with postings in a few of 500 files. */
  function encode(terms: string[], perMessage: number): EncodedDictionary {
    const encoder = new FreshDictionaryEncoder();
    for (let i = 0; i < terms.length; i += perMessage) expect(encoder.take({ terms: terms.slice(i, i + perMessage) })).toBeNull();
    const rows: number[] = [];
    for (let doc = 0; doc < 500; doc++)
      for (let t = doc % 7; t < terms.length; t += 7 + (doc % 5)) rows.push(t, doc, 1 + ((t + doc) % 9), doc % 3 === 0 ? 1 : 0);
    const data = Uint32Array.from(rows);
    return encoder.take({ data, count: data.length / 4 })!;
  }

  const bytes = (d: EncodedDictionary) => ({
    index: d.index,
    termCount: d.termCount,
    blocks: Buffer.concat(d.blocks).toString('hex'),
    postings: Buffer.concat(d.postings).toString('hex'),
  });

  it('sorts terms ahead in runs, as they come, into the order and bytes of one sort at the end', () => {
    for (const seed of [1, 2]) {
      const terms = randomTerms(20_000, seed);
      // One message: one sort of everything. Messages of 100: a run sorted and merged in every few dozen messages.
      const once = encode(terms, terms.length);
      const inRuns = encode(terms, 100);
      expect(once.termCount).toBe(20_000);
      expect(bytes(inRuns)).toEqual(bytes(once));
      // The first name of each block is in the order `<` gives (UTF-16 code units), as the reader's binary search needs.
      const first = once.index.first;
      for (let i = 1; i < first.length; i++) expect(first[i - 1]! < first[i]!).toBe(true);
    }
  });
});
