# Shell helpers for tests that run the real PC/SC stack (pcscd + vpcd +
# OpenSC), following /work/shared/docs/pcsc-testing.md §4 and §9. Sourced by
# with-pcscd.sh and by the test scripts that run inside it.

# stop_pid PID: TERM, wait up to 5 s, then KILL (pcsc-testing.md §4).
stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# start_pcscd: pcscd in the foreground as a simple command so that $! is
# pcscd itself (pitfall P3), never --auto-exit (P7). Sets PCSCD_PID, records
# it in $PCSC_LOGDIR/pcscd.pid for the harness's cleanup, waits up to 5 s
# for the client socket.
start_pcscd() {
    local extra=()
    [ -n "${PCSCD_DEBUG:-}" ] && extra=(--debug --apdu)
    /usr/sbin/pcscd --foreground "${extra[@]}" >>"$PCSC_LOGDIR/pcscd.log" 2>&1 &
    PCSCD_PID=$!
    echo "$PCSCD_PID" >"$PCSC_LOGDIR/pcscd.pid"
    export PCSCD_PID
    for _ in $(seq 100); do
        [ -S /run/pcscd/pcscd.comm ] && return 0
        sleep 0.05
    done
    echo "pcscd did not create its socket; log:" >&2
    cat "$PCSC_LOGDIR/pcscd.log" >&2
    return 1
}

stop_pcscd() {
    stop_pid "${PCSCD_PID:-$(cat "$PCSC_LOGDIR/pcscd.pid" 2>/dev/null)}"
    PCSCD_PID=""
    : >"$PCSC_LOGDIR/pcscd.pid"
}

# wait_card_present [SECONDS]: until reader 0 shows a card
# (`opensc-tool -l` prints "0    Yes", pcsc-testing.md §8, pitfall P12).
wait_card_present() {
    local tries=$(( ${1:-10} * 20 ))
    for _ in $(seq "$tries"); do
        opensc-tool -l 2>/dev/null | grep -q '^0 *Yes' && return 0
        sleep 0.05
    done
    echo "no card in reader 0 after ${1:-10} s" >&2
    opensc-tool -l >&2 || true
    return 1
}

# wait_card_absent [SECONDS]
wait_card_absent() {
    local tries=$(( ${1:-10} * 20 ))
    for _ in $(seq "$tries"); do
        opensc-tool -l 2>/dev/null | grep -q '^0 *Yes' || return 0
        sleep 0.05
    done
    echo "reader 0 still shows a card after ${1:-10} s" >&2
    return 1
}

# fail MESSAGE: print and exit 1.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
