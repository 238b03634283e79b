#!/usr/bin/env bash
# index-vs-ctags.sh — how fast, how big and how hungry `quarry index` is, against
# universal-ctags (the nearest peer: it also walks the tree and extracts symbols).
#
# Usage: bench/index-vs-ctags.sh [CORPUS_DIR]
#   CORPUS_DIR  default: whatever ../shared/bench/corpus.sh prints (/tmp/quarry-corpus/node_modules)
#   env QUARRY="cmd ..."          quarry command (default: node <repo>/bin/quarry.js)
#   env COLD_RUNS=3 COLD_WARMUP=1 runs of the cold-index comparison (minutes each)
#   env RUNS=10 WARMUP=2          runs of the re-index measurements
#   env CHANGE_FILE=lodash/debounce.js   the file (relative to the corpus) edited for (d)
#
# Measures:
#   (a) cold index, empty cache: C/.quarry removed and a fresh empty QUARRY_CACHE_DIR
#       before every run, vs `ctags -R -f TAGS C` — interleaved: rounds of one run of each, the order alternating;
#   (b) cold index, warm cache: index removed, analysis cache kept (a new clone of a
#       project you have indexed before): shows what the content-hash cache saves;
#   (c) re-index with nothing changed (stat every file, read none);
#   (d) re-index with one file changed (a comment with a fresh timestamp appended before
#       every run, so the content hash is new and the cache cannot answer);
#   (e) index size / indexed bytes, from `quarry index --json`;
#   (f) peak RSS (GNU time "Maximum resident set size") of a cold index and of a search;
#   (g) babel alone: node parsing the files a cold index analyses (bench/indexed-files.mjs) once each with
#       @babel/parser on 2 threads with the pool's settings (bench/babel-floor.mjs --threads 2), nothing else — timed
#       in the rounds of (a): the parser's share of a cold index, and what quarry's own work adds to it.
# The corpus is shared: the edited file is restored (content and mtime) on any exit, and
# the index is brought back in sync at the end. Everything else lives in a temp dir.
# Exit status: 0 unless a tool fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need hyperfine ctags jq bc node /usr/bin/time

C=$(corpus_dir "${1:-}")
COLD_RUNS=${COLD_RUNS:-3}
COLD_WARMUP=${COLD_WARMUP:-1}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
CHANGE_FILE=${CHANGE_FILE:-lodash/debounce.js}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-index-vs-ctags.XXXXXX")
COLD_CACHE=$TMP/cache-cold # emptied before every run of (a)
WARM_CACHE=$TMP/cache-warm # filled by the RSS run, then reused by (b), (c), (d)
TAGS=$TMP/ctags.tags

# Restore the edited corpus file (content and mtime) however we exit.
CHANGED=""
restore() {
  if [[ -n "$CHANGED" && -f "$TMP/orig" ]]; then
    cp -p "$TMP/orig" "$CHANGED" && CHANGED="" && note "restored $CHANGE_FILE"
  fi
}
trap 'restore; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

QI="$QUARRY_HF index $(q "$C")" # hyperfine form of `quarry index C`
with_cache() { printf 'env %s %s' "$(q "QUARRY_CACHE_DIR=$1")" "$QI"; }
secs() { jq -r --argjson i "$2" '.results[$i] | "\(.mean) \(.stddev)"' "$1"; }
fmt_s() { printf '%.2f ± %.2f s' "$1" "$2"; }
# max_rss_bytes TIME_OUTPUT: GNU time -v reports kilobytes (KiB).
max_rss_bytes() { awk -F': ' '/Maximum resident set size/ {print $2 * 1024}' "$1"; }

F="$C/$CHANGE_FILE"
[[ -f "$F" ]] || die "CHANGE_FILE $CHANGE_FILE not found in $C"
if tail -n 1 "$F" | grep -q '^// quarry-bench '; then
  die "$F ends with a '// quarry-bench' line left by an interrupted run; remove the last two lines first"
fi

# (a) Cold index with an empty cache vs ctags. Each command gets its own --prepare: quarry
#     loses its index and its cache, ctags its tags file. ctags -R indexes every language it
#     knows, quarry every text file it does not skip; both walk the same tree. (g) babel alone
#     over the files quarry analyses runs in the same rounds.
LIST=$TMP/indexed.list
node "$BENCH_DIR/indexed-files.mjs" "$C" >"$LIST" || die "bench/indexed-files.mjs failed (run npm run build first)"
note "(a, g) cold index, empty cache, vs ctags and babel alone (${COLD_WARMUP} warmup + ${COLD_RUNS} rounds of one run each, the order rotating; minutes)"
hf_rounds "$TMP/cold.json" "$COLD_WARMUP" "$COLD_RUNS" \
  "quarry index (empty cache)" "bash -c $(q "rm -rf $(q "$C/.quarry") $(q "$COLD_CACHE") && mkdir -p $(q "$COLD_CACHE")")" "$(with_cache "$COLD_CACHE")" \
  "ctags -R" "rm -f $(q "$TAGS")" "ctags -R -f $(q "$TAGS") $(q "$C")" \
  "babel alone (2 threads)" "true" "node $(q "$BENCH_DIR/babel-floor.mjs") --threads 2 $(q "$LIST")"
rm -rf "$COLD_CACHE"
read -r cold_m cold_sd < <(secs "$TMP/cold.json" 0)
read -r ctags_m ctags_sd < <(secs "$TMP/cold.json" 1)
read -r babel_m babel_sd < <(secs "$TMP/cold.json" 2)
nlisted=$(wc -l <"$LIST")
ntags=$(grep -vc '^!_' "$TAGS" || true)

# (f, e) One more cold index under GNU time for its peak RSS; its --json gives the index
#     size and the indexed bytes, and it fills WARM_CACHE for (b)-(d).
note "(e, f) cold index under /usr/bin/time -v (peak RSS, index size)"
rm -rf "$C/.quarry" "$WARM_CACHE" && mkdir -p "$WARM_CACHE"
QUARRY_CACHE_DIR=$WARM_CACHE /usr/bin/time -v -o "$TMP/time-index.txt" \
  "${QCMD[@]}" index "$C" --json >"$TMP/index.json" || die "quarry index --json failed (exit $?)"
jq -e '.ok == true' "$TMP/index.json" >/dev/null || die "quarry index --json not ok: $(head -c 500 "$TMP/index.json")"
rss_index=$(max_rss_bytes "$TMP/time-index.txt")
read -r files bytes isize < <(jq -r '.data | "\(.files) \(.bytes) \(.indexSize)"' "$TMP/index.json")
size_pct=$(calc "100 * $isize / $bytes")

# (b) Cold index, warm cache: every file is read and hashed, analysis comes from the cache.
note "(b) cold index, warm cache ($COLD_RUNS runs)"
hf "$TMP/warm.json" --runs "$COLD_RUNS" --prepare "rm -rf $(q "$C/.quarry")" \
  -n "quarry index (warm cache)" "$(with_cache "$WARM_CACHE")" >&2
read -r warm_m warm_sd < <(secs "$TMP/warm.json" 0)

# (c, d) Re-index: nothing changed, then one file changed. First check quarry sees the
#     change as exactly one modified file (else the timing would measure something else).
cp -p "$F" "$TMP/orig"
CHANGED=$F
EDIT="cp -p $(q "$TMP/orig") $(q "$F") && printf '\n// quarry-bench %s\n' \"\$(date +%s%N)\" >> $(q "$F")"
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" index "$C" --json >"$TMP/nochange.json"
bash -c "$EDIT"
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" index "$C" --json >"$TMP/onechange.json"
nochange=$(jq -c '.data.changes' "$TMP/nochange.json")
onechange=$(jq -c '.data.changes' "$TMP/onechange.json")
WARNINGS=()
warn() { echo "warning: $*" >&2; WARNINGS+=("$*"); }
jq -e '.data.changes | .added == 0 and .modified == 0 and .removed == 0' "$TMP/nochange.json" >/dev/null ||
  warn "re-index of an unchanged tree reported changes $nochange"
jq -e '.data.changes | .added == 0 and .modified == 1 and .removed == 0' "$TMP/onechange.json" >/dev/null ||
  warn "re-index after editing $CHANGE_FILE reported changes $onechange"
for j in nochange onechange; do
  n=$(jq -r .data.files "$TMP/$j.json")
  [[ "$n" == "$files" ]] || warn "$j re-index left $n files in the index; the cold index had $files"
done

# Back to the original file and an index in sync with it, so (c) starts from "nothing changed".
cp -p "$TMP/orig" "$F"
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" index "$C" >/dev/null

note "(c, d) re-index: nothing changed / one file changed ($WARMUP warmup + $RUNS runs each)"
hf "$TMP/reindex.json" --warmup "$WARMUP" --runs "$RUNS" \
  --prepare "true" -n "re-index, nothing changed" "$(with_cache "$WARM_CACHE")" \
  --prepare "bash -c $(q "$EDIT")" -n "re-index, one file changed" "$(with_cache "$WARM_CACHE")" >&2
read -r none_m none_sd < <(secs "$TMP/reindex.json" 0)
read -r one_m one_sd < <(secs "$TMP/reindex.json" 1)

restore
cmp -s "$TMP/orig" "$F" || die "$F differs from its saved copy after restoring"
# Leave the shared corpus with a whole, current index: re-index, and rebuild from scratch
# if the incremental result lost files.
QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" index "$C" --json >"$TMP/final.json"
n=$(jq -r .data.files "$TMP/final.json")
if [[ "$n" != "$files" ]]; then
  warn "re-index after restoring $CHANGE_FILE left $n files (cold index: $files); rebuilt it from scratch"
  rm -rf "$C/.quarry"
  QUARRY_CACHE_DIR=$WARM_CACHE "${QCMD[@]}" index "$C" >/dev/null
fi

# (f) Peak RSS of a search for a common word (loads the index, ranks, prints 20 files).
note "(f) search under /usr/bin/time -v"
rc=0
/usr/bin/time -v -o "$TMP/time-search.txt" "${QCMD[@]}" search --root "$C" createElement >/dev/null || rc=$?
((rc <= 1)) || die "quarry search --root $C createElement failed (exit $rc)"
rss_search=$(max_rss_bytes "$TMP/time-search.txt")

cold_ratio=$(calc "$cold_m / $ctags_m")
babel_ratio=$(calc "$babel_m / $ctags_m")
# quarry/ctags round by round (each round's two runs are minutes apart at most, so the machine's drift cancels more
# than in the ratio of the means), sorted, and their median.
round_ratios=$(jq -r '[.results[0].times, .results[1].times] | transpose | map(.[0] / .[1]) | sort
  | "\(map(. * 100 | round / 100 | tostring) | join(" ")), median \(if length % 2 == 1 then .[(length - 1) / 2] else (.[length / 2 - 1] + .[length / 2]) / 2 end | . * 100 | round / 100)"' \
  "$TMP/cold.json")
warm_ratio=$(calc "$warm_m / $ctags_m")
rss_index_gib=$(calc "$rss_index / 1024^3")
rss_search_mb=$(calc "$rss_search / 10^6")

echo
echo "quarry index vs ctags — corpus $C"
jq -r '.data | "quarry: \(.files) files, \(.bytes) bytes indexed, \(.terms) terms, \(.symbols) symbols, skipped \(.skipped), walk \(.walk), \(.workers) workers"' "$TMP/index.json"
echo "ctags: $ntags tags; re-index changes seen: nothing changed $nochange, one file changed $onechange ($CHANGE_FILE)"
row() { table_row 34 28 18 8 24 -- "$@"; }
row measurement quarry ctags ratio target verdict
printf '%.0s-' {1..122}; echo
row "(a) cold index, empty cache" "$(fmt_s "$cold_m" "$cold_sd")" "$(fmt_s "$ctags_m" "$ctags_sd")" \
  "$(printf '%.2fx' "$cold_ratio")" "<= 2.0x (goal 1.0x)" "$(verdict "$cold_ratio" 2.0 1.0)"
row "(b) cold index, warm cache" "$(fmt_s "$warm_m" "$warm_sd")" "" "$(printf '%.2fx' "$warm_ratio")" "-" "info"
row "(c) re-index, nothing changed" "$(fmt_s "$none_m" "$none_sd")" "" "" "<= 1 s (goal 0.3 s)" "$(verdict "$none_m" 1 0.3)"
row "(d) re-index, one file changed" "$(fmt_s "$one_m" "$one_sd")" "" "" "<= 1.5 s (goal 0.5 s)" "$(verdict "$one_m" 1.5 0.5)"
row "(e) index size / indexed bytes" "$(printf '%.1f%% (%d / %d)' "$size_pct" "$isize" "$bytes")" "" "" \
  "<= 30% (goal 15%)" "$(verdict "$size_pct" 30 15)"
row "(f) peak RSS, cold index" "$(printf '%.2f GiB' "$rss_index_gib")" "" "" "<= 1.5 GiB (goal 1 GiB)" \
  "$(verdict "$rss_index_gib" 1.5 1)"
row "(f) peak RSS, search createElement" "$(printf '%.0f MB' "$rss_search_mb")" "" "" "<= 250 MB (goal 150 MB)" \
  "$(verdict "$rss_search_mb" 250 150)"
row "(g) babel alone, 2 threads" "$(fmt_s "$babel_m" "$babel_sd")" "" "$(printf '%.2fx' "$babel_ratio")" "-" "info"
echo "(a) quarry/ctags in each round: $round_ratios"
echo "(g) parses the $nlisted files (a) analyses, their JS/TS once each, and nothing else: quarry's own work (walk, read,"
echo "    tokens, symbols, cache, index) is the rest of (a), $(printf '%.2f' "$(calc "$cold_m - $babel_m")") s."
if ((${#WARNINGS[@]} > 0)); then
  echo "warnings (the re-index timings above may not measure what they claim):"
  printf '  %s\n' "${WARNINGS[@]}"
fi
