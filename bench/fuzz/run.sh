#!/usr/bin/env bash
# bench/fuzz/run.sh FUZZER [BASELINE] [ROUNDS] [RUNS] [REPEAT]
#
# Executions per CPU second of the APDU-sequence fuzzer (card_apdu_fuzzer of
# the `fuzz` preset) on its committed corpus, beside a baseline measured in
# this same run. The two are interleaved A B, B A, ... so that both see the
# same machine load, and timed in CPU seconds (user + sys of the fuzzer
# process, /usr/bin/time), which hold on a shared machine where wall time
# does not. Nothing is compared with a stored figure; the bench never fails
# on a time.
#
#   BASELINE  another card_apdu_fuzzer binary (e.g. one built from main), or
#             "fresh" (default): FUZZER itself with OPENMYNA_FUZZ_FRESH_CARD=1,
#             a new card per input instead of Card::ResetTo
#   1. replay: every corpus file REPEAT times (libFuzzer's individual-file
#      mode: harness and card only, the same inputs for both sides); the
#      start-up (three RSA-2048 key generations) is removed by subtracting
#      a run with REPEAT = 1
#   2. fuzzing: -runs=RUNS -seed=1 on a fresh copy of the corpus, as a long
#      run does (mutation, coverage bookkeeping, leak checks); start-up
#      included. The two sides explore differently once their coverage
#      differs, so this figure is noisier than the replay.
# Prints each measurement, then the medians and RATIO lines
# (FUZZER / BASELINE, > 1 = FUZZER is faster).
set -euo pipefail
fuzzer=${1:?usage: run.sh FUZZER [BASELINE|fresh] [ROUNDS] [RUNS] [REPEAT]}
baseline=${2:-fresh}
rounds=${3:-2}
runs=${4:-30000}
repeat=${5:-20}
here=$(cd "$(dirname "$0")" && pwd)
corpus="$here/../../src/card/fuzz/corpus/apdu_sequence"
[ -x "$fuzzer" ] || { echo "run.sh: $fuzzer is not an executable" >&2; exit 2; }
[ "$baseline" = fresh ] || [ -x "$baseline" ] ||
    { echo "run.sh: baseline $baseline is not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (package time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
files=("$corpus"/*)
nfiles=${#files[@]}

echo "== machine: $(nproc) CPUs, $(uptime | sed 's/^ *//')"
echo "== corpus: $nfiles inputs, $(du -sh "$corpus" | cut -f1); replay x$repeat, fuzzing -runs=$runs"
echo "== FUZZER: $fuzzer (Card::ResetTo)"
if [ "$baseline" = fresh ]; then
    echo "== BASELINE: the same binary with OPENMYNA_FUZZ_FRESH_CARD=1"
else
    echo "== BASELINE: $baseline"
fi

# cpu SIDE ARGS...: runs the fuzzer of SIDE (fuzzer|baseline), prints the
# CPU seconds it used.
cpu() {
    local side=$1 bin=$fuzzer
    shift
    local -a env=()
    if [ "$side" = baseline ]; then
        if [ "$baseline" = fresh ]; then
            env=(OPENMYNA_FUZZ_FRESH_CARD=1)
        else
            bin=$baseline
        fi
    fi
    env "${env[@]}" /usr/bin/time -f '%U %S' -o "$work/time" \
        "$bin" "$@" >"$work/out" 2>&1 ||
        { echo "run.sh: $side failed:" >&2; tail -n 20 "$work/out" >&2; exit 1; }
    awk '{ printf "%.2f", $1 + $2 }' "$work/time"
}

measure() {  # measure SIDE: one replay and one fuzzing measurement
    local side=$1 once many rate
    once=$(cpu "$side" -runs=1 "${files[@]}")
    many=$(cpu "$side" -runs="$((repeat + 1))" "${files[@]}")
    rate=$(awk -v n="$((nfiles * repeat))" -v a="$many" -v b="$once" \
        'BEGIN { printf "%.0f", n / (a - b) }')
    echo "replay $side: $((nfiles * repeat)) executions in $(awk -v a="$many" -v b="$once" 'BEGIN { printf "%.2f", a - b }') CPU s (start-up run $once s) = $rate exec per CPU-s"
    rm -rf "$work/corpus"
    cp -r "$corpus" "$work/corpus"
    many=$(cpu "$side" -runs="$runs" -seed=1 "$work/corpus")
    rate=$(awk -v n="$runs" -v a="$many" 'BEGIN { printf "%.0f", n / a }')
    echo "fuzzing $side: $runs executions in $many CPU s = $rate exec per CPU-s ($(grep -o 'cov: [0-9]*' "$work/out" | tail -n 1))"
}

results=""
for r in $(seq "$rounds"); do
    if [ $((r % 2)) = 1 ]; then order="fuzzer baseline"; else order="baseline fuzzer"; fi
    for side in $order; do
        line=$(measure "$side")
        echo "$line"
        results+="$line"$'\n'
    done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rates() {  # rates MODE SIDE: the exec-per-CPU-s figures of those lines
    echo "$results" | awk -v m="$1" -v s="$2:" '$1 == m && $2 == s {
        for (i = 3; i < NF; ++i) if ($i == "exec" && $(i + 1) == "per") print $(i - 1) }'
}
echo "== summary (medians of $rounds rounds)"
for mode in replay fuzzing; do
    a=$(echo "$results" | rates "$mode" fuzzer | median)
    b=$(echo "$results" | rates "$mode" baseline | median)
    echo "$mode: FUZZER $a, BASELINE $b exec per CPU-s"
    echo "RATIO $mode FUZZER/BASELINE: $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')x"
done
echo "== end: $(uptime | sed 's/^ *//')"
