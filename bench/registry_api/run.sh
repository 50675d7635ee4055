#!/usr/bin/env bash
# bench/registry_api/run.sh BUILD_DIR [--smoke] [sqlite|postgres ...]
#
# The registry API over HTTP under 64 concurrent connections (issue 13 item
# 1 goals: audited reads >= 5,000/s and changes >= 2,000/s on SQLite with
# durable commits, p99 < 25 ms; >= 6x a raw single durable commit on the
# same disk), on each back end asked (default: both):
#   - a sandbox (init, db migrate, db seed --residents N: bulk-loaded
#     residents bulk-000000000000...);
#   - `openmyna serve --only registry --threads 64` (a handler blocks its
#     thread for its commit: 64 threads let 64 requests wait in one group);
#   - one authenticated request first (timed): the server verifies a new
#     credential with PBKDF2 (600,000 iterations) once and then caches it;
#     the measurement is of the steady state. (Without it, and before the
#     server let one verification per credential run at a time, the 64
#     connections' first requests ran 64 PBKDF2s at once on 2 cores and
#     wrk counted 0 requests in 10 s.)
#   - load: Debian's wrk, 2 threads, 64 keep-alive connections, mixed.lua:
#     5 audited reads (GET /v1/residents/{id}, one audit entry each) per 2
#     changes (POST /v1/residents), the goals' proportions;
#   - the baseline in the same run on the same disk / server: one writer
#     doing single-row durable commits back to back (SQLite: Python's
#     sqlite3 in WAL with synchronous=FULL, as the registry; PostgreSQL:
#     pgbench, one client, one INSERT per transaction).
# Prints both, the ratio of all requests/s to the baseline's commits/s, the
# server's own count of calls per commit, its CPU per request and, on a
# PostgreSQL cluster of this machine, the cluster's.
# REGISTRY_API_BENCH_READERS=N runs the server with
# `--set registry.readers=N` (its store's reader
# connections; default: the back end's, docs/registry.md), to compare
# counts in one slot. Builds nothing: BUILD_DIR
# must hold src/cli/openmyna (a release build for figures:
# `scripts/build release --target openmyna`).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke] [sqlite|postgres ...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
openmyna="$build/src/cli/openmyna"
[ -x "$openmyna" ] || { echo "run.sh: $openmyna not built" >&2; exit 2; }
command -v wrk >/dev/null || { echo "run.sh: wrk not installed" >&2; exit 77; }
smoke=0
backends=()
for a in "$@"; do
  case $a in
    --smoke) smoke=1 ;;
    sqlite|postgres) backends+=("$a") ;;
    *) echo "run.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
residents=${REGISTRY_API_BENCH_RESIDENTS:-100000}
seconds=${REGISTRY_API_BENCH_SECONDS:-10}
connections=64
readers=${REGISTRY_API_BENCH_READERS:-}
serve_set=()
[ -n "$readers" ] && serve_set=(--set "registry.readers=$readers")
[ "$smoke" = 1 ] && { residents=1000; seconds=2; }

. "$here/../lib/servers.sh"
bench_begin openmyna-registry-api-bench

field() { sed -n "s/.*[ ^]$1=\([0-9.]*\).*/\1/p" <<<" $2"; }

# "CPU_TICKS SWITCHES" of a server process so far: user + system time
# (/proc/PID/stat fields 14-15) and the context switches of all its threads
# (voluntary and not, /proc/PID/task/*/status), read before and after the
# load to give the server's cost per request.
server_costs() {
  local ticks
  ticks=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat")
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk -v t="$ticks" '/^(non)?voluntary_ctxt_switches/ { s += $2 }
                       END { print t, s + 0 }'
}

# CPU ticks so far of every process of the PostgreSQL cluster in
# $OPENMYNA_TEST_PG_DATA (the postmaster of postmaster.pid and its children:
# the backends, the WAL writer, the checkpointer ...), or nothing when the
# cluster is not one of this machine's (tests/pg/with-postgres.sh sets it).
# "PID TICKS" per line: backends opened during the load count from zero.
cluster_ticks() {
  local pm
  pm=$(head -n 1 "${OPENMYNA_TEST_PG_DATA:-/nonexistent}/postmaster.pid" \
    2>/dev/null) || return 0
  { echo "$pm"; pgrep -P "$pm"; } | while read -r p; do
    awk -v p="$p" '{ sub(/^.*\) /, ""); print p, $12 + $13 }' \
      "/proc/$p/stat" 2>/dev/null
  done
}

# The baseline: COUNT single-row durable commits, one after the other.
baseline_sqlite() {
  python3 - "$work/baseline.db" "$seconds" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)")
end, n, pad = time.monotonic() + float(sys.argv[2]), 0, "x" * 200
start = time.monotonic()
while time.monotonic() < end:
    db.execute("BEGIN")
    db.execute("INSERT INTO t (v) VALUES (?)", (pad,))
    db.execute("COMMIT")
    n += 1
print("commits_per_s=%.0f" % (n / (time.monotonic() - start)))
PY
}

baseline_postgres() {
  local pgbench
  pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench | tail -1)
  psql "$OPENMYNA_TEST_PG_URL" -q -c \
    "CREATE TABLE IF NOT EXISTS bench_baseline (k BIGSERIAL PRIMARY KEY, v TEXT)"
  echo "INSERT INTO bench_baseline (v) VALUES (repeat('x', 200));" \
    > "$work/insert.sql"
  "$pgbench" -n -c 1 -T "$seconds" -f "$work/insert.sql" \
    "$OPENMYNA_TEST_PG_URL" 2>&1 |
    sed -n 's/^tps = \([0-9.]*\).*/commits_per_s=\1/p'
}

run_backend() {
  local backend=$1 data="$work/$1" port auth out base
  if [ "$backend" = postgres ]; then
    export OPENMYNA_REGISTRY_DB=$OPENMYNA_TEST_PG_URL
  else
    unset OPENMYNA_REGISTRY_DB
  fi
  port=$(bench_free_port)
  "$openmyna" --data "$data" init --base-url "http://127.0.0.1:$port" >/dev/null
  "$openmyna" --data "$data" db migrate >/dev/null
  "$openmyna" --data "$data" db seed --residents "$residents" >/dev/null 2>&1
  auth=$("$openmyna" --data "$data" db credentials |
    sed -n 's/^ *counter_clerk *\([^ ]*:[^ ]*\) *$/\1/p')
  [ -n "$auth" ] || { echo "run.sh: no counter_clerk credential" >&2; exit 1; }
  auth="Basic $(printf %s "$auth" | base64 -w0)"
  "$openmyna" --data "$data" --log-level info serve --only registry \
    --port "$port" --threads "$connections" "${serve_set[@]}" \
    >"$work/serve-$backend.log" 2>&1 &
  local pid=$!
  bench_track "$pid"
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/openapi.json" >/dev/null && break
    kill -0 "$pid" || { cat "$work/serve-$backend.log" >&2; exit 1; }
    sleep 0.1
  done
  local first
  first=$(curl -fsS -o /dev/null -w '%{time_total}' -H "Authorization: $auth" \
    -H "X-Purpose: bench" "http://127.0.0.1:$port/v1/residents/bulk-000000000000")
  echo "[$backend] first authenticated request (PBKDF2, then cached): ${first} s"
  echo "== [$backend] $residents residents, $connections connections, ${seconds} s, reader connections: ${readers:-default}; load: $(uptime | sed 's/.*load/load/')"
  local costs_before
  costs_before=$(server_costs "$pid")
  [ "$backend" = postgres ] && cluster_ticks >"$work/cluster-before"
  out=$(wrk -t 2 -c "$connections" -d "${seconds}s" --timeout 10s \
    -s "$here/mixed.lua" "http://127.0.0.1:$port" -- "$auth" "$residents" |
    grep '^RESULT')
  local costs_after
  costs_after=$(server_costs "$pid")
  [ "$backend" = postgres ] && cluster_ticks >"$work/cluster-after"
  bench_stop "$pid"
  base=$("baseline_$backend")
  local reads changes p99 rps ratio
  reads=$(field reads_per_s "$out"); changes=$(field changes_per_s "$out")
  p99=$(field p99_ms "$out")
  rps=$(awk -v r="$reads" -v c="$changes" 'BEGIN { print r + c }')
  ratio=$(awk -v a="$rps" -v b="$(field commits_per_s "$base")" \
    'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }')
  echo "[$backend] registry API: $reads audited reads/s + $changes changes/s = $rps req/s, p50 $(field p50_ms "$out") ms, p99 $p99 ms, non-2xx $(field non2xx "$out"), socket errors $(field socket_errors "$out")"
  # Calls per COMMIT (the store logs its counts when the server stops):
  # printed beside the ratio, which alone hides group commit when one
  # durable commit is cheap (docs/scale.md §2).
  local group per_commit
  group=$(grep -h "group commit:" "$work/serve-$backend.log" | head -1 || true)
  per_commit=$(sed -n 's/.*(\([0-9.]*\) per commit).*/\1/p' <<<"$group")
  echo "[$backend] baseline raw single durable commit: $(field commits_per_s "$base") commits/s"
  echo "[$backend] ratio $ratio (goal >= 6) at ${per_commit:-?} calls per COMMIT; goals: reads >= 5000/s, changes >= 2000/s, p99 < 25 ms"
  echo "[$backend] load after: $(uptime | sed 's/.*load/load/')"
  awk -v b="$costs_before" -v a="$costs_after" -v n="$(field requests "$out")" \
    -v hz="$(getconf CLK_TCK)" -v tag="[$backend]" 'BEGIN {
      split(b, x); split(a, y)
      if (n > 0) printf "%s server during the load (kernel counts): %.3f ms of CPU and %.1f context switches per request\n", tag, (y[1] - x[1]) * 1000 / hz / n, (y[2] - x[2]) / n }'
  if [ -s "$work/cluster-after" ]; then
    # The database's share of a request on PostgreSQL (on SQLite it is in
    # the server's figure above).
    join -a 2 -e 0 -o 0,1.2,2.2 <(sort "$work/cluster-before") \
      <(sort "$work/cluster-after") |
      awk -v n="$(field requests "$out")" -v hz="$(getconf CLK_TCK)" \
        '{ t += $3 - $2 } END { if (n > 0) printf "[postgres] PostgreSQL processes during the load (kernel counts): %.3f ms of CPU per request\n", t * 1000 / hz / n }'
  fi
  [ -n "$group" ] && sed "s/.*\] /[$backend] server: /" <<<"$group"
  if [ "$backend" = sqlite ]; then
    # Unit costs on disk (SQLite's dbstat: pages of each table and its
    # indexes), for docs/scale.md.
    sqlite3 "$data/registry.db" "
      SELECT m.tbl_name, SUM(d.pgsize), (SELECT COUNT(*) FROM residents),
             (SELECT COUNT(*) FROM audit_log)
      FROM dbstat d JOIN sqlite_schema m ON m.name = d.name
      WHERE m.tbl_name IN ('residents', 'audit_log') GROUP BY m.tbl_name" |
      awk -F'|' '$1 == "residents" { printf "[sqlite] on disk: %.0f bytes per resident (%d residents, indexes included)\n", $2 / $3, $3 }
                 $1 == "audit_log" { printf "[sqlite] on disk: %.0f bytes per audit entry (%d entries, indexes included)\n", $2 / $4, $4 }'
  fi
  [ "$(field non2xx "$out")" = 0 ] || { echo "run.sh: failed requests" >&2; exit 1; }
}

for b in "${backends[@]}"; do
  if [ "$b" = postgres ] && [ -z "${OPENMYNA_TEST_PG_URL:-}" ]; then
    # A throw-away server for this back end only.
    "$here/../../tests/pg/with-postgres.sh" "$0" "$build" \
      $([ "$smoke" = 1 ] && echo --smoke) postgres
  else
    run_backend "$b"
  fi
done
