// The least a scan or an index can cost with @babel/parser, the parser DESIGN.md names: node loading babel and
// parsing each listed file once, through quarry's own parseProgram (plugins per language, error recovery, the no-JSX
// first try). Nothing else: no walk, no skip rules, no hashing, no tokens, no symbols, metrics, rules, cache or output.
//   - On the main thread (the default): scan-vs-cloc.sh times it beside cloc. On the eslint package one thread beat a
//     worker thread, and one beat two, which each warm babel up again; a cold scan cannot be faster than this.
//   - With --threads N: on N worker threads with the settings of quarry's pool (workerPool.ts: V8's tier-up budget,
//     young generation), the TypeScript files on the first thread and the others shared out by bytes, as the pool's
//     lanes take them. index-vs-ctags.sh times it beside ctags over the files a cold index analyses.
// Usage: npm run build && node bench/babel-floor.mjs [--threads N] LIST_FILE   (one absolute path per line)
import { readFileSync, statSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { languageOf, isParsed, parserFamily } from '../dist/src/index/language.js';
import { parseProgram } from '../dist/src/index/parse.js';

/** The text of `path`; a missing or unreadable file ends the run with exit 2, naming it. */
function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    console.error(`babel-floor: cannot read ${path}: ${err.code ?? err.message}`);
    process.exit(2);
  }
}

/** The size of `path`; a missing or unreadable file ends the run with exit 2, naming it, as `read` does. */
function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch (err) {
    console.error(`babel-floor: cannot read ${path}: ${err.code ?? err.message}`);
    process.exit(2);
  }
}

/** Parses `paths`; answers how many babel gave up on. */
function parseAll(paths) {
  let failed = 0;
  for (const path of paths) if (parseProgram(read(path), languageOf(path)).ast === null) failed++;
  return failed;
}

if (!isMainThread) {
  parentPort.postMessage(parseAll(workerData));
} else {
  const args = process.argv.slice(2);
  let threads = 0;
  if (args[0] === '--threads') {
    threads = Number(args[1]);
    args.splice(0, 2);
  }
  if (args.length !== 1 || !Number.isInteger(threads) || threads < 0) {
    console.error('usage: node bench/babel-floor.mjs [--threads N] LIST_FILE');
    process.exit(2);
  }
  const files = read(args[0])
    .split('\n')
    .filter((path) => path !== '' && isParsed(languageOf(path)));
  let failed = 0;
  if (threads === 0) failed = parseAll(files);
  else {
    const { tuneTierUp, youngGenerationMb } = await import('../dist/src/util/workerPool.js');
    const lists = Array.from({ length: threads }, () => []);
    const bytes = new Array(threads).fill(0);
    for (const path of files.filter((p) => parserFamily(p) === 'ts')) (lists[0].push(path), (bytes[0] += sizeOf(path)));
    for (const path of files.filter((p) => parserFamily(p) !== 'ts')) {
      let k = 0;
      for (let i = 1; i < threads; i++) if (bytes[i] < bytes[k]) k = i;
      lists[k].push(path);
      bytes[k] += sizeOf(path);
    }
    tuneTierUp();
    const young = youngGenerationMb(threads);
    const counts = await Promise.all(
      lists.map(
        (list) =>
          new Promise((resolve, reject) => {
            const w = new Worker(new URL(import.meta.url), {
              workerData: list,
              ...(young ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
            });
            w.once('message', resolve);
            w.once('error', reject);
            w.once('exit', (code) => (code === 0 ? resolve(0) : reject(new Error(`a parsing thread exited with ${code}`))));
          }),
      ),
    );
    failed = counts.reduce((a, b) => a + b, 0);
  }
  if (process.env.BABEL_FLOOR_VERBOSE) console.error(`parsed ${files.length} files (${failed} babel gave up on)`);
}
