#!/usr/bin/env bash
# bench/card/run.sh BUILD_DIR [ROUNDS] [COUNT]
#
# APDU and signature rates of the virtual card, each printed beside its
# ceiling measured in this same run, interleaved so that both sides see the
# same machine load (nothing is compared with a stored figure; the bench
# never fails on a time):
#   1. in-process: the kernel card vs the trivial do-nothing card, rounds of
#      COUNT APDUs (SELECT JPKI-AP) alternating A B B A ...
#   2. through pcscd + vpcd: both cards plugged at once by the same program
#      and the same VpcdClient (trivial in reader 0, kernel in reader 1,
#      then swapped, so a reader-slot bias would show), one libpcsclite
#      client alternating rounds between them; goal: kernel >= 0.9x trivial.
#      The card process measures the time spent inside the card per
#      instruction (monotonic clock), so the round trip splits into card
#      and transport.
#   3. signatures (RSA-2048 PKCS#1 v1.5, 80 2A): rounds alternating
#      `openssl speed -elapsed -seconds 1 rsa2048` and COUNT_SIGN signatures
#      through PC/SC; prints the card-side cost of one 80 2A (measured inside
#      the card process) against openssl's (goal <= 1.2x), and the
#      end-to-end PC/SC signature rate against openssl's, clearly labelled.
# Each round is printed; summaries are medians, with the spread of the
# per-round ratios. Builds nothing: BUILD_DIR must hold openmyna_card_bench
# (a Release build for figures). Needs root for the isolated pcscd
# (tests/pcsc/with-pcscd.sh). By default (PIN_CPUS=1) pcscd and the client
# run on CPU 0 and the card processes (and openssl speed) on CPU 1
# (taskset): unpinned, the scheduler's placement made one card process 3x
# slower than the other for whole runs, whichever card it was
# (docs/transport.md, "Benchmark"); PIN_CPUS=0 leaves placement free.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [ROUNDS] [COUNT]}
rounds=${2:-10}
count=${3:-1000}
count_sign=${COUNT_SIGN:-200}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bench="$build/bench/card/openmyna_card_bench"
[ -x "$bench" ] || { echo "run.sh: $bench not built" >&2; exit 2; }

echo "== machine: $(nproc) CPUs, $(uptime | sed 's/^ *//')"
echo "== PIN_CPUS=${PIN_CPUS:-1}"
echo "== build: $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" 2>/dev/null || echo unknown)"

echo "== 1. in-process ($rounds rounds of $count APDUs: SELECT JPKI-AP)"
inproc=$("$bench" inprocess-rounds --rounds "$rounds" --count "$count")
echo "$inproc"

# Runs inside the isolated pcscd (with-pcscd.sh).
pcsc_side() {
    set -euo pipefail
    . "$PCSC_LIB"
    local bench=$1 rounds=$2 count=$3 count_sign=$4
    local pin_card=() pin_client=()
    if [ "${PIN_CPUS:-1}" = 1 ]; then
        taskset -pc 0 "$PCSCD_PID" >/dev/null
        pin_card=(taskset -c 1)
        pin_client=(taskset -c 0)
    fi
    card_in() {  # card_in READER: whether opensc-tool shows a card there
        opensc-tool -l 2>/dev/null | grep -q "^$1 *Yes"
    }
    plug_pair() {  # plug_pair CARD_IN_READER_0 CARD_IN_READER_1
        "${pin_card[@]}" "$bench" plug --card "$1" --vpcd 127.0.0.1:35963 \
            >"$PCSC_LOGDIR/$1.out" 2>"$PCSC_LOGDIR/$1.err" &
        PID0=$!
        "${pin_card[@]}" "$bench" plug --card "$2" --vpcd 127.0.0.1:35964 \
            >"$PCSC_LOGDIR/$2.out" 2>"$PCSC_LOGDIR/$2.err" &
        PID1=$!
        for _ in $(seq 200); do
            card_in 0 && card_in 1 && return 0
            sleep 0.05
        done
        echo "cards not present" >&2
        opensc-tool -l >&2
        return 1
    }
    unplug_pair() {
        stop_pid "$PID0"
        stop_pid "$PID1"
        wait_card_absent 5
    }
    local phase first second
    for phase in "trivial kernel" "kernel trivial"; do
        read -r first second <<<"$phase"
        echo "-- reader 0: $first card, reader 1: $second card"
        plug_pair "$first" "$second"
        "${pin_client[@]}" "$bench" pcsc-rounds --labels "$first,$second" \
            --rounds "$rounds" --count "$count"
        if [ "$first" = kernel ]; then
            echo "-- signatures: $rounds rounds of (openssl speed 1 s, $count_sign signatures through PC/SC to reader 0)"
            local r raw raw_cpu e2e
            for r in $(seq "$rounds"); do
                raw=$("${pin_card[@]}" openssl speed -elapsed -seconds 1 rsa2048 2>/dev/null |
                      awk '/^rsa 2048 bits/ { print $6 }')
                e2e=$("${pin_client[@]}" "$bench" pcsc-sign --reader 0 \
                      --count "$count_sign" | awk '{ sub("/s", "", $4); print $4 }')
                raw_cpu=$("${pin_card[@]}" openssl speed -seconds 1 rsa2048 2>/dev/null |
                      awk '/^rsa 2048 bits/ { print $6 }')
                echo "sign round $r: openssl $raw sign/s, PC/SC end to end $e2e sign/s, openssl per CPU second $raw_cpu sign/s"
            done
        fi
        unplug_pair
        sed "s/^/$first card (reader 0) /" "$PCSC_LOGDIR/$first.out"
        sed "s/^/$second card (reader 1) /" "$PCSC_LOGDIR/$second.out"
    done
}
export -f pcsc_side

echo "== 2. through pcscd + vpcd ($rounds rounds of $count APDUs per card and phase, libpcsclite)"
out=$("$root/tests/pcsc/with-pcscd.sh" bash -c 'pcsc_side "$@"' _ \
      "$bench" "$rounds" "$count" "$count_sign")
echo "$out" | grep -v '^sign round' | grep -v 'card-side INS=\(20\|2A\)'

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== 3. signatures (RSA-2048, PKCS#1 v1.5, 80 2A 00 80 with a SHA-256 DigestInfo)"
echo "$out" | grep '^sign round'
raw=$(echo "$out" | awk '/^sign round/ { print $5 }' | median)
e2e=$(echo "$out" | awk '/^sign round/ { print $11 }' | median)
field() {  # field NAME: the value of NAME=… on the kernel card's 2A line
    echo "$out" | awk -v name="$1" '/^kernel card \(reader 0\) card-side INS=2A/ {
        for (i = 1; i <= NF; ++i) if (index($i, name "=") == 1) { sub(name "=", "", $i); print $i } }'
}
card_mean=$(field mean_us)
card_median=$(field median_us)
echo "$out" | grep 'card-side INS=2A'
raw_us=$(awk -v r="$raw" 'BEGIN { printf "%.1f", 1e6 / r }')
echo "openssl speed -elapsed rsa2048 (median of rounds): $raw sign/s = $raw_us us per signature (wall clock, like ours)"
echo "card-side 80 2A inside the card process: mean $card_mean us ($(awk -v u="$card_mean" 'BEGIN { printf "%.0f", 1e6 / u }') sign/s), median $card_median us"
echo "RATIO card-side cost / openssl cost (wall clock): $(ratio "$card_mean" "$raw_us")x on the mean, $(ratio "$card_median" "$raw_us")x on the median (goal <= 1.2)"
raw_cpu=$(echo "$out" | awk '/^sign round/ { print $17 }' | median)
card_cpu=$(field cpu_mean_us)
raw_cpu_us=$(awk -v r="$raw_cpu" 'BEGIN { printf "%.1f", 1e6 / r }')
echo "openssl speed rsa2048 without -elapsed (per CPU second, median of rounds): $raw_cpu sign/s = $raw_cpu_us us CPU per signature"
echo "card-side 80 2A CPU time (thread CPU clock, mean): $card_cpu us"
echo "RATIO card-side CPU cost / openssl CPU cost: $(ratio "$card_cpu" "$raw_cpu_us")x (goal <= 1.2; the figure that holds under load)"
echo "PC/SC end to end (median of rounds, client's wall clock): $e2e sign/s"
echo "RATIO end-to-end PC/SC cost / openssl cost: $(ratio "$raw" "$e2e")x (not the goal's measure: it adds the pcscd + vpcd round trip of a 256-byte answer)"

echo "== summary"
echo "$inproc" | awk '/^inprocess ratio/ { print "RATIO in-process kernel/trivial: " $0 }'
echo "$out" | awk '/^pcsc ratio/ { print "RATIO pcsc kernel/trivial, " ph[++n] ": " $0 }
    BEGIN { ph[1] = "trivial in reader 0"; ph[2] = "kernel in reader 0" }'
echo "$out" | awk '/^pcsc ratio/ { m[++n] = $7 + 0 }
    END { printf "RATIO pcsc kernel/trivial, both phases (geometric mean of the two medians; cancels a reader-slot bias): %.3f\n", sqrt(m[1] * m[2]) }'
echo "(goal >= 0.9; the per-round median is the figure, p10..p90 its spread)"
echo "CPU of each card process per APDU, phase 1 (SELECTs only; includes vpcd client and setup):"
echo "$out" | grep 'card-process' | head -2 | sed 's/^/  /'
echo "card-side time per SELECT (inside the card), phase 1:"
echo "$out" | grep 'card-side INS=A4' | head -2 | sed 's/^/  /'
echo "== end: $(uptime | sed 's/^ *//')"
