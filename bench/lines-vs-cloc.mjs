#!/usr/bin/env node
// lines-vs-cloc.mjs — how closely quarry's line counts (src/scan/metrics.ts) agree with cloc's, per language.
//
// Usage: npx tsc -p tsconfig.json && node bench/lines-vs-cloc.mjs DIR [--top N]
//   DIR       a source tree; cloc decides which files count (it skips duplicates and languages it does not know)
//   --top N   also list the N files whose counts differ most (default 10; 0 for none)
//
// For every JavaScript, JSX and TypeScript file cloc reports (`cloc --by-file --json`), quarry parses the file with
// @babel/parser as `quarry scan` does and counts its lines with countLines(source, ast.comments); files babel cannot
// parse go through countLines' own lexer. Prints per-language totals of code/comment/blank for both tools and the
// difference in percent of cloc's figure. Files cloc timed out on are left out (it counts them as all comment).
// Exit status 0 unless a tool fails.
//
// Where the two disagree, it is (as far as measured) always because cloc finds comments with a regex that does not
// know strings: `'**/*.js'`, `"*/*"`, `/\/\//` or GLSL/CSS inside a template literal open or hold a "comment" for
// cloc and are code for quarry. The last summary line checks that: fed cloc's own string-blind comment positions,
// countLines reproduces cloc's figures file for file (16760 of the 16790 corpus files in the last run; the other 30
// hold cloc's phantom code line after a "comment" that starts right after a backslash, as in `/\//`, which a real
// comment never does). Which files cloc times out on varies with the machine's load.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { languageOf } from '../dist/src/index/language.js';
import { parseProgram } from '../dist/src/index/parse.js';
import { countLines } from '../dist/src/scan/metrics.js';

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 10;
const dir = args[0];
if (!dir) {
  console.error('usage: node bench/lines-vs-cloc.mjs DIR [--top N]');
  process.exit(2);
}

const LANGUAGES = new Set(['JavaScript', 'JSX', 'TypeScript']);
const run = spawnSync('cloc', ['--by-file', '--json', '--quiet', resolve(dir)], { maxBuffer: 1 << 30, encoding: 'utf8' });
if (run.status !== 0) {
  console.error(run.stderr || run.error?.message);
  process.exit(1);
}
const byFile = JSON.parse(run.stdout);
// cloc gives up on a file whose comment regex runs too long and then counts every line of it as comment: such a
// figure is no count at all, so those files are left out of both sides and listed.
const timedOut = new Set([...run.stderr.matchAll(/exceeded timeout:\s+(.+)$/gm)].map((m) => m[1].trim()));

/** The comments of a file as `quarry scan` finds them: its own parse (parseProgram). */
function parseComments(source, file) {
  return parseProgram(source, languageOf(file)).ast?.comments;
}

/**
 * Comment positions as cloc's regex finds them: `//` to the line end and `/* … *\/`, blind to strings. Fed to
 * countLines, they show whether a difference comes from where the comments are or from how lines are counted.
 */
function clocComments(source) {
  const spans = [];
  for (let i = source.indexOf('/'); i >= 0 && i + 1 < source.length; i = source.indexOf('/', i)) {
    const next = source[i + 1];
    if (next === '/') {
      const end = source.indexOf('\n', i);
      spans.push({ start: i, end: end < 0 ? source.length : end });
      if (end < 0) break;
      i = end;
    } else if (next === '*' && source.indexOf('*/', i + 2) >= 0) {
      const end = source.indexOf('*/', i + 2) + 2;
      spans.push({ start: i, end });
      i = end;
    } else {
      i++;
    }
  }
  return spans;
}

const totals = new Map();
const diffs = [];
let unparsed = 0;
let sameWithClocComments = 0;
for (const [file, entry] of Object.entries(byFile)) {
  if (file === 'header' || file === 'SUM' || !LANGUAGES.has(entry.language) || timedOut.has(file)) continue;
  const source = readFileSync(file, 'utf8');
  const comments = parseComments(source, file);
  if (!comments) unparsed++;
  const q = countLines(source, comments);
  const e = countLines(source, clocComments(source));
  if (e.code === entry.code && e.comment === entry.comment && e.blank === entry.blank) sameWithClocComments++;
  let t = totals.get(entry.language);
  if (!t)
    totals.set(entry.language, (t = { files: 0, cloc: { code: 0, comment: 0, blank: 0 }, quarry: { code: 0, comment: 0, blank: 0 } }));
  t.files++;
  for (const k of ['code', 'comment', 'blank']) {
    t.cloc[k] += entry[k];
    t.quarry[k] += q[k];
  }
  const off = Math.abs(q.code - entry.code) + Math.abs(q.comment - entry.comment) + Math.abs(q.blank - entry.blank);
  if (off > 0) diffs.push({ file, off, cloc: entry, quarry: q });
}

const pct = (a, b) => (b === 0 ? (a === 0 ? '0.000%' : 'n/a') : `${(((a - b) / b) * 100).toFixed(3)}%`);
const pad = (s, n) => String(s).padStart(n);
console.log(`cloc ${execFileSync('cloc', ['--version'], { encoding: 'utf8' }).trim()} vs quarry countLines on ${resolve(dir)}`);
console.log(`${'language'.padEnd(11)} ${pad('files', 6)}  ${'kind'.padEnd(7)} ${pad('cloc', 9)} ${pad('quarry', 9)} ${pad('diff', 9)}`);
const all = { files: 0, cloc: { code: 0, comment: 0, blank: 0 }, quarry: { code: 0, comment: 0, blank: 0 } };
for (const [language, t] of [...totals].sort()) {
  all.files += t.files;
  for (const k of ['code', 'comment', 'blank']) {
    all.cloc[k] += t.cloc[k];
    all.quarry[k] += t.quarry[k];
    console.log(
      `${language.padEnd(11)} ${pad(t.files, 6)}  ${k.padEnd(7)} ${pad(t.cloc[k], 9)} ${pad(t.quarry[k], 9)} ${pad(pct(t.quarry[k], t.cloc[k]), 9)}`,
    );
  }
}
for (const k of ['code', 'comment', 'blank'])
  console.log(
    `${'all'.padEnd(11)} ${pad(all.files, 6)}  ${k.padEnd(7)} ${pad(all.cloc[k], 9)} ${pad(all.quarry[k], 9)} ${pad(pct(all.quarry[k], all.cloc[k]), 9)}`,
  );
console.log(`files with any difference: ${diffs.length} of ${all.files}; parsed by quarry's fallback lexer: ${unparsed}`);
console.log(
  `countLines fed cloc's own string-blind comment positions instead of babel's: ${sameWithClocComments} of ${all.files} files identical to cloc`,
);
if (timedOut.size > 0) console.log(`left out, cloc timed out on them: ${[...timedOut].sort().join(', ')}`);
if (top > 0 && diffs.length > 0) {
  console.log(`largest differences (code/comment/blank, cloc -> quarry):`);
  for (const d of diffs.sort((a, b) => b.off - a.off || a.file.localeCompare(b.file)).slice(0, top))
    console.log(`  ${d.file}: ${d.cloc.code}/${d.cloc.comment}/${d.cloc.blank} -> ${d.quarry.code}/${d.quarry.comment}/${d.quarry.blank}`);
}
