#!/usr/bin/env bash
# Runs the registry benchmark on SQLite and on PostgreSQL (throw-away server)
# and prints each figure beside its baseline (raw rows / raw key reads in the
# same database, interleaved round by round with the registry's figures).
#   bench/registry/run.sh RELEASE_BUILD_DIR [RESIDENTS] [PG_RESIDENTS]
# (RELEASE_BUILD_DIR may also be the registry_bench binary itself.)
set -euo pipefail
bench=$1
[ -d "$bench" ] && bench=$bench/bench/registry/registry_bench
residents=${2:-1000000}
pg_residents=${3:-1000000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/registry-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "load before: $(uptime)"
"$bench" "$tmp/registry.db" --residents "$residents" --lifecycle 200 --concurrent 64
echo "load after SQLite: $(uptime)"
"$here/../../tests/pg/with-postgres.sh" bash -c \
  "\"$bench\" \"\$OPENMYNA_TEST_PG_URL\" --residents $pg_residents --lifecycle 100 --concurrent 64"
echo "load after PostgreSQL: $(uptime)"
