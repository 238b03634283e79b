#!/usr/bin/env bash
# bench-vs-hyperfine.sh — `quarry bench` against hyperfine on the same commands, in one script.
#
# Usage: bench/bench-vs-hyperfine.sh
#   env RUNS=10 ROUNDS=5 WARMUP=3   runs per batch, ABBA rounds (so 2*ROUNDS batches per tool and command), warmup
#                                   runs per batch; both tools run with --shell none, i.e. hyperfine -N
#   env OVERHEAD_RUNS=300  runs of `true` for the per-run overhead
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#
# For each command, hyperfine and quarry bench time it in turn (ROUNDS times ABBA, so drift hits both alike) and
# the means are compared: they should agree within 5%. Then both time `true`, whose mean is nearly all
# the tool's own per-run cost (spawn, wait, bookkeeping): quarry's overhead over hyperfine's should be ≤ 2 ms.
# Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need hyperfine jq node awk

RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-3}
OVERHEAD_RUNS=${OVERHEAD_RUNS:-300}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-bench-vs-hf.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$QUARRY_DIR"
"${QCMD[@]}" index --quiet >/dev/null # the search below needs an up-to-date index

# mean_of TOOL CMD RUNS: prints the mean in seconds of CMD timed by TOOL (hf|quarry) with --shell none.
mean_of() {
  local tool=$1 cmd=$2 runs=$3 out="$TMP/out.json"
  if [[ $tool == hf ]]; then
    hyperfine -N --style none --warmup "$WARMUP" --runs "$runs" --export-json "$out" -- "$cmd" >/dev/null 2>&1
  else
    "${QCMD[@]}" bench -N --quiet --warmup "$WARMUP" --runs "$runs" --export-json "$out" -- "$cmd" >/dev/null
  fi
  jq -r '.results[0].mean' "$out"
}

printf '%-40s %12s %12s %8s\n' command hyperfine quarry ratio
worst=0
for cmd in 'sleep 0.05' 'node -e 0' "$QUARRY_HF search sym:runIndex"; do
  # ROUNDS of ABBA (hyperfine, quarry, quarry, hyperfine), RUNS runs each: the machine's drift between batches
  # (node's start-up moved by ±8% from one batch of 30 to the next here) falls on both tools alike.
  hs=(); qs=()
  for ((k = 0; k < ROUNDS; k++)); do
    hs+=("$(mean_of hf "$cmd" "$RUNS")"); qs+=("$(mean_of quarry "$cmd" "$RUNS")")
    qs+=("$(mean_of quarry "$cmd" "$RUNS")"); hs+=("$(mean_of hf "$cmd" "$RUNS")")
  done
  read -r h q ratio dev < <(awk -v hs="${hs[*]}" -v qs="${qs[*]}" 'BEGIN {
    nh = split(hs, H, " "); nq = split(qs, Q, " "); h = 0; q = 0
    for (i = 1; i <= nh; i++) h += H[i]; for (i = 1; i <= nq; i++) q += Q[i]
    h /= nh; q /= nq; r = q / h; d = r > 1 ? r - 1 : 1 - r
    printf "%.2f %.2f %.3f %.4f\n", h * 1000, q * 1000, r, d }')
  label=${cmd/#"$QUARRY_HF"/quarry}
  printf '%-40s %9s ms %9s ms %8s\n' "$label" "$h" "$q" "$ratio"
  worst=$(awk -v a="$worst" -v b="$dev" 'BEGIN { print (b > a ? b : a) }')
done
agree=$(awk -v w="$worst" 'BEGIN { print (w <= 0.05 ? "yes" : "NO") }')
echo "means agree within 5%: $agree (largest difference $(awk -v w="$worst" 'BEGIN { printf "%.1f", w * 100 }')%)"

ht=$(mean_of hf true "$OVERHEAD_RUNS"); qt=$(mean_of quarry true "$OVERHEAD_RUNS")
awk -v h="$ht" -v q="$qt" -v n="$OVERHEAD_RUNS" 'BEGIN {
  o = (q - h) * 1000
  printf "per-run time of `true` (--shell none, %s runs): hyperfine %.3f ms, quarry %.3f ms: quarry overhead %+.3f ms (target <= 2 ms: %s)\n",
    n, h * 1000, q * 1000, o, (o <= 2 ? "met" : "MISSED") }'
