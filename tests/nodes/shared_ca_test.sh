#!/usr/bin/env bash
# Several nodes with the CA state in PostgreSQL (issue 13 item 2): two
# `openmyna serve --only registry,ocsp,crl` nodes started by
# `scripts/nodes --ca-in-postgres`, each with ITS OWN folder holding copies
# of the keys only (as on two machines), behind Debian's HAProxy. Shows:
#   - the certificate store is the PostgreSQL one: a certificate issued
#     from node 1's folder is read with psql and answered `good` by node
#     2's OCSP (openssl ocsp), and node 2's folder has no SQLite store;
#   - a revocation made through node 1 (`ca revoke` on its folder) is
#     answered `revoked` by EVERY node's OCSP and listed by EVERY node's
#     CRL (openssl crl -text) within the documented delay (one 250 ms sync,
#     one signature; generous deadline, the delays printed);
#   - both nodes serve the same CRL for one number (same bytes, compared
#     with cmp), the number psql reads in pki_crl_state, and it increased;
#     the CRL verifies with the CA certificate (openssl crl -verify).
# Usage (under tests/pg/with-postgres.sh): shared_ca_test.sh OPENMYNA
set -euo pipefail
openmyna=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
export OPENMYNA_PKI_DB=$OPENMYNA_TEST_PG_URL
start_nodes --ca-in-postgres
d1=$(node_dir n1); d2=$(node_dir n2)
[ -n "$d1" ] && [ -n "$d2" ] && [ "$d1" != "$d2" ] || fail "nodes share a folder: '$d1' '$d2'"
[ ! -e "$d2/ca/certificates.sqlite" ] || fail "node 2 has a SQLite store"

# 1. Issued through node 1's folder, in PostgreSQL, known to node 2.
openssl genrsa -out "$work/user.key" 2048 2>/dev/null
openssl rsa -in "$work/user.key" -pubout -out "$work/user.pub" 2>/dev/null
code=20218
"$openmyna" --data "$d1" ca issue --kind auth --pubkey "$work/user.pub" \
  --code $code --prefecture Nagano-ken --municipality Chikuma-shi \
  --not-after "$(date -u -d '+5 years' +%Y-%m-%d)" --out "$work/leaf.pem" \
  --json > "$work/issue.json"
serial=$(sed 's/.*"serial":"\([0-9a-f]*\)".*/\1/' "$work/issue.json")
[ -n "$serial" ] || fail "no serial in $(cat "$work/issue.json")"
[ "$(psql_value "SELECT COUNT(*) FROM pki_certificates WHERE ltrim(serial, '0') = ltrim('$serial', '0')")" = 1 ] ||
  fail "psql does not find certificate $serial in pki_certificates"
ca=$d2/ca/auth-ca-g1.pem
crl_path=/crl/auth/g1/$code.crl
fetch_crl() {  # node file -> HTTP code
  curl -s -m 30 -o "$2" -w '%{http_code}' "$(node_url "$1")$crl_path" || echo 000
}
crl_lists_serial() {  # file -> 0 when the serial is listed
  openssl crl -inform DER -in "$1" -noout -text 2>/dev/null |
    tr -d ' :' | tr 'A-Z' 'a-z' |
    grep -q "^serialnumber0*$(echo "$serial" | sed 's/^0*//')$"
}
crl_number() {
  openssl crl -inform DER -in "$1" -noout -crlnumber 2>/dev/null |
    sed -n 's/^crlNumber=0x\(.*\)/\1/p' | { read -r h; echo $((16#${h:-0})); }
}
for n in n1 n2; do
  s=""
  for _ in $(seq 1 300); do
    s=$(ocsp_status "$n" "$ca" "$work/leaf.pem"); [ "$s" = good ] && break; sleep 0.2
  done
  [ "$s" = good ] || fail "$n OCSP before the revocation: '$s'"
  got=""
  for _ in $(seq 1 300); do
    got=$(fetch_crl "$n" "$work/before-$n.crl"); [ "$got" = 200 ] && break; sleep 0.2
  done
  [ "$got" = 200 ] || fail "$n has no CRL at $crl_path: HTTP $got"
  crl_lists_serial "$work/before-$n.crl" && fail "$n CRL lists $serial before the revocation"
done
before=$(crl_number "$work/before-n1.crl")
echo "ok  certificate $serial in PostgreSQL (psql); node 2 OCSP good; both nodes' CRL number $before / $(crl_number "$work/before-n2.crl") without it"

# 2. Revoked through node 1: every node's OCSP and CRL.
"$openmyna" --data "$d1" ca revoke --serial "$serial" --reason keyCompromise > /dev/null
start=$(date +%s.%N)
since() { python3 -c "import sys,time; print('%.2f' % (time.time() - float(sys.argv[1])))" "$start"; }
for n in n1 n2; do
  s=""
  for _ in $(seq 1 600); do   # 60 s: far above the 250 ms sync
    s=$(ocsp_status "$n" "$ca" "$work/leaf.pem"); [ "$s" = revoked ] && break; sleep 0.1
  done
  [ "$s" = revoked ] || fail "$n OCSP does not show the revocation: '$s'"
  echo "ok  $n OCSP answers revoked $(since) s after ca revoke on node 1"
done
for n in n1 n2; do
  listed=""
  for _ in $(seq 1 600); do
    if [ "$(fetch_crl "$n" "$work/after-$n.crl")" = 200 ] &&
       crl_lists_serial "$work/after-$n.crl"; then
      listed=1; break
    fi
    sleep 0.1
  done
  [ -n "$listed" ] || fail "$n CRL does not list $serial within 60 s"
  echo "ok  $n CRL lists it $(since) s after ca revoke on node 1 (CRL number $(crl_number "$work/after-$n.crl"))"
done

# 3. One number, one content, on every node; the number psql reads.
n1=$(crl_number "$work/after-n1.crl"); n2=$(crl_number "$work/after-n2.crl")
stored=$(psql_value "SELECT crl_number FROM pki_crl_state WHERE url_path = '$crl_path'")
[ "$n1" -gt "$before" ] || fail "CRL number did not increase: $before -> $n1"
if [ "$n1" = "$n2" ]; then
  cmp -s "$work/after-n1.crl" "$work/after-n2.crl" ||
    fail "CRL number $n1 names different bytes on the two nodes"
else
  # A later publication may have happened between the two fetches; then
  # both must equal what the store holds once fetched again.
  fetch_crl n1 "$work/after-n1.crl" >/dev/null; fetch_crl n2 "$work/after-n2.crl" >/dev/null
  cmp -s "$work/after-n1.crl" "$work/after-n2.crl" || fail "nodes serve CRL numbers $n1 and $n2"
fi
[ "$stored" -ge "$n1" ] || fail "pki_crl_state holds $stored, nodes serve $n1"
openssl crl -inform DER -in "$work/after-n2.crl" -CAfile "$ca" -noout 2>&1 |
  grep -q 'verify OK' || fail "node 2's CRL does not verify with the CA"
echo "ok  both nodes serve CRL number $n1 with the same bytes (cmp), pki_crl_state holds $stored, verify OK"
