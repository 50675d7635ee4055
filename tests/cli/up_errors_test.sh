#!/usr/bin/env bash
# `openmyna up` when its services cannot run, as a user meets it: the error
# says so and up exits 3, instead of printing "sandbox is up" over a server
# that is not there.
#  - a port out of range is bad input (exit 2) naming --port;
#  - the HTTP port, or the HTTPS one after it, held by another program (a
#    python3 listener here): exit 3, the port named, nothing said to be up,
#    no child left running;
#  - up running: every https page it prints (demo relying party, kiosk,
#    verification, portal, clinic) answers 200 with a Japanese page, and the
#    base URL it prints is a Japanese page linking them (not a JSON 404);
#  - the services stopping while up runs (the serve child ended by this test,
#    found as a child of the up it started): up notices, names them, exits 3;
#  - the same sandbox on another --port: the services line names that port,
#    a note says the certificates name the sandbox's own (OCSP, CRLs).
# No pcscd is started (--no-pcscd) and the card plug is pointed at a port
# where nothing listens, so the test needs no PC/SC.
# Usage: up_errors_test.sh /path/to/openmyna
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
HOLDER=0
UP=0
cleanup() {
  [[ $HOLDER -gt 0 ]] && kill "$HOLDER" 2>/dev/null
  [[ $UP -gt 0 ]] && kill "$UP" 2>/dev/null && wait "$UP" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
DATA=$TMP/data

# Two free ports P, P+1 (HTTP, HTTPS) and a third with nothing behind it.
read -r PORT DEAD < <(python3 - <<'PY'
import socket
for _ in range(200):
    a, b, c = socket.socket(), socket.socket(), socket.socket()
    try:
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        b.bind(("127.0.0.1", port + 1))
        c.bind(("127.0.0.1", 0))
        print(port, c.getsockname()[1])
        break
    except OSError:
        pass
    finally:
        a.close(); b.close(); c.close()
PY
)
[[ -n ${PORT:-} ]] || { echo "FAIL: no two free ports"; exit 1; }
UP_ARGS=(--data "$DATA" up --no-pcscd --vpcd "127.0.0.1:$DEAD")

# Holds 127.0.0.1:$1 open (listening) until killed; sets HOLDER.
hold_port() {
  python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); print("ready", flush=True)
time.sleep(600)' "$1" >"$TMP/holder" &
  HOLDER=$!
  for _ in $(seq 600); do  # 60 s
    grep -q ready "$TMP/holder" && return
    sleep 0.1
  done
  fail "the port holder did not start"
}

no_child_left() {  # no process of this test's sandbox left running
  local left
  left=$(pgrep -f -- "--data $DATA" || true)
  [[ -z $left ]] || fail "$1: left running: $(ps -o pid,args -p "$(echo $left | tr " " ,)")"
}

# --- a port out of range: bad input
timeout 300 "$BIN" "${UP_ARGS[@]}" --port 70000 >"$TMP/out" 2>"$TMP/err"
RC=$?
[[ $RC -eq 2 ]] || fail "up --port 70000: exit $RC, expected 2"
grep -q -- '--port' "$TMP/err" || fail "up --port 70000: $(cat "$TMP/err")"

# --- the HTTP port, then the HTTPS port, in use
for held in "$PORT" "$((PORT + 1))"; do
  hold_port "$held"
  timeout 300 "$BIN" "${UP_ARGS[@]}" --port "$PORT" >"$TMP/out" 2>"$TMP/err"
  RC=$?
  kill "$HOLDER"; wait "$HOLDER" 2>/dev/null; HOLDER=0
  [[ $RC -eq 3 ]] || fail "port $held in use: exit $RC, expected 3 (stderr: $(cat "$TMP/err"))"
  grep -q "port $held of 127.0.0.1 is in use" "$TMP/err" \
    || fail "port $held in use: the error does not name it: $(cat "$TMP/err")"
  ! grep -q 'sandbox is up' "$TMP/out" \
    || fail "port $held in use: up said the sandbox is up"
  no_child_left "port $held in use"
done

# --- the services stop while up runs
"$BIN" "${UP_ARGS[@]}" --port "$PORT" >"$TMP/out" 2>"$TMP/err" &
UP=$!
for _ in $(seq 3000); do  # 300 s: init, migrate, seed and serve's start
  grep -q 'Ctrl-C stops' "$TMP/out" && break
  kill -0 "$UP" 2>/dev/null || break
  sleep 0.1
done
grep -q 'Ctrl-C stops' "$TMP/out" || fail "up did not start: $(cat "$TMP/out" "$TMP/err")"
curl -sf -o /dev/null "http://127.0.0.1:$PORT/openapi.json" \
  || fail "up said it is up, but nothing answers on port $PORT"
# Every page up tells the user to open answers, in Japanese first (the
# sandbox's TLS root trusted): the demo relying party, the kiosk, the
# verification page, the portal, the clinic's reader screen.
PAGES=$(grep -o "https://127.0.0.1:$((PORT + 1))/[a-z-]*/" "$TMP/out" | sort -u)
for page in demo-rp kiosk verify portal clinic; do
  [[ $PAGES == *"/$page/"* ]] || fail "up does not print the /$page/ page: $PAGES"
done
for url in $PAGES; do
  code=$(curl -s -o "$TMP/page" -w '%{http_code}' --cacert "$DATA/tls/root.pem" "$url")
  [[ $code == 200 ]] || fail "$url printed by up: HTTP $code"
  grep -q '<html lang="ja"' "$TMP/page" || fail "$url: not a Japanese page"
done
# The services' base URL up prints, opened in a browser: a Japanese page
# linking those pages (each answering 200), not a problem+json 404.
INDEX=$(curl -s -o "$TMP/index" -w '%{http_code} %{content_type}' "http://127.0.0.1:$PORT/")
[[ $INDEX == "200 text/html"* ]] || fail "the base URL: $INDEX"
grep -q '<html lang="ja"' "$TMP/index" || fail "the base URL: not a Japanese page"
for url in $PAGES; do
  grep -q "href=\"/${url#https://*/}\"" "$TMP/index" || fail "the base URL does not link $url"
done
for path in $(grep -o 'href="/[^"]*"' "$TMP/index" | cut -d'"' -f2); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$DATA/tls/root.pem" \
    "https://127.0.0.1:$((PORT + 1))$path")
  [[ $code == 200 ]] || fail "the base URL's link $path: HTTP $code"
done
SERVE=$(pgrep -P "$UP" -f -- ' serve' || true)
if [[ $SERVE =~ ^[0-9]+$ && $SERVE -gt 0 ]]; then
  kill "$SERVE"
  for _ in $(seq 600); do  # 60 s: serve's graceful stop, up's 200 ms poll
    kill -0 "$UP" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$UP" 2>/dev/null; then
    fail "up still runs 60 s after its services stopped"
  else
    wait "$UP"
    RC=$?
    [[ $RC -eq 3 ]] || fail "services stopped: up exit $RC, expected 3"
    grep -q 'openmyna up: the services stopped' "$TMP/err" \
      || fail "services stopped: not said: $(cat "$TMP/err")"
    UP=0
    no_child_left "services stopped"
  fi
else
  fail "no serve child of up found: '$SERVE'"
fi

# --- the same sandbox on another port: up names where the services listen,
# and that the certificates still point at the sandbox's own port.
OTHER=$((PORT + 2))
"$BIN" "${UP_ARGS[@]}" --port "$OTHER" >"$TMP/out" 2>"$TMP/err" &
UP=$!
for _ in $(seq 3000); do  # 300 s
  grep -q 'Ctrl-C stops' "$TMP/out" && break
  kill -0 "$UP" 2>/dev/null || break
  sleep 0.1
done
grep -q "^  services      http://127.0.0.1:$OTHER " "$TMP/out" \
  || fail "up --port $OTHER: services line: $(grep services "$TMP/out")"
grep -q "certificates name http://127.0.0.1:$PORT for OCSP and CRLs" "$TMP/out" \
  || fail "up --port $OTHER: no note that the certificates name port $PORT"
curl -sf -o /dev/null "http://127.0.0.1:$OTHER/openapi.json" \
  || fail "up --port $OTHER: nothing answers there"
kill -INT "$UP"
wait "$UP"
RC=$?
UP=0
[[ $RC -eq 0 ]] || fail "up --port $OTHER: exit $RC after Ctrl-C"
no_child_left "up --port $OTHER stopped"

finish
