// Helper for profiler.test.ts: one command run that picks its sink as quarry does (QUARRY_PROFILE,
// else the default path), waits for a line on stdin so several runs can start together, then
// records COUNT spans with padded attributes, so the buffer fills and flushes many times.
// Usage: node child-append.mjs DEFAULT_PATH COUNT TAG
import { initProfiler, resolveProfileSink } from '../../dist/src/profile/profiler.js';

const [defaultPath, countArg, tag] = process.argv.slice(2);
const sink = resolveProfileSink({ env: process.env.QUARRY_PROFILE, defaultPath });
const p = initProfiler({ cmd: `append-${tag}`, sink, maxBytes: 1 << 30 });
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const count = Number(countArg);
  const pad = tag.repeat(200);
  for (let i = 0; i < count; i++) {
    p.span('append', (s) => {
      s.set('i', i);
      s.set('pad', pad);
    });
  }
  p.close();
  process.stdin.destroy();
});
