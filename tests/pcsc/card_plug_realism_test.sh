#!/usr/bin/env bash
# Interop: the realism knobs of `openmyna card plug` (docs/card.md §8,
# docs/transport.md) as PC/SC applications see them: every --atr profile is
# the ATR pcscd reports (bytes typed from card-apdu.md §1.1, and checked
# against pcsc-tools' list) and OpenSC still finds the jpki driver (by ATR,
# or by SELECTing the JPKI AID, card-apdu.md §1.2); --latency delays the
# named instruction; --tag-loss N takes the card away at the N-th APDU and
# brings it back powered off. Runs inside with-pcscd.sh.
# Usage: card_plug_realism_test.sh PATH/TO/openmyna PROFILE.json
set -euo pipefail
. "$PCSC_LIB"
openmyna=$1
profile=$2
work=$PCSC_LOGDIR/work
mkdir -p "$work"
data=$work/data
card=$work/adult.card
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

"$openmyna" --data "$data" init >/dev/null
"$openmyna" --data "$data" card new --profile "$profile" --out "$card" >/dev/null

plug() {
    "$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
        "$@" >>"$PCSC_LOGDIR/card.log" 2>&1 &
    CARD_PID=$!
    wait_card_present 10
}
# unplug STEP: stop the card and wait until pcscd shows the reader empty
# (10 s, as every other pcsc test: pcscd polls vpcd, slower on a loaded CI
# machine); on failure say which step and show the card's own log.
unplug() {
    stop_pid "$CARD_PID"
    CARD_PID=""
    wait_card_absent 10 || {
        echo "after step: $1; card.log (last 20 lines):" >&2
        tail -n 20 "$PCSC_LOGDIR/card.log" >&2
        fail "the reader still shows a card after '$1'"
    }
}

# 1. ATR profiles (card-apdu.md §1.1 table), as opensc-tool reads them from
#    pcscd's reader state.
declare -A atrs=(
    [contact]="3B E0 00 FF 81 31 FE 45 14"
    [2024]="3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B"
    [contactless]="3B 88 80 01 00 00 05 E0 B3 81 A1 00 7F"
    [contactless-2]="3B 88 80 01 00 00 41 E0 B3 81 A1 00 3B"
    [unknown]="3B 82 80 01 4F 4D 01"
)
for name in contact 2024 contactless contactless-2 unknown; do
    plug --atr "$name"
    want=$(tr 'A-F ' 'a-f:' <<<"${atrs[$name]}")
    got=$(opensc-tool --reader 0 --atr)
    [ "$got" = "$want" ] || fail "--atr $name: reader shows '$got', want '$want'"
    if [ "$name" = unknown ]; then
        grep -qx "${atrs[$name]}" /usr/share/pcsc/smartcard_list.txt &&
            fail "the 'unknown' ATR is in pcsc-tools' list"
    else
        grep -qx "${atrs[$name]}" /usr/share/pcsc/smartcard_list.txt ||
            fail "--atr $name: not in pcsc-tools' smartcard_list.txt"
    fi
    # OpenSC binds jpki by ATR (contact) or by the AID probe (the others).
    drv=$(opensc-tool --reader 0 -n)
    [ "$drv" = jpki ] || fail "--atr $name: opensc-tool -n printed '$drv'"
    unplug "--atr $name"
done

# pyscard helper: runs APDUs on reader 0, prints "SW seconds" per APDU or
# "lost" when the transmission fails (card removed). It disconnects with
# SCARD_LEAVE_CARD, as OpenSC does: pyscard's default SCARD_UNPOWER_CARD
# makes pcscd write "card present" itself after its own presence check,
# which right after a tag loss could leave the reader showing a card that
# had gone (docs/transport.md "Tag loss and pcscd").
apdus() {
    /usr/bin/python3 - "$@" <<'PY'
import sys, time
from smartcard.System import readers
from smartcard.scard import SCARD_LEAVE_CARD
from smartcard.util import toBytes
try:
    conn = readers()[0].createConnection()
    conn.connect(disposition=SCARD_LEAVE_CARD)
except Exception:
    print("lost")
    sys.exit(0)
for hexapdu in sys.argv[1:]:
    start = time.monotonic()
    try:
        data, sw1, sw2 = conn.transmit(toBytes(hexapdu))
    except Exception:
        print("lost")
        continue
    print("%02X%02X %.3f" % (sw1, sw2, time.monotonic() - start))
PY
}
select_jpki=00A4040C0AD392F000260100000001

# 2. --latency B0=400: a READ BINARY takes at least 400 ms (a lower bound:
#    the card sleeps before it answers); the answer is unchanged.
plug --latency B0=400
out=$(apdus "$select_jpki" 00A4020C02000A 00B0000004)
read -r sw seconds < <(sed -n 3p <<<"$out")
[ "$sw" = 9000 ] || fail "READ BINARY under latency: $out"
awk -v s="$seconds" 'BEGIN { exit !(s >= 0.4) }' ||
    fail "READ BINARY took $seconds s with --latency B0=400"
unplug "--latency B0=400"

# 3. --tag-loss 3: the 3rd APDU of the connection gets no answer, pcscd
#    sees the card leave, it comes back powered off (no AP selected: the
#    VERIFY tries query answers 6A 88, not 63 Cx) and serves again, and the
#    count restarts with the new connection.
plug --tag-loss 3
out=$(apdus "$select_jpki" 00200098 00200098)
[ "$(cut -d' ' -f1 <<<"$out" | tr '\n' ' ')" = "9000 63C3 lost " ] ||
    fail "tag loss: want 9000 63C3 lost, got: $out"
# Back after 0.5 s; pcscd may not even show it absent in between, so ask
# from a new process (a new PC/SC context) until an APDU is answered (an
# unanswered one never reached the card, so it is not counted).
back=""
for _ in $(seq 50); do
    out=$(apdus 00200098 "$select_jpki" 00200098)
    if [ "$(sed -n 1p <<<"$out")" != lost ]; then back=1; break; fi
    sleep 0.2
done
[ -n "$back" ] || fail "the card did not come back after tag loss"
[ "$(cut -d' ' -f1 <<<"$out" | tr '\n' ' ')" = "6A88 9000 lost " ] ||
    fail "after tag loss: want 6A88 (powered off) 9000 lost, got: $out"
unplug "--tag-loss 3"
echo "card plug realism interop: ok"
