#!/usr/bin/env bash
# scan-cycles-vs-madge.sh — does `quarry scan` find the same import cycles as madge (`madge --circular`)?
#
# Usage: bench/scan-cycles-vs-madge.sh [DIR...] [--list N]
#   DIR...     default: fixtures/scan/cycles (known cycles, see its EXPECTED.md) and the shared corpus's eslint package
#   --list N   list up to N differing files/edges per kind of difference (default 20)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#   madge is a pinned devDependency of this repo (npm ci installs it); run through npx.
#
# For each DIR: `quarry scan DIR --json --no-cache` (data.cycles: each strongly connected component of the import
# graph, its files and a shortest cycle through its first file) against
#   npx madge --circular --json --extensions js,jsx,mjs,cjs,ts,tsx,mts,cts [--ts-config DIR/tsconfig.json] DIR
# (one path per cycle it meets in a depth-first walk, not every cycle, nor every file of a knot). Compared:
#   - the set of files on some cycle, per tool;
#   - whether each madge cycle lies within one quarry component;
#   - and, to explain any difference, the two import graphs themselves (`madge --json`, same options, vs quarry's
#     resolved imports of kind "file"): files and edges only one of them has, each with what the other made of it.
# madge skips every file whose absolute path contains "node_modules" (its tree.js isNpmPath), so a DIR inside
# node_modules (the corpus) is copied to a temporary directory first, and both tools scan the copy.
# madge's resolution (precinct + filing-cabinet) differs from quarry's in known ways: it keeps required .json files
# as nodes (quarry resolves them but scans only JS/TS, so they never sit on a cycle), it follows import() and type-only
# imports as quarry does (detective-es6 and detective-typescript defaults), and it drops what it cannot resolve.
# Exit status: 0 unless a tool fails; a difference is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need jq node

LIST=20
DIRS=()
while (($# > 0)); do
  case $1 in
    --list) LIST=${2:?--list needs a number}; shift 2 ;;
    -h | --help) usage ;;
    *) DIRS+=("$1"); shift ;;
  esac
done
if ((${#DIRS[@]} == 0)); then
  DIRS=("$QUARRY_DIR/fixtures/scan/cycles" "$(corpus_dir)/eslint")
fi
MADGE=("$QUARRY_DIR/node_modules/.bin/madge")
[[ -x "${MADGE[0]}" ]] || MADGE=(npx --no-install madge)
"${MADGE[@]}" --version >/dev/null 2>&1 || die "madge not installed: run npm ci in $QUARRY_DIR"
MADGE_VERSION=$("${MADGE[@]}" --version 2>/dev/null)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-scan-cycles.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
EXTS=js,jsx,mjs,cjs,ts,tsx,mts,cts

n=0
for arg in "${DIRS[@]}"; do
  n=$((n + 1))
  D=$(corpus_dir "$arg")
  W=$D
  copied=""
  if [[ "$D" == *node_modules* ]]; then
    W="$TMP/copy$n/$(basename -- "$D")"
    mkdir -p "$(dirname -- "$W")"
    cp -a -- "$D" "$W"
    copied="copied to $W: madge skips every file whose absolute path contains \"node_modules\""
  fi
  TSC=()
  [[ -f "$W/tsconfig.json" ]] && TSC=(--ts-config "$W/tsconfig.json")
  note "quarry scan $W --json --no-cache"
  "${QCMD[@]}" scan "$W" --json --no-cache >"$TMP/scan$n.json" || die "quarry scan $W failed (exit $?)"
  jq -e '.ok == true' "$TMP/scan$n.json" >/dev/null || die "quarry scan --json not ok: $(head -c 500 "$TMP/scan$n.json")"
  MC=("${MADGE[@]}" --circular --json --extensions "$EXTS" "${TSC[@]}" "$W")
  note "${MC[*]}"
  # madge --circular exits 1 when it finds a cycle: only a failure when its output is no JSON array.
  rc=0
  "${MC[@]}" >"$TMP/madge-cycles$n.json" 2>"$TMP/madge.err" || rc=$?
  jq -e 'type == "array"' "$TMP/madge-cycles$n.json" >/dev/null 2>&1 ||
    die "madge --circular failed (exit $rc): $(head -c 500 "$TMP/madge.err") $(head -c 500 "$TMP/madge-cycles$n.json")"
  "${MADGE[@]}" --json --extensions "$EXTS" "${TSC[@]}" "$W" >"$TMP/madge-graph$n.json" 2>"$TMP/madge.err" ||
    die "madge --json failed: $(head -c 500 "$TMP/madge.err")"

  node - "$TMP/scan$n.json" "$TMP/madge-cycles$n.json" "$TMP/madge-graph$n.json" "$D" "$copied" "$LIST" "madge $MADGE_VERSION: $(qcmd "${MC[@]}" | sed "s|$QUARRY_DIR/node_modules/.bin/||")" "$QUARRY_DIR" <<'EOF'
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { posix } = require('node:path');
const [scanFile, cyclesFile, graphFile, dir, copied, listArg, madgeCmd, quarryDir] = process.argv.slice(2);
const { parse } = createRequire(`${quarryDir}/package.json`)('@babel/parser');
const max = Number(listArg);
const scan = JSON.parse(readFileSync(scanFile, 'utf8')).data;
const madgeCycles = JSON.parse(readFileSync(cyclesFile, 'utf8'));
const madgeGraph = JSON.parse(readFileSync(graphFile, 'utf8'));

console.log(`\n=== ${dir}`);
if (copied) console.log(`(${copied})`);
console.log(madgeCmd);
const sorted = (xs) => [...xs].sort();
const pad = (v, n) => String(v).padStart(n);
const show = (xs) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')}, … ${xs.length - max} more`);

// quarry's graph: resolved imports of kind "file" between scanned files (what its cycles are computed on).
const qFiles = new Map(scan.files.map((f) => [f.path, f]));
const qEdges = new Map(scan.files.map((f) => [f.path, new Set(f.imports.filter((i) => i.kind === 'file' && qFiles.has(i.target)).map((i) => i.target))]));

console.log(`quarry: ${scan.files.length} files scanned, ${[...qEdges.values()].reduce((n, s) => n + s.size, 0)} import edges between them, ${scan.cycles.length} cycle component(s)`);
for (const c of scan.cycles) console.log(`  component of ${c.files.length}: ${c.files.join(', ')}\n    shortest cycle: ${c.path.join(' -> ')}`);
console.log(`madge: ${Object.keys(madgeGraph).length} files in its graph, ${Object.values(madgeGraph).reduce((n, d) => n + d.length, 0)} edges, ${madgeCycles.length} cycle(s)`);
for (const c of madgeCycles) console.log(`  ${c.join(' -> ')} -> ${c[0]}`);

// Strongly connected components of a graph (Map from -> Set to), iteratively: the files on some cycle of it.
function filesOnCycles(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = new Set();
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work = [[root, [...(graph.get(root) ?? [])], 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, succ] = top;
      if (top[2] < succ.length) {
        const w = succ[top[2]++];
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, [...(graph.get(w) ?? [])], 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) {
        const u = work[work.length - 1][0];
        low.set(u, Math.min(low.get(u), low.get(v)));
      }
      if (low.get(v) === index.get(v)) {
        const comp = [];
        let w;
        do {
          w = stack.pop();
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || graph.get(v)?.has(v)) for (const f of comp) out.add(f);
      }
    }
  }
  return out;
}

// 1. Files on cycles.
const qOn = new Set(scan.cycles.flatMap((c) => c.files));
const mOn = new Set(madgeCycles.flat());
const onlyQ = sorted([...qOn].filter((f) => !mOn.has(f)));
const onlyM = sorted([...mOn].filter((f) => !qOn.has(f)));
console.log(`files on a cycle: quarry ${qOn.size}, madge ${mOn.size}, both ${[...qOn].filter((f) => mOn.has(f)).length}`);
if (onlyQ.length) console.log(`  only quarry (${onlyQ.length}): ${show(onlyQ)}`);
if (onlyM.length) console.log(`  only madge (${onlyM.length}): ${show(onlyM)}`);

// 2. Each madge cycle within one quarry component?
const compOf = new Map();
scan.cycles.forEach((c, i) => c.files.forEach((f) => compOf.set(f, i)));
let within = 0;
const outside = [];
for (const c of madgeCycles) {
  const comps = new Set(c.map((f) => compOf.get(f)));
  if (comps.size === 1 && !comps.has(undefined)) within++;
  else outside.push(c);
}
console.log(`madge cycles lying within one quarry component: ${within} of ${madgeCycles.length}`);
for (const c of outside.slice(0, max)) console.log(`  not within one: ${c.join(' -> ')}`);
// quarry components madge meets no cycle of.
const missed = scan.cycles.filter((c) => !c.files.some((f) => mOn.has(f)));
if (missed.length) console.log(`quarry components with no file on any madge cycle: ${missed.length}`);
for (const c of missed.slice(0, max)) console.log(`  ${c.path.join(' -> ')}`);
const partial = scan.cycles.filter((c) => c.files.some((f) => mOn.has(f)) && c.files.some((f) => !mOn.has(f)));
if (partial.length)
  console.log(`quarry components only partly on madge's cycles: ${partial.length} (madge lists the cycles its depth-first walk meets, not every file of a knot)`);
// Which differences come from madge's graph and which from the cycles its walk happens to list: the files on a cycle
// of madge's own graph (its strongly connected components, computed here).
const mGraph = new Map(Object.entries(madgeGraph).map(([f, d]) => [f, new Set(d)]));
const mScc = filesOnCycles(mGraph);
const unlisted = sorted([...mScc].filter((f) => !mOn.has(f)));
console.log(
  `files on a cycle of madge's graph (its strongly connected components): ${mScc.size}` +
    `${unlisted.length ? `; on none of the cycles madge lists: ${show(unlisted)}` : ' — all on the cycles it lists'}`,
);
const sccOnlyQ = sorted([...qOn].filter((f) => !mScc.has(f)));
const sccOnlyM = sorted([...mScc].filter((f) => !qOn.has(f)));
console.log(
  `  vs quarry's: ${sccOnlyQ.length + sccOnlyM.length === 0 ? 'the same files' : `only quarry ${sccOnlyQ.length}, only madge's graph ${sccOnlyM.length} — from the graph differences below`}`,
);

// 3. The graphs, to explain differences.
const mNodes = new Set(Object.keys(madgeGraph));
const nodesOnlyM = sorted([...mNodes].filter((f) => !qFiles.has(f)));
const nodesOnlyQ = sorted([...qFiles.keys()].filter((f) => !mNodes.has(f)));
const skipped = new Map(scan.skippedFiles.map((f) => [f.path, f.reason]));
const whyOnlyM = (f) =>
  /\.json$/.test(f) ? 'JSON: quarry resolves it but scans only JS/TS' : skipped.has(f) ? `skipped by quarry: ${skipped.get(f)}` : 'not walked by quarry';
const byWhy = (xs, why) => {
  const m = {};
  for (const x of xs) m[why(x)] = (m[why(x)] ?? 0) + 1;
  return Object.entries(m).map(([k, v]) => `${k}: ${v}`).join('; ');
};
if (nodesOnlyM.length) console.log(`files only in madge's graph (${nodesOnlyM.length}; ${byWhy(nodesOnlyM, whyOnlyM)}): ${show(nodesOnlyM)}`);
if (nodesOnlyQ.length) console.log(`files only in quarry's (${nodesOnlyQ.length}; not found by madge's walk of DIR with --extensions): ${show(nodesOnlyQ)}`);

// Import syntax quarry does not collect, found by parsing the importer: TypeScript's `import("./x").T` type and
// `import x = require("./x")`.
function pluginsFor(file) {
  if (/\.d\.[mc]?ts$/.test(file)) return [['typescript', { dts: true }]];
  if (/\.[mc]?ts$/.test(file)) return ['typescript'];
  if (file.endsWith('.tsx')) return ['typescript', 'jsx'];
  return ['jsx'];
}
const uncollectedCache = new Map();
function uncollected(file) {
  if (uncollectedCache.has(file)) return uncollectedCache.get(file);
  const found = [];
  try {
    const ast = parse(readFileSync(`${scan.root}/${file}`, 'utf8'), {
      sourceType: 'unambiguous', errorRecovery: true, allowReturnOutsideFunction: true, allowImportExportEverywhere: true, plugins: pluginsFor(file),
    });
    const stack = [ast.program];
    while (stack.length) {
      const n = stack.pop();
      if (!n || typeof n !== 'object') continue;
      if (Array.isArray(n)) {
        stack.push(...n);
        continue;
      }
      if (n.type === 'TSImportType') {
        const a = n.argument?.type === 'TSLiteralType' ? n.argument.literal : n.argument;
        if (a?.type === 'StringLiteral') found.push({ spec: a.value, syntax: `import("${a.value}") in a type (TSImportType)` });
      } else if (n.type === 'TSExternalModuleReference' && n.expression?.type === 'StringLiteral')
        found.push({ spec: n.expression.value, syntax: `import … = require("${n.expression.value}") (TSImportEqualsDeclaration)` });
      for (const k of Object.keys(n)) if (k !== 'loc' && typeof n[k] === 'object') stack.push(n[k]);
    }
  } catch {}
  uncollectedCache.set(file, found);
  return found;
}
const stem = (p) => p.replace(/(\.d)?\.[mc]?[jt]sx?$/, '').replace(/\/index$/, '');
const isJs = (p) => /\.[mc]?jsx?$/.test(p);
const isDts = (p) => /\.d\.[mc]?ts$/.test(p);
/** [group, detail] for an edge only quarry has. */
function explainOnlyQuarry(from, to) {
  const specs = qFiles.get(from).imports.filter((i) => i.target === to).map((i) => `'${i.specifier}'`).join(', ');
  const alt = (madgeGraph[from] ?? []).find((x) => stem(x) === stem(to) && x !== to);
  if (isJs(from) && isDts(to) && alt)
    return [
      "quarry resolved a JavaScript file's import to the .d.ts beside the .js; Node loads the .js, as madge has it",
      `${specs} -> quarry ${to}, madge ${alt}`,
    ];
  if (alt) return ['madge resolved the import to another file', `${specs} -> quarry ${to}, madge ${alt}`];
  return ['madge did not resolve the import (or did not see it)', `${specs} -> ${to}`];
}
/** [group, detail] for an edge only madge has. */
function explainOnlyMadge(from, to) {
  const alt = [...qEdges.get(from)].find((x) => stem(x) === stem(to) && x !== to);
  if (alt) return ['the same import, which quarry resolved to another file (see above)', `quarry ${alt}`];
  for (const u of uncollected(from)) {
    if (stem(posix.join(posix.dirname(from), u.spec)) === stem(to))
      return [`${u.syntax.replace(/"[^"]*"/, '"…"')}: quarry does not collect this import syntax`, u.syntax];
  }
  const other = qFiles.get(from).imports.filter((i) => i.kind !== 'file').map((i) => `'${i.specifier}' -> ${i.kind}${i.target ? ` ${i.target}` : ''}`);
  return ['unexplained', `quarry's imports of it that are not files: ${other.join(', ') || 'none'}`];
}

const edgesOnlyM = [];
const edgesOnlyQ = [];
for (const [from, deps] of Object.entries(madgeGraph)) {
  if (!qFiles.has(from)) continue;
  for (const to of deps) if (qFiles.has(to) && !qEdges.get(from).has(to)) edgesOnlyM.push([from, to]);
}
for (const [from, tos] of qEdges) {
  if (!mNodes.has(from)) continue;
  const m = new Set(madgeGraph[from]);
  for (const to of tos) if (!m.has(to)) edgesOnlyQ.push([from, to]);
}
const common = [...qEdges].reduce((n, [from, tos]) => n + [...tos].filter((to) => madgeGraph[from]?.includes(to)).length, 0);
console.log(`edges between files both graphs have: both ${common}, only quarry ${edgesOnlyQ.length}, only madge ${edgesOnlyM.length}`);
// The differing edges grouped by explanation, up to `max` listed of each.
const groups = new Map();
const addTo = (key, line) => {
  let g = groups.get(key);
  if (!g) groups.set(key, (g = []));
  g.push(line);
};
for (const [from, to] of edgesOnlyQ) {
  const [group, detail] = explainOnlyQuarry(from, to);
  addTo(`only quarry — ${group}`, `${from} -> ${to}  (${detail})`);
}
for (const [from, to] of edgesOnlyM) {
  const [group, detail] = explainOnlyMadge(from, to);
  addTo(`only madge — ${group}`, `${from} -> ${to}  (${detail})`);
}
for (const [key, lines] of groups) {
  console.log(`  ${pad(lines.length, 4)} ${key}`);
  for (const l of lines.slice(0, max)) console.log(`         ${l}`);
  if (lines.length > max) console.log(`         … ${lines.length - max} more`);
}
// Same cycles: quarry's files on cycles are those of madge's graph's strongly connected components (what madge's
// listed cycles would cover if its walk listed every cycle), and every cycle madge lists lies within one component.
const same = sccOnlyQ.length === 0 && sccOnlyM.length === 0 && outside.length === 0 && missed.length === 0;
const edgeDiff = edgesOnlyQ.length + edgesOnlyM.length;
console.log(
  `verdict: ${same ? 'same cycles' : 'DIFFERENT cycles'} — ` +
    (same
      ? `the same files on cycles as madge's graph${unlisted.length ? ` (madge's list leaves out ${unlisted.length} of them)` : ''}, every madge cycle within one quarry component`
      : 'see the differences above') +
    `; the graphs ${edgeDiff === 0 ? 'agree on every edge between JS/TS files' : `differ in ${edgeDiff} edges, explained above`}`,
);
EOF
done
