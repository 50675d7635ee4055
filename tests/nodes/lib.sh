# Shared by the tests of tests/nodes (sourced): a temporary folder, the
# nodes started by scripts/nodes (stopped by PID on exit), failure output
# with the logs, psql, and a node's OCSP answer read by openssl.
# Needs: $openmyna (the binary). Sets: $work, $nodes_pid.
command -v haproxy >/dev/null || { echo "haproxy not installed"; exit 77; }
[ -n "${OPENMYNA_TEST_PG_URL:-}" ] || { echo "needs OPENMYNA_TEST_PG_URL"; exit 77; }
work=$(mktemp -d)
nodes_pid=
cleanup() {
  if [ -n "$nodes_pid" ]; then
    kill -TERM "$nodes_pid" 2>/dev/null || true
    wait "$nodes_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$work"/nodes.out "$work"/data/*.log; do
    [ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }
  done
  exit 1
}
psql_value() { psql "$OPENMYNA_TEST_PG_URL" -Atqc "$1"; }
export OPENMYNA_REGISTRY_DB=$OPENMYNA_TEST_PG_URL

# start_nodes [scripts/nodes options...]: two nodes in $work/data, ready.
start_nodes() {
  "$(dirname "${BASH_SOURCE[0]}")/../../scripts/nodes" --openmyna "$openmyna" \
    --postgres "$OPENMYNA_TEST_PG_URL" --nodes 2 --data "$work/data" "$@" \
    > "$work/nodes.out" 2>&1 &
  nodes_pid=$!
  for _ in $(seq 1 1800); do
    grep -q '^ready' "$work/nodes.out" && return 0
    kill -0 "$nodes_pid" 2>/dev/null || fail "scripts/nodes exited"
    sleep 0.1
  done
  fail "not ready within 180 s"
}
node_url() { sed -n "s/^node $1 \(\S*\).*/\1/p" "$work/nodes.out"; }
node_pid() { sed -n "s/^node $1 .* pid \([0-9]*\).*/\1/p" "$work/nodes.out"; }
node_dir() { sed -n "s/^node $1 .* data \(\S*\).*/\1/p" "$work/nodes.out"; }

# ocsp_status NODE CA_PEM LEAF_PEM -> good / revoked / ... (openssl ocsp)
ocsp_status() {
  openssl ocsp -issuer "$2" -cert "$3" -CAfile "$2" -no_nonce \
    -url "$(node_url "$1")/ocsp/auth" 2>&1 |
    sed -n "s/.*$(basename "$3"): \([a-z]*\).*/\1/p"
}
