# The common part of the tests/cli scripts, sourced after `set -u` and
# BIN=...: a scratch folder removed at exit, fail() counting failures, and
# finish() ending the script (exit 1 when any check failed).
FAILURES=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
finish() {
  if ((FAILURES > 0)); then
    echo "$FAILURES check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
}
