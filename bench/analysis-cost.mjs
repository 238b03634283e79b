// Single-threaded cost of the per-file work of `quarry index` on a tree: read + classify + hash, tokenizer,
// and @babel/parser, each timed on its own. This is the floor under a cold index: no threads, no cache, no
// index building. Usage: npm run build && node bench/analysis-cost.mjs [DIR]   (default: the shared corpus)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { walk } from '../dist/src/index/walk.js';
import { TermTable } from '../dist/src/index/tokenize.js';
import { parseSource } from '../dist/src/index/parse.js';
import { classify, contentHash } from '../dist/src/index/readSource.js';
import { DEFAULT_SKIP_RULES } from '../dist/src/index/skipRules.js';
import { isParsed, languageOf } from '../dist/src/index/language.js';

const root =
  process.argv[2] ??
  execFileSync('bash', [new URL('../../shared/bench/corpus.sh', import.meta.url).pathname])
    .toString()
    .trim();
const files = walk(root).files;
const ms = { read: 0, classifyAndHash: 0, tokenize: 0, parse: 0 };
let bytes = 0;
let indexed = 0;
const started = performance.now();
for (const f of files) {
  let t = performance.now();
  let buf;
  try {
    buf = readFileSync(`${root}/${f.path}`);
  } catch {
    continue;
  }
  ms.read += performance.now() - t;
  t = performance.now();
  const c = classify(buf, DEFAULT_SKIP_RULES);
  if (!c.reason) contentHash(buf);
  ms.classifyAndHash += performance.now() - t;
  if (c.reason) continue;
  const text = buf.toString('utf8');
  bytes += buf.length;
  indexed++;
  t = performance.now();
  new TermTable(3, text.length >> 4).add(text, 0);
  ms.tokenize += performance.now() - t;
  const lang = languageOf(f.path);
  if (isParsed(lang)) {
    t = performance.now();
    parseSource(text, lang);
    ms.parse += performance.now() - t;
  }
}
const total = performance.now() - started;
console.log(`${indexed} files, ${(bytes / 1e6).toFixed(1)} MB indexed of ${files.length} walked, one thread`);
for (const [k, v] of Object.entries(ms))
  console.log(`${k.padEnd(16)} ${(v / 1000).toFixed(2)} s  ${(bytes / 1e6 / (v / 1000)).toFixed(1)} MB/s`);
console.log(`${'total'.padEnd(16)} ${(total / 1000).toFixed(2)} s`);
