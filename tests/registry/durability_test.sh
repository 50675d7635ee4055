#!/usr/bin/env bash
# kill -9 of the registry process during a stream of writes; after restart
# every acknowledged write must be present (issue 5, "Durability").
#   durability_test.sh WRITER sqlite [THREADS]    (a SQLite file in a temp folder)
#   durability_test.sh WRITER postgres [THREADS]  (under tests/pg/with-postgres.sh)
# THREADS concurrent writers (default 1): their commits are grouped (issue 13).
set -uo pipefail
writer=$1
backend=$2
threads=${3:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$backend" = sqlite ]; then
  target="$tmp/registry.db"
else
  target=${OPENMYNA_TEST_PG_URL:?run under tests/pg/with-postgres.sh}
fi
for round in 1 2 3; do
  "$writer" write "$target" "$threads" >"$tmp/acks.$round" 2>"$tmp/err.$round" &
  pid=$!
  # Kill while writes are streaming: after the first acknowledgement (a
  # sanitizer build on a loaded machine may need long to connect and
  # migrate), then a moment more. Not a timed assertion: the wait only
  # chooses when to kill.
  for _ in $(seq 1200); do
    [ -s "$tmp/acks.$round" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 2
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null
  acks=$(wc -l <"$tmp/acks.$round")
  echo "round $round: killed after $acks acknowledged writes"
  if [ "$acks" -lt 1 ]; then cat "$tmp/err.$round"; exit 1; fi
  # The line being written at the kill may be cut: keep whole lines only.
  grep -E '^ack [0-9]{12}$' "$tmp/acks.$round" >"$tmp/whole.$round"
  "$writer" verify "$target" "$tmp/whole.$round" || exit 1
done
echo "durability ok ($backend)"
