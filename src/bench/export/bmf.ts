// Bencher Metric Format: {"<command>": {"latency": {value, lower_value, upper_value}}} in nanoseconds, the bounds
// being mean ∓ stddev as in Bencher's own hyperfine adapter.
import type { Exporter } from './exporter.js';

export const bmfExporter: Exporter = {
  serialize(results) {
    const doc: Record<string, { latency: { value: number; lower_value?: number; upper_value?: number } }> = {};
    for (const r of results) {
      const ns = (s: number) => s * 1e9;
      doc[r.command] = {
        latency:
          r.stddev === null
            ? { value: ns(r.mean) }
            : { value: ns(r.mean), lower_value: ns(r.mean - r.stddev), upper_value: ns(r.mean + r.stddev) },
      };
    }
    return `${JSON.stringify(doc, null, 2)}\n`;
  },
};
