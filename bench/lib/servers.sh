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
