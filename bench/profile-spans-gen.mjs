// Writes N span lines (default 1,000,000) in the profiler's shape to stdout: runs of a root span with children
// and grandchildren, worker spans, a few errors, durations log-normal; children before parents as the profiler writes.
// Usage: node bench/profile-spans-gen.mjs [N] > spans.jsonl
const total = Number(process.argv[2] ?? 1_000_000);
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const logNormal = (median, sigma) => {
  const u = Math.max(rand(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  return Math.max(0, Math.round(median * Math.exp(sigma * z)));
};
const names = ['walk', 'read', 'parse', 'tokenize', 'write', 'load', 'query', 'rank'];
const cmds = ['index', 'search', 'scan'];
let out = [];
let written = 0;
let run = 0;
const flush = () => {
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  out = [];
};
const line = (o) => {
  out.push(JSON.stringify(o));
  written++;
  if (out.length >= 10_000) flush();
};
while (written < total) {
  const id = (++run).toString(16).padStart(12, '0');
  const cmd = cmds[run % cmds.length];
  let n = 1;
  let t = 0;
  let rootChildren = 0;
  const phases = Math.min(8, Math.max(1, total - written - 1));
  for (let p = 0; p < phases && written < total - 1; p++) {
    const phase = `0:${++n}`;
    const name = names[p % names.length];
    let inner = 0;
    const kids = Math.min(4, total - written - 2);
    for (let k = 0; k < kids; k++) {
      const d = logNormal(200, 1);
      const thread = k % 2 === 0 ? 0 : 1 + (k % 3);
      line({
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
    line({
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
  line({
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
flush();
