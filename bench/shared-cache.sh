#!/usr/bin/env bash
# shared-cache.sh — what a shared Redis cache saves a CI runner: a cold `quarry index` (empty local cache, no index)
# of the corpus's eslint package, (a) on its own and (b) with a Redis that another runner already filled.
#
# Usage: bench/shared-cache.sh [DIR]
#   DIR   default: the shared corpus's eslint package (<corpus>/eslint)
#   env QUARRY="cmd ..."     quarry command (default: node <repo>/bin/quarry.js)
#   env RUNS=10 WARMUP=2     hyperfine runs and warmup runs per command
#   env REDIS_URL=redis://…  use this Redis (its quarry keys are cleared first) instead of a private redis-server
#
# The tree is copied (timestamps kept) into a temp dir so the corpus is not written to. A private redis-server runs on a
# free localhost port without persistence. Another "runner" (its own QUARRY_CACHE_DIR) indexes the tree once with
# --cache-url, which fills Redis. Then one hyperfine invocation times, each run after removing the index and emptying
# the local cache dir (--prepare):
#   (a) `quarry index TREE --json`                        nothing shared: every file read and analysed;
#   (b) `quarry index TREE --json --cache-url URL`        analyses from the warm Redis (one MGET per batch).
# Before timing it checks that (a) misses the cache on every file and (b) hits it on every file, and that (b) builds
# the same index as (a). Prints (b)/(a): goal <= 35%, must <= 60%.
# Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
[[ "${1:-}" == -h || "${1:-}" == --help ]] && usage
need hyperfine jq bc node redis-cli

SRC=$(eslint_dir "${1:-}")
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-shared-cache.XXXXXX")
REDIS_PID=""
cleanup() {
  [[ -n "$REDIS_PID" ]] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TREE=$TMP/tree
cp -a "$SRC" "$TREE"
rm -rf "$TREE/.quarry"
RUNNER_CACHE=$TMP/cache-runner # the other runner: fills Redis
LOCAL_CACHE=$TMP/cache-local   # emptied before every timed run

if [[ -n "${REDIS_URL:-}" ]]; then
  URL=$REDIS_URL
else
  need redis-server
  PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  mkdir -p "$TMP/redis"
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$TMP/redis" >"$TMP/redis/log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 100); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
  redis-cli -p "$PORT" ping >/dev/null 2>&1 || die "redis-server did not start: $(tail -c 500 "$TMP/redis/log")"
  URL=redis://127.0.0.1:$PORT/0
fi
QCACHE=("${QCMD[@]}" cache)
QUARRY_CACHE_DIR=$RUNNER_CACHE "${QCACHE[@]}" clear --shared --cache-url "$URL" >/dev/null

WARNINGS=()
warn() { echo "warning: $*" >&2; WARNINGS+=("$*"); }

note "the other runner: quarry index (copy of $SRC) --cache-url $URL"
QUARRY_CACHE_DIR=$RUNNER_CACHE "${QCMD[@]}" index "$TREE" --json --cache-url "$URL" >"$TMP/runner.json" || die "runner's index failed"
jq -e '.ok == true and (.warnings | length) == 0' "$TMP/runner.json" >/dev/null || die "runner's index: $(head -c 500 "$TMP/runner.json")"
files=$(jq -r .data.files "$TMP/runner.json")
shared=$(QUARRY_CACHE_DIR=$RUNNER_CACHE "${QCACHE[@]}" stats --shared --cache-url "$URL" --json)

# The checks: (a) misses on every file, (b) hits on every file, and both build the same index (write time aside).
fresh() { rm -rf "$TREE/.quarry" "$LOCAL_CACHE" && mkdir -p "$LOCAL_CACHE"; }
body() { node -e 'const b=require("fs").readFileSync(process.argv[1]);const n=b.readUInt32LE(8);process.stdout.write(require("crypto").createHash("sha1").update(b.subarray(12+n)).digest("hex"))' "$TREE/.quarry/index.msgpack"; }
fresh
a_check=$(QUARRY_CACHE_DIR=$LOCAL_CACHE "${QCMD[@]}" index "$TREE" --json | jq -c '[.data.cache, .warnings]')
a_body=$(body)
fresh
b_check=$(QUARRY_CACHE_DIR=$LOCAL_CACHE "${QCMD[@]}" index "$TREE" --json --cache-url "$URL" | jq -c '[.data.cache, .warnings]')
b_body=$(body)
[[ "$a_check" == "[{\"hits\":0,\"misses\":$files},[]]" ]] || warn "(a) cache counts $a_check (expected 0 hits, $files misses, no warning)"
[[ "$b_check" == "[{\"hits\":$files,\"misses\":0},[]]" ]] || warn "(b) cache counts $b_check (expected $files hits, 0 misses, no warning)"
[[ "$a_body" == "$b_body" ]] || warn "(a) and (b) built different indexes"

QI="$QUARRY_HF index $(q "$TREE") --json"
PREP="bash -c $(q "rm -rf $(q "$TREE/.quarry") $(q "$LOCAL_CACHE") && mkdir -p $(q "$LOCAL_CACHE")")"
note "hyperfine: (a) cold index, (b) cold index + warm Redis ($WARMUP warmup + $RUNS runs each)"
hf "$TMP/hf.json" --warmup "$WARMUP" --runs "$RUNS" --prepare "$PREP" \
  -n "(a) no shared cache" "env $(q "QUARRY_CACHE_DIR=$LOCAL_CACHE") $QI" \
  -n "(b) warm Redis" "env $(q "QUARRY_CACHE_DIR=$LOCAL_CACHE") $QI --cache-url $(q "$URL")" >&2

stats() { jq -r --argjson i "$1" '.results[$i] | [.mean, .stddev, .median, .min, .max, .user, .system] | map((. // 0) * 1000) | @tsv' "$TMP/hf.json"; }
read -r a_m a_sd a_med a_min a_max a_usr a_sys < <(stats 0)
read -r b_m b_sd b_med b_min b_max b_usr b_sys < <(stats 1)
pct=$(calc "100 * $b_m / $a_m")
lo=$(calc "100 * $b_min / $a_max")
hi=$(calc "100 * $b_max / $a_min")

echo
echo "shared cache (Redis) — cold index of $SRC ($files files, $(du -sb "$TREE" --exclude=.quarry | cut -f1) bytes)"
echo "redis: $(redis-cli -u "$URL" info server | tr -d '\r' | grep -E '^redis_version:' | cut -d: -f2) at $URL; filled by the other runner: $(jq -c '.data.namespaces' <<<"$shared")"
echo "cache: (a) $a_check, (b) $b_check"
echo "runs: $WARMUP warmup + $RUNS timed per command; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
row() { table_row 26 22 10 22 -- "$@"; }
row command "mean ± sd" median "min .. max" "user + sys (CPU)"
printf '%.0s-' {1..98}; echo
row "(a) no shared cache" "$(fmt_ms "$a_m" "$a_sd")" "$(printf '%.1f ms' "$a_med")" "$(printf '%.1f .. %.1f ms' "$a_min" "$a_max")" \
  "$(printf '%.0f + %.0f ms' "$a_usr" "$a_sys")"
row "(b) warm Redis" "$(fmt_ms "$b_m" "$b_sd")" "$(printf '%.1f ms' "$b_med")" "$(printf '%.1f .. %.1f ms' "$b_min" "$b_max")" \
  "$(printf '%.0f + %.0f ms' "$b_usr" "$b_sys")"
echo
row2() { table_row 22 10 16 24 -- "$@"; }
row2 ratio value spread target verdict
printf '%.0s-' {1..80}; echo
row2 "(b) / (a)" "$(printf '%.1f%%' "$pct")" "$(printf '%.1f .. %.1f%%' "$lo" "$hi")" "<= 60% (goal 35%)" "$(verdict "$pct" 60 35)"
echo "(spread: min/max of one side over max/min of the other)"
if ((${#WARNINGS[@]} > 0)); then
  echo "warnings (the figures above may not measure what they claim):"
  printf '  %s\n' "${WARNINGS[@]}"
fi
