# Sourced by the benchmarks' run.sh scripts (bash): a temporary work folder,
# servers started in the background and stopped by PID on exit, free ports.
#   bench_begin NAME            work=$(mktemp -d /tmp/NAME.XXXXXX); trap
#   bench_track PID             stop PID (and its children) on exit
#   bench_stop PID              stop one now: TERM, then KILL, reaped quietly
#   bench_free_port             a port the kernel gives (bound to 0 then freed)
#   bench_serve OPENMYNA SANDBOX PORT LOG SERVICES
#                               `openmyna serve --only SERVICES` with one
#                               thread per core in the background, tracked;
#                               sets serve_pid
#   bench_ocsp_programs BUILD   sets openmyna, setup, loadgen (bench/ocsp's
#                               programs in BUILD); exits 2 if one is missing
#   bench_wait_presigned LOG    returns when the log says the OCSP cache is
#                               pre-signed (prints that line); fails if the
#                               server exits first or after 300 s
#   bench_wait_ocsp PORT PATH REQUESTS [MODE]
#                               returns when the server at PORT answered
#                               ocsp_loadgen with at least one good OCSP
#                               response and no error (fails after ~20 s)
# Sets: work, bench_pids, serve_pid.

bench_pids=()

bench_stop() {  # PID and its children (`openssl ocsp -multi` forks and
                # ignores SIGTERM in the parent; a load loop's subshell)
  local kids
  kids=$(pgrep -P "$1" || true)
  kill -TERM "$1" $kids 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$1" $kids 2>/dev/null || true
  wait "$1" 2>/dev/null || true  # reap quietly (no "Killed" job notice)
}

bench_cleanup() {
  local p
  for p in "${bench_pids[@]}"; do bench_stop "$p"; done
  [ -n "${work:-}" ] && rm -rf "$work"
}

bench_begin() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  trap bench_cleanup EXIT
}

bench_track() { bench_pids+=("$1"); }

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_serve() {
  local openmyna=$1 sandbox=$2 port=$3 log=$4 services=$5
  "$openmyna" --data "$sandbox" --log-level info serve --only "$services" \
    --port "$port" --threads "$(nproc)" >"$log" 2>&1 &
  serve_pid=$!
  bench_track "$serve_pid"
}

bench_wait_presigned() {
  local log=$1
  for _ in $(seq 1 3000); do
    grep -qs "pre-signed" "$log" && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  grep "pre-signed" "$log" | sed 's/.*\] //' || {
    echo "run.sh: the responder did not finish pre-signing" >&2
    cat "$log" >&2
    return 1
  }
}

bench_ocsp_programs() {
  openmyna="$1/src/cli/openmyna"
  setup="$1/bench/ocsp/revocation_bench_setup"
  loadgen="$1/bench/ocsp/ocsp_loadgen"
  local b
  for b in "$openmyna" "$setup" "$loadgen"; do
    [ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 2; }
  done
}

# Readiness of an OCSP server: a short ocsp_loadgen run that made at least
# one request, all answered. "errors=0" alone is not enough: under load the
# loadgen's thread may start after its 0.2 s deadline and report
# "requests=0 errors=0" before the server listens — the scripts then
# measured a server that was not up yet (a cold-cache line of
# "requests=0 errors=179", all connections refused).
bench_wait_ocsp() {
  local port=$1 path=$2 reqs=$3 mode=${4:-post} _
  for _ in $(seq 1 100); do
    "$loadgen" "$port" "$path" "$reqs" 1 0.2 "$mode" |
      grep -Eq "^requests=[1-9][0-9]* errors=0 " && return 0
    sleep 0.1
  done
  echo "run.sh: no OCSP answer on port $port" >&2
  return 1
}
