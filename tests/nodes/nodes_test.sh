#!/usr/bin/env bash
# Several nodes on one PostgreSQL registry behind HAProxy (issue 13 item 2),
# started by scripts/nodes: two `openmyna serve --only registry,ocsp`
# nodes, Debian's haproxy 2.6 in front. Shows:
#   - requests through the balancer are spread over both nodes
#     (X-Served-By), and what one node wrote every node reads; the rows are
#     checked with psql, not through our code;
#   - a revocation (`openmyna ca revoke`, another process, on the CA the
#     nodes share) is answered as revoked by EVERY node's own OCSP (asked
#     directly, read by openssl) within the documented bound (one 250 ms
#     sync + one signature; deadline generous, the delay printed);
#   - kill -9 of one node in a stream of writes through the balancer: no
#     acknowledged write is lost (psql) and the balancer carries on.
# Usage (under tests/pg/with-postgres.sh): nodes_test.sh OPENMYNA
set -euo pipefail
openmyna=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
start_nodes
lb=$(sed -n 's/^balancer \(\S*\).*/\1/p' "$work/nodes.out")

creds=$("$openmyna" --data "$work/data" db credentials |
  sed -n 's/^ *counter_clerk *\([^ ]*:[^ ]*\) *$/\1/p')
[ -n "$creds" ] || fail "no counter_clerk credential"
auth="Authorization: Basic $(printf %s "$creds" | base64 -w0)"

check_digit() {  # 11 digits -> the 12th (My Number Act ordinance art. 5)
  python3 -c '
import sys
b = sys.argv[1]
s = sum(int(b[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
r = s % 11
print(0 if r <= 1 else 11 - r)' "$1"
}
register() {  # k -> prints "status node id"
  local base number
  base=$(printf '6%010d' "$1")
  number=$base$(check_digit "$base")
  curl -s -m 60 -D "$work/h" -o "$work/b" -w '%{http_code}' -X POST \
    -H "$auth" -H 'X-Purpose: nodes test' -H 'Content-Type: application/json' \
    --data "{\"individual_number\":\"$number\",\"name\":\"分散 試験$1\",\"date_of_birth\":\"1980-01-01\",\"sex\":\"male\",\"address\":\"長野県千曲市杭瀬下84\",\"municipality_code\":\"20218\"}" \
    "$lb/v1/residents" > "$work/code" || echo 000 > "$work/code"
  printf '%s %s %s\n' "$(cat "$work/code")" \
    "$(grep -i '^X-Served-By:' "$work/h" 2>/dev/null | tr -d '\r' | awk '{print $2}')" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("id",""))' "$work/b" 2>/dev/null || true)"
}

# 1. Writes and reads spread over the nodes.
ids=()
declare -A served=()
for k in $(seq 1 10); do
  read -r code node id < <(register "$k")
  [ "$code" = 200 ] || fail "register $k: HTTP $code"
  served[$node]=1
  ids+=("$id")
done
for id in "${ids[@]}"; do
  code=$(curl -s -m 60 -D "$work/h" -o "$work/b" -w '%{http_code}' -H "$auth" \
    -H 'X-Purpose: nodes test' "$lb/v1/residents/$id")
  [ "$code" = 200 ] || fail "GET $id: HTTP $code"
  grep -q "\"$id\"" "$work/b" || fail "GET $id: another record"
  served[$(grep -i '^X-Served-By:' "$work/h" | tr -d '\r' | awk '{print $2}')]=1
done
[ -n "${served[n1]:-}" ] && [ -n "${served[n2]:-}" ] ||
  fail "not spread over both nodes: ${!served[*]}"
in_list=$(printf "'%s'," "${ids[@]}"); in_list=${in_list%,}
[ "$(psql_value "SELECT COUNT(*) FROM residents WHERE id IN ($in_list)")" = 10 ] ||
  fail "psql does not find the 10 residents"
[ "$(psql_value "SELECT COUNT(*) FROM audit_log WHERE resident_id IN ($in_list) AND doc::text LIKE '%resident.read%'")" = 10 ] ||
  fail "psql does not find one read audit entry per resident"
echo "ok  10 writes + 10 audited reads through the balancer, served by: ${!served[*]}"

# 2. A revocation answered by every node's own OCSP.
openssl genrsa -out "$work/user.key" 2048 2>/dev/null
openssl rsa -in "$work/user.key" -pubout -out "$work/user.pub" 2>/dev/null
"$openmyna" --data "$work/data" ca issue --kind auth --pubkey "$work/user.pub" \
  --code 20218 --prefecture Nagano-ken --municipality Chikuma-shi \
  --not-after "$(date -u -d '+5 years' +%Y-%m-%d)" --out "$work/leaf.pem" \
  --json > "$work/issue.json"
serial=$(sed 's/.*"serial":"\([0-9a-f]*\)".*/\1/' "$work/issue.json")
ca=$work/data/ca/auth-ca-g1.pem
for n in n1 n2; do
  s=""
  for _ in $(seq 1 300); do
    s=$(ocsp_status "$n" "$ca" "$work/leaf.pem"); [ "$s" = good ] && break; sleep 0.1
  done
  [ "$s" = good ] || fail "$n OCSP before the revocation: '$s'"
done
"$openmyna" --data "$work/data" ca revoke --serial "$serial" --reason keyCompromise \
  > /dev/null
start=$(date +%s.%N)
for n in n1 n2; do
  s=""
  for _ in $(seq 1 600); do   # 60 s: far above the 250 ms sync
    s=$(ocsp_status "$n" "$ca" "$work/leaf.pem"); [ "$s" = revoked ] && break; sleep 0.1
  done
  [ "$s" = revoked ] || fail "$n OCSP does not show the revocation: '$s'"
  echo "ok  $n OCSP answers revoked $(python3 -c "import sys,time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$start") s after ca revoke"
done

# 3. kill -9 of one node in a stream of writes through the balancer.
acked=()
failed=0
victim=$(node_pid n1)
[ -n "$victim" ] && kill -0 "$victim" || fail "no PID for node n1"
for k in $(seq 100 159); do
  if [ "$k" = 120 ]; then
    kill -KILL "$victim"
    for _ in $(seq 1 100); do kill -0 "$victim" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$victim" 2>/dev/null && fail "node n1 ($victim) still running after kill -9"
  fi
  read -r code node id < <(register "$k")
  if [ "$code" = 200 ]; then
    acked+=("$id")
    [ "$k" -gt 120 ] && [ "$node" != n2 ] && fail "write $k after the kill answered by '$node'"
  else
    failed=$((failed + 1))
    [ "$k" -ge 130 ] && fail "write $k after the kill: HTTP $code (the balancer should carry on)"
  fi
done
in_list=$(printf "'%s'," "${acked[@]}"); in_list=${in_list%,}
present=$(psql_value "SELECT COUNT(*) FROM residents WHERE id IN ($in_list)")
[ "$present" = "${#acked[@]}" ] ||
  fail "${#acked[@]} writes acknowledged, $present in the database"
echo "ok  node n1 killed -9 in a stream of 60 writes: ${#acked[@]} acknowledged, all in the database (psql); $failed refused around the kill"
