// Specification of --diff (files and runs), the Chrome Trace Event export and the V8 .cpuprofile summary.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffProfiles } from '../../src/profile/diff.js';
import { summarizeCpuProfiles } from '../../src/profile/cpuProfile.js';
import { summarize } from '../../src/profile/summarize.js';
import { REPO, tempDir } from '../helpers.js';
import { checkTraceFile } from './traceCheck.js';

const fx = (p: string) => join(REPO, 'fixtures', 'profile', p);

describe('diffProfiles', () => {
  it('compares two files span name by span name, slowest-getting first, with ratios of mean and total', async () => {
    const d = await diffProfiles({ files: [fx('diff/before.jsonl')] }, { files: [fx('diff/after.jsonl')] }, { labels: ['A', 'B'] });
    expect(d.rows.map((r) => [r.name, r.change])).toEqual([
      ['parse', 'slower'],
      ['search', 'slower'],
      ['walk', 'faster'],
      ['rank', 'added'],
    ]);
    const parse = d.rows[0]!;
    expect(parse.before).toEqual({ count: 2, totalUs: 200, meanUs: 100 });
    expect(parse.after).toEqual({ count: 2, totalUs: 600, meanUs: 300 });
    expect(parse.ratio).toBe(3);
    expect(d.rows[1]!.ratio).toBeCloseTo(1.6, 12);
    expect(d.regressions).toEqual(['parse', 'search']);
  });

  it('compares two runs of one file the same way, and a high threshold finds no regression', async () => {
    const both = [fx('diff/both.jsonl')];
    const d = await diffProfiles({ files: both, run: 'b1' }, { files: both, run: 'a1' }, { labels: ['b1', 'a1'] });
    expect(d.rows.map((r) => r.name)).toEqual(['parse', 'search', 'walk', 'rank']);
    const lax = await diffProfiles({ files: both, run: 'b1' }, { files: both, run: 'a1' }, { labels: ['b1', 'a1'], thresholdPct: 250 });
    expect(lax.regressions).toEqual([]);
  });
});

describe('--trace', () => {
  it('writes a valid Chrome Trace Event file: one X event per span, pid per run, tid per thread, args from attrs', async () => {
    const out = join(tempDir(), 'trace.json');
    const s = await summarize({ files: [fx('basic/profile.jsonl')], tracePath: out });
    const doc = JSON.parse(readFileSync(out, 'utf8')) as unknown;
    const xs = checkTraceFile(doc);
    expect(xs).toHaveLength(8);
    expect(s.trace).toEqual({ path: out, events: (doc as { traceEvents: unknown[] }).traceEvents.length });
    expect(new Set(xs.map((e) => e.pid))).toEqual(new Set([1, 2]));
    const worker = xs.find((e) => (e.args as { span: string }).span === '1:1' && e.pid === 1)!;
    expect(worker).toMatchObject({ name: 'rank', ts: 450, dur: 100, tid: 1, args: { hits: 3, cached: true, parent: '0:3' } });
    expect(xs.find((e) => e.name === 'query')!.args).toMatchObject({ err: 'boom' });
    expect(xs.find((e) => e.name === 'load')!.args).toMatchObject({ bytes: 4096 });
  });
});

describe('summarizeCpuProfiles', () => {
  it('gives self and total time by function with url:line, counting a recursive function once per sample', () => {
    // (root) → main → work → work (recursion), and main → idle-ish helper; samples every 100 µs.
    const fn = (id: number, functionName: string, line: number, children: number[] = []) => ({
      id,
      callFrame: { functionName, scriptId: '1', url: 'file:///app.js', lineNumber: line, columnNumber: 0 },
      hitCount: 0,
      children,
    });
    const profile = {
      nodes: [
        {
          id: 1,
          callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 },
          hitCount: 0,
          children: [2],
        },
        fn(2, 'main', 0, [3, 5]),
        fn(3, 'work', 9, [4]),
        fn(4, 'work', 9),
        fn(5, 'helper', 19),
      ],
      startTime: 0,
      endTime: 600,
      samples: [2, 3, 4, 4, 5, 3],
      timeDeltas: [0, 100, 100, 100, 100, 100],
    };
    const file = join(tempDir(), 'x.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const s = summarizeCpuProfiles([file]);
    expect(s.samples).toBe(6);
    expect(s.totalUs).toBe(600);
    const by = Object.fromEntries(s.functions.map((f) => [f.function, f]));
    expect(by.work).toMatchObject({ url: 'file:///app.js', line: 10, selfUs: 400, totalUs: 400 });
    expect(by.main).toMatchObject({ line: 1, selfUs: 100, totalUs: 600 });
    expect(by.helper).toMatchObject({ line: 20, selfUs: 100, totalUs: 100 });
    expect(s.functions[0]!.function).toBe('work');
    expect(by.work!.selfShare).toBeCloseTo(400 / 600, 12);
  });
});
