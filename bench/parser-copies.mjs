// Why src/index/parse.ts keeps one copy of @babel/parser per plugin set: parses every JS, TS and .d.ts file of a
// tree in walk order, once through one shared copy of babel and once through a copy per plugin set (each in a
// fresh process, alternating), and prints the parse time per language.
// Usage: npm run build && node bench/parser-copies.mjs [DIR] [ROUNDS]   (default: the shared corpus, 2 rounds)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { walk } from '../dist/src/index/walk.js';
import { classify } from '../dist/src/index/readSource.js';
import { DEFAULT_SKIP_RULES } from '../dist/src/index/skipRules.js';
import { languageOf } from '../dist/src/index/language.js';
import { parserOptions } from '../dist/src/index/parse.js';

const [, , dirArg, roundsArg, child] = process.argv;
const root =
  dirArg && dirArg !== '-'
    ? dirArg
    : execFileSync('bash', [new URL('../../shared/bench/corpus.sh', import.meta.url).pathname])
        .toString()
        .trim();

const PLUGINS = {
  js: ['decorators-legacy'],
  ts: ['typescript', 'decorators-legacy'],
  dts: [['typescript', { dts: true }], 'decorators-legacy'],
};
const options = (lang) => parserOptions(PLUGINS[lang]);

if (child) {
  // One measurement: `shared` or `copies`.
  const require = createRequire(new URL('../dist/src/index/parse.js', import.meta.url));
  const id = require.resolve('@babel/parser');
  const shared = require(id);
  const copies = {};
  const babelFor = (lang) => {
    if (child === 'shared') return shared;
    const key = lang === 'js' ? 'js' : 'ts';
    if (!copies[key]) {
      delete require.cache[id];
      copies[key] = require(id);
    }
    return copies[key];
  };
  const ms = {};
  for (const f of walk(root).files) {
    const lang = languageOf(f.path);
    if (!(lang in PLUGINS)) continue;
    let buf;
    try {
      buf = readFileSync(`${root}/${f.path}`);
    } catch {
      continue;
    }
    if (classify(buf, DEFAULT_SKIP_RULES).reason) continue;
    const text = buf.toString('utf8');
    const t = performance.now();
    try {
      babelFor(lang).parse(text, options(lang));
    } catch {
      // A file babel gives up on costs what it cost.
    }
    ms[lang] = (ms[lang] ?? 0) + performance.now() - t;
  }
  console.log(JSON.stringify(ms));
} else {
  const rounds = Number(roundsArg ?? 2);
  const self = fileURLToPath(import.meta.url);
  const run = (mode) => JSON.parse(execFileSync(process.execPath, ['--max-semi-space-size=128', self, root, '1', mode]).toString());
  const sum = { shared: {}, copies: {} };
  for (let r = 0; r < rounds; r++)
    for (const mode of ['shared', 'copies'])
      for (const [lang, v] of Object.entries(run(mode))) sum[mode][lang] = (sum[mode][lang] ?? 0) + v / rounds;
  console.log(`parse time per language, mean of ${rounds} fresh processes each, ${root}`);
  for (const mode of ['shared', 'copies']) {
    const total = Object.values(sum[mode]).reduce((a, b) => a + b, 0);
    const parts = Object.entries(sum[mode]).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`);
    console.log(
      `${mode === 'shared' ? 'one shared copy   ' : 'a copy per plugins'}  ${parts.join('  ')}  total ${(total / 1000).toFixed(2)} s`,
    );
  }
}
