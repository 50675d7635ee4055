#!/usr/bin/env bash
# Eligibility checks per second and p99, by card (signature verified in
# process) and by insurance-card data, on SQLite and on PostgreSQL (a
# throw-away server), each beside a raw indexed look-up of the same rows in
# the same database (and, for the card, that floor plus one RSA
# verification), rounds interleaved; goal >= 0.3x the floor, p99 < 20 ms.
#   bench/insurance/run.sh RELEASE_BUILD_DIR [MEMBERSHIPS] [THREADS]
# (RELEASE_BUILD_DIR may also be the insurance_bench binary itself.) Build:
#   scripts/build release --target insurance_bench
set -euo pipefail
bench=$1
[ -d "$bench" ] && bench=$bench/bench/insurance/insurance_bench
memberships=${2:-1000000}
threads=${3:-8}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/insurance-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
"$bench" "$tmp/registry.db" --memberships "$memberships" --threads "$threads"
echo "load after SQLite: $(uptime)"
"$here/../../tests/pg/with-postgres.sh" bash -c \
  "\"$bench\" \"\$OPENMYNA_TEST_PG_URL\" --memberships $memberships --threads $threads"
echo "load after PostgreSQL: $(uptime)"
