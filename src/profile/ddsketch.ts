// DDSketch (Masson, Rim, Lee, VLDB 2019): quantiles of non-negative values with a bounded relative error,
// in a fixed array of log-spaced buckets. Used for groups too large to keep every value.

/** Relative accuracy of the sketch: a quantile is within this fraction of the exact (nearest-rank) value. */
export const DDSKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + DDSKETCH_RELATIVE_ACCURACY) / (1 - DDSKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Bucket i holds (γ^(i-1), γ^i]; 2048 buckets reach far beyond 2^53 µs. */
const BUCKETS = 2048;

export class DDSketch {
  private readonly counts = new Float64Array(BUCKETS);
  private zeros = 0;
  private n = 0;
  private minIndex = BUCKETS;
  private maxIndex = -1;

  get count(): number {
    return this.n;
  }

  add(value: number): void {
    this.n++;
    if (value <= 0) {
      this.zeros++;
      return;
    }
    // Values below 1 share bucket 0 (durations are whole microseconds, so only exotic files have them).
    const i = value <= 1 ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(value) / LOG_GAMMA));
    this.counts[i]!++;
    if (i < this.minIndex) this.minIndex = i;
    if (i > this.maxIndex) this.maxIndex = i;
  }

  /** The value at rank ceil(q·n) (nearest rank, 1-based), within the relative accuracy; NaN when empty. */
  quantile(q: number): number {
    if (this.n === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = this.zeros;
    if (seen >= rank) return 0;
    for (let i = this.minIndex; i <= this.maxIndex; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return i === 0 ? 1 : (2 * Math.pow(GAMMA, i)) / (GAMMA + 1);
    }
    return (2 * Math.pow(GAMMA, this.maxIndex)) / (GAMMA + 1);
  }
}
