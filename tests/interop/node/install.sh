#!/usr/bin/env bash
# Installs the pinned npm packages of the Node.js column of the relying-party
# matrix (package-lock.json) into tests/interop/node/node_modules with
# `npm ci`; nothing to do when they are already installed from this lock
# file. scripts/install-deps runs it (the test itself runs without network).
set -euo pipefail
cd "$(dirname "$0")"
if [ -f node_modules/.package-lock.json ] &&
   [ node_modules/.package-lock.json -nt package-lock.json ]; then
  exit 0
fi
npm ci --no-audit --no-fund --ignore-scripts
