import { describe, expect, it } from 'vitest';
import { bootstrapDiff, queryMetrics } from '../../src/train/metrics.js';

describe('ranking metrics at 10', () => {
  it('one relevant file at rank 2: MRR 1/2, NDCG 1/log2(3), recall 1', () => {
    const m = queryMetrics([0, 1, 0], [1]);
    expect(m.mrr).toBe(0.5);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(3), 12);
    expect(m.recall).toBe(1);
  });

  it('graded gains: grades 2 and 1 at ranks 1 and 3 against the ideal 2, 1', () => {
    // DCG = (2^2-1)/log2(2) + (2^1-1)/log2(4) = 3 + 0.5; IDCG = 3 + 1/log2(3).
    const m = queryMetrics([2, 0, 1], [2, 1]);
    expect(m.mrr).toBe(1);
    expect(m.ndcg).toBeCloseTo(3.5 / (3 + 1 / Math.log2(3)), 12);
    expect(m.recall).toBe(1);
  });

  it('a relevant file at rank 11 counts for nothing; one of two found is recall 1/2', () => {
    const ranked = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(queryMetrics(ranked, [1])).toEqual({ mrr: 0, ndcg: 0, recall: 0 });
    const m = queryMetrics([0, 0, 0, 1], [1, 1]);
    expect(m.mrr).toBe(0.25);
    expect(m.recall).toBe(0.5);
    expect(m.ndcg).toBeCloseTo(1 / Math.log2(5) / (1 + 1 / Math.log2(3)), 12);
  });

  it('a query whose answer was never retrieved scores 0', () => {
    expect(queryMetrics([], [1])).toEqual({ mrr: 0, ndcg: 0, recall: 0 });
  });
});

describe('bootstrap interval of a difference', () => {
  it('is the constant itself when every query differs by the same amount', () => {
    const a = Float64Array.from([0, 0.5, 1, 0.25]);
    const b = a.map((x) => x + 0.5);
    const ci = bootstrapDiff(a, b, 1);
    expect(ci.diff).toBeCloseTo(0.5, 12);
    expect(ci.lo).toBeCloseTo(0.5, 12);
    expect(ci.hi).toBeCloseTo(0.5, 12);
  });

  it('holds the mean difference, is seeded, and is wider for noisier differences', () => {
    const a = new Float64Array(200);
    const b = Float64Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // mean 0.25
    const ci = bootstrapDiff(a, b, 7);
    expect(ci.diff).toBeCloseTo(0.25, 12);
    expect(ci.lo).toBeLessThan(0.25);
    expect(ci.hi).toBeGreaterThan(0.25);
    expect(ci.lo).toBeGreaterThan(0.15);
    expect(ci.hi).toBeLessThan(0.35);
    expect(bootstrapDiff(a, b, 7)).toEqual(ci);
  });
});
