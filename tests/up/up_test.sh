#!/usr/bin/env bash
# `openmyna up` as a new user meets it: on a fresh data folder it creates the
# sandbox, starts pcscd (in private namespaces, pcsc-testing.md §6), the
# services and the sample card; pkcs11-tool signs with the plugged card and
# openssl verifies the signature with the certificate read from the card;
# Ctrl-C stops everything; a second run changes nothing and still works.
# Usage: up_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
if [ "${OPENMYNA_UP_TEST_INNER:-}" != 1 ]; then
  if ! unshare -m -n --fork true 2>/dev/null; then
    echo "SKIP: cannot create namespaces (needs root)"; exit 77
  fi
  OPENMYNA_UP_TEST_INNER=1 exec unshare -m -n --fork bash "$0" "$@"
fi
mount --make-rprivate /
mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd
ip link set lo up
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=$work/data

run_up_and_sign() {
  "$openmyna" --data "$data" up > "$work/up.out" 2>&1 &
  local up=$!
  for _ in $(seq 300); do
    opensc-tool --reader 0 --name 2>/dev/null | grep -qx jpki && break
    kill -0 "$up" 2>/dev/null || { cat "$work/up.out"; echo "FAIL: up exited"; exit 1; }
    sleep 0.5
  done
  [ "$(opensc-tool --reader 0 --name)" = jpki ] || { echo "FAIL: no jpki card"; exit 1; }
  echo "message to sign" > "$work/msg"
  pkcs11-tool --slot-index 0 --login --pin 1234 --sign --id 01 \
    -m SHA256-RSA-PKCS -i "$work/msg" -o "$work/sig" >/dev/null 2>&1
  pkcs15-tool --reader 0 --read-certificate 01 > "$work/cert.pem"
  openssl x509 -in "$work/cert.pem" -pubkey -noout > "$work/pub.pem"
  openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig" "$work/msg"
  for _ in $(seq 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8390/openapi.json || true)
    [ "$code" = 200 ] && break
    sleep 0.5
  done
  [ "$code" = 200 ] || { echo "FAIL: services not answering ($code)"; exit 1; }
  kill -INT "$up"
  wait "$up" || { cat "$work/up.out"; echo "FAIL: up exit code"; exit 1; }
  grep -q '^stopped$' "$work/up.out"
  # Only a pcscd in this test's network namespace is ours (others may run
  # their own pcscd in their namespaces on the same machine).
  for p in $(pgrep -x pcscd || true); do
    if [ "$(readlink "/proc/$p/ns/net")" = "$(readlink /proc/self/ns/net)" ]; then
      echo "FAIL: pcscd left running"; exit 1
    fi
  done
}

run_up_and_sign
[ "$(stat -c %a "$data/credentials.txt")" = 600 ] || { echo "FAIL: credentials not 0600"; exit 1; }
grep -q 'counter_clerk\|counter-clerk\|clerk' "$data/credentials.txt"
run_up_and_sign   # idempotent: same sandbox, same card, nothing recreated
grep -q 'changes nothing\|already\|unchanged' "$work/up.out" || { cat "$work/up.out"; echo "FAIL: second init did not say unchanged"; exit 1; }
grep -q '0 created now' "$work/up.out" || { echo "FAIL: seed not idempotent"; exit 1; }
echo "up_test: passed"
