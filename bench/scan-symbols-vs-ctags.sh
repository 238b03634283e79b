#!/usr/bin/env bash
# scan-symbols-vs-ctags.sh — does `quarry scan` find the functions, classes and methods universal-ctags finds?
# Recall of ctags' tags, matched to quarry's `functions` by file, name and line. (Target: >= 95%.)
#
# Usage: bench/scan-symbols-vs-ctags.sh [DIR] [--misses N]
#   DIR          default: the shared corpus's eslint package (<corpus>/eslint); also e.g. `src` of this repo
#   --misses N   list up to N misses of each cause (default 10; 0 for none)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#
# ctags: `ctags -R --languages=JavaScript,TypeScript --fields=+nl --output-format=json -f - .` run in DIR.
# The kinds universal-ctags emits for definitions of code (`ctags --list-kinds-full=JavaScript` / `=TypeScript`):
#   JavaScript: function, class, method, generator, getter, setter (besides constant, variable, property, field)
#   TypeScript: function, class, method, generator (an arrow function bound to a const is a `constant` there)
# The headline recall is over function/class/method (what the target names); generator/getter/setter get a line of
# their own. ctags maps only .js .jsx .mjs to JavaScript and only .ts (so .d.ts too) to TypeScript: .cjs, .tsx,
# .mts and .cts files get no tags at all, so they count for neither side.
# Matching: same file, same line, same name; quarry's `#name` for a private member matches ctags' `name` (ctags drops
# the `#`). Left out, and counted: ctags' anonymous names (`AnonymousFunction<hex>`: quarry calls those `<anonymous>`,
# so no name can match) and tags in files quarry did not scan (skipped, or not walked).
# Every miss is put down to a cause, found by parsing its file with @babel/parser and looking at its line:
#   - ctags' own non-definitions: an object literal that ctags calls a class; `X.prototype.m = value` (no function)
#     that ctags calls a method; a class X inferred from `X.prototype… = …` or from a mere read of `X.prototype.m`;
#     a `case` label taken for a class; a call statement that ctags' TypeScript parser takes for a method;
#   - naming: quarry has the function under another name or line (an IIFE that ctags names after the variable holding
#     its result; `x = function f()` and `module.exports = class C`, which ctags names x / exports and quarry f / C;
#     `o[k] = function`, named after o by ctags; a named function whose name is on a later line than the binding);
#   - not listed by quarry: TypeScript construct signatures `new (): T`, which ctags tags as methods named `new`;
#   - unexplained: nothing of quarry's on that line — a real miss, or a ctags quirk not classified here.
# Recall is printed strictly (every tag) and over real definitions (without ctags' non-definitions); the target is
# checked against the latter. Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need ctags jq node

MISSES=10
ARGS=()
while (($# > 0)); do
  case $1 in
    --misses) MISSES=${2:?--misses needs a number}; shift 2 ;;
    -h | --help) usage ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
D=$(eslint_dir "${ARGS[0]:-}")
ctags --version 2>/dev/null | grep -q 'Universal Ctags' || die "ctags is not universal-ctags"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-scan-symbols.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

note "quarry scan $D --json"
QUARRY_CACHE_DIR=$TMP/cache "${QCMD[@]}" scan "$D" --json >"$TMP/scan.json" || die "quarry scan failed (exit $?)"
jq -e '.ok == true' "$TMP/scan.json" >/dev/null || die "quarry scan --json not ok: $(head -c 500 "$TMP/scan.json")"
note "ctags -R in $D"
CTAGS=(ctags -R --languages=JavaScript,TypeScript --fields=+nl --output-format=json -f - .)
(cd -- "$D" && "${CTAGS[@]}") >"$TMP/tags.json" 2>"$TMP/ctags.err" || die "ctags failed: $(head -c 500 "$TMP/ctags.err")"

node - "$TMP/scan.json" "$TMP/tags.json" "$MISSES" "$QUARRY_DIR" "$(ctags --version | head -n 1 | sed 's/,.*//')" "$(qcmd "${CTAGS[@]}")" <<'EOF'
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const [scanFile, tagsFile, missesArg, quarryDir, ctagsVersion, ctagsCmd] = process.argv.slice(2);
const maxMisses = Number(missesArg);
const { parse } = createRequire(`${quarryDir}/package.json`)('@babel/parser');
const scan = JSON.parse(readFileSync(scanFile, 'utf8')).data;

const HEADLINE = new Set(['function', 'class', 'method']);
const EXTRA = new Set(['generator', 'getter', 'setter']);
const ANON = /^Anonymous[A-Za-z]*[0-9a-f]{6,}$/;
const allTags = readFileSync(tagsFile, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .filter((t) => t._type === 'tag')
  .map((t) => ({ ...t, path: t.path.replace(/^\.\//, '') }));
const tags = allTags.filter((t) => HEADLINE.has(t.kind) || EXTRA.has(t.kind));

// quarry's functions by file+line, and the skipped files by path.
const files = new Map(scan.files.map((f) => [f.path, f]));
const skipped = new Map(scan.skippedFiles.map((s) => [s.path, s.reason]));
const atLine = new Map(); // `${path}\0${line}` -> FunctionInfo[]
for (const f of scan.files)
  for (const fn of f.functions) {
    const k = `${f.path}\0${fn.line}`;
    let a = atLine.get(k);
    if (!a) atLine.set(k, (a = []));
    a.push(fn);
  }
const bare = (n) => (n.startsWith('#') ? n.slice(1) : n);

// ---- per-line facts of a file, from babel's AST, to tell why a tag was missed ----
function pluginsFor(file) {
  if (/\.d\.[mc]?ts$/.test(file)) return [['typescript', { dts: true }], 'decorators-legacy'];
  if (/\.[mc]?ts$/.test(file)) return ['typescript', 'decorators-legacy'];
  if (file.endsWith('.tsx')) return ['typescript', 'jsx', 'decorators-legacy'];
  return ['jsx', 'decorators-legacy'];
}
const factsCache = new Map();
function facts(path) {
  if (factsCache.has(path)) return factsCache.get(path);
  const source = readFileSync(`${scan.root}/${path}`, 'utf8');
  const opts = (plugins) => ({
    sourceType: 'unambiguous', errorRecovery: true, allowReturnOutsideFunction: true, allowImportExportEverywhere: true,
    allowAwaitOutsideFunction: true, allowSuperOutsideMethod: true, allowUndeclaredExports: true, plugins,
  });
  let ast = null;
  try {
    ast = parse(source, opts(pluginsFor(path)));
  } catch {
    try {
      ast = parse(source, opts(['flow', 'jsx']));
    } catch {}
  }
  const f = {
    parsed: ast !== null,
    objects: new Set(),
    valueAssigns: new Map(),
    calls: new Map(),
    iifes: new Set(),
    protoOwners: new Map(),
    protoReads: new Map(),
    laterNames: new Map(),
    cases: new Set(),
    constructSigs: new Set(),
    newFunctions: new Map(),
    objectStarts: new Set(),
    ownNames: new Map(),
    computedOwners: new Map(),
  };
  const assignTargets = new Set(); // MemberExpression nodes that are assigned to
  const add = (map, line, name) => {
    let s = map.get(line);
    if (!s) map.set(line, (s = new Set()));
    s.add(name);
  };
  const isFn = (n) => n && /^(Arrow)?Function(Expression)?$|^ClassExpression$/.test(n.type);
  const lineOf = (n) => n?.loc?.start.line ?? 0;
  const nameOf = (n) => (n?.type === 'Identifier' || n?.type === 'PrivateName' ? (n.name ?? n.id?.name) : n?.type === 'StringLiteral' ? n.value : null);
  const stack = ast ? [ast.program] : [];
  while (stack.length) {
    const n = stack.pop();
    if (!n || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const c of n) stack.push(c);
      continue;
    }
    if (typeof n.type !== 'string') continue;
    // A named function expression whose own name is on a later line than the name it is bound to (a doc comment or a
    // line break between): ctags tags the binding's line and name, quarry the function's own.
    // Likewise on the same line (`x = function f() {}`, `X.T = class C {}`): ctags names it x / T, quarry f / C.
    const laterName = (bindingName, bindingLine, value) => {
      const fn = unwrap(value);
      if (bindingName && fn && /^Function(Expression)?$|^ClassExpression$/.test(fn.type) && fn.id)
        add(lineOf(fn.id) !== bindingLine ? f.laterNames : f.ownNames, bindingLine, bindingName);
    };
    const unwrap = (v) => (v && (v.type === 'ParenthesizedExpression' || v.type === 'TSAsExpression' || v.type === 'TSSatisfiesExpression') ? unwrap(v.expression) : v);
    if (n.type === 'VariableDeclarator') {
      const init = unwrap(n.init);
      if (init?.type === 'ObjectExpression') f.objects.add(lineOf(n.id));
      if (init?.type === 'CallExpression' && isFn(unwrap(init.callee))) f.iifes.add(lineOf(n.id));
      laterName(nameOf(n.id), lineOf(n.id), n.init);
      if (init?.type === 'NewExpression' && nameOf(init.callee) === 'Function' && nameOf(n.id)) add(f.newFunctions, lineOf(n.id), nameOf(n.id));
    } else if (n.type === 'AssignmentExpression') {
      const right = unwrap(n.right);
      const target = n.left.type === 'MemberExpression' ? n.left.property : n.left;
      if (right?.type === 'ObjectExpression') f.objects.add(lineOf(target));
      if (right?.type === 'CallExpression' && isFn(unwrap(right.callee))) f.iifes.add(lineOf(target));
      if (n.left.type === 'MemberExpression') assignTargets.add(n.left);
      // `o[k] = function …`: ctags names it o.
      if (n.left.type === 'MemberExpression' && n.left.computed && isFn(right) && nameOf(n.left.object))
        add(f.computedOwners, lineOf(n.left), nameOf(n.left.object));
      laterName(nameOf(target), lineOf(target), n.right);
      if (n.left.type === 'MemberExpression' && !isFn(right) && nameOf(target)) add(f.valueAssigns, lineOf(target), nameOf(target));
      // `X.prototype.m = …`: ctags infers a class X from it.
      const obj = n.left.type === 'MemberExpression' ? n.left.object : null;
      if (obj?.type === 'MemberExpression' && nameOf(obj.property) === 'prototype' && nameOf(obj.object))
        add(f.protoOwners, lineOf(n.left), nameOf(obj.object));
      // `X.prototype = …`: the same.
      if (n.left.type === 'MemberExpression' && nameOf(n.left.property) === 'prototype' && nameOf(n.left.object))
        add(f.protoOwners, lineOf(n.left), nameOf(n.left.object));
    } else if (n.type === 'MemberExpression' && !assignTargets.has(n) && nameOf(n.property) === 'prototype' && nameOf(n.object)) {
      // `X.prototype` read (not assigned): ctags infers a class X, and a method m from `X.prototype.m`.
      add(f.protoReads, lineOf(n), nameOf(n.object));
    } else if (n.type === 'MemberExpression' && !assignTargets.has(n) && n.object?.type === 'MemberExpression' && nameOf(n.object.property) === 'prototype' && nameOf(n.property)) {
      add(f.protoReads, lineOf(n.property), nameOf(n.property));
      if (nameOf(n.object.object)) add(f.protoReads, lineOf(n), nameOf(n.object.object));
    } else if (n.type === 'ObjectExpression') {
      f.objectStarts.add(lineOf(n));
    } else if (n.type === 'SwitchCase') {
      f.cases.add(lineOf(n));
    } else if (n.type === 'TSConstructSignatureDeclaration') {
      f.constructSigs.add(lineOf(n));
    } else if (n.type === 'ObjectProperty' || n.type === 'ClassProperty') {
      laterName(nameOf(n.key), lineOf(n.key), n.value);
      const value = unwrap(n.value);
      if (value?.type === 'ObjectExpression') f.objects.add(lineOf(n.key));
      if (value?.type === 'CallExpression' && isFn(unwrap(value.callee))) f.iifes.add(lineOf(n.key));
    } else if (n.type === 'CallExpression' || n.type === 'NewExpression') {
      const callee = unwrap(n.callee);
      const name = callee?.type === 'MemberExpression' ? nameOf(callee.property) : nameOf(callee);
      if (name) add(f.calls, lineOf(callee), name);
      if (isFn(callee)) f.iifes.add(lineOf(callee));
    }
    for (const k of Object.keys(n)) {
      if (k === 'loc' || k === 'leadingComments' || k === 'trailingComments' || k === 'innerComments' || k === 'extra') continue;
      const v = n[k];
      if (v && typeof v === 'object') stack.push(v);
    }
  }
  factsCache.set(path, f);
  return f;
}

// ---- match every tag ----
const CAUSES = {
  object: "ctags' non-definition: an object literal that ctags calls a class",
  valueAssign: "ctags' non-definition: a value (no function) assigned to a member, that ctags calls a method",
  protoClass: "ctags' non-definition: a class X that ctags infers from `X.prototype.m = …` or `X.prototype = …`",
  protoRead: "ctags' non-definition: a read of `X.prototype` or `X.prototype.m` (e.g. `_super.prototype.m.call(this)`), that ctags takes for a class X or method m",
  switchCase: "ctags' non-definition: a `case` label that ctags takes for a class",
  newFunction: "ctags' non-definition: `const f = new Function(…)`, that ctags calls a function",
  call: "ctags' non-definition: a call statement that ctags takes for a method",
  iife: 'naming: an IIFE, which ctags names after what receives its result (quarry: <anonymous>)',
  ownName: 'naming: `x = function f()` / `X.T = class C` / `module.exports = function f`: ctags names it x / T / exports, quarry by its own name f / C',
  computed: 'naming: `o[k] = function …`: ctags names it after o, quarry <anonymous> (or the string key)',
  laterName: "naming: `x = /* doc */ function f()` with f on a later line: ctags tags x on the binding's line, quarry f on f's line",
  constructSig: 'not listed by quarry: a TypeScript construct signature `new (…): T`, which ctags tags as method `new`',
  otherName: 'naming: quarry has a function on that line under another name',
  unexplained: 'unexplained: quarry has no function, method or class on that line',
  unparsed: 'unexplained, and babel could not parse the file either',
};
const NON_DEFINITION = new Set(['object', 'valueAssign', 'protoClass', 'protoRead', 'switchCase', 'newFunction', 'call']);
const stats = new Map(); // `${language} ${kind}` -> { tags, hits, nonDef }
const misses = new Map(); // cause -> [{ tag, note }]
let anonymous = 0;
let privateHits = 0;
const outside = new Map(); // reason -> count of tags in files quarry did not scan
const matchedKeys = new Set();
for (const t of tags) {
  if (ANON.test(t.name)) {
    anonymous++;
    continue;
  }
  if (!files.has(t.path)) {
    const reason = skipped.get(t.path) ?? 'not walked by quarry';
    outside.set(reason, (outside.get(reason) ?? 0) + 1);
    continue;
  }
  const key = `${t.language} ${t.kind}`;
  let s = stats.get(key);
  if (!s) stats.set(key, (s = { tags: 0, hits: 0, nonDef: 0 }));
  s.tags++;
  const here = atLine.get(`${t.path}\0${t.line}`) ?? [];
  const hit = here.find((fn) => fn.name === t.name) ?? here.find((fn) => bare(fn.name) === t.name);
  if (hit) {
    s.hits++;
    if (hit.name !== t.name) privateHits++;
    matchedKeys.add(`${t.path}\0${t.line}\0${hit.name}`);
    continue;
  }
  const f = facts(t.path);
  let cause;
  let note = '';
  if (t.kind === 'class' && f.objects.has(t.line) && !here.some((fn) => fn.kind === 'class')) cause = 'object';
  else if (t.kind === 'class' && here.length === 0 && f.objectStarts.has(t.line)) cause = 'object';
  else if (t.kind === 'method' && f.valueAssigns.get(t.line)?.has(t.name) && here.length === 0) cause = 'valueAssign';
  else if (t.kind === 'class' && f.protoOwners.get(t.line)?.has(t.name) && !here.some((fn) => fn.kind === 'class')) cause = 'protoClass';
  else if (t.kind === 'method' && f.calls.get(t.line)?.has(t.name)) cause = 'call';
  else if (f.laterNames.get(t.line)?.has(t.name)) cause = 'laterName';
  else if (here.length === 0 && (t.kind === 'class' || t.kind === 'method') && f.protoReads.get(t.line)?.has(t.name)) cause = 'protoRead';
  else if (here.length === 0 && t.kind === 'class' && f.cases.has(t.line)) cause = 'switchCase';
  else if (here.length === 0 && t.kind === 'function' && f.newFunctions.get(t.line)?.has(t.name)) cause = 'newFunction';
  else if (here.length === 0 && t.kind === 'method' && t.name === 'new' && f.constructSigs.has(t.line)) cause = 'constructSig';
  else if (here.length > 0) {
    note = `quarry: ${here.map((fn) => `${fn.name} (${fn.kind})`).join(', ')}`;
    if (here.some((fn) => fn.name === '<anonymous>') && f.iifes.has(t.line)) cause = 'iife';
    else if (f.ownNames.get(t.line)?.has(t.name)) cause = 'ownName';
    else if (f.computedOwners.get(t.line)?.has(t.name)) cause = 'computed';
    else cause = 'otherName';
  } else cause = f.parsed ? 'unexplained' : 'unparsed';
  if (NON_DEFINITION.has(cause)) s.nonDef++;
  let list = misses.get(cause);
  if (!list) misses.set(cause, (list = []));
  list.push({ tag: t, note });
}

// ---- report ----
const pad = (v, n) => String(v).padStart(n);
const pct = (a, b) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(1)}%`);
console.log(`\nquarry scan vs ${ctagsVersion} — functions, classes and methods in ${scan.root}`);
console.log(`ctags: ${ctagsCmd}`);
const qFns = scan.files.reduce((n, f) => n + f.functions.length, 0);
const qAnon = scan.files.reduce((n, f) => n + f.functions.filter((fn) => fn.name === '<anonymous>').length, 0);
console.log(`quarry: ${scan.files.length} files scanned, ${qFns} functions/methods/classes (${qAnon} of them <anonymous>)`);
console.log(`${'language'.padEnd(11)} ${'kind'.padEnd(10)} ${pad('tags', 6)} ${pad('matched', 8)} ${pad('recall', 8)} ${pad('non-def', 8)} ${pad('recall of real defs', 20)}`);
console.log('-'.repeat(77));
const sum = (keep) => {
  const t = { tags: 0, hits: 0, nonDef: 0 };
  for (const [k, s] of stats) if (keep(k.split(' ')[1])) for (const x of ['tags', 'hits', 'nonDef']) t[x] += s[x];
  return t;
};
for (const [k, s] of [...stats].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const [lang, kind] = k.split(' ');
  console.log(`${lang.padEnd(11)} ${kind.padEnd(10)} ${pad(s.tags, 6)} ${pad(s.hits, 8)} ${pad(pct(s.hits, s.tags), 8)} ${pad(s.nonDef, 8)} ${pad(pct(s.hits, s.tags - s.nonDef), 20)}`);
}
const head = sum((kind) => HEADLINE.has(kind));
const extra = sum((kind) => EXTRA.has(kind));
const real = head.tags - head.nonDef;
const recall = real === 0 ? 100 : (100 * head.hits) / real;
console.log('-'.repeat(77));
console.log(`${'all'.padEnd(11)} ${'fn/cls/mth'.padEnd(10)} ${pad(head.tags, 6)} ${pad(head.hits, 8)} ${pad(pct(head.hits, head.tags), 8)} ${pad(head.nonDef, 8)} ${pad(pct(head.hits, real), 20)}`);
if (extra.tags) console.log(`${'all'.padEnd(11)} ${'gen/get/set'.padEnd(10)} ${pad(extra.tags, 6)} ${pad(extra.hits, 8)} ${pad(pct(extra.hits, extra.tags), 8)} ${pad(extra.nonDef, 8)} ${pad(pct(extra.hits, extra.tags - extra.nonDef), 20)}`);
console.log(
  `recall of ctags' function/class/method tags (name + line): ${pct(head.hits, head.tags)} of all ${head.tags} tags; ` +
    `${recall.toFixed(1)}% of the ${real} that are definitions — target >= 95%: ${recall >= 95 ? 'ok' : 'MISS'}`,
);
console.log(
  `left out: ${anonymous} ctags tags with anonymous names (AnonymousFunction…: quarry names those <anonymous>, no name can match)` +
    `${outside.size ? `; tags in files quarry did not scan: ${[...outside].map(([r, n]) => `${n} (${r})`).join(', ')}` : ''}`,
);
if (privateHits) console.log(`matched with quarry's '#' of a private member dropped (ctags drops it): ${privateHits}`);
const quarryOnly = scan.files.reduce(
  (n, f) => n + f.functions.filter((fn) => fn.name !== '<anonymous>' && !matchedKeys.has(`${f.path}\0${fn.line}\0${fn.name}`)).length,
  0,
);
const otherKinds = new Map();
for (const t of allTags) if (!HEADLINE.has(t.kind) && !EXTRA.has(t.kind)) otherKinds.set(`${t.path}\0${t.line}\0${t.name}`, t.kind);
const onlyBy = {};
for (const f of scan.files)
  for (const fn of f.functions) {
    if (fn.name === '<anonymous>' || matchedKeys.has(`${f.path}\0${fn.line}\0${fn.name}`)) continue;
    const k = otherKinds.get(`${f.path}\0${fn.line}\0${bare(fn.name)}`);
    const why = k ? `ctags: ${k}` : 'no ctags tag';
    onlyBy[why] = (onlyBy[why] ?? 0) + 1;
  }
console.log(
  `quarry's named functions that match no ctags function/class/method tag: ${quarryOnly} (` +
    Object.entries(onlyBy).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ') +
    '; ctags does not tag e.g. methods of object literals returned or passed to a call, `return { IfStatement(node) {…} }`, ' +
    '`report({ fix(fixer) {…} })`, nor arrow functions in properties; a TS `const f = () => …` is a constant to it)',
);
console.log('misses by cause:');
const order = Object.keys(CAUSES);
for (const cause of order) {
  const list = misses.get(cause);
  if (!list) continue;
  console.log(`  ${pad(list.length, 5)}  ${CAUSES[cause]}`);
  for (const { tag, note } of list.slice(0, maxMisses))
    console.log(`         ${tag.path}:${tag.line} ${tag.kind} ${tag.name}${note ? `  [${note}]` : ''}  ${(tag.pattern ?? '').replace(/^\/\^\s*|\$?\/$/g, '').slice(0, 70)}`);
  if (list.length > maxMisses && maxMisses > 0) console.log(`         … ${list.length - maxMisses} more`);
}
if (misses.size === 0) console.log('  none');
EOF
