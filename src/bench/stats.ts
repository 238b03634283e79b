// The statistics of a benchmark: summaries of a sample, hyperfine's outlier rule, relative speed with its
// uncertainty, and two significance tests (Welch's t-test, Mann–Whitney U) for comparing against a baseline.

/** Arithmetic mean (NaN for an empty sample). */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance (n − 1 in the denominator); NaN below two values. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

/** Sample standard deviation, as hyperfine reports it (null there below two runs; NaN here). */
export function stddev(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** Median: the middle value, or the mean of the two middle values. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function min(xs: readonly number[]): number {
  return xs.reduce((a, b) => (b < a ? b : a), Infinity);
}

export function max(xs: readonly number[]): number {
  return xs.reduce((a, b) => (b > a ? b : a), -Infinity);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/**
 * hyperfine's outlier rule (src/outlier_detection.rs): modified Z-scores (x − median) / (1.4826 · MAD), where
 * 1.4826 · MAD estimates the standard deviation of a normal sample, and an outlier lies more than 10 such standard
 * deviations away, i.e. |score| > 14.826. A zero MAD is replaced by machine epsilon, as hyperfine does.
 */
export const OUTLIER_THRESHOLD = 1.4826 * 10;

export function modifiedZScores(xs: readonly number[]): number[] {
  const m = median(xs);
  const d = mad(xs);
  const scale = 1.4826 * (d > 0 ? d : Number.EPSILON);
  return xs.map((x) => (x - m) / scale);
}

/** How many values are outliers by hyperfine's rule. */
export function countOutliers(xs: readonly number[]): number {
  return modifiedZScores(xs).filter((z) => Math.abs(z) > OUTLIER_THRESHOLD).length;
}

/** Relative speed of a (mean, stddev) against a reference, with hyperfine's propagation of relative errors. */
export function relativeSpeed(
  a: { mean: number; stddev: number },
  reference: { mean: number; stddev: number },
): { ratio: number; stddev: number } {
  const ratio = a.mean / reference.mean;
  const ea = Number.isFinite(a.stddev) ? a.stddev / a.mean : 0;
  const er = Number.isFinite(reference.stddev) ? reference.stddev / reference.mean : 0;
  return { ratio, stddev: ratio * Math.sqrt(ea * ea + er * er) };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz), as in Numerical Recipes' betacf. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided tail probability P(|T| ≥ |t|) of Student's t distribution with `df` degrees of freedom (df may be fractional). */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return Number.isNaN(t) ? NaN : 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** erfc(x) (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export interface TestResult {
  /** The test statistic: t for Welch, U of the first sample for Mann–Whitney. */
  statistic: number;
  /** Two-sided p-value. */
  p: number;
}

/** Welch's unequal-variances t-test, two-sided (scipy.stats.ttest_ind(equal_var=False)). Needs ≥ 2 values per sample. */
export function welchTTest(a: readonly number[], b: readonly number[]): TestResult & { df: number } {
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const se = Math.sqrt(va + vb);
  const diff = mean(a) - mean(b);
  if (se === 0) return { statistic: diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity, p: diff === 0 ? 1 : 0, df: a.length + b.length - 2 };
  const t = diff / se;
  const df = ((va + vb) * (va + vb)) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { statistic: t, p: studentTTwoSided(t, df), df };
}

/**
 * Mann–Whitney U, two-sided, normal approximation with tie correction and continuity correction
 * (scipy.stats.mannwhitneyu(method='asymptotic')).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  const all = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  const n = all.length;
  let r1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1; // average of ranks i+1 … j+1
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.first) r1 += rank;
    i = j + 1;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sigma === 0) return { statistic: u1, p: 1 };
  const z = Math.max(0, Math.abs(u1 - mu) - 0.5) / sigma;
  return { statistic: u1, p: Math.min(1, erfc(z / Math.SQRT2)) };
}
