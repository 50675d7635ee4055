#!/usr/bin/env bash
# Eligibility checks per second and p99, by card (signature verified in
# process) and by insurance-card data, on SQLite and on PostgreSQL (a
# throw-away server), each beside a raw indexed look-up of the same rows in
# the same database (and, for the card, that floor plus one RSA
# verification), rounds interleaved; goal >= 0.3x the floor, p99 < 20 ms.
# Beside it, not instead: the floor plus one durable audit insert per check
# by a plain writer thread (raw_audit_writer.h), what the audit rule alone
# costs on this disk.
#   bench/insurance/run.sh RELEASE_BUILD_DIR [MEMBERSHIPS] [THREADS[,THREADS...]]
# (1 thread, then each count: default 8,64 — `serve --threads 64` as in
# docs/scale.md; every check waits for the COMMIT of its audit entry, so the
# concurrency sets how many share one.)
# (RELEASE_BUILD_DIR may also be the insurance_bench binary itself.) Build:
#   scripts/build release --target insurance_bench
set -euo pipefail
. "$(dirname "$0")/../lib/program.sh"
bench_program "${1:-}" bench/insurance/insurance_bench
memberships=${2:-1000000}
threads=${3:-8,64}
bench_tmp insurance-bench
echo "load before: $(uptime)"
"$bench" "$tmp/registry.db" --memberships "$memberships" --threads "$threads"
echo "load after SQLite: $(uptime)"
bench_on_postgres --memberships "$memberships" --threads "$threads"
echo "load after PostgreSQL: $(uptime)"
