// Specification of aggregation: statistics of fixtures/profile/basic checked against values computed by hand
// (see fixtures/profile/README.md), grouping, sorting, filters, and the quantile sketch's error bound.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Aggregator, parseGroupFields } from '../../src/profile/aggregate.js';
import { DDSketch, DDSKETCH_RELATIVE_ACCURACY } from '../../src/profile/ddsketch.js';
import { QuantileEstimator } from '../../src/profile/quantiles.js';
import { parseDuration } from '../../src/profile/spanFilter.js';
import { summarize } from '../../src/profile/summarize.js';
import type { SpanLine } from '../../src/profile/spanLine.js';
import { REPO } from '../helpers.js';

const basic = join(REPO, 'fixtures', 'profile', 'basic', 'profile.jsonl');
const T0 = 1_700_000_000_000_000;

describe('aggregate by name (fixtures/profile/basic)', () => {
  it('counts, totals, means, extremes, nearest-rank quantiles and errors per name', async () => {
    const s = await summarize({ files: [basic] });
    expect(s.groups.map((g) => g.key)).toEqual(['search', 'load', 'query', 'index', 'rank']);
    const load = s.groups.find((g) => g.key === 'load')!;
    expect(load).toMatchObject({
      count: 3,
      totalUs: 600,
      meanUs: 200,
      minUs: 100,
      maxUs: 300,
      p50Us: 200,
      p95Us: 300,
      p99Us: 300,
      errors: 0,
    });
    expect(load.quantiles).toBe('exact');
    const rank = s.groups.find((g) => g.key === 'rank')!;
    expect(rank).toMatchObject({ count: 2, totalUs: 300, meanUs: 150, p50Us: 100, p95Us: 200 });
    expect(s.groups.find((g) => g.key === 'query')).toMatchObject({ count: 1, errors: 1 });
  });

  it('self time is duration minus the children’s, worker children included', async () => {
    const s = await summarize({ files: [basic] });
    const self = Object.fromEntries(s.groups.map((g) => [g.key, g.selfUs]));
    // search 1000 − (load 300 + query 500); query 500 − (rank 200 + worker rank 100); index 400 − (100 + 200).
    expect(self).toEqual({ search: 200, load: 600, query: 200, index: 100, rank: 300 });
  });

  it('share of parent: the group’s time over its parents’ time, each parent once; null for roots', async () => {
    const s = await summarize({ files: [basic] });
    const share = Object.fromEntries(s.groups.map((g) => [g.key, g.shareOfParent]));
    expect(share.search).toBeNull();
    expect(share.index).toBeNull();
    expect(share.query).toBeCloseTo(500 / 1000, 12);
    expect(share.rank).toBeCloseTo(300 / 500, 12);
    expect(share.load).toBeCloseTo(600 / 1400, 12);
  });

  it('groups by cmd,name and by run; sorts by count or p95; cuts to --top', async () => {
    const byCmd = await summarize({ files: [basic], by: ['cmd', 'name'] });
    expect(byCmd.groups.map((g) => g.key)).toContain('index load');
    expect(byCmd.groups.find((g) => g.key === 'search load')).toMatchObject({
      count: 1,
      totalUs: 300,
      fields: { cmd: 'search', name: 'load' },
    });
    const byRun = await summarize({ files: [basic], by: ['run'] });
    expect(byRun.groups.map((g) => [g.key, g.totalUs, g.count])).toEqual([
      ['r1', 2100, 5],
      ['r2', 700, 3],
    ]);
    const byCount = await summarize({ files: [basic], sort: 'count', top: 2 });
    expect(byCount.groups.map((g) => g.key)).toEqual(['load', 'rank']);
    expect(byCount.totalGroups).toBe(5);
    const byP95 = await summarize({ files: [basic], sort: 'p95' });
    expect(byP95.groups.map((g) => g.key)).toEqual(['search', 'query', 'index', 'load', 'rank']);
  });

  it('filters by --cmd, --run ID, --run last and --since (against each run’s t0)', async () => {
    expect((await summarize({ files: [basic], cmd: 'index' })).groups.map((g) => g.key)).toEqual(['index', 'load']);
    expect((await summarize({ files: [basic], run: 'r1' })).matched).toBe(5);
    expect((await summarize({ files: [basic], run: 'last' })).groups.map((g) => g.key)).toEqual(['index', 'load']);
    // r2 started an hour after r1: 30 minutes after r2's start, --since 1h sees r2 only, --since 2h both.
    const now = T0 + 3600e6 + 1800e6;
    expect((await summarize({ files: [basic], sinceUs: parseDuration('1h'), nowUs: now })).matched).toBe(3);
    expect((await summarize({ files: [basic], sinceUs: parseDuration('2h'), nowUs: now })).matched).toBe(8);
  });

  it('parses durations and grouping fields, refusing anything else', () => {
    expect(parseDuration('30s')).toBe(30e6);
    expect(parseDuration('15m')).toBe(900e6);
    expect(parseDuration('2d')).toBe(172_800e6);
    expect(() => parseDuration('1 week')).toThrow(/--since/);
    expect(parseGroupFields('cmd,name')).toEqual(['cmd', 'name']);
    expect(parseGroupFields('file')).toMatch(/--by/);
  });
});

describe('quantiles', () => {
  const span = (name: string, dur: number, i: number): SpanLine => ({
    v: 1,
    run: 'r',
    cmd: 'c',
    span: `0:${i}`,
    parent: null,
    name,
    start_us: 0,
    dur_us: dur,
    status: 'ok',
    rss: 0,
    attrs: {},
  });

  it('are exact up to the limit and a DDSketch above, said so in the result', () => {
    const agg = new Aggregator(['name'], 100);
    for (let i = 1; i <= 100; i++) agg.add(span('small', i, i));
    for (let i = 1; i <= 1000; i++) agg.add(span('large', i, i));
    const [large, small] = agg.result('count');
    expect(small).toMatchObject({ key: 'small', quantiles: 'exact', quantileRelativeError: 0, p50Us: 50, p95Us: 95, p99Us: 99 });
    expect(large).toMatchObject({ key: 'large', quantiles: 'ddsketch', quantileRelativeError: 0.01 });
    expect(Math.abs(large!.p95Us - 950) / 950).toBeLessThanOrEqual(0.01);
  });

  it('DDSketch stays within its relative accuracy of the exact nearest-rank quantile on any sample', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50_000_000 }), { minLength: 1, maxLength: 3000 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99, 1),
        (xs, q) => {
          const sketch = new DDSketch();
          for (const x of xs) sketch.add(x);
          const sorted = [...xs].sort((a, b) => a - b);
          const exact = sorted[Math.max(1, Math.ceil(q * xs.length)) - 1]!;
          const est = sketch.quantile(q);
          if (exact === 0) return est === 0;
          return Math.abs(est - exact) <= DDSKETCH_RELATIVE_ACCURACY * exact + 1e-9;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the exact estimator gives the ceil(q·n)-th smallest value', () => {
    const q = new QuantileEstimator();
    for (const x of [7, 1, 9, 3, 5]) q.add(x);
    expect([q.quantile(0.2), q.quantile(0.5), q.quantile(0.95), q.quantile(1)]).toEqual([1, 5, 9, 9]);
    expect(new QuantileEstimator().quantile(0.5)).toBeNull();
  });
});
