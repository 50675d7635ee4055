#!/usr/bin/env bash
# OCSP (GET, RFC 6960 Appendix A.1 / RFC 5019) and CRLs behind a standard
# caching proxy nobody here wrote: Debian's nginx with proxy_cache and
# proxy_cache_revalidate, started here in a temporary folder on a port the
# kernel handed out, stopped by PID. Shows (issue 13 item 3):
#   - repeat requests are served by nginx as cache HITs (same bytes), and
#     openssl accepts what the cache serves;
#   - after max-age nginx revalidates with a conditional request and our
#     304 keeps its copy (REVALIDATED);
#   - a revocation (`openmyna ca revoke`, another process) becomes visible
#     through the cache, OCSP and CRL, within the documented bound
#     (cache max-age + sync + publication; checked with a generous deadline,
#     the measured delay is printed).
# Usage: nginx_cache_test.sh /path/to/openmyna
set -euo pipefail
openmyna=$1
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
  echo "nginx not installed (apt-get install nginx-light, scripts/debian-packages.txt)"
  exit 77
fi
work=$(mktemp -d)
chmod 0755 "$work"
serve_pid=
nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- serve log"; cat "$work/serve.log" 2>/dev/null || true
  echo "--- nginx error log"; cat "$work/nginx/error.log" 2>/dev/null || true
  echo "--- nginx access log"; cat "$work/nginx/access.log" 2>/dev/null || true
  exit 1
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
origin=$(free_port)
proxy=$(free_port)
max_age=5   # revocation.cache-max-age: the bound a cache may hide a change
data=$work/data
export OPENMYNA_DATA=$data
unset OPENMYNA_REGISTRY_DB

# The certificates name the proxy: relying parties go through the cache.
"$openmyna" init --base-url "http://127.0.0.1:$proxy" > "$work/init.txt"
openssl genrsa -out "$work/user.key" 2048 2>/dev/null
openssl rsa -in "$work/user.key" -pubout -out "$work/user.pub" 2>/dev/null
"$openmyna" ca issue --kind auth --pubkey "$work/user.pub" --code 13221 \
  --prefecture Tokyo-to --municipality Kiyose-shi \
  --not-after "$(date -u -d '+5 years' +%Y-%m-%d)" --out "$work/leaf.pem" \
  --json > "$work/issue.json"
serial=$(sed 's/.*"serial":"\([0-9a-f]*\)".*/\1/' "$work/issue.json")
[ -n "$serial" ] || fail "no serial"
ca=$data/ca/auth-ca-g1.pem
[ -f "$ca" ] || fail "no $ca"

"$openmyna" serve --only ocsp,crl --port "$origin" \
  --set "revocation.cache-max-age=$max_age" > "$work/serve.log" 2>&1 &
serve_pid=$!

mkdir -p "$work/nginx/cache"
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat > "$work/nginx/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log info;
events { worker_connections 256; }
http {
  log_format cache '\$request_method \$uri \$status \$upstream_cache_status \$upstream_status';
  access_log $work/nginx/access.log cache;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  proxy_cache_path $work/nginx/cache levels=1:2 keys_zone=revocation:1m;
  server {
    listen 127.0.0.1:$proxy;
    location / {
      proxy_pass http://127.0.0.1:$origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache revocation;
      proxy_cache_revalidate on;
      add_header X-Cache-Status \$upstream_cache_status always;
    }
  }
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!

for _ in $(seq 150); do
  # The proxy is checked on a path nobody caches (a 404 problem without
  # freshness), so the first CRL fetch below is the cache's first.
  if curl -s -f -o /dev/null "http://127.0.0.1:$origin/crl/auth/g1/13221.crl" &&
     curl -s -o /dev/null "http://127.0.0.1:$proxy/ready"; then
    break
  fi
  kill -0 "$serve_pid" 2>/dev/null || fail "serve exited"
  kill -0 "$nginx_pid" 2>/dev/null || fail "nginx exited"
  sleep 0.2
done

# The GET URL of this certificate's OCSP request (made by openssl).
openssl ocsp -issuer "$ca" -cert "$work/leaf.pem" -no_nonce -reqout "$work/req.der" > /dev/null 2>&1 \
  || fail "openssl ocsp -reqout"
ocsp_url="http://127.0.0.1:$proxy/ocsp/auth/$(base64 -w0 "$work/req.der" | sed 's/+/%2B/g; s,/,%2F,g; s/=/%3D/g')"
crl_url=$(openssl x509 -noout -ext crlDistributionPoints -in "$work/leaf.pem" | sed -n 's/.*URI:\(\S*\).*/\1/p' | head -1)
[ "$crl_url" = "http://127.0.0.1:$proxy/crl/auth/g1/13221.crl" ] || fail "unexpected CRL URL $crl_url"

fetch() { # url out -> prints the X-Cache-Status
  curl -s -D "$2.headers" -o "$2" "$1"
  grep -i '^X-Cache-Status:' "$2.headers" | tr -d '\r' | awk '{print $2}'
}
header() { grep -i "^$1:" "$2.headers" | tr -d '\r' | cut -d' ' -f2-; }
ocsp_status() { # response file -> good / revoked / ...
  openssl ocsp -respin "$1" -issuer "$ca" -cert "$work/leaf.pem" -CAfile "$ca" 2>&1 \
    | sed -n 's/.*leaf.pem: \([a-z]*\).*/\1/p'
}

# 1. Repeat requests are cache hits with the same bytes.
s1=$(fetch "$ocsp_url" "$work/o1")
s2=$(fetch "$ocsp_url" "$work/o2")
[ "$s1" = MISS ] || fail "first OCSP GET: expected MISS, got '$s1'"
[ "$s2" = HIT ] || fail "second OCSP GET: expected HIT, got '$s2'"
cmp -s "$work/o1" "$work/o2" || fail "the cache served other bytes"
[ "$(ocsp_status "$work/o2")" = good ] || fail "cached OCSP answer is not good"
openssl ocsp -respin "$work/o2" -issuer "$ca" -cert "$work/leaf.pem" -CAfile "$ca" 2>&1 \
  | grep -q "Response verify OK" || fail "openssl does not verify the cached answer"
cc=$(header Cache-Control "$work/o1")
age=$(echo "$cc" | sed -n 's/.*max-age=\([0-9]*\).*/\1/p')
[ -n "$age" ] && [ "$age" -le "$max_age" ] || fail "max-age '$cc' above the bound $max_age"
echo "$cc" | grep -q "must-revalidate" || fail "no must-revalidate in '$cc'"
for h in Expires Last-Modified ETag; do
  [ -n "$(header "$h" "$work/o1")" ] || fail "no $h header"
done
c1=$(fetch "$crl_url" "$work/c1")
c2=$(fetch "$crl_url" "$work/c2")
[ "$c1" = MISS ] && [ "$c2" = HIT ] || fail "CRL: expected MISS then HIT, got '$c1' '$c2'"
cmp -s "$work/c1" "$work/c2" || fail "the cache served another CRL"
openssl crl -inform DER -in "$work/c2" -noout -CAfile "$ca" 2>&1 | grep -q "verify OK" \
  || fail "openssl does not verify the cached CRL"

# 2. After max-age nginx asks again with If-None-Match / If-Modified-Since;
#    the CRL has not changed, so our 304 keeps its copy.
sleep $((max_age + 1))
c3=$(fetch "$crl_url" "$work/c3")
[ "$c3" = REVALIDATED ] || fail "CRL after max-age: expected REVALIDATED (a 304), got '$c3'"
cmp -s "$work/c1" "$work/c3" || fail "the revalidated CRL differs"
grep -q "GET /crl/auth/g1/13221.crl 200 REVALIDATED 304" "$work/nginx/access.log" \
  || fail "nginx did not log the origin's 304"

# 3. A revocation by another process is visible through the cache within
#    the bound (max-age + 1 s OCSP sync + 5 s CRL publication); the deadline
#    here is generous (a loaded CI machine), the measured delay is printed.
fetch "$ocsp_url" "$work/o3" > /dev/null  # the cache holds "good" again
start=$(date +%s.%N)
"$openmyna" ca revoke --serial "$serial" --reason keyCompromise > "$work/revoke.txt" \
  || fail "ca revoke"
deadline=$((max_age + 60))
seen=
for _ in $(seq $((deadline * 5))); do
  st=$(fetch "$ocsp_url" "$work/o4")
  if [ "$(ocsp_status "$work/o4")" = revoked ]; then seen=$st; break; fi
  sleep 0.2
done
[ -n "$seen" ] || fail "OCSP through the cache still not revoked after ${deadline}s"
ocsp_delay=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
openssl ocsp -respin "$work/o4" -issuer "$ca" -cert "$work/leaf.pem" -CAfile "$ca" 2>&1 \
  | grep -q "Reason: keyCompromise" || fail "no reason in the revoked answer"
seen=
for _ in $(seq $((deadline * 5))); do
  st=$(fetch "$crl_url" "$work/c4")
  if openssl crl -inform DER -in "$work/c4" -noout -text 2>/dev/null \
       | grep -qi "Serial Number: *$serial"; then seen=$st; break; fi
  sleep 0.2
done
[ -n "$seen" ] || fail "CRL through the cache does not list $serial after ${deadline}s"
crl_delay=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print a - b }')
openssl crl -inform DER -in "$work/c4" -out "$work/c4.pem"
verdict=$(openssl verify -crl_check -CAfile "$ca" -CRLfile "$work/c4.pem" "$work/leaf.pem" 2>&1 || true)
echo "$verdict" | grep -q "certificate revoked" || fail "openssl verify does not reject: $verdict"
printf 'nginx_cache_test: passed (bound %ss + sync; revocation seen through the cache after %.1f s (OCSP), %.1f s (CRL))\n' \
  "$max_age" "$ocsp_delay" "$crl_delay"
