#!/usr/bin/env bash
# Commands that work on a registry made before, run with a --data where no
# sandbox is (a mistyped folder, or the default one while the sandbox is
# elsewhere): each says there is no registry in that folder and to run
# `openmyna init` or give --data the sandbox's folder, exits 2 (the user's
# input, docs/cli.md), and creates nothing there. They used to make a new,
# empty, migrated DIR/registry.db and answer from it: `db status` listed
# every migration as pending, `insurance recheck` collated 0 memberships.
# Then, after `openmyna init` in that folder, `db status` answers (exit 0,
# no migration pending): the check does not stand in the normal way.
# Usage: missing_registry_test.sh /path/to/openmyna
set -u
BIN=${1:?usage: $0 /path/to/openmyna}
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# The environment must not name another registry.
unset OPENMYNA_REGISTRY_DB OPENMYNA_DATA

DATA=$TMP/no-sandbox-here
for cmd in "db status" "db seed" "db credentials" "insurance recheck" \
  "insurance credentials --institution 1310000001"; do
  before=$FAILURES
  # shellcheck disable=SC2086  # the command's words
  "$BIN" --data "$DATA" $cmd </dev/null >"$TMP/out" 2>"$TMP/err"
  rc=$?
  err=$(cat "$TMP/err")
  [[ $rc == 2 ]] || fail "$cmd: exit $rc (want 2): $err"
  [[ $err == *"no registry in $DATA"* && $err == *"openmyna init"* ]] ||
    fail "$cmd: stderr does not name the folder and init: $err"
  [[ $(wc -l <"$TMP/err") == 1 ]] || fail "$cmd: more than one line: $err"
  [[ -e $DATA ]] && fail "$cmd: created $DATA ($(ls -A "$DATA" | tr '\n' ' '))"
  rm -rf "$DATA"
  [[ $FAILURES == "$before" ]] &&
    echo "ok  $cmd with no sandbox: exit 2, names the folder, creates nothing"
done

"$BIN" --data "$DATA" init >/dev/null 2>"$TMP/err" || fail "init: $(cat "$TMP/err")"
"$BIN" --data "$DATA" db status >"$TMP/out" 2>"$TMP/err"
rc=$?
[[ $rc == 0 ]] || fail "db status after init: exit $rc: $(cat "$TMP/err")"
grep -q pending "$TMP/out" && fail "db status after init lists pending migrations"
grep -q . "$TMP/out" || fail "db status after init printed nothing"
[[ $FAILURES == 0 ]] && echo "ok  db status after init: exit 0, nothing pending"

finish
