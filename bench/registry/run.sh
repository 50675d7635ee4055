#!/usr/bin/env bash
# Runs the registry benchmark on SQLite and on PostgreSQL (throw-away server)
# and prints each figure beside its baseline.
#   bench/registry/run.sh BUILD_DIR/.../registry_bench [RESIDENTS] [PG_RESIDENTS]
set -euo pipefail
bench=$1
residents=${2:-1000000}
pg_residents=${3:-200000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bench" "$tmp/registry.db" --residents "$residents" --lifecycle 200
"$here/../../tests/pg/with-postgres.sh" bash -c \
  "\"$bench\" \"\$OPENMYNA_TEST_PG_URL\" --residents $pg_residents --lifecycle 100"
