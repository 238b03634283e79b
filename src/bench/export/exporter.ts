// One interface for every export format (hyperfine's src/export/): a result list in, the file's text out.
import type { BenchmarkResult } from '../result.js';

export interface Exporter {
  /** The file's whole text. */
  serialize(results: readonly BenchmarkResult[]): string;
}
