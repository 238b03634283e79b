// The least a scan can cost with @babel/parser, the parser DESIGN.md names: a node process that loads babel and
// parses each listed file once, on one thread (the fastest way here: on the eslint package, one thread beat a
// worker thread, and one beat two, which each warm babel up again), through quarry's own parseProgram (plugins
// per language, error recovery, the no-JSX first try). Nothing else: no walk, no skip rules, no hashing, no
// metrics, rules, cache or output. scan-vs-cloc.sh times it beside cloc: a cold scan cannot be faster than this.
// Usage: npm run build && node bench/babel-floor.mjs LIST_FILE   (one absolute path per line, as cloc --list-file)
import { readFileSync } from 'node:fs';
import { languageOf, isParsed } from '../dist/src/index/language.js';
import { parseProgram } from '../dist/src/index/parse.js';

const list = process.argv[2];
if (!list) {
  console.error('usage: node bench/babel-floor.mjs LIST_FILE');
  process.exit(2);
}
/** The text of `path`; a missing or unreadable file ends the run with exit 2, naming it. */
function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    console.error(`babel-floor: cannot read ${path}: ${err.code ?? err.message}`);
    process.exit(2);
  }
}

let files = 0;
let failed = 0;
for (const path of read(list).split('\n')) {
  if (path === '') continue;
  const lang = languageOf(path);
  if (!isParsed(lang)) continue;
  files++;
  if (parseProgram(read(path), lang).ast === null) failed++;
}
if (process.env.BABEL_FLOOR_VERBOSE) console.error(`parsed ${files} files (${failed} babel gave up on)`);
