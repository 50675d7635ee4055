#!/usr/bin/env bash
# Browser test of the portal's public page (the login page) against a real
# `openmyna serve --only portal` on a port the kernel hands out; the server
# is stopped by PID. Needs chromium and tests/web/install.sh (npm ci).
#   tests/web/portal_pages_test.sh OPENMYNA_BINARY [SHOTS_DIR]
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || { echo "no /usr/bin/chromium"; exit 77; }
"$here/install.sh" >/dev/null || { echo "npm ci failed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/portal-web.XXXXXX")
shots=${2:-$tmp/shots}
mkdir -p "$shots"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
"$bin" --data "$tmp/sandbox" init >/dev/null
"$bin" --data "$tmp/sandbox" serve --only portal --port 0 --no-tls >"$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  port=$(grep -o 'http://127.0.0.1:[0-9]*' "$tmp/serve.log" | head -1 | sed 's/.*://') || true
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "${port:-}" ] || { cat "$tmp/serve.log"; exit 1; }
cd "$here"
node portal_login_page.mjs "http://127.0.0.1:$port" "$shots"
