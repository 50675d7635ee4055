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
# Client and servers share this machine's cores: figures are lower bounds.
# Builds nothing: BUILD_DIR must hold src/cli/openmyna,
# bench/ocsp/revocation_bench_setup and bench/ocsp/ocsp_loadgen (a release
# build: `scripts/build release`).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
openmyna="$build/src/cli/openmyna"
setup="$build/bench/ocsp/revocation_bench_setup"
loadgen="$build/bench/ocsp/ocsp_loadgen"
for b in "$openmyna" "$setup" "$loadgen"; do
  [ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 2; }
done
count=${OCSP_BENCH_COUNT:-100000}; requests=20000; seconds=${OCSP_BENCH_SECONDS:-10}; connections=4
if [ "$smoke" = 1 ]; then count=500; requests=200; seconds=1; fi

work=$(mktemp -d /tmp/openmyna-ocsp-bench.XXXXXX)
pids=()
stop() {  # stop PID and its children (`openssl ocsp -multi` forks and
          # ignores SIGTERM in the parent)
  local kids
  kids=$(pgrep -P "$1" || true)
  kill -TERM "$1" $kids 2>/dev/null || true
  sleep 0.2
  kill -KILL "$1" $kids 2>/dev/null || true
}
cleanup() {
  for p in "${pids[@]}"; do stop "$p"; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "== setup: $count certificates (10% revoked), $requests requests"
"$setup" "$work/sandbox" "$count" 10 "$requests"
ca="$work/sandbox/ca/sign-ca-g1.pem"
rsigner="$work/sandbox/ca/sign-ocsp-g1.pem"
rkey="$work/sandbox/ca/sign-ocsp-g1.key"

# 1. OpenMyna: wait until every response is pre-signed (the log says so).
port=$(free_port)
"$openmyna" --data "$work/sandbox" --log-level info serve --only ocsp \
  --port "$port" --threads 2 >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 1200); do
  grep -q "pre-signed" "$work/serve.log" && break
  sleep 0.1
done
grep "pre-signed" "$work/serve.log" | sed 's/.*\] //' || {
  echo "run.sh: the responder did not finish pre-signing" >&2
  cat "$work/serve.log" >&2; exit 1; }
ours=$("$loadgen" "$port" /ocsp/sign "$work/sandbox/bench/requests.bin" \
  "$connections" "$seconds")
echo "openmyna serve (2 threads, pre-signed): $ours"
kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# 2. The baseline on the same data.
port=$(free_port)
openssl ocsp -index "$work/sandbox/bench/index.txt" -port "$port" \
  -rsigner "$rsigner" -rkey "$rkey" -CA "$ca" -nmin 60 -multi 2 \
  >"$work/openssl.log" 2>&1 &
pids+=($!)
# Ready when a real OCSP request is answered.
for _ in $(seq 1 100); do
  "$loadgen" "$port" / "$work/sandbox/bench/requests.bin" 1 0.01 |
    grep -q "errors=0" && break
  sleep 0.2
done
base=$("$loadgen" "$port" / "$work/sandbox/bench/requests.bin" \
  "$connections" "$seconds")
echo "openssl ocsp -multi 2 (signs per request): $base"
grep -q "requests=0 " <<<"$base" && cat "$work/openssl.log" >&2

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio=$(awk -v a="$(field rps "$ours")" -v b="$(field rps "$base")" \
  'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
echo "ratio requests/s openmyna/openssl: ${ratio}x (goal >= 10x)"
echo "p99 openmyna: $(field p99_ms "$ours") ms (goal < 5 ms); openssl: $(field p99_ms "$base") ms"
errors=$(( $(field errors "$ours") + $(field errors "$base") ))
[ "$errors" = 0 ] || { echo "run.sh: $errors failed requests" >&2; exit 1; }
