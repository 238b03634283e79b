// Writes N span lines (default 1,000,000) in the profiler's shape to stdout: runs of a root span with children
// and grandchildren, worker spans, a few errors, durations log-normal; children before parents as the profiler writes.
// The lines come from src/profile/syntheticSpans.ts (shared with `quarry bench --suite`).
// Usage: npm run build && node bench/profile-spans-gen.mjs [N] > spans.jsonl
import { syntheticSpanLines } from '../dist/src/profile/syntheticSpans.js';

// process.stdout, not writeSync(1): a pipe to a slow reader may be non-blocking (EAGAIN).
let chunk = [];
for (const line of syntheticSpanLines(Number(process.argv[2] ?? 1_000_000))) {
  chunk.push(line);
  if (chunk.length >= 10_000) {
    process.stdout.write(`${chunk.join('\n')}\n`);
    chunk = [];
  }
}
if (chunk.length > 0) process.stdout.write(`${chunk.join('\n')}\n`);
