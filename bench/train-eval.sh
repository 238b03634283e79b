#!/usr/bin/env bash
# train-eval.sh — quarry train's targets: held-out MRR@10 of the model against plain BM25F on each package's own
# test split, transfer to packages the model never saw, train time, and determinism.
#
# Usage: bench/train-eval.sh [CORPUS_DIR]
#   CORPUS_DIR  default: whatever ../shared/bench/corpus.sh prints (/tmp/quarry-corpus/node_modules)
#   env QUARRY="cmd ..."   quarry command (default: node <repo>/bin/quarry.js)
#   env TRAIN=webpack EVAL="eslint rxjs"   the package trained on for transfer, and the ones evaluated
#   env SEED=1
#
# For every package: `quarry index` (incremental) and `quarry train --json` (writes <pkg>/.quarry/model.msgpack
# when the model beats BM25F on validation). Then the TRAIN package's model is measured with
# `quarry train --eval-model` on each EVAL package. eslint is trained twice with the same seed and the two model
# files compared byte for byte. Take /tmp/quarry-bench.lock around it (flock) when others time things.
# Exit status: 0 unless a command fails; a missed target is reported, not an error.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
need jq bc node sha256sum

C=$(corpus_dir "${1:-}")
TRAIN=${TRAIN:-webpack}
EVAL=${EVAL:-eslint rxjs}
SEED=${SEED:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/quarry-train-eval.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

declare -a ROWS=()
row() { table_row 42 14 8 28 7 -- "$@"; }
# rel_gain MODEL BASE: relative change in percent.
rel_gain() { bc -l <<<"($1 - $2) / $2 * 100"; }
# verdict_hi VALUE MUST GOAL: higher is better.
verdict_hi() {
  if (($(bc -l <<<"$1 >= $3"))); then echo "goal"
  elif (($(bc -l <<<"$1 >= $2"))); then echo "ok"
  else echo "MISS"; fi
}

for pkg in $TRAIN $EVAL; do
  [[ -d "$C/$pkg" ]] || die "$C/$pkg not found"
  ensure_index "$C/$pkg" "$TMP/index-$pkg.json"
done

for pkg in $TRAIN $EVAL; do
  note "train on $pkg"
  start=$(date +%s%N)
  "${QCMD[@]}" train --root "$C/$pkg" --seed "$SEED" --json >"$TMP/train-$pkg.json" || die "quarry train on $pkg failed (exit $?)"
  ms=$((($(date +%s%N) - start) / 1000000))
  echo "$ms" >"$TMP/ms-$pkg"
  read -r base model lo hi n saved < <(jq -r '.data as $d | "\($d.test.bm25f.mrr) \($d.test.model.mrr) \($d.test.diff.mrr.lo) \($d.test.diff.mrr.hi) \($d.test.queries) \($d.saved)"' "$TMP/train-$pkg.json")
  g=$(rel_gain "$model" "$base")
  ROWS+=("$(row "MRR@10 $pkg test split ($n q)" "$(printf '%.3f→%.3f' "$base" "$model")" "$(printf '%+.1f%%' "$g")" "Δ [$(printf '%+.3f, %+.3f' "$lo" "$hi")] saved=$saved" "$(verdict_hi "$g" 10 20)")")
done

MODEL="$C/$TRAIN/.quarry/model.msgpack"
if [[ -f "$MODEL" ]]; then
  for pkg in $EVAL; do
    note "model of $TRAIN on $pkg"
    "${QCMD[@]}" train --root "$C/$pkg" --eval-model "$MODEL" --seed "$SEED" --json >"$TMP/transfer-$pkg.json" || die "quarry train --eval-model on $pkg failed"
    read -r base model lo hi n < <(jq -r '.data as $d | "\($d.bm25f.mrr) \($d.model.mrr) \($d.diff.mrr.lo) \($d.diff.mrr.hi) \($d.queries)"' "$TMP/transfer-$pkg.json")
    g=$(rel_gain "$model" "$base")
    ROWS+=("$(row "MRR@10 $TRAIN→$pkg transfer ($n q)" "$(printf '%.3f→%.3f' "$base" "$model")" "$(printf '%+.1f%%' "$g")" "Δ [$(printf '%+.3f, %+.3f' "$lo" "$hi")]" "$(verdict_hi "$g" 0 10)")")
  done
else
  ROWS+=("$(row "transfer from $TRAIN" "-" "-" "no model saved on $TRAIN" "-")")
fi

if [[ -f "$TMP/ms-eslint" ]]; then
  s=$(bc -l <<<"$(cat "$TMP/ms-eslint") / 1000")
  ROWS+=("$(row "train time, eslint (whole process)" "$(printf '%.2f s' "$s")" "" "must ≤ 60 s, goal ≤ 30 s" "$(verdict "$s" 60 30)")")
  note "determinism: eslint again with seed $SEED"
  if [[ -f "$C/eslint/.quarry/model.msgpack" ]]; then
    a=$(sha256sum "$C/eslint/.quarry/model.msgpack" | cut -d' ' -f1)
    "${QCMD[@]}" train --root "$C/eslint" --seed "$SEED" --json >/dev/null
    b=$(sha256sum "$C/eslint/.quarry/model.msgpack" | cut -d' ' -f1)
    ROWS+=("$(row "same seed → same model bytes" "${a:0:12}" "${b:0:12}" "" "$([[ $a == "$b" ]] && echo ok || echo MISS)")")
  fi
fi

echo
row "target" "BM25F→model" "change" "95% CI of Δ / note" "verdict"
printf '%s\n' "${ROWS[@]}"
