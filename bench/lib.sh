# Shared helpers for the bench/*.sh scripts; source it, do not run it.
# Sets: BENCH_DIR, QUARRY_DIR, QCMD (array: the quarry command), QUARRY_HF (the same
# command as one string for hyperfine -N), and exports QUARRY_PROFILE=off so profiling
# never costs time in a measurement.
# Override the command with QUARRY="quarry" or QUARRY="node /other/checkout/bin/quarry.js"
# (split on whitespace).

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
QUARRY_DIR=$(cd -- "$BENCH_DIR/.." && pwd -P)
if [[ -n "${QUARRY:-}" ]]; then
  read -r -a QCMD <<<"$QUARRY"
else
  QCMD=(node "$QUARRY_DIR/bin/quarry.js")
fi
export QUARRY_PROFILE=off
export LC_ALL=C # byte order for sort/comm, and no locale surprises in rg/jq output

die() { echo "error: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }

# q WORD: WORD single-quoted for hyperfine's shell-words splitting (and for bash).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
# qcmd WORD...: the words as one quoted command line.
qcmd() { local out="" w; for w in "$@"; do out+="${out:+ }$(q "$w")"; done; printf '%s' "$out"; }
QUARRY_HF=$(qcmd "${QCMD[@]}")

# corpus_dir [DIR]: DIR if given, else whatever the shared corpus.sh prints (it builds the
# corpus on first use). Prints an absolute path without a trailing slash.
corpus_dir() {
  local c=${1:-}
  if [[ -z "$c" ]]; then
    local sh="$QUARRY_DIR/../shared/bench/corpus.sh"
    [[ -f "$sh" ]] || die "no corpus given and $sh not found; pass the corpus dir as \$1"
    c=$(bash "$sh" | tail -n 1)
  fi
  [[ -d "$c" ]] || die "corpus dir '$c' does not exist"
  (cd -- "$c" && pwd -P)
}

# usage: prints the calling script's header comment (its help) and exits 0.
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[1]}" | sed '$d; s/^# \{0,1\}//'; exit 0; }

# eslint_dir [DIR]: DIR (see corpus_dir) when given, else the corpus's eslint package, the default tree of the scan
# benchmarks.
eslint_dir() {
  if [[ -n "${1:-}" ]]; then corpus_dir "$1"; return; fi
  local d
  d="$(corpus_dir)/eslint"
  [[ -d "$d" ]] || die "$d not found: the corpus has no eslint package; pass a directory"
  printf '%s' "$d"
}

need() { local t; for t in "$@"; do command -v "$t" >/dev/null 2>&1 || die "'$t' not found (see ../shared/bench/peers.sh)"; done; }

# hf JSON_OUT ARGS...: hyperfine without a shell (-N: no shell start-up to subtract), with
# output fed through a pipe so no tool can take a /dev/null shortcut, exported to JSON.
hf() { local out=$1; shift; hyperfine -N --output=pipe --export-json "$out" "$@"; }

# hf_rounds OUT WARMUP RUNS NAME PREPARE COMMAND [NAME PREPARE COMMAND]...: the commands timed in interleaved rounds,
# one hyperfine call per round with one run of each, the first command rotating from round to round (with two, they
# alternate). Hyperfine alone runs all of one command's runs before the next one's, and this machine's speed drifts by
# tens of percent within minutes, which then goes into the ratios. The WARMUP rounds are dropped and the others pooled
# at OUT (hf_pool).
hf_rounds() {
  local out=$1 warmup=$2 runs=$3
  shift 3
  local -a specs=("$@") names=() files=() args
  local n=$((${#specs[@]} / 3)) round k i
  for ((i = 0; i < n; i++)); do names+=("${specs[i * 3]}"); done
  for ((round = 0; round < warmup + runs; round++)); do
    args=()
    for ((k = 0; k < n; k++)); do
      i=$(((round + k) % n))
      args+=(--prepare "${specs[i * 3 + 1]}" -n "${specs[i * 3]}" "${specs[i * 3 + 2]}")
    done
    hf "$out.round-$round" --runs 1 "${args[@]}" >&2
    ((round < warmup)) || files+=("$out.round-$round")
  done
  hf_pool "$out" "$(printf '%s\n' "${names[@]}" | jq -R . | jq -sc .)" "${files[@]}"
}

# hf_pool OUT NAMES_JSON FILE...: the hyperfine exports of interleaved rounds (one run of each command per round)
# pooled into one export-like document at OUT: per command, in the order of the JSON array NAMES_JSON, its times
# over all rounds with their mean, sample stddev, median, min and max, and user and system time averaged.
hf_pool() {
  local out=$1 names=$2
  shift 2
  jq -s --argjson names "$names" '
    [.[].results[]] as $all
    | {results: [$names[] as $name
        | [$all[] | select(.command == $name)] as $r
        | [$r[].times[]] as $t
        | ($t | add / length) as $m
        | ($t | sort) as $s
        | ($s | length) as $n
        | {command: $name, times: $t, mean: $m,
           stddev: (if $n > 1 then (($t | map(. - $m | . * .) | add) / ($n - 1) | sqrt) else 0 end),
           median: (if $n % 2 == 1 then $s[($n - 1) / 2] else ($s[$n / 2 - 1] + $s[$n / 2]) / 2 end),
           min: $s[0], max: $s[-1],
           user: ([$r[].user] | add / length), system: ([$r[].system] | add / length)}]}
  ' "$@" >"$out"
}

# hf_stat JSON INDEX: "mean sd" in milliseconds of the INDEX-th command (0-based).
hf_stat() { jq -r --argjson i "$2" '.results[$i] | "\(.mean * 1000) \(.stddev * 1000)"' "$1"; }

# fmt_ms MEAN SD -> "123.4 ± 5.6 ms"
fmt_ms() { printf '%.1f ± %.1f ms' "$1" "$2"; }

# verdict VALUE MUST GOAL: lower is better. "goal" / "ok" (meets the must) / "MISS".
verdict() {
  if (($(bc -l <<<"$1 <= $3"))); then echo "goal"
  elif (($(bc -l <<<"$1 <= $2"))); then echo "ok"
  else echo "MISS"; fi
}

# cell WIDTH TEXT: TEXT left-aligned in WIDTH columns (printf pads bytes; ± is 2 bytes).
cell() { local LC_ALL=C.UTF-8; local s=$2; local n=${#s}; printf '%s%*s' "$s" $(($1 > n ? $1 - n : 0)) ''; }

# table_row W1 W2 ... -- C1 C2 ...: one table line, column i padded to Wi (last unpadded).
table_row() {
  local -a w=() ; while [[ $1 != -- ]]; do w+=("$1"); shift; done; shift
  local i=0 line="" c
  for c in "$@"; do
    if ((i < ${#w[@]})); then line+="$(cell "${w[i]}" "$c") "; else line+="$c"; fi
    i=$((i + 1))
  done
  printf '%s\n' "${line% }"
}

# calc EXPR: bc with 4 decimals.
calc() { bc -l <<<"scale=4; $1"; }

# ensure_index C: bring C/.quarry/index.msgpack up to date (incremental; uses the normal
# cache unless QUARRY_CACHE_DIR is set) and save the --json summary to $2.
ensure_index() {
  note "indexing $1 (incremental; the first time takes a while)"
  "${QCMD[@]}" index "$1" --json >"$2" || die "quarry index $1 failed (exit $?)"
  jq -e '.ok == true' "$2" >/dev/null || die "quarry index $1 --json did not report ok: $(head -c 500 "$2")"
}
