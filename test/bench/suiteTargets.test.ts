// The suite's target table and verdicts on fixed numbers: ratio bounds when the peer ran, absolute bounds without
// it, n/a when there is nothing to judge by.
import { describe, expect, it } from 'vitest';
import { scoreRow, type Figure } from '../../src/bench/suite.js';
import { SUITE_JOBS, TARGETS, describeTarget, judge } from '../../src/bench/suiteTargets.js';

const secs = (mean: number): Figure => ({ mean, stddev: null, min: mean, max: mean, runs: 1, unit: 's' });

describe('the target table', () => {
  it('has one target per job, each goal at or under its must', () => {
    expect(Object.keys(TARGETS).sort()).toEqual([...SUITE_JOBS].sort());
    for (const t of Object.values(TARGETS)) {
      for (const b of [t.ratio, t.absolute]) if (b) expect(b.goal).toBeLessThanOrEqual(b.must);
    }
  });

  it('holds the issues’ numbers', () => {
    expect(TARGETS['index-cold'].ratio).toEqual({ must: 2, goal: 1 });
    expect(TARGETS['index-warm'].absolute).toMatchObject({ must: 1, goal: 0.3 });
    expect(TARGETS['index-incremental'].absolute).toMatchObject({ must: 1.5, goal: 0.5 });
    expect(TARGETS['search-rare'].ratio).toEqual({ must: 1, goal: 0.5 });
    expect(TARGETS['search-common'].ratio).toEqual({ must: 1, goal: 0.5 });
    expect(TARGETS['search-sym'].ratio).toBeUndefined();
    expect(TARGETS['search-sym'].absolute).toBeUndefined();
    expect(TARGETS['scan-cold'].ratio).toEqual({ must: 1, goal: 0.5 });
    expect(TARGETS['scan-warm'].ratio).toEqual({ must: 0.2, goal: 0.1 });
    expect(TARGETS['profile-1m'].absolute).toMatchObject({ must: 2, goal: 1, unit: 's' });
    expect(TARGETS['profile-1m-rss'].absolute).toMatchObject({ must: 100, unit: 'MiB' });
  });
});

describe('judge', () => {
  const cold = TARGETS['index-cold'];
  const warm = TARGETS['index-warm'];

  it('says goal, must or miss from the ratio, bounds included', () => {
    expect(judge(cold, 20, 0.9)).toEqual({ verdict: 'goal', by: 'ratio' });
    expect(judge(cold, 20, 1.0)).toEqual({ verdict: 'goal', by: 'ratio' });
    expect(judge(cold, 20, 1.5)).toEqual({ verdict: 'must', by: 'ratio' });
    expect(judge(cold, 20, 2.0)).toEqual({ verdict: 'must', by: 'ratio' });
    expect(judge(cold, 20, 2.96)).toEqual({ verdict: 'miss', by: 'ratio' });
  });

  it('judges an absolute target by the figure', () => {
    expect(judge(warm, 0.25, null)).toEqual({ verdict: 'goal', by: 'absolute' });
    expect(judge(warm, 0.45, null)).toEqual({ verdict: 'must', by: 'absolute' });
    expect(judge(warm, 1.2, null)).toEqual({ verdict: 'miss', by: 'absolute' });
  });

  it('is n/a for a ratio target without its peer, and for an informational job', () => {
    expect(judge(cold, 20, null)).toEqual({ verdict: 'n/a', by: null });
    expect(judge(TARGETS['search-sym'], 0.17, 0.3)).toEqual({ verdict: 'n/a', by: null });
  });

  it('a single bound (goal = must) is met as goal', () => {
    expect(judge(TARGETS['profile-1m-rss'], 72, null).verdict).toBe('goal');
    expect(judge(TARGETS['profile-1m-rss'], 101, null).verdict).toBe('miss');
  });
});

describe('describeTarget', () => {
  it('reads as the issues write it', () => {
    expect(describeTarget(TARGETS['index-cold'], 'ratio')).toBe('≤ 2.0× (goal 1.0×)');
    expect(describeTarget(TARGETS['scan-warm'], 'ratio')).toBe('≤ 20% (goal 10%)');
    expect(describeTarget(TARGETS['index-warm'], 'absolute')).toBe('≤ 1 s (goal 0.3 s)');
    expect(describeTarget(TARGETS['profile-1m-rss'], 'absolute')).toBe('≤ 100 MiB');
    expect(describeTarget(TARGETS['search-rare'], null)).toBe('≤ 1.0× (goal 0.5×) (needs rg -l -w)');
    expect(describeTarget(TARGETS['search-sym'], null)).toBe('informational');
  });
});

describe('scoreRow', () => {
  it('takes the ratio of the means and judges it', () => {
    const row = scoreRow('scan-cold', secs(1.6), { name: 'cloc', figure: secs(0.4) }, ['q', 'cloc']);
    expect(row.ratio).toBe(4);
    expect(row.verdict).toBe('miss');
    expect(row.target).toBe('≤ 1.0× (goal 0.5×)');
    expect(row.notes).toEqual([]);
  });

  it('without the peer: no ratio, n/a, and a note saying the peer is missing', () => {
    const row = scoreRow('search-common', secs(0.14), null, ['q']);
    expect(row).toMatchObject({ ratio: null, verdict: 'n/a', judgedBy: null });
    expect(row.notes[0]).toMatch(/rg -n -w -i not installed/);
  });

  it('a warm scan is a share of the cold one, printed as a percentage', () => {
    const row = scoreRow('scan-warm', secs(0.265), { name: 'cold scan', figure: secs(1.619) }, ['q']);
    expect(row.ratioAs).toBe('percent');
    expect(row.ratio).toBeCloseTo(0.1637, 4);
    expect(row.verdict).toBe('must');
  });

  it('a figure that could not be measured is n/a', () => {
    expect(scoreRow('profile-1m-rss', null, null, ['q']).verdict).toBe('n/a');
  });
});
