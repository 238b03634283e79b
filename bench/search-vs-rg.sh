#!/usr/bin/env bash
# search-vs-rg.sh — quarry search (indexed) against ripgrep (no index) on the same tree.
#
# Usage: bench/search-vs-rg.sh [CORPUS_DIR]
#   CORPUS_DIR  default: whatever ../shared/bench/corpus.sh prints (/tmp/quarry-corpus/node_modules)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#   env WARMUP=2 RUNS=10   hyperfine warmup and timed runs per command
#
# Indexes the corpus once (incremental, warm cache is fine: we time search, not index),
# then runs one hyperfine per job with quarry, its nearest rg equivalent and `node -e 0`
# (the start-up floor every quarry command pays) interleaved in the same invocation, so
# page cache and machine noise hit them alike. Each tool's output goes through a pipe
# (--output=pipe) and is counted beforehand, so the table shows how much each one printed.
# Exit status: 0 unless a command fails (exit > 1) or the tools are missing; a missed
# target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need hyperfine rg jq bc node

C=$(corpus_dir "${1:-}")
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-10}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-search-vs-rg.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ensure_index "$C" "$TMP/index.json"
jq -r '.data | "index: \(.files) files, \(.bytes) bytes indexed, up to date: \(.upToDate)"' "$TMP/index.json" >&2

QS="$QUARRY_HF search --root $(q "$C")"
RC=$(q "$C")
NODE0="node -e 0"

declare -a ROWS=()
row() { table_row 10 20 20 7 18 11 20 -- "$@"; }

# job NAME QUARRY_CMD PEER_CMD PEER_LABEL MUST GOAL — one hyperfine run of quarry, the peer
# and `node -e 0`; MUST/GOAL are targets for the ratio quarry/peer ("-" = informational).
job() {
  local name=$1 qc=$2 pc=$3 plabel=$4 must=$5 goal=$6 c rc counts="" tgt v
  local -a ign=()
  # Run each command once to count its output lines; exit 1 (nothing found) is allowed
  # (hyperfine then runs with -i) but flagged; anything else is a real failure.
  for c in "$qc" "$pc"; do
    rc=0; bash -c "$c" >"$TMP/out" 2>"$TMP/err" || rc=$?
    if ((rc > 1)); then echo "FAILED (exit $rc): $c" >&2; cat "$TMP/err" >&2; exit 1; fi
    if ((rc == 1)); then echo "warning: nothing found (exit 1): $c" >&2; ign=(-i); fi
    counts+="${counts:+/}$(wc -l <"$TMP/out")"
  done
  note "$name: $qc  vs  $pc"
  hf "$TMP/$name.json" "${ign[@]}" --warmup "$WARMUP" --runs "$RUNS" \
    -n "quarry $name" "$qc" -n "$plabel" "$pc" -n "node -e 0" "$NODE0" >&2
  read -r qm qsd < <(hf_stat "$TMP/$name.json" 0)
  read -r pm psd < <(hf_stat "$TMP/$name.json" 1)
  read -r nm nsd < <(hf_stat "$TMP/$name.json" 2)
  ratio=$(calc "$qm / $pm")
  if [[ "$must" == "-" ]]; then tgt="-"; v="info"
  else tgt="<=${must}x (goal ${goal}x)"; v=$(verdict "$ratio" "$must" "$goal"); fi
  ROWS+=("$(row "$name" "$(fmt_ms "$qm" "$qsd")" "$(fmt_ms "$pm" "$psd")" "$(printf '%.2fx' "$ratio")" \
    "$(fmt_ms "$nm" "$nsd")" "$counts" "$tgt" "$v")")
  PEERS+=("$name: $pc")
}
declare -a PEERS=()

# (a) A rare identifier, paths only. rg -l stops reading a file at its first match; quarry
#     answers from postings. (As specified: quarry is case-insensitive and shows its 20
#     best files, rg -w is case-sensitive and lists all; in this corpus both words match
#     the same 174 files — the lines column shows how much each printed.)
job rare "$QS --files useLayoutEffect" "rg -l -w useLayoutEffect $RC" "rg -l -w" 1.0 0.5
# (a') The same with every file listed (--limit 0), so both print the whole answer.
job rare-all "$QS --files --limit 0 useLayoutEffect" "rg -l -w useLayoutEffect $RC" "rg -l -w" - -

# (b) A common identifier with lines: what a person types. quarry prints the 20 best files
#     (--limit 20) with all their matching lines; rg prints every matching line.
job common "$QS --limit 20 createElement" "rg -n -w -i createElement $RC" "rg -n -w -i" 1.0 0.5

# (c) Definitions. rg cannot find definitions; the nearest peer is a regex for the usual
#     definition shapes (function createElement, x.createElement = function,
#     createElement( / createElement< at line start = methods and .d.ts signatures).
#     Plain `rg -w 'function createElement'` finds nothing in this corpus.
job sym "$QS sym:createElement" \
  "rg -n -w -e $(q 'function\s+createElement') -e $(q 'createElement\s*[=:]\s*function') -e $(q '^\s*createElement\s*[<(]') $RC" \
  "rg definition regex" - -

# (d) Two words, both required. rg has no AND: the honest equivalent is two passes — the
#     files with `create`, then the `element` lines in those files (bash and xargs add a
#     few ms). quarry also matches identifier parts (createElement has both words), so its
#     candidate set is larger; it prints the 20 best files.
job "two-words" "$QS --limit 20 $(q 'create element')" \
  "bash -c $(q "rg -l0 -w -i create $RC | xargs -0 -r rg -H -n -w -i element")" \
  "rg create, then rg element" - -

# Start-up: the cost of quarry's CLI shell over bare node (lazy loading keeps it small).
note "startup: quarry --help vs node -e 0"
hf "$TMP/startup.json" --warmup 3 --runs $((RUNS * 2)) \
  -n "quarry --help" "$QUARRY_HF --help" -n "node -e 0" "$NODE0" >&2
read -r hm hsd < <(hf_stat "$TMP/startup.json" 0)
read -r nm nsd < <(hf_stat "$TMP/startup.json" 1)
delta=$(calc "$hm - $nm")

echo
echo "quarry search vs ripgrep — corpus $C ($(jq -r .data.files "$TMP/index.json") indexed files)"
echo "hyperfine -N --warmup $WARMUP --runs $RUNS, output through a pipe; lines = output lines quarry/peer"
row job quarry peer "q/peer" "node -e 0" lines target verdict
printf '%.0s-' {1..120}; echo
for r in "${ROWS[@]}"; do echo "$r"; done
echo "peers:"; for p in "${PEERS[@]}"; do echo "  $p"; done
echo
srow() { table_row 26 20 20 12 22 -- "$@"; }
srow startup "quarry --help" "node -e 0" "delta" target verdict
srow "quarry --help - node -e 0" "$(fmt_ms "$hm" "$hsd")" \
  "$(fmt_ms "$nm" "$nsd")" "$(printf '%+.1f ms' "$delta")" "<= +60 ms (goal +30)" "$(verdict "$delta" 60 30)"
