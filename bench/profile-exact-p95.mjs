// The exact nearest-rank p95 of dur_us per span name in a span file, by sorting every value (the reference the
// sketch is checked against). Usage: node bench/profile-exact-p95.mjs spans.jsonl → {"name": p95, …}
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
const byName = new Map();
for await (const l of createInterface({ input: createReadStream(process.argv[2]) })) {
  if (l === '') continue;
  const s = JSON.parse(l);
  let a = byName.get(s.name);
  if (!a) byName.set(s.name, (a = []));
  a.push(s.dur_us);
}
const out = {};
for (const [name, a] of byName) {
  a.sort((x, y) => x - y);
  out[name] = { count: a.length, p95: a[Math.max(1, Math.ceil(0.95 * a.length)) - 1] };
}
console.log(JSON.stringify(out));
