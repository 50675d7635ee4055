#!/usr/bin/env bash
# Installs the pinned browser-test packages (package-lock.json) into
# tests/web/node_modules with `npm ci`; the browser is Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")"
if [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] &&
   [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund
