#!/usr/bin/env bash
# Runs the registry benchmark on SQLite and on PostgreSQL (throw-away server)
# and prints each figure beside its baseline (raw rows / raw key reads in the
# same database, interleaved round by round with the registry's figures).
#   bench/registry/run.sh RELEASE_BUILD_DIR [RESIDENTS] [PG_RESIDENTS]
# (RELEASE_BUILD_DIR may also be the registry_bench binary itself.)
set -euo pipefail
. "$(dirname "$0")/../lib/program.sh"
bench_program "${1:-}" bench/registry/registry_bench
residents=${2:-1000000}
pg_residents=${3:-1000000}
bench_tmp registry-bench
echo "load before: $(uptime)"
"$bench" "$tmp/registry.db" --residents "$residents" --lifecycle 200 --concurrent 64
echo "load after SQLite: $(uptime)"
bench_on_postgres --residents "$pg_residents" --lifecycle 100 --concurrent 64
echo "load after PostgreSQL: $(uptime)"
