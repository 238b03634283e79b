// The files a cold `quarry index DIR` analyses, one absolute path per line: its walk (git's list or the directory
// walk with .gitignore rules), less the files its skip rules leave out (binary, invalid UTF-8, too large, minified).
// For index-vs-ctags.sh, which times babel alone over them (babel-floor.mjs --threads).
// Usage: npm run build && node bench/indexed-files.mjs DIR > LIST_FILE
import { resolve } from 'node:path';
import { checkRootDir, walk } from '../dist/src/index/walk.js';
import { readSource } from '../dist/src/index/readSource.js';
import { DEFAULT_SKIP_RULES } from '../dist/src/index/skipRules.js';

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  console.error('usage: node bench/indexed-files.mjs DIR');
  process.exit(2);
}
const root = resolve(dir);
let walked;
try {
  checkRootDir(root);
  walked = walk(root);
} catch (err) {
  console.error(`indexed-files: ${err.message}`);
  process.exit(2);
}
const out = [];
for (const f of walked.files) {
  const abs = `${root}/${f.path}`;
  if (readSource(abs, DEFAULT_SKIP_RULES).ok) out.push(abs);
}
process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
