#!/bin/sh
# End-to-end through the `openmyna` binary and the `openssl` command line:
# init (twice), issue for a key made by openssl, verify with openssl and
# with openmyna, revoke, list, sign/verify CMS both ways.
# usage: cli_pki_test.sh OPENMYNA
set -eu
OPENMYNA=$1
WORK=$(mktemp -d)
HTTP_PID=
trap '[ -n "$HTTP_PID" ] && kill "$HTTP_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
# A port the kernel handed out a moment ago (a PID-derived one can be another
# connection's ephemeral port).
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
export OPENMYNA_DATA="$WORK/data"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$OPENMYNA" init --base-url "http://127.0.0.1:$PORT" > "$WORK/init.txt"
grep -q "sign-ca-g1.pem" "$WORK/init.txt" || fail "init did not print the CA paths"
[ "$(stat -c %a "$OPENMYNA_DATA/ca/sign-ca-g1.key")" = 600 ] || fail "key not 0600"
"$OPENMYNA" init | grep -q "nothing changed" || fail "second init changed something"

openssl genrsa -out "$WORK/user.key" 2048 2>/dev/null
openssl rsa -in "$WORK/user.key" -pubout -out "$WORK/user.pub" 2>/dev/null
NOT_AFTER=$(date -u -d "+5 years" +%Y-%m-%d)
"$OPENMYNA" ca issue --kind sign --pubkey "$WORK/user.pub" --code 13221 \
  --prefecture Tokyo-to --municipality Kiyose-shi --not-after "$NOT_AFTER" \
  --name "清瀬　花子" --sex 2 --born 1990-01-02 --address "東京都清瀬市中里五丁目８４２番地" \
  --out "$WORK/sign.pem" --json > "$WORK/issue.json"
SERIAL=$(sed 's/.*"serial":"\([0-9a-f]*\)".*/\1/' "$WORK/issue.json")
[ -n "$SERIAL" ] || fail "no serial"

# openssl agrees with the chain, and shows the DOB of 1990-01-02 as 419900102
openssl verify -CAfile "$OPENMYNA_DATA/ca/sign-ca-all.pem" "$WORK/sign.pem" | grep -q ": OK" \
  || fail "openssl verify refused the certificate"
openssl asn1parse -in "$WORK/sign.pem" -strparse \
  "$(openssl asn1parse -in "$WORK/sign.pem" | grep -A1 "Subject Alternative Name" | tail -1 | cut -d: -f1 | tr -d ' ')" \
  | grep -q "UTF8STRING        :419900102" || fail "DOB not 419900102 in the SAN"

"$OPENMYNA" verify cert "$WORK/sign.pem" | grep -q "^good" || fail "openmyna verify: not good"

# --crl-url: a CRL made by `openssl ca -gencrl` with the sandbox CA key,
# served by python's http.server at the URL the certificate names.
mkdir -p "$WORK/www/crl/sign/g1"
: > "$WORK/index.txt"; echo 01 > "$WORK/crlnumber"
cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = sb
[ sb ]
database = $WORK/index.txt
crlnumber = $WORK/crlnumber
default_md = sha256
default_crl_days = 1
crl_extensions = crl_ext
[ crl_ext ]
authorityKeyIdentifier = keyid:always
CNF
gencrl() {
  openssl ca -config "$WORK/ca.cnf" -gencrl -keyfile "$OPENMYNA_DATA/ca/sign-ca-g1.key" \
    -cert "$OPENMYNA_DATA/ca/sign-ca-g1.pem" -out "$WORK/crl.pem" 2>/dev/null
  openssl crl -in "$WORK/crl.pem" -outform DER -out "$WORK/www/crl/sign/g1/13221.crl"
}
gencrl
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
HTTP_PID=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
  "$OPENMYNA" verify cert "$WORK/sign.pem" --crl-url > "$WORK/v.txt" 2>&1 && break
  sleep 0.5
done
grep -q "^good: chain, validity and CRL good" "$WORK/v.txt" || fail "--crl-url with a clean CRL: $(cat "$WORK/v.txt")"
SERIAL_UP=$(echo "$SERIAL" | tr a-f A-F)
[ $((${#SERIAL_UP} % 2)) -eq 1 ] && SERIAL_UP="0$SERIAL_UP"
printf 'R\t301231000000Z\t260101000000Z,keyCompromise\t%s\tunknown\t/CN=x\n' "$SERIAL_UP" > "$WORK/index.txt"
gencrl
set +e
"$OPENMYNA" verify cert "$WORK/sign.pem" --crl-url > "$WORK/v.txt" 2>&1; RC=$?
set -e
[ $RC -eq 1 ] || fail "--crl-url with the serial revoked: exit $RC"
grep -q "not good: revoked" "$WORK/v.txt" || fail "--crl-url: $(cat "$WORK/v.txt")"
kill "$HTTP_PID"; wait "$HTTP_PID" 2>/dev/null || true; HTTP_PID=

# CMS both ways
echo "申請書" > "$WORK/doc.txt"
"$OPENMYNA" sign "$WORK/doc.txt" --key "$WORK/user.key" --cert "$WORK/sign.pem" --out "$WORK/doc.p7s" >/dev/null
openssl cms -verify -binary -inform DER -in "$WORK/doc.p7s" -content "$WORK/doc.txt" \
  -CAfile "$OPENMYNA_DATA/ca/sign-ca-all.pem" -purpose any -out /dev/null 2>&1 \
  | grep -q "Verification successful" || fail "openssl cms -verify refused our signature"
openssl cms -sign -binary -md sha256 -outform DER -in "$WORK/doc.txt" -signer "$WORK/sign.pem" \
  -inkey "$WORK/user.key" -out "$WORK/theirs.p7s"
"$OPENMYNA" verify cms "$WORK/theirs.p7s" --content "$WORK/doc.txt" | grep -q "^good" \
  || fail "openmyna verify cms refused openssl's signature"
echo "changed" > "$WORK/other.txt"
if "$OPENMYNA" verify cms "$WORK/theirs.p7s" --content "$WORK/other.txt" >/dev/null; then
  fail "a signature over other content was accepted"
fi

# revocation: hold, never lifted
"$OPENMYNA" ca revoke --serial "$SERIAL" --reason certificateHold | grep -q certificateHold \
  || fail "revoke did not report the hold"
if "$OPENMYNA" ca revoke --serial "$SERIAL" --reason removeFromCRL 2>/dev/null; then
  fail "a hold was lifted"
fi
"$OPENMYNA" ca list --json | grep -q "\"serial\":\"$SERIAL\".*\"reason\":\"certificateHold\"" \
  || fail "list does not show the hold"
set +e
"$OPENMYNA" ca revoke --serial zz --reason keyCompromise 2>/dev/null; [ $? -eq 2 ] || fail "bad serial not exit 2"
"$OPENMYNA" ca revoke --serial "$SERIAL" --reason lost 2>/dev/null; [ $? -eq 2 ] || fail "bad reason not exit 2"
set -e

# rollover: the next generation issues, openssl picks it by key identifier
"$OPENMYNA" ca rollover --ca auth | grep -q "generation 2" || fail "rollover"
"$OPENMYNA" ca issue --kind auth --pubkey "$WORK/user.pub" --code 01106 --prefecture Hokkaido \
  --municipality Sapporo-shi-Minami-ku --not-after "$NOT_AFTER" --out "$WORK/auth.pem" --json \
  | grep -q '"generation":2' || fail "issuance did not use generation 2"
openssl verify -CAfile "$OPENMYNA_DATA/ca/auth-ca-all.pem" "$WORK/auth.pem" | grep -q ": OK" \
  || fail "openssl verify refused the g2 certificate"
# End to end with `openmyna serve` (pki-revocation's CRL and OCSP service on
# this store): good, then revoked, by OCSP and by the CRL the cert names.
AUTH_SERIAL=$("$OPENMYNA" ca list --ca auth --json | sed 's/.*"serial":"\([0-9a-f]*\)".*/\1/')
"$OPENMYNA" serve --only ocsp,crl --port "$PORT" >"$WORK/serve.log" 2>&1 &
HTTP_PID=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
  "$OPENMYNA" verify cert "$WORK/auth.pem" --ocsp "http://127.0.0.1:$PORT/ocsp/auth" > "$WORK/v.txt" 2>&1 && break
  sleep 0.5
done
grep -q "OCSP good" "$WORK/v.txt" || fail "serve OCSP good: $(cat "$WORK/v.txt" "$WORK/serve.log")"
"$OPENMYNA" verify cert "$WORK/auth.pem" --crl-url | grep -q "^good" || fail "serve CRL good"
"$OPENMYNA" ca revoke --serial "$AUTH_SERIAL" --reason keyCompromise >/dev/null
# The responder serves pre-signed responses and refreshes them from the
# store on its own schedule: poll for up to 20 s.
set +e
for i in $(seq 1 40); do
  "$OPENMYNA" verify cert "$WORK/auth.pem" --ocsp "http://127.0.0.1:$PORT/ocsp/auth" > "$WORK/v.txt" 2>&1; RC=$?
  [ $RC -eq 1 ] && break
  sleep 0.5
done
set -e
[ $RC -eq 1 ] && grep -q "revoked (keyCompromise)" "$WORK/v.txt" || fail "serve OCSP revoked: $(cat "$WORK/v.txt")"
set +e
for i in $(seq 1 40); do
  "$OPENMYNA" verify cert "$WORK/auth.pem" --crl-url > "$WORK/v.txt" 2>&1; RC=$?
  [ $RC -eq 1 ] && break
  sleep 0.5
done
set -e
[ $RC -eq 1 ] && grep -q "revoked" "$WORK/v.txt" || fail "serve CRL revoked: $(cat "$WORK/v.txt")"
echo "cli_pki_test: all checks passed"
