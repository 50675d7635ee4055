#!/usr/bin/env bash
# Checks tests/pg/with-postgres.sh: the wrapped command sees a live server
# (psql answers a query), and after the wrapper returns the server process and
# its folder are gone.
set -euo pipefail
wrapper=$1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$wrapper" bash -c '
  "$OPENMYNA_TEST_PG_BINDIR/psql" "$OPENMYNA_TEST_PG_URL" -Atc "SELECT 6*7"
  echo "DATA=$OPENMYNA_TEST_PG_DATA"
  head -n 1 "$OPENMYNA_TEST_PG_DATA/postmaster.pid" | sed "s/^/PID=/"
' >"$out"
grep -qx 42 "$out" || { echo "server did not answer"; cat "$out"; exit 1; }
data=$(sed -n 's/^DATA=//p' "$out")
pid=$(sed -n 's/^PID=//p' "$out")
[ -n "$pid" ] || { echo "no postmaster pid"; exit 1; }
if kill -0 "$pid" 2>/dev/null; then echo "server $pid still running"; exit 1; fi
if [ -e "$data" ]; then echo "folder $data left behind"; exit 1; fi
# The command's exit status is passed through.
set +e
"$wrapper" false
[ $? -eq 1 ] || { echo "exit status not passed through"; exit 1; }
echo "harness ok"
