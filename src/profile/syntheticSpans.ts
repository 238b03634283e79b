// Synthetic span lines in the profiler's shape, for measuring `quarry profile` on large files (bench/profile-1m.sh
// and `quarry bench --suite`): runs of a root span with phases and items, worker threads, a few errors, log-normal
// durations, children before parents as the profiler writes them. Seeded, so every call gives the same lines.
import { closeSync, openSync, writeSync } from 'node:fs';

const NAMES = ['walk', 'read', 'parse', 'tokenize', 'write', 'load', 'query', 'rank'];
const CMDS = ['index', 'search', 'scan'];

/** The span lines (JSON, no newline), `total` of them. */
export function* syntheticSpanLines(total: number): Generator<string> {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const logNormal = (median: number, sigma: number) => {
    const u = Math.max(rand(), 1e-12);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    return Math.max(0, Math.round(median * Math.exp(sigma * z)));
  };
  let written = 0;
  let run = 0;
  while (written < total) {
    const id = (++run).toString(16).padStart(12, '0');
    const cmd = CMDS[run % CMDS.length]!;
    let n = 1;
    let t = 0;
    let rootChildren = 0;
    const phases = Math.min(8, Math.max(1, total - written - 1));
    for (let p = 0; p < phases && written < total - 1; p++) {
      const phase = `0:${++n}`;
      const name = NAMES[p % NAMES.length]!;
      let inner = 0;
      const kids = Math.min(4, total - written - 2);
      for (let k = 0; k < kids; k++) {
        const d = logNormal(200, 1);
        const thread = k % 2 === 0 ? 0 : 1 + (k % 3);
        written++;
        yield JSON.stringify({
          v: 1,
          run: id,
          cmd,
          span: `${thread}:${++n}`,
          parent: phase,
          name: `${name}.item`,
          start_us: t + inner,
          dur_us: d,
          status: 'ok',
          rss: 5e7,
          attrs: { bytes: d * 10 },
        });
        inner += d;
      }
      const dur = inner + logNormal(500, 0.8);
      const failed = rand() < 0.01;
      written++;
      yield JSON.stringify({
        v: 1,
        run: id,
        cmd,
        span: phase,
        parent: '0:1',
        name,
        start_us: t,
        dur_us: dur,
        status: failed ? 'error' : 'ok',
        ...(failed ? { err: 'boom' } : {}),
        rss: 5e7,
        attrs: {},
      });
      t += dur;
      rootChildren += dur;
    }
    written++;
    yield JSON.stringify({
      v: 1,
      run: id,
      cmd,
      span: '0:1',
      parent: null,
      name: cmd,
      start_us: 0,
      dur_us: rootChildren + logNormal(1000, 0.5),
      status: 'ok',
      rss: 6e7,
      attrs: {},
      t0: 1_700_000_000_000_000 + run * 1e6,
    });
  }
}

/** Writes `total` synthetic span lines to a file descriptor (10,000 lines a write). */
export function writeSyntheticSpans(fd: number, total: number): void {
  let chunk: string[] = [];
  for (const line of syntheticSpanLines(total)) {
    chunk.push(line);
    if (chunk.length >= 10_000) {
      writeSync(fd, `${chunk.join('\n')}\n`);
      chunk = [];
    }
  }
  if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
}

/** Writes `total` synthetic span lines to a new file at `path`. */
export function writeSyntheticSpanFile(path: string, total: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSyntheticSpans(fd, total);
  } finally {
    closeSync(fd);
  }
}
