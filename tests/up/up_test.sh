#!/usr/bin/env bash
# `openmyna up` as a new user meets it: on a fresh data folder it creates the
# sandbox, starts pcscd (in private namespaces, pcsc-testing.md §6), the
# services and the sample card, issued through the registry to a sample
# resident; pkcs11-tool signs with the plugged card and openssl verifies the
# signature with the certificate read from the card; the registry API finds
# that card's certificate as the resident's;
# Ctrl-C stops everything; a second run changes nothing and still works;
# `up --now` (issue 11 item 7): a malformed instant is bad input (exit 2);
# with 10:00 JST of a later day the services' Date header says that instant
# and the kiosk command up prints issues the sample card's 住民票 as a PDF
# that poppler's pdfsig validates; up prints the kiosk page's URL.
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

# The plugged card is the registry's: the serial of the authentication
# certificate OpenSC reads from it is found, through the registry API with
# the platform credential, as the certificate of the sample resident named
# in sample-card.json, good, on the card named there.
check_card_is_registered() {
  local serial platform holder
  serial=$(openssl x509 -in "$work/cert.pem" -noout -serial | cut -d= -f2)
  platform=$(awk '$1 == "platform" {print $2}' "$data/credentials.txt")
  [ -n "$platform" ] || { echo "FAIL: no platform credential"; exit 1; }
  holder=$(curl -sf -u "$platform" -H 'X-Purpose: up test' \
    "http://127.0.0.1:8390/v1/certificates/$serial/holder") \
    || { echo "FAIL: holder of $serial not found"; exit 1; }
  python3 - "$data/sample-card.json" "$holder" <<'PY'
import json, sys
sample = json.load(open(sys.argv[1]))
holder = json.loads(sys.argv[2])
assert holder["resident"]["id"] == sample["resident_id"], (holder, sample)
assert holder["resident"]["name"] == "千曲 太郎", holder["resident"]
assert holder["card"]["id"] == sample["card_id"], (holder, sample)
assert holder["certificate"]["type"] == "authentication", holder
assert holder["standing"] == "good", holder
assert "individual_number" not in json.dumps(holder), holder
PY
}

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
  pin=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["passwords"]["authentication"])' "$data/sample-card.json")
  grep -q "authentication $pin, signature" "$work/up.out" || { cat "$work/up.out"; echo "FAIL: up did not print the passwords"; exit 1; }
  pkcs11-tool --slot-index 0 --login --pin "$pin" --sign --id 01 \
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
  check_card_is_registered
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
[ "$(stat -c %a "$data/sample-card.json")" = 600 ] || { echo "FAIL: sample-card.json not 0600"; exit 1; }
grep -q 'issued now' "$work/up.out" || { echo "FAIL: the sample card was not issued"; exit 1; }
first_card=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["card_id"])' "$data/sample-card.json")
grep -q 'counter_clerk\|counter-clerk\|clerk' "$data/credentials.txt"
run_up_and_sign   # idempotent: same sandbox, same card, nothing recreated
grep -q 'changes nothing\|already\|unchanged' "$work/up.out" || { cat "$work/up.out"; echo "FAIL: second init did not say unchanged"; exit 1; }
grep -q '0 created now' "$work/up.out" || { echo "FAIL: seed not idempotent"; exit 1; }
grep -q 'already issued' "$work/up.out" || { echo "FAIL: the sample card was issued again"; exit 1; }
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["card_id"])' "$data/sample-card.json")" = "$first_card" ] \
  || { echo "FAIL: a second up plugged another card"; exit 1; }

# up --now: bad input first, then a later day at 10:00 JST (not in the
# year-end closure 12/29-1/3, docs/konbini.md) so the card issued today maps.
set +e
"$openmyna" --data "$data" up --now tomorrow > "$work/bad.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || { cat "$work/bad.out"; echo "FAIL: up --now tomorrow: exit $rc"; exit 1; }
later=$(python3 - <<'PY'
import datetime as dt
jst = dt.timezone(dt.timedelta(hours=9))
day = dt.datetime.now(jst).date() + dt.timedelta(days=1)
closed = lambda d: (d.month == 12 and d.day >= 29) or (d.month == 1 and d.day <= 3)
while closed(day):
    day += dt.timedelta(days=1)
print(dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=jst)
      .astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
)
"$openmyna" --data "$data" up --now "$later" > "$work/up.out" 2>&1 &
up=$!
for _ in $(seq 300); do
  grep -q 'Ctrl-C stops' "$work/up.out" && \
    curl -s -o /dev/null http://127.0.0.1:8390/openapi.json && break
  kill -0 "$up" 2>/dev/null || { cat "$work/up.out"; echo "FAIL: up --now exited"; exit 1; }
  sleep 0.5
done
date_header=$(curl -sI http://127.0.0.1:8390/openapi.json | tr -d '\r' | sed -n 's/^[Dd]ate: //p')
python3 - "$later" "$date_header" <<'PY' || { kill -INT "$up"; wait "$up"; exit 1; }
import datetime as dt, email.utils, sys
want = dt.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
got = email.utils.parsedate_to_datetime(sys.argv[2])
assert abs((got - want).total_seconds()) < 600, ("Date header", sys.argv[2], sys.argv[1])
PY
grep -q 'https://127.0.0.1:8391/kiosk/' "$work/up.out" || { cat "$work/up.out"; echo "FAIL: no kiosk page URL"; exit 1; }
kiosk_cmd=$(sed -n 's/^  scripted      //p' "$work/up.out")
[ -n "$kiosk_cmd" ] || { cat "$work/up.out"; echo "FAIL: no kiosk command"; exit 1; }
(cd "$work" && eval "$kiosk_cmd") > "$work/kiosk.out" 2>&1 \
  || { cat "$work/kiosk.out"; kill -INT "$up"; wait "$up"; echo "FAIL: the printed kiosk command"; exit 1; }
pdfsig "$work/juminhyo.pdf" | grep -q 'Signature is Valid' \
  || { kill -INT "$up"; wait "$up"; echo "FAIL: pdfsig"; exit 1; }
pdftotext -enc UTF-8 "$work/juminhyo.pdf" - | grep -q '千曲 太郎' \
  || { kill -INT "$up"; wait "$up"; echo "FAIL: the 住民票 does not name 千曲 太郎"; exit 1; }
kill -INT "$up"
wait "$up" || { cat "$work/up.out"; echo "FAIL: up --now exit code"; exit 1; }
echo "up_test: passed"
