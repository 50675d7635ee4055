#!/usr/bin/env bash
# bench/ocsp/run.sh BUILD_DIR [--smoke]
#
# OCSP requests/s and latency of `openmyna serve --only ocsp` beside the
# baseline `openssl ocsp -index … -multi 2` (anchors.md §3.1: 4.4k req/s),
# measured in this same run on the same data:
#   - the same sandbox CA and delegated OCSP responder key/certificate,
#   - the same population (100,000 certificates, 10% revoked; the openssl
#     index.txt has the same serials, times and reasons),
#   - the same load generator (ocsp_loadgen: 4 connections, pre-built DER
#     POST requests, keep-alive when the server allows it) and duration.
# Prints both lines and the ratios (goal: >= 10x req/s, our p99 < 5 ms).
# Our responder runs with one server thread per core and is measured with
# a WARM cache: every certificate's response was pre-signed before the
# rounds start (the log line "pre-signed N ... in T ms" is printed), so
# the measured requests are cache hits — the script prints the server's
# own count of cache hits vs live signatures. One short run while the
# cache is still cold (live signing on misses) is printed too.
# `openssl ocsp` signs every response. Rounds alternate the two sides
# (OCSP_BENCH_ROUNDS, default 3); median and best are printed, ratios use
# the medians. Client and servers share this machine's cores: figures
# are lower bounds.
# Measured 2026-11-26 (RelWithDebInfo, 2 vCPUs, load ~1): 24,980 vs
# 1,684 req/s = 14.8x, our p99 0.40 ms; pre-signing 100,000 took 48.5 s on
# 2 threads. Under load 5-8: 14.7x, p99 3.05 ms (docs/revocation.md).
# Builds nothing: BUILD_DIR must hold src/cli/openmyna,
# bench/ocsp/revocation_bench_setup and bench/ocsp/ocsp_loadgen (a release
# build: `scripts/build release`).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
. "$(dirname "$0")/../lib/servers.sh"
bench_ocsp_programs "$build"
count=${OCSP_BENCH_COUNT:-100000}; requests=20000; seconds=${OCSP_BENCH_SECONDS:-5}; connections=4
if [ "$smoke" = 1 ]; then count=500; requests=200; seconds=1; fi

bench_begin openmyna-ocsp-bench

cores=$(nproc)
rounds=${OCSP_BENCH_ROUNDS:-3}
[ "$smoke" = 1 ] && rounds=1
echo "== load before: $(uptime)"
echo "== setup: $count certificates (10% revoked), $requests requests"
"$setup" "$work/sandbox" "$count" 10 "$requests"
ca="$work/sandbox/ca/sign-ca-g1.pem"
rsigner="$work/sandbox/ca/sign-ocsp-g1.pem"
rkey="$work/sandbox/ca/sign-ocsp-g1.key"

# 1. OpenMyna, $cores server threads. It answers at once (live signing on
#    a miss) while it pre-signs every certificate in the background on
#    $cores threads; the measurement starts when the log says pre-signing
#    is done, i.e. with a warm cache, as a responder runs in real life.
port=$(bench_free_port)
bench_serve "$openmyna" "$work/sandbox" "$port" "$work/serve.log" ocsp
ours_pid=$serve_pid
# Answering (before pre-signing ends)?
bench_wait_ocsp "$port" /ocsp/sign "$work/sandbox/bench/requests.bin"
first=$("$loadgen" "$port" /ocsp/sign "$work/sandbox/bench/requests.bin" 1 1)
echo "openmyna while pre-signing (cold cache, live signing on misses): $first"
bench_wait_presigned "$work/serve.log"

# 2. The baseline on the same data, running at the same time (idle while
#    the other side is measured).
port2=$(bench_free_port)
openssl ocsp -index "$work/sandbox/bench/index.txt" -port "$port2" \
  -rsigner "$rsigner" -rkey "$rkey" -CA "$ca" -nmin 60 -multi 2 \
  >"$work/openssl.log" 2>&1 &
bench_track $!
# Ready when a real OCSP request is answered.
bench_wait_ocsp "$port2" / "$work/sandbox/bench/requests.bin" ||
  { cat "$work/openssl.log" >&2; exit 1; }

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ours_rps=""; ours_p99=""; base_rps=""; base_p99=""; errors=0
for r in $(seq 1 "$rounds"); do
  base=$("$loadgen" "$port2" / "$work/sandbox/bench/requests.bin" \
    "$connections" "$seconds")
  echo "round $r: openssl ocsp -multi 2 (signs per request): $base"
  ours=$("$loadgen" "$port" /ocsp/sign "$work/sandbox/bench/requests.bin" \
    "$connections" "$seconds")
  echo "round $r: openmyna serve ($cores threads, pre-signed):  $ours"
  ours_rps+=" $(field rps "$ours")"; ours_p99+=" $(field p99_ms "$ours")"
  base_rps+=" $(field rps "$base")"; base_p99+=" $(field p99_ms "$base")"
  errors=$(( errors + $(field errors "$ours") + $(field errors "$base") ))
  grep -q "requests=0 " <<<"$base" && cat "$work/openssl.log" >&2
done
bench_stop "$ours_pid"
echo "openmyna cache: $(grep "OCSP: " "$work/serve.log" | sed 's/.*\] //')"

stats() {  # "v1 v2 ..." -> "median min max"
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
    { v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s %s %s\n", m, v[1], v[NR] }'
}
read -r o_med _ o_best < <(stats "$ours_rps")
read -r b_med _ b_best < <(stats "$base_rps")
read -r op99_med op99_best _ < <(stats "$ours_p99")
read -r bp99_med _ _ < <(stats "$base_p99")
echo "== $count certificates, $connections connections, $rounds x ${seconds} s (median / best)"
echo "openmyna: ${o_med} / ${o_best} req/s, p99 ${op99_med} / ${op99_best} ms"
echo "openssl:  ${b_med} / ${b_best} req/s, p99 ${bp99_med} ms"
ratio=$(awk -v a="$o_med" -v b="$b_med" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
ratio_best=$(awk -v a="$o_best" -v b="$b_best" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
echo "ratio requests/s openmyna/openssl: ${ratio}x median, ${ratio_best}x best (goal >= 10x)"
echo "p99 openmyna: ${op99_med} ms median (goal < 5 ms); openssl: ${bp99_med} ms"
echo "== load after: $(uptime)"
[ "$errors" = 0 ] || { echo "run.sh: $errors failed requests" >&2; exit 1; }
