#!/usr/bin/env bash
# scan-lines-vs-cloc.sh — do `quarry scan`'s code/comment/blank line counts agree with cloc's, per language, on the
# same files? (Target: every total within 1% of cloc's.)
#
# Usage: bench/scan-lines-vs-cloc.sh [DIR] [--top N]
#   DIR       default: the shared corpus's eslint package (<corpus>/eslint); also e.g. `.` (this repo) or the whole
#             corpus (`bash ../shared/bench/corpus.sh | tail -1`)
#   --top N   also list the N files whose counts differ most (default 5; 0 for none)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#
# Runs `quarry scan DIR --summary --json` (a fresh, empty cache, so the counts come from this quarry's analysis), writes
# the files it scanned to a list, and runs `cloc --list-file=LIST --skip-uniqueness --by-file --json` on exactly those
# files (--skip-uniqueness: cloc would otherwise drop files whose content repeats another's, which quarry counts).
# Joins the two per file and sums per cloc language. cloc's languages and quarry's codes:
#   JavaScript = .js .mjs .cjs (quarry js)    JSX = .jsx (quarry jsx)
#   TypeScript = .ts .tsx .d.ts (quarry ts, tsx, dts: cloc has no TSX language and treats .d.ts as .ts)
#   .mts/.cts: cloc knows neither extension and does not count them (listed below as "not counted by cloc").
# Files cloc gives up on (its comment regex exceeds --timeout; cloc then counts them without analysing them) are left
# out of both sides and listed, as are files cloc does not count at all (with cloc's --ignored reason: zero-sized,
# unknown language). Totals are compared in percent of cloc's figure; "ok" when within 1%.
# Each file whose counts differ is checked: quarry's own line counter
# (dist/src/scan/metrics.js; build first) fed the comment positions cloc's string-blind regex finds. If that gives
# cloc's figures, the difference is cloc taking `/*`, `*/` or `//` inside a string or regex for a comment.
# Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need cloc jq node

TOP=5
ARGS=()
while (($# > 0)); do
  case $1 in
    --top) TOP=${2:?--top needs a number}; shift 2 ;;
    -h | --help) usage ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
D=$(eslint_dir "${ARGS[0]:-}")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-scan-lines.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

note "quarry scan $D --summary --json (empty cache)"
QUARRY_CACHE_DIR=$TMP/cache "${QCMD[@]}" scan "$D" --summary --json >"$TMP/scan.json" || die "quarry scan failed (exit $?)"
jq -e '.ok == true' "$TMP/scan.json" >/dev/null || die "quarry scan --json not ok: $(head -c 500 "$TMP/scan.json")"
jq -r '.data.root as $r | .data.files[].path | "\($r)/\(.)"' "$TMP/scan.json" >"$TMP/list.txt"
note "cloc --by-file on the $(wc -l <"$TMP/list.txt") files quarry scanned"
cloc "--list-file=$TMP/list.txt" --skip-uniqueness --by-file --json --quiet "--ignored=$TMP/ignored.json" >"$TMP/cloc.json" 2>"$TMP/cloc.err" ||
  die "cloc failed: $(head -c 500 "$TMP/cloc.err")"

[[ -s "$TMP/ignored.json" ]] || echo '[]' >"$TMP/ignored.json"
node - "$TMP/scan.json" "$TMP/cloc.json" "$TMP/cloc.err" "$TOP" "$(cloc --version)" "$QUARRY_DIR" "$TMP/ignored.json" <<'EOF'
const { readFileSync, existsSync } = require('node:fs');
const [scanFile, clocFile, clocErr, topArg, clocVersion, quarryDir, ignoredFile] = process.argv.slice(2);
// Why cloc left a file out: "zero sized file", "language unknown (#3)" (.mts, .cts, .d.mts, .d.cts), …
const ignored = new Map();
try {
  for (const { file, reason } of JSON.parse(readFileSync(ignoredFile, 'utf8'))) if (file) ignored.set(file, reason.trim());
} catch {}
const top = Number(topArg);
const scan = JSON.parse(readFileSync(scanFile, 'utf8')).data;
const cloc = JSON.parse(readFileSync(clocFile, 'utf8'));
// cloc gives up on a file whose comment regex runs past its timeout; it then counts the file unanalysed.
const timedOut = new Set([...readFileSync(clocErr, 'utf8').matchAll(/exceeded timeout:\s+(.+)$/gm)].map((m) => m[1].trim()));
const KINDS = ['code', 'comment', 'blank'];
const zero = () => ({ code: 0, comment: 0, blank: 0 });
const byLang = new Map(); // cloc language -> { files, quarryLangs: Map, cloc, quarry }
const notCounted = [];
const left = [];
const diffs = [];
for (const f of scan.files) {
  const abs = `${scan.root}/${f.path}`;
  const c = cloc[abs];
  if (!c) {
    notCounted.push({ path: f.path, reason: ignored.get(abs) ?? 'no reason given', lines: f.lines });
    continue;
  }
  if (timedOut.has(abs)) {
    left.push(f.path);
    continue;
  }
  let t = byLang.get(c.language);
  if (!t) byLang.set(c.language, (t = { files: 0, quarryLangs: new Map(), cloc: zero(), quarry: zero() }));
  t.files++;
  t.quarryLangs.set(f.lang, (t.quarryLangs.get(f.lang) ?? 0) + 1);
  let off = 0;
  for (const k of KINDS) {
    t.cloc[k] += c[k];
    t.quarry[k] += f.lines[k];
    off += Math.abs(f.lines[k] - c[k]);
  }
  if (off > 0) diffs.push({ path: f.path, off, cloc: c, quarry: f.lines });
}

// Why a file differs: fed the comment positions cloc's regex finds (`//` to the line end and `/* … */`, blind to
// strings), does quarry's own line counter (dist/src/scan/metrics.js) give cloc's figures? Then the difference is
// where cloc thinks comments are, not how lines are counted.
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
    } else i++;
  }
  return spans;
}
const pct = (q, c) => (c === 0 ? (q === 0 ? 0 : Infinity) : ((q - c) / c) * 100);
const fmtPct = (p) => (Number.isFinite(p) ? `${p >= 0 ? '+' : ''}${p.toFixed(3)}%` : 'n/a');
const pad = (s, n) => String(s).padStart(n);
(async () => {
const metrics = `${quarryDir}/dist/src/scan/metrics.js`;
const { countLines } = existsSync(metrics) ? await import(metrics) : {};
let stringBlind = 0;
if (countLines)
  for (const d of diffs) {
    const e = countLines(readFileSync(`${scan.root}/${d.path}`, 'utf8'), clocComments(readFileSync(`${scan.root}/${d.path}`, 'utf8')));
    d.explained = e.code === d.cloc.code && e.comment === d.cloc.comment && e.blank === d.cloc.blank;
    d.withClocComments = e;
    if (d.explained) stringBlind++;
  }
console.log(`\nquarry scan vs cloc ${clocVersion.trim()} — line counts on ${scan.root}`);
console.log(
  `files: quarry scanned ${scan.files.length}; cloc counted ${scan.files.length - notCounted.length}` +
    `${left.length ? `; left out (cloc timed out on them): ${left.length}` : ''}`,
);
console.log(`${'cloc language'.padEnd(14)} ${'quarry langs'.padEnd(22)} ${pad('files', 6)}  ${'kind'.padEnd(7)} ${pad('cloc', 9)} ${pad('quarry', 9)} ${pad('diff', 9)}  within 1%`);
console.log('-'.repeat(96));
const all = { files: 0, cloc: zero(), quarry: zero() };
let misses = 0;
const line = (lang, langs, files, k, c, q) => {
  const p = pct(q, c);
  const ok = Math.abs(p) <= 1;
  if (!ok) misses++;
  console.log(`${lang.padEnd(14)} ${langs.padEnd(22)} ${pad(files, 6)}  ${k.padEnd(7)} ${pad(c, 9)} ${pad(q, 9)} ${pad(fmtPct(p), 9)}  ${ok ? 'ok' : 'MISS'}`);
};
for (const [lang, t] of [...byLang].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const langs = [...t.quarryLangs].sort().map(([l, n]) => `${l} ${n}`).join(', ');
  all.files += t.files;
  for (const k of KINDS) {
    all.cloc[k] += t.cloc[k];
    all.quarry[k] += t.quarry[k];
    line(lang, langs, t.files, k, t.cloc[k], t.quarry[k]);
  }
}
if (byLang.size > 1) for (const k of KINDS) line('all', '', all.files, k, all.cloc[k], all.quarry[k]);
console.log(
  misses === 0
    ? 'verdict: ok — every total within 1% of cloc'
    : `verdict: MISS — ${misses} total${misses === 1 ? '' : 's'} more than 1% away from cloc` +
        (countLines && stringBlind === diffs.length
          ? "; every file that differs is one where cloc's regex takes a comment marker inside a string for a comment (below)"
          : ''),
);
console.log(`files whose counts differ at all: ${diffs.length} of ${all.files}`);
if (diffs.length && countLines)
  console.log(
    `  of them explained by cloc's string-blind comment regex ('**/*.js' or "*/*" in a string opens or ends a "comment" ` +
      `for cloc): ${stringBlind} — quarry's line counter fed cloc's comment positions gives cloc's figures exactly` +
      (stringBlind < diffs.length ? `; not explained so: ${diffs.length - stringBlind} (below)` : ''),
  );
const unexplained = diffs.filter((d) => d.explained === false);
if (unexplained.length) {
  const f = (c) => `${c.code}/${c.comment}/${c.blank}`;
  console.log(
    `files cloc's comment positions do not explain (code/comment/blank: cloc; quarry; quarry's counter fed cloc's comment positions):`,
  );
  const same = (a, b) => a.code === b.code && a.comment === b.comment && a.blank === b.blank;
  const sameComments = unexplained.filter((d) => same(d.withClocComments, d.quarry)).length;
  if (sameComments)
    console.log(
      `  (${sameComments} of them: cloc's comment positions give quarry's figures, so cloc classifies those lines differently ` +
        'from where its own regex puts comments — seen where a regex literal holds an escaped slash, as in /\\//)',
    );
  for (const d of unexplained.slice(0, Math.max(top, 10)))
    console.log(`  ${d.path}: ${f(d.cloc)}; ${f(d.quarry)}; ${f(d.withClocComments)}`);
  if (unexplained.length > Math.max(top, 10)) console.log(`  … ${unexplained.length - Math.max(top, 10)} more`);
}
if (diffs.length && !countLines) console.log(`  (build dist/ with npx tsc -p tsconfig.json to have them checked against cloc's comment positions)`);
if (notCounted.length) {
  // By cloc's reason, and by extension within it, with the lines quarry counted in them (left out of the totals).
  const groups = new Map();
  for (const n of notCounted) {
    let g = groups.get(n.reason);
    if (!g) groups.set(n.reason, (g = { files: 0, exts: {}, lines: 0, examples: [] }));
    g.files++;
    const e = n.path.match(/(\.d)?\.[^./]+$/)?.[0] ?? '(none)';
    g.exts[e] = (g.exts[e] ?? 0) + 1;
    g.lines += n.lines.code + n.lines.comment + n.lines.blank;
    if (g.examples.length < 3) g.examples.push(n.path);
  }
  console.log(`not counted by cloc, so left out of both sides (${notCounted.length}):`);
  for (const [reason, g] of groups)
    console.log(
      `  ${reason}: ${g.files} (${Object.entries(g.exts).map(([e, k]) => `${e} ${k}`).join(', ')}; ${g.lines} lines for quarry), e.g. ${g.examples.join(' ')}`,
    );
}
if (left.length) console.log(`left out, cloc timed out on them: ${left.join(' ')}`);
if (top > 0 && diffs.length > 0) {
  console.log(`largest differences per file (code/comment/blank, cloc -> quarry):`);
  for (const d of diffs.sort((a, b) => b.off - a.off || (a.path < b.path ? -1 : 1)).slice(0, top))
    console.log(
      `  ${d.path}: ${d.cloc.code}/${d.cloc.comment}/${d.cloc.blank} -> ${d.quarry.code}/${d.quarry.comment}/${d.quarry.blank}` +
        `${d.explained === undefined ? '' : d.explained ? '  (cloc: comment in a string)' : '  (unexplained)'}`,
    );
}
})();
EOF
