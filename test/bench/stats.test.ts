// Statistics on fixed samples; reference values from scipy 1.17 (the calls are in each test's comment).
import { describe, expect, it } from 'vitest';
import {
  countOutliers,
  mannWhitneyU,
  mean,
  median,
  modifiedZScores,
  regularizedIncompleteBeta,
  relativeSpeed,
  stddev,
  studentTTwoSided,
  welchTTest,
} from '../../src/bench/stats.js';

const A = [1.2, 1.5, 1.1, 1.9, 1.4, 1.3, 1.6];
const B = [1.8, 2.1, 1.7, 2.4, 1.9, 2.0];

describe('summaries', () => {
  it('computes mean, sample stddev and median', () => {
    expect(mean(A)).toBeCloseTo(10 / 7, 12);
    // scipy.stats.tstd(A)
    expect(stddev(A)).toBeCloseTo(0.2690370836538197, 12);
    expect(median(A)).toBe(1.4);
    expect(median(B)).toBeCloseTo(1.95, 12);
    expect(Number.isNaN(stddev([1]))).toBe(true);
  });
});

describe('outliers (hyperfine: |x − median| / (1.4826·MAD) > 14.826)', () => {
  it('flags a run far outside the median absolute deviation and nothing in a tight sample', () => {
    const xs = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01];
    expect(countOutliers(xs)).toBe(0);
    // With 2.0 added the median is 1.005 and the MAD 0.01, so its score is (2.0 − 1.005) / 0.014826
    expect(modifiedZScores([...xs, 2.0]).at(-1)).toBeCloseTo(0.995 / 0.014826, 6);
    expect(countOutliers([...xs, 2.0])).toBe(1);
    // 1.1 lies 0.1 / 0.014826 ≈ 6.7 away: not an outlier by hyperfine's rule
    expect(countOutliers([...xs, 1.1])).toBe(0);
  });
});

describe('the Student t distribution', () => {
  it('matches closed forms and scipy', () => {
    // df = 1 is Cauchy: P(|T| > 1) = 1/2; df = 2: P(|T| > t) = 1 − t / sqrt(2 + t²)
    expect(studentTTwoSided(1, 1)).toBeCloseTo(0.5, 12);
    expect(studentTTwoSided(1, 2)).toBeCloseTo(1 - 1 / Math.sqrt(3), 12);
    // 2 * scipy.stats.t.sf(2.0, 10), 2 * scipy.stats.t.sf(3.5, 4.3)
    expect(studentTTwoSided(2, 10)).toBeCloseTo(0.07338803477074037, 10);
    expect(studentTTwoSided(-3.5, 4.3)).toBeCloseTo(0.022127097432049728, 10);
    expect(regularizedIncompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 12);
  });
});

describe('welchTTest', () => {
  it('matches scipy.stats.ttest_ind(A, B, equal_var=False)', () => {
    const r = welchTTest(A, B);
    expect(r.statistic).toBeCloseTo(-3.8635298366921123, 10);
    expect(r.df).toBeCloseTo(10.914993260938411, 10);
    expect(r.p).toBeCloseTo(0.0026747462517987064, 10);
  });
  it('finds no difference between a sample and itself', () => {
    expect(welchTTest(A, A).p).toBeCloseTo(1, 12);
  });
});

describe('mannWhitneyU', () => {
  it("matches scipy.stats.mannwhitneyu(method='asymptotic'), with ties", () => {
    const r = mannWhitneyU([1, 2, 3, 3, 4], [3, 5, 6, 6, 7, 8]);
    expect(r.statistic).toBe(2);
    expect(r.p).toBeCloseTo(0.020967912414289965, 6);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).p).toBeCloseTo(0.08085559837005224, 6);
  });
});

describe('relativeSpeed', () => {
  it('propagates relative errors as hyperfine does', () => {
    const r = relativeSpeed(
      { mean: 0.021443155666666668, stddev: 0.00010016493373598146 },
      { mean: 0.011796201333333334, stddev: 0.00008108284239179924 },
    );
    // hyperfine's markdown export for these two commands: 1.82 ± 0.02
    expect(r.ratio.toFixed(2)).toBe('1.82');
    expect(r.stddev.toFixed(2)).toBe('0.02');
  });
});
