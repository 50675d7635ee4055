#!/usr/bin/env bash
# Interop: `openmyna sign --card` through pcscd + vpcd with a personalized
# card (issue 4 item 6). The detached CMS it makes is checked by
# `openssl cms -verify` against the sandbox CA bundles and by
# `openmyna verify cms`; the signer certificate must be the card's own (as
# OpenSC reads it); wrong PINs cost exactly one try (as pkcs15-tool counts
# them) and name the tries left; a blocked PIN is never sent; with no PIN
# source and no terminal the command exits 2. Runs inside with-pcscd.sh.
# Usage: card_sign_test.sh PATH/TO/openmyna PROFILE.json
set -euo pipefail
. "$PCSC_LIB"
openmyna=$1
profile=$2
work=$PCSC_LOGDIR/sign-work
mkdir -p "$work"
data=$work/data
card=$work/adult.card
CARD_PID=""
trap 'stop_pid "$CARD_PID"' EXIT

# The profile's passwords (examples/profiles/adult.json).
sign_pin=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passwords"]["signature"])' "$profile")
auth_pin=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passwords"]["authentication"])' "$profile")

"$openmyna" --data "$data" init >/dev/null
"$openmyna" --data "$data" card new --profile "$profile" --out "$card" >/dev/null
"$openmyna" --data "$data" card plug --image "$card" --vpcd "$VPCD_ADDR" \
    --log-apdus >>"$PCSC_LOGDIR/card.log" 2>&1 &
CARD_PID=$!
wait_card_present 10

tries() {  # tries left of PIN label $1, as pkcs15-tool prints them
    pkcs15-tool --reader 0 --list-pins 2>/dev/null |
        awk -v label="$1" '$0 ~ "PIN \\[" label "\\]" { found = 1 }
                           found && /Tries left/ { print $NF; exit }'
}
# run_sign OUT_PREFIX ARGS...: runs `openmyna sign` with stdin not a
# terminal; stdout/stderr/exit code in OUT_PREFIX.{out,err,rc}.
run_sign() {
    local prefix=$1
    shift
    set +e
    "$openmyna" --data "$data" sign "$@" </dev/null >"$prefix.out" 2>"$prefix.err"
    echo $? >"$prefix.rc"
    set -e
}
expect_rc() {  # expect_rc PREFIX CODE WHAT
    local got
    got=$(cat "$1.rc")
    [ "$got" = "$2" ] || fail "$3: exit $got, expected $2; stderr: $(cat "$1.err")"
}
# cms_ok SIG CONTENT CAFILE [OPENSSL ARGS]: whether `openssl cms -verify`
# accepts SIG (exit 0 and "Verification successful"); output in
# $work/cms.txt.
cms_ok() {
    local rc=0
    openssl cms -verify -binary -inform DER -in "$1" -content "$2" \
        -CAfile "$3" "${@:4}" -out /dev/null >"$work/cms.txt" 2>&1 || rc=$?
    [ "$rc" = 0 ] && grep -q 'Verification successful' "$work/cms.txt"
}

printf 'OpenMyna: 確定申告書 signed with the card\n' >"$work/form.txt"
head -c 100000 /dev/urandom >"$work/form.bin"
sign_ca=$data/ca/sign-ca-all.pem
auth_ca=$data/ca/auth-ca-all.pem
[ -s "$sign_ca" ] && [ -s "$auth_ca" ] || fail "no sandbox CA bundles in $data/ca"

# 1. Signature key (the default), PIN from the environment, lower case as a
#    user might type it (the client upper-cases, card-apdu.md §9.1).
[ "$(tries 'Digital Signature PIN')" = 5 ] || fail "sign tries before"
lower=$(printf '%s' "$sign_pin" | tr 'A-Z' 'a-z')
OPENMYNA_TEST_PIN=$lower run_sign "$work/s1" "$work/form.txt" --card \
    --pin-env OPENMYNA_TEST_PIN --out "$work/form.sign.p7s"
expect_rc "$work/s1" 0 "sign --card with the signature key"
[ "$(cat "$work/s1.out")" = "$work/form.sign.p7s" ] || fail "printed $(cat "$work/s1.out")"
cms_ok "$work/form.sign.p7s" "$work/form.txt" "$sign_ca" \
    || fail "openssl cms -verify refused the signature-key CMS: $(cat "$work/cms.txt")"
# The signature certificate must not chain to the other CA.
if cms_ok "$work/form.sign.p7s" "$work/form.txt" "$auth_ca" -purpose any; then
    fail "the signature-key CMS verified against the authentication CA"
fi
"$openmyna" --data "$data" verify cms "$work/form.sign.p7s" --content "$work/form.txt" \
    | grep -q '^good' || fail "openmyna verify cms refused the signature-key CMS"
[ "$(tries 'Digital Signature PIN')" = 5 ] || fail "sign tries after a good sign"

# 2. Authentication key, PIN from a file, explicit reader, a binary file.
printf '%s\n' "$auth_pin" >"$work/auth.pin"
chmod 600 "$work/auth.pin"
run_sign "$work/s2" "$work/form.bin" --card --key authentication \
    --reader 'Virtual PCD 00 00' --pin-file "$work/auth.pin" --out "$work/form.auth.p7s"
expect_rc "$work/s2" 0 "sign --card with the authentication key"
# openssl's default purpose (S/MIME signing) refuses the authentication
# certificate for its EKU (clientAuth only, jpki.md); the signature itself
# is judged with -purpose any.
if cms_ok "$work/form.auth.p7s" "$work/form.bin" "$auth_ca"; then
    fail "openssl accepted a clientAuth-only certificate for S/MIME signing"
fi
grep -q 'unsuitable certificate purpose' "$work/cms.txt" \
    || fail "the auth-key CMS failed for another reason: $(cat "$work/cms.txt")"
cms_ok "$work/form.auth.p7s" "$work/form.bin" "$auth_ca" -purpose any \
    || fail "openssl cms -verify refused the auth-key CMS: $(cat "$work/cms.txt")"
"$openmyna" --data "$data" verify cms "$work/form.auth.p7s" --content "$work/form.bin" \
    | grep -q '^good' || fail "openmyna verify cms refused the auth-key CMS"

# 3. The signer certificates are the card's, as OpenSC reads them.
signer_fp() {
    openssl pkcs7 -inform DER -in "$1" -print_certs |
        openssl x509 -noout -fingerprint -sha256
}
pkcs15-tool --reader 0 --read-certificate 01 >"$work/auth.pem"
[ "$(signer_fp "$work/form.auth.p7s")" = "$(openssl x509 -in "$work/auth.pem" -noout -fingerprint -sha256)" ] \
    || fail "the auth CMS does not carry the card's auth certificate"
pkcs11-tool --slot-index 1 --login --pin "$sign_pin" --read-object --type cert \
    --id 02 -o "$work/sign.der" >/dev/null 2>&1 || fail "pkcs11-tool read the sign cert"
[ "$(signer_fp "$work/form.sign.p7s")" = "$(openssl x509 -inform DER -in "$work/sign.der" -noout -fingerprint -sha256)" ] \
    || fail "the signature CMS does not carry the card's signature certificate"

# 4. A tampered file is rejected by openssl and by openmyna.
cp "$work/form.txt" "$work/tampered.txt"
printf 'x' >>"$work/tampered.txt"
if cms_ok "$work/form.sign.p7s" "$work/tampered.txt" "$sign_ca" -purpose any; then
    fail "openssl accepted the signature over a tampered file"
fi
set +e
"$openmyna" --data "$data" verify cms "$work/form.sign.p7s" --content "$work/tampered.txt" >/dev/null
rc=$?
set -e
[ "$rc" = 1 ] || fail "openmyna verify cms of a tampered file: exit $rc"

# 5. Short APDUs only: the same signature path, certificate read in
#    256-byte chunks (the card's APDU log shows them).
OPENMYNA_TEST_PIN=$sign_pin run_sign "$work/s5" "$work/form.txt" --card \
    --short-apdus --pin-env OPENMYNA_TEST_PIN --out "$work/form.short.p7s"
expect_rc "$work/s5" 0 "sign --card --short-apdus"
cms_ok "$work/form.short.p7s" "$work/form.txt" "$sign_ca" \
    || fail "openssl refused the --short-apdus CMS: $(cat "$work/cms.txt")"
grep -q '> 00 b0 00 04 00 0[0-9a-f] [0-9a-f][0-9a-f]' "$PCSC_LOGDIR/card.log" \
    || fail "no extended READ BINARY in the card's log"
grep -q '> 00 b0 00 04 00$' "$PCSC_LOGDIR/card.log" \
    || fail "no 256-byte short READ BINARY in the card's log"
# The password never reaches the log (the card masks VERIFY data).
pin_hex=$(printf '%s' "$sign_pin" | od -An -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//')
grep -qi "$pin_hex" "$PCSC_LOGDIR/card.log" && fail "the signature password is in the APDU log"

# 6. Wrong signature password: fails, names the tries left, costs one try;
#    a right one afterwards resets the counter.
OPENMYNA_TEST_PIN=WRONG9 run_sign "$work/w1" "$work/form.txt" --card \
    --pin-env OPENMYNA_TEST_PIN --out "$work/wrong.p7s"
expect_rc "$work/w1" 3 "wrong signature password"
grep -q 'wrong signature password: 4 tries left' "$work/w1.err" \
    || fail "wrong-password message: $(cat "$work/w1.err")"
[ ! -e "$work/wrong.p7s" ] || fail "a signature file was written after a wrong password"
[ "$(tries 'Digital Signature PIN')" = 4 ] || fail "sign tries after one wrong: $(tries 'Digital Signature PIN')"
OPENMYNA_TEST_PIN=$sign_pin run_sign "$work/w2" "$work/form.txt" --card \
    --pin-env OPENMYNA_TEST_PIN --out "$work/again.p7s"
expect_rc "$work/w2" 0 "right password after a wrong one"
[ "$(tries 'Digital Signature PIN')" = 5 ] || fail "a right password did not reset the counter"

# 7. No PIN source and stdin not a terminal: exit 2, nothing sent.
run_sign "$work/n1" "$work/form.txt" --card --out "$work/none.p7s"
expect_rc "$work/n1" 2 "no PIN source"
grep -q 'no PIN source' "$work/n1.err" || fail "no-PIN message: $(cat "$work/n1.err")"
# On a terminal the PIN is asked for without echo (a pseudo-terminal types
# it after the prompt; the transcript must not show it).
set +e
/usr/bin/python3 "$(dirname "$0")/tty_pin.py" 'password' "$sign_pin" \
    "$openmyna" --data "$data" sign "$work/form.txt" --card --out "$work/tty.p7s" \
    >"$work/tty.txt" 2>&1
rc=$?
set -e
[ "$rc" = 0 ] || fail "sign --card on a terminal: status $rc (90: PIN echoed); $(cat "$work/tty.txt")"
cms_ok "$work/tty.p7s" "$work/form.txt" "$sign_ca" || fail "openssl refused the terminal-PIN CMS"
# A malformed PIN: exit 2, no try spent.
OPENMYNA_TEST_PIN=12 run_sign "$work/n2" "$work/form.txt" --card --key authentication \
    --pin-env OPENMYNA_TEST_PIN
expect_rc "$work/n2" 2 "malformed authentication PIN"
# An unknown reader: exit 2.
OPENMYNA_TEST_PIN=$auth_pin run_sign "$work/n3" "$work/form.txt" --card \
    --key authentication --reader 'No such reader' --pin-env OPENMYNA_TEST_PIN
expect_rc "$work/n3" 2 "unknown reader"
[ "$(tries 'User Authentication PIN')" = 3 ] || fail "auth tries spent by refused commands"

# 8. Authentication PIN: 2, 1 tries left, then blocked (63 C0); after that
#    the right PIN is refused as blocked without a VERIFY being spent.
for expected in '2 tries left' '1 try left'; do
    OPENMYNA_TEST_PIN=0000 run_sign "$work/b" "$work/form.txt" --card \
        --key authentication --pin-env OPENMYNA_TEST_PIN
    expect_rc "$work/b" 3 "wrong authentication PIN"
    grep -q "wrong authentication PIN: $expected" "$work/b.err" \
        || fail "expected '$expected': $(cat "$work/b.err")"
done
OPENMYNA_TEST_PIN=0000 run_sign "$work/b" "$work/form.txt" --card \
    --key authentication --pin-env OPENMYNA_TEST_PIN
expect_rc "$work/b" 3 "last wrong authentication PIN"
grep -q 'authentication PIN is blocked' "$work/b.err" || fail "blocked message: $(cat "$work/b.err")"
[ "$(tries 'User Authentication PIN')" = 0 ] || fail "auth tries after 3 wrong"
verifies_before=$(grep -c '> 00 20 00 80 04' "$PCSC_LOGDIR/card.log" || true)
OPENMYNA_TEST_PIN=$auth_pin run_sign "$work/b" "$work/form.txt" --card \
    --key authentication --pin-env OPENMYNA_TEST_PIN
expect_rc "$work/b" 3 "right PIN on a blocked key"
grep -q 'authentication PIN is blocked' "$work/b.err" || fail "blocked message: $(cat "$work/b.err")"
[ "$(grep -c '> 00 20 00 80 04' "$PCSC_LOGDIR/card.log" || true)" = "$verifies_before" ] \
    || fail "a VERIFY with data was sent to a blocked key"
# The signature key is untouched by the auth PIN's block.
OPENMYNA_TEST_PIN=$sign_pin run_sign "$work/b2" "$work/form.txt" --card \
    --pin-env OPENMYNA_TEST_PIN --out "$work/last.p7s"
expect_rc "$work/b2" 0 "signature key after the auth PIN was blocked"
echo "card sign interop: ok"
