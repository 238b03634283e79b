#!/usr/bin/env bash
# scan-vs-cloc.sh — how fast `quarry scan` is against cloc (the nearest peer: it also reads every file and splits its
# lines into code, comment and blank; quarry parses each file besides, for functions, complexity, imports and rules).
#
# Usage: bench/scan-vs-cloc.sh [DIR]
#   DIR   default: the shared corpus's eslint package (<corpus>/eslint)
#   env QUARRY="cmd ..."     quarry command (default: node <repo>/bin/quarry.js)
#   env RUNS=10 WARMUP=2     hyperfine runs and warmup runs per command
#
# Interleaved rounds (one hyperfine call per round with one run of each command, the first command rotating):
#   (a) cold scan: `quarry scan DIR --summary --json` with an empty cache (a fresh QUARRY_CACHE_DIR before every run);
#   (b) warm scan: the same command with the cache filled and the tree unchanged;
#   (c) `cloc --list-file=FILES --skip-uniqueness --json`, FILES being exactly the files quarry scanned (from a
#       `quarry scan --json` run beforehand); --skip-uniqueness so cloc does not drop files with identical content,
#       which quarry counts;
#   (d) `node -e 0`: the start-up floor every quarry command pays (information only);
#   (e) bench/babel-floor.mjs: node loading @babel/parser and parsing each listed JS/TS file once on one thread,
#       nothing else — the least a cold scan can cost with the parser DESIGN.md names. When it is slower than cloc,
#       the cold target (<= 1.0x cloc) is out of reach of any scan built on that parser, on this machine.
# Before timing, it checks that cloc counts the same files as quarry, that the cold command misses the cache on every
# file, and that the warm one parses none (every file a cache hit, or the last scan's report reused because no file
# changed) and answers the same (else the figures would not measure what they claim).
# Prints cold/cloc (target <= 1.0x, goal <= 0.5x), warm/cold (target <= 20%, goal <= 10%) and babel alone/cloc (the
# floor of cold/cloc), with mean ± stddev, median and min..max of each command.
# Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need hyperfine cloc jq bc node

D=$(eslint_dir "${1:-}")
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-scan-vs-cloc.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
COLD_CACHE=$TMP/cache-cold # emptied before every run of (a)
WARM_CACHE=$TMP/cache-warm # filled once below, then only read by (b)
LIST=$TMP/files.txt

WARNINGS=()
warn() { echo "warning: $*" >&2; WARNINGS+=("$*"); }

# The scanned files, from a full --json run; it also fills the warm cache.
note "quarry scan $D --json (fills the warm cache; gives the file list for cloc)"
mkdir -p "$WARM_CACHE"
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" scan "$D" --json >"$TMP/scan.json" || die "quarry scan $D --json failed (exit $?)"
jq -e '.ok == true' "$TMP/scan.json" >/dev/null || die "quarry scan --json not ok: $(head -c 500 "$TMP/scan.json")"
jq -r '.data.root as $r | .data.files[].path | "\($r)/\(.)"' "$TMP/scan.json" >"$LIST"
qfiles=$(jq -r '.data.totals.all.files' "$TMP/scan.json")
((qfiles > 0)) || die "quarry scanned no file under $D"
qbytes=$(tr '\n' '\0' <"$LIST" | xargs -0 cat | wc -c)

# Does cloc count the same files? --by-file names each one it counted.
CLOC=(cloc "--list-file=$LIST" --skip-uniqueness --json --quiet)
cloc "--list-file=$LIST" --skip-uniqueness --by-file --json --quiet >"$TMP/cloc-by-file.json" 2>"$TMP/cloc.err" ||
  die "cloc --list-file failed: $(head -c 500 "$TMP/cloc.err")"
cfiles=$(jq '[to_entries[] | select(.key != "header" and .key != "SUM")] | length' "$TMP/cloc-by-file.json")
if [[ "$cfiles" != "$qfiles" ]]; then
  jq -r 'to_entries[] | select(.key != "header" and .key != "SUM") | .key' "$TMP/cloc-by-file.json" | sort >"$TMP/cloc-files"
  sort "$LIST" >"$TMP/q-files"
  warn "cloc counted $cfiles files, quarry $qfiles; not counted by cloc: $(comm -23 "$TMP/q-files" "$TMP/cloc-files" | head -n 10 | tr '\n' ' ')"
fi
if grep -q 'exceeded timeout' "$TMP/cloc.err"; then
  warn "cloc gave up on some files (timeout; it then counts them without analysing): $(grep -c 'exceeded timeout' "$TMP/cloc.err")"
fi

# The cold command must miss on every file. The warm one must not parse any: either every file hits the cache, or
# the whole report of the last scan is reused (same files, sizes and mtimes: `.data.reused`); and it must report
# the same totals, findings and cycles as the cold one.
QUARRY_CACHE_DIR=$TMP/cache-check "${QCMD[@]}" scan "$D" --summary --json >"$TMP/cold-check.json"
rm -rf "$TMP/cache-check"
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" scan "$D" --summary --json >"$TMP/warm-check.json"
cold_check=$(jq -c '.data.cache' "$TMP/cold-check.json")
warm_check=$(jq -c '.data | {reused, cache}' "$TMP/warm-check.json")
[[ "$cold_check" == "{\"hits\":0,\"misses\":$qfiles}" ]] || warn "cold scan cache counts $cold_check (expected 0 hits, $qfiles misses)"
[[ "$warm_check" == "{\"reused\":true,\"cache\":{\"hits\":0,\"misses\":0}}" || "$warm_check" == "{\"reused\":false,\"cache\":{\"hits\":$qfiles,\"misses\":0}}" ]] ||
  warn "warm scan $warm_check (expected the last report reused, or $qfiles cache hits and 0 misses)"
answer='.data | {totals, findings, cycles, parseErrors}'
[[ "$(jq -cS "$answer" "$TMP/cold-check.json")" == "$(jq -cS "$answer" "$TMP/warm-check.json")" ]] ||
  warn "the warm scan's totals, findings or cycles differ from the cold scan's"

QS="$QUARRY_HF scan $(q "$D") --summary --json"
with_cache() { printf 'env %s %s' "$(q "QUARRY_CACHE_DIR=$1")" "$QS"; }
FLOOR=(node "$BENCH_DIR/babel-floor.mjs" "$LIST")
BABEL_FLOOR_VERBOSE=1 "${FLOOR[@]}" 2>"$TMP/floor.err" || die "babel-floor.mjs failed: $(head -c 500 "$TMP/floor.err")"
note "hyperfine: cold scan, warm scan, cloc, node -e 0, babel alone ($WARMUP warmup + $RUNS rounds of one run each, the order rotating)"
hf_rounds "$TMP/hf.json" "$WARMUP" "$RUNS" \
  "quarry scan, empty cache" "bash -c $(q "rm -rf $(q "$COLD_CACHE") && mkdir -p $(q "$COLD_CACHE")")" "$(with_cache "$COLD_CACHE")" \
  "quarry scan, warm cache" "true" "$(with_cache "$WARM_CACHE")" \
  "cloc --list-file" "true" "$(qcmd "${CLOC[@]}")" \
  "node -e 0" "true" "node -e 0" \
  "babel alone" "true" "$(qcmd "${FLOOR[@]}")"

# stats I: "mean sd median min max" in ms of the I-th command.
stats() { jq -r --argjson i "$1" '.results[$i] | [.mean, .stddev, .median, .min, .max, .user, .system] | map(. * 1000) | @tsv' "$TMP/hf.json"; }
read -r cold_m cold_sd cold_med cold_min cold_max cold_usr cold_sys < <(stats 0)
read -r warm_m warm_sd warm_med warm_min warm_max warm_usr warm_sys < <(stats 1)
read -r cloc_m cloc_sd cloc_med cloc_min cloc_max cloc_usr cloc_sys < <(stats 2)
read -r node_m node_sd node_med node_min node_max node_usr node_sys < <(stats 3)
read -r babel_m babel_sd babel_med babel_min babel_max babel_usr babel_sys < <(stats 4)
cold_ratio=$(calc "$cold_m / $cloc_m")
floor_ratio=$(calc "$babel_m / $cloc_m")
warm_pct=$(calc "100 * $warm_m / $cold_m")
# Spread of the ratios from the extremes of each side (not a confidence interval; shows how much noise there was).
cold_lo=$(calc "$cold_min / $cloc_max")
cold_hi=$(calc "$cold_max / $cloc_min")
warm_lo=$(calc "100 * $warm_min / $cold_max")
warm_hi=$(calc "100 * $warm_max / $cold_min")

echo
echo "quarry scan vs cloc — $D"
echo "files: quarry scanned $qfiles ($(jq -r '.data.totals | to_entries | map(select(.key != "all") | "\(.key) \(.value.files)") | join(", ")' "$TMP/scan.json")), $qbytes bytes; cloc counted $cfiles of the same list; workers $(jq -r .data.workers "$TMP/scan.json")"
echo "cache: cold run $cold_check, warm run $warm_check"
echo "cloc: $(qcmd "${CLOC[@]}")"
echo "babel alone: $(qcmd "${FLOOR[@]}") ($(cat "$TMP/floor.err"))"
echo "runs: $WARMUP warmup + $RUNS timed rounds, one run of each command per round; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
row() { table_row 26 22 10 22 -- "$@"; }
row command "mean ± sd" median "min .. max" "user + sys (CPU)"
printf '%.0s-' {1..98}; echo
for c in cold warm cloc node babel; do
  m=${c}_m sd=${c}_sd med=${c}_med mn=${c}_min mx=${c}_max us=${c}_usr sy=${c}_sys
  case $c in cold) label="(a) scan, empty cache" ;; warm) label="(b) scan, warm cache" ;; cloc) label="(c) cloc --list-file" ;; node) label="(d) node -e 0" ;; babel) label="(e) babel alone" ;; esac
  row "$label" "$(fmt_ms "${!m}" "${!sd}")" "$(printf '%.1f ms' "${!med}")" "$(printf '%.1f .. %.1f ms' "${!mn}" "${!mx}")" \
    "$(printf '%.0f + %.0f ms' "${!us}" "${!sy}")"
done
echo
row2() { table_row 22 10 16 24 -- "$@"; }
row2 ratio value "spread" target verdict
printf '%.0s-' {1..80}; echo
row2 "cold / cloc" "$(printf '%.2fx' "$cold_ratio")" "$(printf '%.2f .. %.2fx' "$cold_lo" "$cold_hi")" \
  "<= 1.0x (goal 0.5x)" "$(verdict "$cold_ratio" 1.0 0.5)"
row2 "warm / cold" "$(printf '%.1f%%' "$warm_pct")" "$(printf '%.1f .. %.1f%%' "$warm_lo" "$warm_hi")" \
  "<= 20% (goal 10%)" "$(verdict "$warm_pct" 20 10)"
row2 "babel alone / cloc" "$(printf '%.2fx' "$floor_ratio")" "" "the floor of cold / cloc" \
  "$(if (($(bc -l <<<"$floor_ratio > 1.0"))); then echo "1.0x out of reach with babel"; else echo "1.0x within reach"; fi)"
echo "(spread: min/max of one side over max/min of the other)"
if ((${#WARNINGS[@]} > 0)); then
  echo "warnings (the figures above may not measure what they claim):"
  printf '  %s\n' "${WARNINGS[@]}"
fi
