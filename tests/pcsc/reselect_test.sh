#!/usr/bin/env bash
# Interop (issue 14 item 1): a pyscard client that VERIFYs the input-assist
# PIN, SELECTs the AP again, SELECTs EF 0002 and reads it gets the data from
# the default card and 69 82 from `card plug --reselect clear`; OpenSC still
# binds and lists its PINs either way. Runs inside with-pcscd.sh.
# Usage: reselect_test.sh PATH/TO/openmyna PROFILE.json
set -euo pipefail
. "$PCSC_LIB"
openmyna=$1
profile=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$PCSC_LOGDIR/work
mkdir -p "$work"
data=$work/data
card=$work/card
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

"$openmyna" --data "$data" init >/dev/null
"$openmyna" --data "$data" card new --profile "$profile" --out "$card" >/dev/null

plug() {
    "$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
        "$@" >>"$PCSC_LOGDIR/card.log" 2>&1 &
    CARD_PID=$!
    wait_card_present 10 || { cat "$PCSC_LOGDIR/card.log" >&2; fail "plug $*"; }
}
unplug() {
    stop_pid "$CARD_PID"
    CARD_PID=""
    wait_card_absent 10 || fail "unplug"
}

plug
/usr/bin/python3 "$here/reselect_client.py" "$profile" data \
    || fail "default card: the login did not survive re-selection"
[ "$(opensc-tool --reader 0 -n)" = jpki ] || fail "OpenSC does not bind (keep)"
pkcs15-tool --reader 0 --list-pins | grep -q 'Tries left' || fail "list-pins (keep)"
unplug

plug --reselect clear
/usr/bin/python3 "$here/reselect_client.py" "$profile" 6982 \
    || fail "--reselect clear: the login survived re-selection"
[ "$(opensc-tool --reader 0 -n)" = jpki ] || fail "OpenSC does not bind (clear)"
unplug

# A bad value is refused before anything is plugged (exit 2).
set +e
"$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
    --reselect sometimes >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "--reselect sometimes exited $rc"
echo "reselect interop: ok"
