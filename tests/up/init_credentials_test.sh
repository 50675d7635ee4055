#!/usr/bin/env bash
# `openmyna init` creates the registry API credentials (one per staff role),
# shows them once, keeps a 0600 copy in DIR/credentials.txt and stores only
# hashes; a second init changes nothing and says so; and the credentials
# work: `openmyna serve` accepts them over HTTP Basic (curl), refuses a
# wrong secret (401) and a role the action is not for (403). Also `db seed
# --residents N` (bulk load): progress on stderr, idempotent, and a generated
# resident found over the API by its individual number.
# Usage: init_credentials_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
data=$work/data
# A port the kernel handed out a moment ago (a PID-derived one can be another
# connection's ephemeral port).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
unset OPENMYNA_REGISTRY_DB

"$openmyna" --data "$data" init --base-url "http://127.0.0.1:$port" > "$work/init1.txt"
for role in counter_clerk hotline_operator kiosk platform; do
  grep -Eq "^  $role +[a-z]+-[0-9a-f]{12}:[0-9a-f]{32}\$" "$work/init1.txt" \
    || { cat "$work/init1.txt"; fail "init did not show a $role credential"; }
done
[ "$(stat -c %a "$data/credentials.txt")" = 600 ] || fail "credentials.txt is not 0600"
# The file holds exactly what was shown.
diff <(grep -E '^  [a-z_]+ +[a-z]+-' "$work/init1.txt") \
     <(grep -E '^  [a-z_]+ +[a-z]+-' "$data/credentials.txt") || fail "file differs from output"
# Only hashes in the database: no secret appears in it.
secret=$(awk '/^  counter_clerk/ {split($2, a, ":"); print a[2]}' "$data/credentials.txt")
if grep -aq "$secret" "$data/registry.db"*; then fail "a secret is stored in clear"; fi
before=$(sha256sum "$data/credentials.txt")

"$openmyna" --data "$data" init > "$work/init2.txt"
grep -q "credentials already exist.*nothing changed" "$work/init2.txt" || { cat "$work/init2.txt"; fail "second init did not say nothing changed"; }
if grep -Eq '[a-z]+-[0-9a-f]{12}:[0-9a-f]{32}' "$work/init2.txt"; then fail "second init showed secrets"; fi
[ "$(sha256sum "$data/credentials.txt")" = "$before" ] || fail "second init rewrote credentials.txt"

# Bulk load through the CLI: N generated residents, a rerun loads nothing.
"$openmyna" --data "$data" db seed --residents 2000 > "$work/seed1.txt" 2> "$work/seed1.err"
grep -q "Generated residents: 2000 (2000 loaded now" "$work/seed1.txt" || { cat "$work/seed1.txt" "$work/seed1.err"; fail "seed --residents did not load 2000"; }
grep -q "residents/s" "$work/seed1.err" || fail "no progress bar on stderr"
"$openmyna" --data "$data" db seed --residents 2000 | grep -q "(0 loaded now" || fail "seed --residents is not idempotent"
# Generated resident 1234: "8" + 10 digits + the check digit by the
# published formula (weights 2-7, 2-6 from the right; 11 - sum mod 11).
generated_number() {
  local base sum=0 k d w r
  base=8$(printf %010d "$1")
  for k in $(seq 1 11); do d=${base:$((11 - k)):1}; w=$(( k <= 6 ? k + 1 : k - 5 )); sum=$((sum + d * w)); done
  r=$((sum % 11)); echo "$base$(( r <= 1 ? 0 : 11 - r ))"
}
number=$(generated_number 1234)
missing=$(generated_number 5000)  # valid, beyond the 2000 loaded

cred() { awk -v r="$1" '$1 == r {print $2}' "$data/credentials.txt"; }
clerk=$(cred counter_clerk); hotline=$(cred hotline_operator)
"$openmyna" --data "$data" serve --only registry --port "$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/openapi.json" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; fail "serve exited"; }
  sleep 0.2
done
post() { # user:secret path body -> HTTP status
  curl -s -o "$work/body.json" -w '%{http_code}' -u "$1" -H 'Content-Type: application/json' \
    -H 'X-Purpose: init_credentials_test' -X POST "http://127.0.0.1:$port$2" -d "$3"
}
municipality='{"code":"20218","name":"千曲市","prefecture":"長野県","name_romaji":"Chikuma-shi","prefecture_romaji":"Nagano-ken","reissue_fee_with_certificates_yen":1000,"reissue_fee_without_certificates_yen":800}'
code=$(post "$clerk" /v1/municipalities "$municipality")
[ "$code" = 200 ] || { cat "$work/body.json"; fail "clerk credential refused ($code)"; }
code=$(post "${clerk%%:*}:00000000000000000000000000000000" /v1/municipalities "$municipality")
[ "$code" = 401 ] || fail "a wrong secret was not refused with 401 ($code)"
code=$(post "$hotline" /v1/municipalities "$municipality")
[ "$code" = 403 ] || fail "the hotline may not write municipalities, got $code"
code=$(post "$hotline" /v1/residents/lookup "{\"individual_number\":\"$missing\"}")
[ "$code" = 404 ] || { cat "$work/body.json"; fail "hotline look-up: expected 404 (authenticated, no such resident), got $code"; }
code=$(post "$hotline" /v1/residents/lookup "{\"individual_number\":\"$number\"}")
[ "$code" = 200 ] || { cat "$work/body.json"; fail "look-up of a generated resident: $code"; }
grep -q '"bulk-000000001234"' "$work/body.json" || { cat "$work/body.json"; fail "wrong generated resident"; }
echo "init_credentials_test: passed"
