#!/usr/bin/env bash
# scripts/test prints one line per stage with the minutes elapsed and the next
# stage, and still reports a failed stage. Runs a copy of scripts/test in a
# temporary tree where scripts/install-deps, scripts/build and ctest are
# stand-ins that log their calls (the real suite is not run).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/scripts" "$work/bin"
cp "$here/scripts/test" "$work/scripts/test"
printf '#!/bin/sh\necho deps >> "%s/calls"\n' "$work" > "$work/scripts/install-deps"
printf '#!/bin/sh\necho "build $1" >> "%s/calls"\n[ "$1" != "$FAIL_BUILD" ]\n' \
  "$work" > "$work/scripts/build"
printf '#!/bin/sh\necho "ctest $*" >> "%s/calls"\n' "$work" > "$work/bin/ctest"
chmod +x "$work/scripts/"* "$work/bin/ctest"

fail() { echo "FAIL: $*" >&2; exit 1; }
run() { PATH="$work/bin:$PATH" bash "$work/scripts/test" "$@" </dev/null; }

out=$(FAIL_BUILD=none run | sed -E 's/[0-9]+ min/N min/')
expected='==> install dependencies [N min elapsed; next: build (debug)]
==> build (debug) [N min elapsed; next: test (debug)]
==> test (debug) [N min elapsed; next: build (asan)]
==> build (asan) [N min elapsed; next: test (asan)]
==> test (asan) [N min elapsed; next: summary]
==> done after N min
scripts/test: all passed'
[ "$out" = "$expected" ] || fail "default run printed:
$out"
grep -qx "ctest --preset asan -j $(nproc) --repeat until-pass:2" "$work/calls" ||
  fail "the asan tests did not run: $(cat "$work/calls")"

rm -f "$work/calls"
out=$(FAIL_BUILD=none run --long)
grep -Eqx '==> test \(asan\) \[[0-9]+ min elapsed; next: test \(asan-interop\)\]' \
  <<<"$out" || fail "--long: $out"
grep -Eqx '==> test \(asan-interop\) \[[0-9]+ min elapsed; next: summary\]' \
  <<<"$out" || fail "--long: $out"

# A failed build skips its tests; the next stage still comes, and the run fails.
rm -f "$work/calls"
if out=$(FAIL_BUILD=debug run --quick 2>&1); then fail "a failed build passed"; fi
grep -Eqx '==> build \(debug\) \[[0-9]+ min elapsed; next: test \(debug\)\]' \
  <<<"$out" ||
  fail "--quick: $out"
grep -q 'FAILED: build:debug' <<<"$out" || fail "no failure reported: $out"
! grep -q '^==> test' <<<"$out" || fail "a test stage after a failed build"
! grep -q '^ctest' "$work/calls" || fail "tests ran after a failed build"
echo "ok: scripts/test prints its stages"
