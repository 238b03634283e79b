// Helper for profiler.test.ts: records spans until SIGINT, whose handler flushes and exits 130
// the way commands/main.ts does. Prints "ready" once a few thousand spans exist.
// Usage: node child-spans.mjs SINK
import { flushAllSync, initProfiler } from '../../dist/src/profile/profiler.js';

const p = initProfiler({ cmd: 'child-spans', sink: process.argv[2] });
process.on('SIGINT', () => {
  flushAllSync();
  process.exit(130);
});

const outer = p.start('loop'); // never ended: an unfinished span must not leave a partial line
const pad = 'x'.repeat(64);
let n = 0;
let announced = false;
function batch() {
  for (let i = 0; i < 500; i++) {
    p.span(
      'step',
      (s) => {
        s.set('i', n++);
        s.set('pad', pad);
      },
      undefined,
      outer,
    );
  }
  if (!announced && n >= 3000) {
    announced = true;
    process.stdout.write('ready\n');
  }
  setImmediate(batch); // yield so the signal handler can run
}
batch();
