// Quantiles of one group's durations: exact while the group is small, a DDSketch once it grows past a limit,
// so memory per group is bounded whatever the file size.
import { DDSketch } from './ddsketch.js';

/** Groups up to this many values get exact quantiles. */
export const EXACT_LIMIT = 10_000;

export type QuantileMethod = 'exact' | 'ddsketch';

export class QuantileEstimator {
  private values: Float64Array | null = new Float64Array(16);
  private n = 0;
  private sketch: DDSketch | null = null;
  private sorted = false;

  constructor(private readonly exactLimit = EXACT_LIMIT) {}

  get method(): QuantileMethod {
    return this.sketch === null ? 'exact' : 'ddsketch';
  }

  add(value: number): void {
    if (this.sketch !== null) {
      this.sketch.add(value);
      return;
    }
    let values = this.values!;
    if (this.n === this.exactLimit) {
      const sketch = new DDSketch();
      for (let i = 0; i < this.n; i++) sketch.add(values[i]!);
      sketch.add(value);
      this.sketch = sketch;
      this.values = null;
      return;
    }
    if (this.n === values.length) {
      const grown = new Float64Array(Math.min(values.length * 2, this.exactLimit));
      grown.set(values);
      this.values = values = grown;
    }
    values[this.n++] = value;
    this.sorted = false;
  }

  /** Nearest-rank quantile: the ceil(q·n)-th smallest value (exact), or the sketch's estimate of it; null when empty. */
  quantile(q: number): number | null {
    if (this.sketch !== null) return this.sketch.quantile(q);
    if (this.n === 0) return null;
    const values = this.values!.subarray(0, this.n);
    if (!this.sorted) {
      values.sort();
      this.sorted = true;
    }
    return values[Math.max(1, Math.ceil(q * this.n)) - 1]!;
  }
}
