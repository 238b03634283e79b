#!/usr/bin/env bash
# search-correctness.sh — does `quarry search` find exactly the files ripgrep finds?
#
# Usage: bench/search-correctness.sh [CORPUS_DIR]
#   CORPUS_DIR  default: whatever ../shared/bench/corpus.sh prints (/tmp/quarry-corpus/node_modules)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#   env EXAMPLES=5         example paths shown per query and side when they disagree
#   env QUERIES="a b" CASE_QUERIES="c"   replace the built-in query lists
#
# For compound identifiers (camelCase, so quarry's identifier-part matching cannot add
# files) a plain query must equal `rg -l -w -i WORD`, and `case:yes WORD` must equal
# `rg -l -w WORD`, on the files quarry indexed:
#   I       = every indexed file (`quarry search --files --limit 0 'path:**'`)
#   Q       = quarry search --files --limit 0 QUERY            (exit 1 = no files)
#   R       = rg -l -w [-i] WORD over the corpus (rg's own walk: skips hidden files like
#             quarry; honours .gitignore only inside git, so it may search more)
#   R∩I     = rg run on exactly the files in I (explicit paths, so no rg ignore rule can
#             hide an indexed file); this is the reference for Q
#   skipped = R minus I: files rg matched that quarry did not index, counted by the reason
#             in `quarry index --json` .data.skippedFiles ("not-walked" if not listed)
#   mismatches = |Q - R∩I| + |R∩I - Q|
# Prints a row per query, examples (with the matching line) for every disagreement, and
# `mismatches: N`. Exit 1 if N > 0, 2 if a tool fails.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need rg jq node

C=$(corpus_dir "${1:-}")
EXAMPLES=${EXAMPLES:-5}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-correctness.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# Compound identifiers that occur in the corpus (checked with rg); the second list is also
# run case-sensitively — each has case variants here (forwardRef/ForwardRef, ...).
DEFAULT_QUERIES=(useLayoutEffect createElement readFileSync addEventListener getElementById
  hasOwnProperty defineProperty parseExpression getOwnPropertyNames createTextNode
  querySelector setTimeout isArray getPrototypeOf requestAnimationFrame useState
  forwardRef ChangeDetectorRef BufferGeometry toLowerCase)
DEFAULT_CASE_QUERIES=(forwardRef ChangeDetectorRef addEventListener querySelector setTimeout)
if [[ -n "${QUERIES+set}" ]]; then read -r -a QUERIES <<<"$QUERIES"; else QUERIES=("${DEFAULT_QUERIES[@]}"); fi
if [[ -n "${CASE_QUERIES+set}" ]]; then read -r -a CASE_QUERIES <<<"$CASE_QUERIES"; else CASE_QUERIES=("${DEFAULT_CASE_QUERIES[@]}"); fi

ensure_index "$C" "$TMP/index.json"
# path<TAB>reason for every file quarry skipped by rule.
jq -r '.data.skippedFiles // [] | .[] | "\(.path)\t\(.reason)"' "$TMP/index.json" | sort -t $'\t' -k1,1 >"$TMP/skipped.tsv"

rc=0
"${QCMD[@]}" search --root "$C" --files --limit 0 'path:**' >"$TMP/I.raw" 2>"$TMP/err" || rc=$?
((rc == 0)) || { cat "$TMP/err" >&2; die "quarry search 'path:**' failed (exit $rc)"; }
sort -u "$TMP/I.raw" >"$TMP/I"
nI=$(wc -l <"$TMP/I")
nFiles=$(jq -r .data.files "$TMP/index.json")
[[ "$nI" == "$nFiles" ]] || echo "warning: 'path:**' lists $nI files but the index reports $nFiles" >&2
note "$nI indexed files, $(wc -l <"$TMP/skipped.tsv") skipped by rule"

# rg_on_indexed ARGS...: rg ARGS over exactly the indexed files (relative paths, from C).
# xargs splits the list over several rg runs; rg exits 1 when a batch has no match, so
# xargs' status cannot tell "no match" from an error: judge by stderr instead.
rg_on_indexed() {
  (cd -- "$C" && xargs -d '\n' -a "$TMP/I" rg --no-config "$@" --) 2>"$TMP/rgerr" || true
  if [[ -s "$TMP/rgerr" ]]; then echo "rg reported errors:" >&2; head -n 5 "$TMP/rgerr" >&2; exit 2; fi
}

# show_line FILE RGFLAGS WORD: the first line of FILE that rg matches, cut to 150 chars.
show_line() {
  local f=$1 flags=$2 w=$3 line
  # shellcheck disable=SC2086 # flags are deliberately split
  line=$(cd -- "$C" && rg --no-config -n -m 1 $flags -e "$w" -- "$f" 2>/dev/null | head -n 1 | cut -c1-150) || true
  printf "%s" "${line:-(no line matches rg $flags $w: a path match?)}"
}

total=0
declare -a ROWS=() DETAILS=()
declare -A REASONS=() # reason -> rg hits in skipped files, summed over queries

# check LABEL QUARRY_QUERY WORD RG_CASE_FLAG
check() {
  local label=$1 query=$2 word=$3 cf=$4 rc=0 nQ nR nRI nS nQo nRo why reasons=""
  "${QCMD[@]}" search --root "$C" --files --limit 0 "$query" >"$TMP/Q.raw" 2>"$TMP/err" || rc=$?
  if ((rc > 1)); then cat "$TMP/err" >&2; die "quarry search --files --limit 0 '$query' failed (exit $rc)"; fi
  sort -u "$TMP/Q.raw" >"$TMP/Q"

  rc=0
  # shellcheck disable=SC2086 # $cf is empty or -i
  (cd -- "$C" && rg --no-config -l -w $cf -e "$word") >"$TMP/R.raw" 2>"$TMP/rgerr" || rc=$?
  if ((rc > 1)); then
    # rg exits 2 when any file failed (e.g. unreadable) even if it found matches.
    echo "warning: rg -l -w $cf $word exited $rc: $(head -n 3 "$TMP/rgerr")" >&2
  fi
  sort -u "$TMP/R.raw" >"$TMP/R"
  # shellcheck disable=SC2086
  rg_on_indexed -l -w $cf -e "$word" | sort -u >"$TMP/RI"

  comm -23 "$TMP/R" "$TMP/I" >"$TMP/S"   # rg hits quarry did not index
  comm -23 "$TMP/Q" "$TMP/RI" >"$TMP/Qo"  # quarry only
  comm -13 "$TMP/Q" "$TMP/RI" >"$TMP/Ro"  # rg only
  nQ=$(wc -l <"$TMP/Q"); nR=$(wc -l <"$TMP/R"); nRI=$(wc -l <"$TMP/RI"); nS=$(wc -l <"$TMP/S")
  nQo=$(wc -l <"$TMP/Qo"); nRo=$(wc -l <"$TMP/Ro")

  # Skipped hits by reason.
  if ((nS > 0)); then
    while IFS=$'\t' read -r _ why; do
      why=${why:-not-walked}
      REASONS[$why]=$((${REASONS[$why]:-0} + 1))
    done < <(join -t $'\t' -a 1 "$TMP/S" "$TMP/skipped.tsv")
    reasons=$(join -t $'\t' -a 1 "$TMP/S" "$TMP/skipped.tsv" | awk -F'\t' '{r = ($2 == "" ? "not-walked" : $2); n[r]++}
      END {for (k in n) printf "%s%s %d", (s++ ? ", " : ""), k, n[k]}')
  fi
  # Indexed files rg's own walk did not search (rg ignore files); informational.
  local walkgap
  walkgap=$(comm -13 "$TMP/R" "$TMP/RI" | wc -l)

  total=$((total + nQo + nRo))
  local row
  row=$(printf '%-28s %7d %7d %7d %-34s %6d %6d' "$label" "$nQ" "$nRI" "$nS" "${reasons:-}" "$nQo" "$nRo")
  ((walkgap == 0)) || row+="  ($walkgap matching indexed files are outside rg's walk)"
  ROWS+=("$row")

  if ((nQo + nRo > 0)); then
    local d="--- $label: quarry-only $nQo, rg-only $nRo"$'\n' f
    while read -r f; do d+="  quarry only: $f"$'\n'"      $(show_line "$f" "-i" "$word")"$'\n'
    done < <(head -n "$EXAMPLES" "$TMP/Qo")
    while read -r f; do d+="  rg only:     $f"$'\n'"      $(show_line "$f" "-w $cf" "$word")"$'\n'
    done < <(head -n "$EXAMPLES" "$TMP/Ro")
    DETAILS+=("$d")
  fi
  note "$label: quarry $nQ, rg∩I $nRI, rg in skipped $nS, mismatches $((nQo + nRo))"
}

for w in ${QUERIES[@]+"${QUERIES[@]}"}; do check "$w" "$w" "$w" -i; done
for w in ${CASE_QUERIES[@]+"${CASE_QUERIES[@]}"}; do check "case:yes $w" "case:yes $w" "$w" ""; done

echo
echo "quarry search vs rg -l -w [-i] — corpus $C ($nI indexed files)"
echo "quarry = files quarry found; rg∩I = files rg finds among the indexed ones;"
echo "skipped = rg hits in files quarry did not index (by reason); q-only/rg-only = mismatches"
printf '%-28s %7s %7s %7s %-34s %6s %6s\n' query quarry "rg∩I" skipped "skipped by reason" q-only rg-only
printf '%.0s-' {1..110}; echo
for r in "${ROWS[@]}"; do echo "$r"; done
if ((${#REASONS[@]} > 0)); then
  printf 'rg hits in skipped files, all queries:'
  for k in "${!REASONS[@]}"; do printf ' %s %d;' "$k" "${REASONS[$k]}"; done
  echo
fi
if ((${#DETAILS[@]} > 0)); then
  echo
  echo "disagreements (up to $EXAMPLES paths per side; the line is rg's first match in that file):"
  for d in "${DETAILS[@]}"; do printf '%s' "$d"; done
fi
echo "mismatches: $total"
((total == 0)) || exit 1
