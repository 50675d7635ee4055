#!/usr/bin/env bash
# `openmyna card new|show|plug|tamper` without pcscd: refusals write nothing
# and exit 2, a missing sandbox says to run `openmyna init`, `show` reports
# the counters, `plug` refuses bad realism knobs, `tamper` erases the chip.
# (The knobs themselves, through pcscd: card_plug_realism_test.sh.)
# Usage: cli_card_test.sh PATH/TO/openmyna SOURCE_DIR
set -uo pipefail
openmyna=$1
src=$2
work=$(mktemp -d /tmp/openmyna-cli-card.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# No sandbox: exit 3, told to run init, nothing written.
out=$("$openmyna" --data "$work/none" card new \
      --profile "$src/examples/profiles/adult.json" --out "$work/a.card" 2>&1)
rc=$?
[ "$rc" = 3 ] || fail "no sandbox: exit $rc"
grep -q 'openmyna init' <<<"$out" || fail "no sandbox message: $out"
[ ! -e "$work/a.card" ] || fail "image written without a sandbox"

"$openmyna" --data "$work/data" init >/dev/null || fail "init"

# A bad profile: exit 2, every problem named, no image.
sed -e 's/"123456789018"/"123456789012"/' -e 's/"ABC123"/"abc"/' \
    "$src/examples/profiles/adult.json" >"$work/bad.json"
out=$("$openmyna" --data "$work/data" card new --profile "$work/bad.json" \
      --out "$work/bad.card" 2>&1)
rc=$?
[ "$rc" = 2 ] || fail "bad profile: exit $rc"
grep -q '^number: ' <<<"$out" || fail "number not named: $out"
grep -q '^passwords.signature: ' <<<"$out" || fail "password not named: $out"
grep -q 'abc' <<<"$out" && fail "the password was echoed"
[ ! -e "$work/bad.card" ] || fail "image written from a bad profile"

# A good one; a second `new` to the same file is refused without --force.
"$openmyna" --data "$work/data" card new \
    --profile "$src/examples/profiles/adult.json" --out "$work/a.card" \
    >/dev/null || fail "card new"
"$openmyna" --data "$work/data" card new \
    --profile "$src/examples/profiles/adult.json" --out "$work/a.card" \
    >/dev/null 2>&1
[ $? = 2 ] || fail "overwrite without --force"

# show: the JPKI PINs with 3 and 5 tries, keys generated, no personal data.
json=$("$openmyna" card show --image "$work/a.card" --json) || fail "show"
/usr/bin/python3 - "$json" <<'PY' || fail "show --json content"
import json, sys
card = json.loads(sys.argv[1])
assert card["state"] == "active" and card["kind"] == "standard"
jpki = {f["fid"]: f for a in card["applications"] if a["name"] == "jpki" for f in a["files"]}
assert jpki["0018"]["tries_left"] == 3 and jpki["0018"]["max_tries"] == 3, jpki["0018"]
assert jpki["001b"]["tries_left"] == 5 and jpki["001b"]["max_tries"] == 5, jpki["001b"]
assert jpki["0017"]["generated"] and jpki["001a"]["generated"]
PY
"$openmyna" card show --image "$work/a.card" --json | grep -q '123456789018' \
    && fail "show printed the individual number"

# plug: a bad realism knob or address is refused with exit 2, naming the
# option, before anything is plugged (no vpcd is needed to see it).
plug_refused() {  # plug_refused OPTION VALUE
    local out rc
    out=$(timeout 20 "$openmyna" --data "$work/data" card plug \
          --image "$work/a.card" --vpcd 127.0.0.1:1 "$1" "$2" 2>&1)
    rc=$?
    [ "$rc" = 2 ] || fail "card plug $1 $2: exit $rc ($out)"
    grep -q -- "$1" <<<"$out" || fail "card plug $1 $2: option not named: $out"
}
plug_refused --atr felica
plug_refused --latency 2A
plug_refused --latency ZZ=300
plug_refused --latency 2A=60001
plug_refused --tag-loss -1
plug_refused --tag-loss many
out=$(timeout 20 "$openmyna" --data "$work/data" card plug \
      --image "$work/a.card" --vpcd host:0 2>&1)
[ $? = 2 ] || fail "card plug --vpcd host:0 accepted: $out"
# plug to an address where nothing listens: it says it waits for vpcd
# there, never that the card is in the reader, until stopped (SIGINT: exit
# 0). Waited for up to 60 s (the asan stage runs it too).
"$openmyna" --data "$work/data" card plug --image "$work/a.card" \
    --vpcd 127.0.0.1:1 >"$work/plug.log" 2>&1 &
plug=$!
for _ in $(seq 1 600); do
  grep -q 'waiting for vpcd' "$work/plug.log" && break
  sleep 0.1
done
[ "$plug" -gt 0 ] && kill -INT "$plug"
wait "$plug"
rc=$?
out=$(cat "$work/plug.log")
[ "$rc" = 0 ] || fail "card plug to a dead address, stopped: exit $rc ($out)"
grep -q 'waiting for vpcd at 127.0.0.1:1' <<<"$out" \
    || fail "card plug to a dead address does not say it waits: $out"
grep -q 'connected to vpcd\|plugged into' <<<"$out" \
    && fail "card plug to a dead address says it is plugged: $out"

# tamper: the chip is erased and stays so.
"$openmyna" --data "$work/data" card tamper --image "$work/a.card" >/dev/null \
    || fail "tamper"
"$openmyna" card show --image "$work/a.card" --json | grep -q '"state": "erased"' \
    || fail "not erased after tamper"
echo "cli card: ok"
