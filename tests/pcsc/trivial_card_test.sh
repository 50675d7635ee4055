#!/usr/bin/env bash
# Interop: the trivial card through the native vpcd client, seen by pcscd,
# OpenSC and pyscard. Runs inside with-pcscd.sh. Usage: trivial_card_test.sh
# PATH/TO/openmyna_trivial_card
set -euo pipefail
. "$PCSC_LIB"
card_bin=$1
here=$(cd "$(dirname "$0")" && pwd)
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

start_card() {
    # a simple command, so that $! is the card (pitfall P3)
    "$card_bin" --vpcd "$VPCD_ADDR" "$@" >>"$PCSC_LOGDIR/card.log" 2>&1 &
    CARD_PID=$!
    wait_card_present 10
}

# 1. The ATR pcscd reports is the card's contact ATR (OpenSC sends no APDU
#    for --atr; the value comes from pcscd's reader state).
start_card
atr=$(opensc-tool --reader 0 --atr)
[ "$atr" = "3b:e0:00:ff:81:31:fe:45:14" ] || fail "ATR '$atr'"

# 2. pyscard reaches the card: 90 00 for the JPKI SELECT (the trivial card
#    says 90 00 to everything).
/usr/bin/python3 "$here/pyscard_transmit.py" "3B E0 00 FF 81 31 FE 45 14" \
    "00A4040C0AD392F000260100000001=9000" "00B0000004=9000" \
    || fail "pyscard"

# 3. An extended APDU passes (card-apdu.md §3.2, pcsc-testing.md §3.3).
/usr/bin/python3 "$here/pyscard_transmit.py" "3B E0 00 FF 81 31 FE 45 14" \
    "00B08A00000000=9000" || fail "extended APDU"

# 4. pcscd restart: the card reconnects on its own (pcsc-testing.md §5.4).
stop_pcscd
wait_card_absent 5 2>/dev/null || true
kill -0 "$CARD_PID" || fail "the card exited when pcscd stopped"
start_pcscd
wait_card_present 10 || fail "the card did not come back after a pcscd restart"
atr=$(opensc-tool --reader 0 --atr)
[ "$atr" = "3b:e0:00:ff:81:31:fe:45:14" ] || fail "ATR after restart '$atr'"

# 5. SIGTERM stops the card cleanly (exit 0) and pcscd sees it removed.
kill -TERM "$CARD_PID"
wait "$CARD_PID" || fail "card exit status $? on SIGTERM"
CARD_PID=""
wait_card_absent 5 || fail "card still present after stop"

# 6. --atr 2024: the reader reports the 2024-generation ATR; it is listed by
#    pcsc-tools as a My Number Card ATR (independent list on this machine).
start_card --atr 2024
atr=$(opensc-tool --reader 0 --atr)
[ "$atr" = "3b:da:13:ff:81:31:fb:46:80:12:39:2f:31:c1:73:c6:01:c0:3b" ] \
    || fail "2024 ATR '$atr'"
grep -q "^3B DA 13 FF 81 31 FB 46 80 12 39 2F 31 C1 73 C6 01 C0 3B$" \
    /usr/share/pcsc/smartcard_list.txt || fail "2024 ATR not in smartcard_list"
stop_pid "$CARD_PID"
CARD_PID=""
wait_card_absent 5 || fail "card still present after stop"

# 7. The realism knobs are the same code as `card plug`'s (realism.h,
#    VpcdOptions): a SELECT under --latency A4=300 takes at least 300 ms,
#    and under --tag-loss 3 the 3rd APDU gets no answer (card removed).
start_card --latency A4=300 --tag-loss 3
out=$(/usr/bin/python3 - "$here" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
import leave_card  # SCARD_LEAVE_CARD: the reader must see the tag loss
from smartcard.util import toBytes
conn = leave_card.connect()
for apdu in ("00A4040C0AD392F000260100000001", "00B0000004", "00B0000004"):
    start = time.monotonic()
    try:
        data, sw1, sw2 = conn.transmit(toBytes(apdu))
        print("%02X%02X %.3f" % (sw1, sw2, time.monotonic() - start))
    except Exception:
        print("lost")
PY
)
read -r sw seconds <<<"$(sed -n 1p <<<"$out")"
[ "$sw" = 9000 ] || fail "SELECT under latency: $out"
awk -v s="$seconds" 'BEGIN { exit !(s >= 0.3) }' || fail "SELECT took $seconds s"
[ "$(sed -n 2p <<<"$out" | cut -d' ' -f1)" = 9000 ] || fail "2nd APDU: $out"
[ "$(sed -n 3p <<<"$out")" = lost ] || fail "3rd APDU answered under --tag-loss 3: $out"
echo "trivial card interop: ok"
