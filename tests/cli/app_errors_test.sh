#!/usr/bin/env bash
# `openmyna app login` given wrong inputs, as a user meets them: each error is
# one line on stderr that says what to change, with exit 2 for the user's
# input and 3 for a refusal (docs/cli.md). A real serve (sign_in and the
# demo relying party, over HTTPS with the sandbox root) makes the sign-in
# request, read by curl from the demo relying party's page; each case stops
# before the card is needed, so no PC/SC is used.
#  - --pin-env naming a variable that is not set: the variable is named;
#  - both --pin-env and --pin-file: refused;
#  - no PIN source and stdin not a terminal: refused, naming both options;
#  - a --data without the sandbox's TLS root: the missing file is named, with
#    --cacert (not OpenSSL's "load_verify_file");
#  - a link no request waits under: the provider's reason, not its JSON;
#  - `clinic reader --pin-env` of an unset variable: the variable is named.
# Usage: app_errors_test.sh /path/to/openmyna
set -u
BIN=${1:?usage: $0 /path/to/openmyna}
# In a network namespace of its own (netns.sh).
# shellcheck source=netns.sh
. "$(dirname "$0")/netns.sh"
run_in_own_network_namespace "$@"
# FAILURES, TMP, fail and finish (lib.sh); cleanup below replaces its trap
# and removes TMP too.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
SERVE=0
cleanup() {
  [[ $SERVE -gt 0 ]] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
DATA=$TMP/data

# run <args...>: sets RC, OUT, ERR (stdin is not a terminal).
run() {
  "$BIN" "$@" </dev/null >"$TMP/out" 2>"$TMP/err"
  RC=$?
  OUT=$(cat "$TMP/out")
  ERR=$(cat "$TMP/err")
}
expect_rc() {  # expect_rc <code> <what>
  [[ $RC -eq $1 ]] || fail "$2: exit $RC, expected $1 (stderr: $ERR)"
}
# One line on stderr holding every given text.
expect_error() {  # expect_error <what> <text>...
  local what=$1 lines
  shift
  lines=$(printf '%s\n' "$ERR" | wc -l)
  [[ $lines -eq 1 ]] || fail "$what: stderr has $lines lines: $ERR"
  for text in "$@"; do
    [[ $ERR == *"$text"* ]] || fail "$what: stderr does not say '$text': $ERR"
  done
}

read -r PORT < <(python3 - <<'PY'
import socket
for _ in range(200):
    a, b = socket.socket(), socket.socket()
    try:
        a.bind(("127.0.0.1", 0))
        b.bind(("127.0.0.1", a.getsockname()[1] + 1))
        print(a.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        a.close(); b.close()
PY
)
[[ -n ${PORT:-} ]] || { echo "FAIL: no two free ports"; exit 1; }
"$BIN" --data "$DATA" init --base-url "http://127.0.0.1:$PORT" >/dev/null \
  || { echo "FAIL: init"; exit 1; }
"$BIN" --data "$DATA" serve --only sign_in,demo_rp --port "$PORT" \
  --tls-port $((PORT + 1)) >"$TMP/serve.log" 2>&1 &
SERVE=$!
HTTPS=https://127.0.0.1:$((PORT + 1))
ROOT=$DATA/tls/root.pem
for _ in $(seq 3000); do  # 300 s (an ASan build on a loaded machine)
  curl -s -o /dev/null --cacert "$ROOT" "$HTTPS/demo-rp/" && break
  kill -0 "$SERVE" 2>/dev/null || break
  sleep 0.1
done
# A sign-in request, as the demo relying party's page links it.
LINK=$(curl -s -L -c "$TMP/jar" -b "$TMP/jar" --cacert "$ROOT" \
  "$HTTPS/demo-rp/login" | grep -o "$HTTPS/api/realms/main/app/requests/[A-Za-z0-9_-]*" | head -1)
[[ -n $LINK ]] || { cat "$TMP/serve.log"; echo "FAIL: no sign-in request link"; exit 1; }

unset OPENMYNA_TEST_UNSET_PIN
run --data "$DATA" app login "$LINK" --pin-env OPENMYNA_TEST_UNSET_PIN
expect_rc 2 "--pin-env of an unset variable"
expect_error "--pin-env of an unset variable" "--pin-env" \
  "OPENMYNA_TEST_UNSET_PIN is not set"

# PINs too short to be sent (NormalizePin): whichever source a regression
# took, no PC/SC card on this machine is ever tried.
echo 12 >"$TMP/pin"
OPENMYNA_TEST_PIN=12 run --data "$DATA" app login "$LINK" \
  --pin-env OPENMYNA_TEST_PIN --pin-file "$TMP/pin"
expect_rc 2 "--pin-env and --pin-file"
expect_error "--pin-env and --pin-file" "not both"

run --data "$DATA" app login "$LINK"
expect_rc 2 "no PIN source"
expect_error "no PIN source" "--pin-env" "--pin-file"

OPENMYNA_TEST_PIN=12 run --data "$TMP/elsewhere" app login "$LINK" \
  --pin-env OPENMYNA_TEST_PIN
expect_rc 2 "--data without a TLS root"
expect_error "--data without a TLS root" "$TMP/elsewhere/tls/root.pem" \
  "--cacert"

OPENMYNA_TEST_PIN=12 run --data "$DATA" app login \
  "$HTTPS/api/realms/main/app/requests/no-such-request" --pin-env OPENMYNA_TEST_PIN
expect_rc 3 "a link of no request"
expect_error "a link of no request" "no sign-in request waits under this link"
[[ $ERR != *'"status"'* ]] || fail "a link of no request: JSON shown: $ERR"

# `clinic reader --pin-env` names its unset variable too (checked before the
# registry or the card are opened).
run --data "$DATA" clinic reader --pin-env OPENMYNA_TEST_UNSET_PIN
expect_rc 2 "clinic reader --pin-env of an unset variable"
expect_error "clinic reader --pin-env of an unset variable" "--pin-env" \
  "OPENMYNA_TEST_UNSET_PIN is not set"

finish
