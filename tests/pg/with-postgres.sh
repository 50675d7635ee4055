#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server.
#
#   tests/pg/with-postgres.sh <command> [args...]
#
# Finds Debian's server binaries (/usr/lib/postgresql/<version>/bin), creates a
# cluster in a temporary folder (as the `postgres` user when run as root:
# initdb refuses root), starts it on a free loopback port with its socket in
# that folder, waits until pg_isready answers, exports
#   OPENMYNA_TEST_PG_URL=postgresql://openmyna@127.0.0.1:<port>/openmyna
# runs the command, then stops the server BY PID (TERM, wait, KILL) and
# removes the folder. Exits with the command's status (77 if no server).
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir=$candidate
done
if [ -z "$bindir" ]; then
  echo "with-postgres: no PostgreSQL server binaries found" \
       "(apt-get install postgresql, see scripts/debian-packages.txt)" >&2
  exit 77
fi

run_as=()
if [ "$(id -u)" = 0 ]; then
  run_as=(runuser -u postgres --)
fi

tmp=$(mktemp -d /tmp/openmyna-pg.XXXXXX)
chmod 0755 "$tmp"
[ "$(id -u)" = 0 ] && chown postgres: "$tmp"
pid=""    # the process this script started (runuser or postgres)
pgpid=""  # the postmaster itself, from postmaster.pid

stop_pid() {
  local p=$1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$p" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null
}

cleanup() {
  stop_pid "$pgpid"
  stop_pid "$pid"
  [ -n "$pid" ] && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: ask the kernel for one.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

if ! "${run_as[@]}" "$bindir/initdb" -D "$tmp/data" -U openmyna \
      --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1; then
  cat "$tmp/initdb.log" >&2
  exit 77
fi

# Started in the background of this shell so that its PID is known exactly.
"${run_as[@]}" "$bindir/postgres" -D "$tmp/data" -k "$tmp" \
  -c listen_addresses=127.0.0.1 -p "$port" -c fsync=on \
  -c synchronous_commit=on >"$tmp/server.log" 2>&1 &
pid=$!

ready=0
for _ in $(seq 1 100); do
  if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port"; then
    ready=1
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "with-postgres: server did not start" >&2
  cat "$tmp/server.log" >&2
  exit 77
fi
pgpid=$(head -n 1 "$tmp/data/postmaster.pid" 2>/dev/null)
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U openmyna openmyna || exit 77

export OPENMYNA_TEST_PG_URL="postgresql://openmyna@127.0.0.1:$port/openmyna"
export OPENMYNA_TEST_PG_BINDIR="$bindir"
export OPENMYNA_TEST_PG_DATA="$tmp/data"
"$@"
exit $?
