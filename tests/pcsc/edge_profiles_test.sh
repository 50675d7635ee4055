#!/usr/bin/env bash
# Interop (issue 14 item 4): the sample profiles at the edges clients get
# wrong, each made into a card, plugged, and read through pyscard and
# OpenSC, the values compared with the profile JSON:
#   long-address.json       EF 0002 value over 127 bytes (FF 20 82 HH LL)
#   foreign-long-name.json  a long alphabetic name (value over 127 bytes)
#   sign-password-16.json   the longest signature password (16 characters)
# Runs inside with-pcscd.sh.
# Usage: edge_profiles_test.sh PATH/TO/openmyna PROFILE_DIR
set -euo pipefail
. "$PCSC_LIB"
openmyna=$1
profiles=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$PCSC_LOGDIR/work
mkdir -p "$work"
data=$work/data
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

"$openmyna" --data "$data" init >/dev/null

field() {  # field PROFILE KEY.SUBKEY
    /usr/bin/python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."): v = v[k]
print(v)' "$1" "$2"
}
hex_of() { printf '%s' "$1" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

for name in long-address foreign-long-name sign-password-16; do
    profile=$profiles/$name.json
    card=$work/$name.card
    "$openmyna" --data "$data" card new --profile "$profile" --out "$card" \
        >/dev/null || fail "$name: card new"
    "$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
        >>"$PCSC_LOGDIR/card-$name.log" 2>&1 &
    CARD_PID=$!
    wait_card_present 10 || { cat "$PCSC_LOGDIR/card-$name.log" >&2; fail "$name: plug"; }

    # pyscard: the number and the four basic data (82-form aware reader).
    /usr/bin/python3 "$here/read_text_ap.py" "$profile" || fail "$name: pyscard text AP"

    # OpenSC: the same EF through opensc-tool's raw APDUs (VERIFY by SFI).
    pin=$(field "$profile" passwords.input_assist)
    opensc-tool --reader 0 \
        -s '00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08' \
        -s "00 20 00 91 04 $(hex_of "$pin")" \
        -s '00 A4 02 0C 02 00 02' -s '00 B0 00 00 00' \
        -s '00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01' \
        -s '00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08' \
        -s '00 A4 02 0C 02 00 02' -s '00 B0 00 00 00' \
        >"$work/$name.opensc" 2>&1 || { cat "$work/$name.opensc" >&2; fail "$name: opensc-tool"; }
    # The last read came after another AP was selected: 69 82.
    tail -n 3 "$work/$name.opensc" | grep -q 'SW1=0x69, SW2=0x82' \
        || fail "$name: login survived selecting another AP"
    # The EF 0002 read is the 4th response.
    awk '/^Received/ { n++ } n <= 4' "$work/$name.opensc" >"$work/$name.ef2"
    /usr/bin/python3 "$here/edge_profile_check.py" ef2 "$profile" "$work/$name.ef2" \
        || fail "$name: OpenSC EF 0002"

    # OpenSC PKCS#11: log in with the signature password, read the
    # certificate, sign, verify with openssl.
    password=$(field "$profile" passwords.signature)
    pkcs11-tool --slot-index 1 --login --pin "$password" --read-object \
        --type cert --id 02 -o "$work/$name.sign.der" >/dev/null 2>&1 \
        || fail "$name: pkcs11-tool read the signature certificate"
    /usr/bin/python3 "$here/edge_profile_check.py" cert "$profile" "$work/$name.sign.der" \
        || fail "$name: certificate"
    printf 'edge profile %s\n' "$name" >"$work/msg"
    pkcs11-tool --slot-index 1 --login --pin "$password" --sign --id 02 \
        -m SHA256-RSA-PKCS -i "$work/msg" -o "$work/$name.sig" >/dev/null 2>&1 \
        || fail "$name: pkcs11-tool sign"
    openssl x509 -inform DER -in "$work/$name.sign.der" -pubkey -noout >"$work/pub.pem"
    openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/$name.sig" \
        "$work/msg" | grep -qx 'Verified OK' || fail "$name: signature"

    # pyscard: the signature password of this length verifies.
    /usr/bin/python3 "$here/edge_profile_check.py" sign-password "$profile" \
        || fail "$name: pyscard signature password"

    stop_pid "$CARD_PID"
    CARD_PID=""
    wait_card_absent 10 || fail "$name: unplug"
done
echo "edge profiles interop: ok"
