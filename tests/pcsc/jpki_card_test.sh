#!/usr/bin/env bash
# Interop: a personalized card (openmyna init + card new + card plug) through
# pcscd + vpcd, checked with OpenSC, openssl and pyscard (issue 3, "How it is
# shown"). Runs inside with-pcscd.sh.
# Usage: jpki_card_test.sh PATH/TO/openmyna PROFILE.json
set -euo pipefail
. "$PCSC_LIB"
openmyna=$1
profile=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$PCSC_LOGDIR/work
mkdir -p "$work"
data=$work/data
card=$work/adult.card
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

"$openmyna" --data "$data" init >/dev/null
"$openmyna" --data "$data" card new --profile "$profile" --out "$card" >/dev/null
[ "$(stat -c %a "$card")" = 600 ] || fail "card image mode $(stat -c %a "$card")"

plug() {
    "$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
        --log-apdus >>"$PCSC_LOGDIR/card.log" 2>&1 &
    CARD_PID=$!
    wait_card_present 10
}
unplug() {  # SIGTERM: a clean stop
    stop_pid "$CARD_PID"
    CARD_PID=""
    wait_card_absent 5
}
tries() {  # tries left of PIN label $1, as pkcs15-tool prints them
    pkcs15-tool --reader 0 --list-pins 2>/dev/null |
        awk -v label="$1" '$0 ~ "PIN \\[" label "\\]" { found = 1 }
                           found && /Tries left/ { print $NF; exit }'
}

plug

# 1. OpenSC binds its jpki driver.
name=$(opensc-tool --reader 0 -n)
[ "$name" = jpki ] || fail "opensc-tool -n printed '$name'"

# 2. pkcs15-tool -D: 2 PINs, 2 private keys, 4 certificates.
dump=$(pkcs15-tool --reader 0 -D)
[ "$(grep -c '^PIN \[' <<<"$dump")" = 2 ] || fail "PINs: $dump"
[ "$(grep -c '^Private RSA Key \[' <<<"$dump")" = 2 ] || fail "keys: $dump"
[ "$(grep -c '^X.509 Certificate \[' <<<"$dump")" = 4 ] || fail "certs: $dump"

# 3. Sign with both keys through PKCS#11 and verify with openssl, using the
#    certificates read from the card.
printf 'OpenMyna interop test message\n' >"$work/msg.bin"
pkcs11-tool --slot-index 0 --login --pin 1234 --sign --id 01 \
    -m SHA256-RSA-PKCS -i "$work/msg.bin" -o "$work/auth.sig" >/dev/null 2>&1 \
    || fail "pkcs11-tool sign with the auth key"
pkcs15-tool --reader 0 --read-certificate 01 >"$work/auth.pem"
openssl x509 -in "$work/auth.pem" -pubkey -noout >"$work/auth-pub.pem"
openssl dgst -sha256 -verify "$work/auth-pub.pem" -signature "$work/auth.sig" \
    "$work/msg.bin" | grep -qx 'Verified OK' || fail "auth signature"

pkcs11-tool --slot-index 1 --login --pin ABC123 --sign --id 02 \
    -m SHA256-RSA-PKCS -i "$work/msg.bin" -o "$work/sign.sig" >/dev/null 2>&1 \
    || fail "pkcs11-tool sign with the signature key"
pkcs11-tool --slot-index 1 --login --pin ABC123 --read-object --type cert \
    --id 02 -o "$work/sign.der" >/dev/null 2>&1 || fail "read the sign cert"
openssl x509 -inform DER -in "$work/sign.der" -pubkey -noout >"$work/sign-pub.pem"
openssl dgst -sha256 -verify "$work/sign-pub.pem" -signature "$work/sign.sig" \
    "$work/msg.bin" | grep -qx 'Verified OK' || fail "sign signature"
# The certificates chain to the CA certificates on the same card.
pkcs15-tool --reader 0 --read-certificate 03 >"$work/auth-ca.pem"
pkcs15-tool --reader 0 --read-certificate 04 >"$work/sign-ca.pem"
openssl verify -CAfile "$work/auth-ca.pem" "$work/auth.pem" >/dev/null \
    || fail "auth certificate does not chain to the card's auth CA"
openssl x509 -inform DER -in "$work/sign.der" -out "$work/sign.pem"
openssl verify -CAfile "$work/sign-ca.pem" "$work/sign.pem" >/dev/null \
    || fail "sign certificate does not chain to the card's sign CA"

# 4. pyscard: the individual number and the four basic data of the text AP.
/usr/bin/python3 "$here/read_text_ap.py" "$profile" || fail "text AP"

# The APDU log saw the text AP reads but shows neither the number (as
# digits or as the hex of its ASCII) nor the passwords (docs/transport.md).
grep -q '> 00 a4 04 0c 0a d3 92 10 00 31 00 01 01 04 08' "$PCSC_LOGDIR/card.log" \
    || fail "the APDU log did not record the text AP"
grep -q 'bytes hidden' "$PCSC_LOGDIR/card.log" || fail "nothing was hidden"
number=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["number"])' "$profile")
number_hex=$(printf '%s' "$number" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
grep -q "$number" "$PCSC_LOGDIR/card.log" && fail "the number is in the APDU log"
grep -qi "$number_hex" "$PCSC_LOGDIR/card.log" && fail "the number's hex is in the APDU log"
grep -qi '41 42 43 31 32 33' "$PCSC_LOGDIR/card.log" && fail "the signature password is in the log"

# 5. PIN behaviour. A new pcscd client starts from the card's current state
#    (P16); the card resets volatile state on re-SELECT of the AP.
[ "$(tries 'User Authentication PIN')" = 3 ] || fail "auth tries before"
for expected in 2 1 0; do
    pkcs11-tool --slot-index 0 --login --pin 0000 --list-objects >/dev/null 2>&1 \
        && fail "wrong auth PIN accepted"
    got=$(tries 'User Authentication PIN')
    [ "$got" = "$expected" ] || fail "auth tries after a wrong PIN: $got, expected $expected"
done
# Blocked: even the right PIN is refused now.
pkcs11-tool --slot-index 0 --login --pin 1234 --list-objects >/dev/null 2>&1 \
    && fail "blocked auth PIN accepted"
for expected in 4 3 2 1 0; do
    pkcs11-tool --slot-index 1 --login --pin WRONG1 --list-objects >/dev/null 2>&1 \
        && fail "wrong signature password accepted"
    got=$(tries 'Digital Signature PIN')
    [ "$got" = "$expected" ] || fail "sign tries: $got, expected $expected"
done
pkcs11-tool --slot-index 1 --login --pin ABC123 --list-objects >/dev/null 2>&1 \
    && fail "blocked signature password accepted"

# The block survives stopping and replugging the card.
unplug
plug
[ "$(tries 'User Authentication PIN')" = 0 ] || fail "auth unblocked by replug"
[ "$(tries 'Digital Signature PIN')" = 0 ] || fail "sign unblocked by replug"
pkcs11-tool --slot-index 0 --login --pin 1234 --list-objects >/dev/null 2>&1 \
    && fail "auth PIN accepted after replug"

# 6. SIGKILL right after a wrong VERIFY never grants an extra try: the
#    counter is stored before the comparison (input-assist PIN, 3 tries).
text_aid=D3921000310001010408
[ "$(/usr/bin/python3 "$here/pin_tries.py" query $text_aid 0011)" = 3 ] \
    || fail "input-assist tries before"
for expected in 2 1; do
    sw=$(/usr/bin/python3 "$here/pin_tries.py" wrong $text_aid 0011 0000)
    kill -KILL "$CARD_PID"
    wait "$CARD_PID" 2>/dev/null || true
    CARD_PID=""
    [ "$sw" = "63C$expected" ] || fail "wrong VERIFY answered $sw"
    wait_card_absent 5
    plug
    got=$(/usr/bin/python3 "$here/pin_tries.py" query $text_aid 0011)
    [ "$got" = "$expected" ] || fail "after SIGKILL: $got tries, expected $expected"
done
echo "jpki card interop: ok"
