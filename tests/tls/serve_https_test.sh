#!/usr/bin/env bash
# `openmyna init` makes the sandbox TLS root (key 0600) and a server
# certificate for localhost, 127.0.0.1 and ::1; `openmyna serve` listens
# with TLS beside HTTP. Checked with software nobody here wrote: `openssl
# verify` (chain, purpose sslserver, host and IP names), curl over HTTPS with
# the root as its only trust anchor (and refusing without it), and OCSP still
# on plain HTTP.
# Usage: serve_https_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$work/serve.log" ] && tail -20 "$work/serve.log"; exit 1; }
data=$work/data
unset OPENMYNA_REGISTRY_DB

"$openmyna" --data "$data" init > "$work/init.txt"
grep -q "Sandbox TLS root for HTTPS.*$data/tls/root.pem" "$work/init.txt" || { cat "$work/init.txt"; fail "init did not print the TLS root"; }
tls=$data/tls
[ "$(stat -c %a "$tls/root.key")" = 600 ] || fail "root.key is not 0600"
[ "$(stat -c %a "$tls/server.key")" = 600 ] || fail "server.key is not 0600"
openssl x509 -in "$tls/root.pem" -noout -text | grep -q "CA:TRUE" || fail "root is not a CA"
for name in "-verify_hostname localhost" "-verify_ip 127.0.0.1" "-verify_ip ::1"; do
  # shellcheck disable=SC2086
  openssl verify -CAfile "$tls/root.pem" -purpose sslserver $name "$tls/server.pem" >/dev/null \
    || fail "openssl verify $name"
done
if openssl verify -CAfile "$tls/root.pem" -verify_hostname example.com "$tls/server.pem" >/dev/null 2>&1; then
  fail "the server certificate also claims example.com"
fi
before=$(sha256sum "$tls"/*)
"$openmyna" --data "$data" init > "$work/init2.txt"
[ "$(sha256sum "$tls"/*)" = "$before" ] || fail "a second init changed the TLS files"

"$openmyna" --data "$data" serve --only ocsp,crl --port 0 --tls-port 0 > "$work/serve.log" 2>&1 &
server=$!
https= http=
for _ in $(seq 1 300); do
  https=$(sed -n 's|^openmyna serve: HTTPS on \(https://[0-9.:]*\) .*|\1|p' "$work/serve.log")
  http=$(sed -n 's|^openmyna serve: .* on \(http://[0-9.:]*\) .*|\1|p' "$work/serve.log")
  [ -n "$https" ] && [ -n "$http" ] && break
  kill -0 "$server" 2>/dev/null || fail "serve exited"
  sleep 0.1
done
[ -n "$https" ] || fail "serve did not announce HTTPS"
grep -q "TLS root: $tls/root.pem" "$work/serve.log" || fail "serve did not name the TLS root"
# The same routes on both listeners: the sign CA's CRL of generation 1.
crl_path=$(curl -s "$http/crl/" -o /dev/null -w '%{http_code}')
code=$(curl -s --cacert "$tls/root.pem" -o /dev/null -w '%{http_code}' "$https/crl/")
[ "$code" = "$crl_path" ] || fail "HTTPS answered $code where HTTP answered $crl_path"
# curl trusts nothing else: without --cacert it refuses (exit 60).
rc=0; curl -s -o /dev/null "$https/crl/" || rc=$?
[ "$rc" = 60 ] || fail "curl without the root exited $rc, expected 60"
# localhost resolves to the name in the certificate as well.
port=${https##*:}
code=$(curl -s --cacert "$tls/root.pem" -o /dev/null -w '%{http_code}' --resolve "localhost:$port:127.0.0.1" "https://localhost:$port/crl/")
[ "$code" = "$crl_path" ] || fail "https://localhost answered $code"
# OCSP stays on HTTP (the certificates' AIA): an openssl ocsp query for a
# serial nobody issued is answered 'unknown' over plain HTTP.
openssl ocsp -issuer "$data/ca/auth-ca-g1.pem" -serial 0x1234 -url "$http/ocsp/auth" \
  -CAfile "$data/ca/auth-ca-all.pem" -VAfile "$data/ca/auth-ocsp-g1.pem" > "$work/ocsp.txt" 2>&1 \
  || { cat "$work/ocsp.txt"; fail "openssl ocsp over HTTP"; }
grep -q "0x1234: unknown" "$work/ocsp.txt" || { cat "$work/ocsp.txt"; fail "OCSP answer"; }
kill "$server"; wait "$server" 2>/dev/null || true; server=
echo "serve_https_test: 1 passed, 0 failed"
