#!/usr/bin/env bash
# with-pcscd.sh COMMAND [ARG...]
#
# Runs COMMAND beside its own pcscd, isolated from the host and from other
# test runs (pcsc-testing.md §4, §6, §9):
#   - private mount and network namespaces (`unshare -m -n --fork`), a
#     private tmpfs on /run/pcscd and `lo` up, so vpcd's 0.0.0.0:35963 and
#     the pcscd socket are invisible outside (pitfall P8);
#   - `/usr/sbin/pcscd --foreground` started as a simple command, waited for
#     (socket), and stopped by PID (TERM, wait, KILL) when COMMAND ends.
# COMMAND runs with these variables exported:
#   PCSC_LOGDIR  folder for logs (pcscd.log; kept if $PCSC_LOGDIR was set)
#   PCSC_LIB     this folder's lib.sh (stop_pid, start_pcscd, stop_pcscd,
#                wait_card_present, wait_card_absent)
#   PCSCD_PID    pcscd's PID
#   VPCD_ADDR    127.0.0.1:35963, where a card connects (reader 0)
# Set PCSCD_DEBUG=1 for `pcscd --debug --apdu` (an independent APDU trace).
# Exit status: COMMAND's; 77 (skip) when namespaces cannot be created (not
# root, or no CAP_SYS_ADMIN).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ $# -eq 0 ]; then
    sed -n '2,20p' "$0" >&2
    exit 2
fi

if [ -z "${OPENMYNA_PCSC_INSIDE:-}" ]; then
    if ! unshare -m -n --fork true 2>/dev/null; then
        echo "with-pcscd.sh: cannot create namespaces (needs root); skipping" >&2
        exit 77
    fi
    exec unshare -m -n --fork env OPENMYNA_PCSC_INSIDE=1 "$0" "$@"
fi

mount --make-rprivate /
mkdir -p /run/pcscd
mount -t tmpfs -o mode=0755 tmpfs /run/pcscd
ip link set lo up

keep_logs=1
if [ -z "${PCSC_LOGDIR:-}" ]; then
    PCSC_LOGDIR=$(mktemp -d /tmp/openmyna-pcsc.XXXXXX)
    keep_logs=0
fi
mkdir -p "$PCSC_LOGDIR"
export PCSC_LOGDIR PCSC_LIB="$here/lib.sh" VPCD_ADDR=127.0.0.1:35963
# shellcheck source=lib.sh
. "$here/lib.sh"

cleanup() {
    stop_pid "$(cat "$PCSC_LOGDIR/pcscd.pid" 2>/dev/null || true)"
    if [ "$keep_logs" = 0 ]; then rm -rf "$PCSC_LOGDIR"; fi
}
trap cleanup EXIT

start_pcscd

set +e
"$@"
rc=$?
set -e
if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
    echo "---- pcscd.log (last 40 lines) ----" >&2
    tail -n 40 "$PCSC_LOGDIR/pcscd.log" >&2 || true
fi
exit "$rc"
