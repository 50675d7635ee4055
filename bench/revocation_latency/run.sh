#!/usr/bin/env bash
# bench/revocation_latency/run.sh BUILD_DIR [--smoke]
#
# How long a revocation takes to reach the answers of a running
# `openmyna serve --only ocsp,crl` under OCSP load (issue 13 item 3 goals:
# OCSP within 1 s, CRL within 5 s, at p99), and the cost of finding it:
#   - a sandbox of COUNT signature certificates of one municipality, 10 %
#     revoked (bench/ocsp/revocation_bench_setup, as the OCSP bench);
#   - serve with one thread per core, pre-signed OCSP cache (waited for);
#   - load: ocsp_loadgen, 4 keep-alive connections of OCSP POSTs, for the
#     whole run;
#   - revocation_latency_probe: SAMPLES revocations one after another
#     through its own store connection (another process, as `ca revoke`),
#     each polled every 10 ms over HTTP until OpenSSL reads it in the OCSP
#     answer and finds it in the CRL; p50 / p99 / max printed;
#   - the baseline on the same data in the same run: one round of change
#     detection by the store's change counter beside the old walk of every
#     revoked entry of the partition (the ratio printed).
# Builds nothing: BUILD_DIR must hold src/cli/openmyna,
# bench/ocsp/revocation_bench_setup, bench/ocsp/ocsp_loadgen and
# bench/revocation_latency/revocation_latency_probe.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
openmyna="$build/src/cli/openmyna"
setup="$build/bench/ocsp/revocation_bench_setup"
loadgen="$build/bench/ocsp/ocsp_loadgen"
probe="$build/bench/revocation_latency/revocation_latency_probe"
for b in "$openmyna" "$setup" "$loadgen" "$probe"; do
  [ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 2; }
done
count=${REVOCATION_BENCH_COUNT:-100000}
samples=${REVOCATION_BENCH_SAMPLES:-50}
[ "$smoke" = 1 ] && { count=500; samples=3; }

. "$(dirname "$0")/../lib/servers.sh"
bench_begin openmyna-revocation-bench

echo "== load before: $(uptime)"
echo "== setup: $count certificates (10% revoked)"
"$setup" "$work/sandbox" "$count" 10 20000
port=$(bench_free_port)
bench_serve "$openmyna" "$work/sandbox" "$port" "$work/serve.log" ocsp,crl
bench_wait_presigned "$work/serve.log"

# The load: closed-loop OCSP requests on 4 connections for the whole run.
( while :; do "$loadgen" "$port" /ocsp/sign "$work/sandbox/bench/requests.bin" 4 5 \
      >> "$work/load.txt" || true; done ) &
bench_track $!
sleep 1
status=0
"$probe" "$work/sandbox" "$port" "$samples" | tee "$work/probe.txt" || status=$?
echo "load during the run (ocsp_loadgen, 5 s windows):"
sed 's/^/  /' "$work/load.txt"
echo "== load after: $(uptime)"
field() { sed -n "s/.*$1 .*$2=\([0-9.]*\).*/\1/p" "$work/probe.txt"; }
ocsp_p99=$(field "OCSP answer:" p99_ms)
crl_p99=$(field "CRL:" p99_ms)
echo "goals: OCSP p99 ${ocsp_p99} ms (goal <= 1000), CRL p99 ${crl_p99} ms (goal <= 5000)"
exit $status
