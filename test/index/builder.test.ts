import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IndexAssembler } from '../../src/index/builder.js';
import { analyzeBatch } from '../../src/index/analyzeBatch.js';
import { DEFAULT_SKIP_RULES } from '../../src/index/skipRules.js';
import { profiler } from '../../src/profile/profiler.js';
import { fixture } from '../helpers.js';

/** Sections of a cold build of `root`, with the dictionary encoded on a thread of its own or here. */
async function coldSections(
  root: string,
  postingsThreadAt: number,
): Promise<{ sections: [string, Uint8Array][]; postingsThread: boolean }> {
  const paths = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => `${d.parentPath.slice(root.length + 1)}${d.parentPath === root ? '' : '/'}${d.name}`.replace(/^\//, ''))
    .sort();
  const reply = await analyzeBatch({ root, paths, rules: DEFAULT_SKIP_RULES, cacheDir: null, profile: null }, profiler());
  const assembler = new IndexAssembler(paths.length, null, postingsThreadAt);
  const fresh = reply.results.flatMap((r) => (r.ok ? [r.analysis] : []));
  assembler.adoptTerms(reply.terms, fresh);
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
    expect(threaded.find(([name]) => name === 'postings')![1].length).toBeGreaterThan(0);
    for (let i = 0; i < inline.length; i++) expect(Buffer.from(threaded[i]![1]).equals(Buffer.from(inline[i]![1]))).toBe(true);
  });
});
