// Micro-benchmark of the tokenizer, the hot loop of indexing: terms of every JS/TS file under DIR, in memory
// (read once, tokenized ROUNDS times), reported as MB/s of source text.
// Usage: npm run build && node bench/tokenize-micro.mjs [DIR] [ROUNDS]   (default: the corpus's eslint package, 5)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { walk } from '../dist/src/index/walk.js';
import { TermTable } from '../dist/src/index/tokenize.js';

const dir =
  process.argv[2] ??
  `${execFileSync('bash', [new URL('../../shared/bench/corpus.sh', import.meta.url).pathname])
    .toString()
    .trim()}/eslint`;
const rounds = Number(process.argv[3] ?? 5);
const texts = walk(dir)
  .files.filter((f) => /\.[cm]?[jt]sx?$/.test(f.path))
  .map((f) => readFileSync(`${dir}/${f.path}`, 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
let terms = 0;
const best = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  terms = 0;
  for (const text of texts) {
    const table = new TermTable(3, text.length >> 4);
    table.add(text, 0);
    terms += table.terms.length;
  }
  best.push(performance.now() - t0);
}
const ms = Math.min(...best);
console.log(
  `${texts.length} files, ${(bytes / 1e6).toFixed(1)} MB, ${terms} file-terms: best of ${rounds} ${ms.toFixed(0)} ms, ${(bytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s`,
);
