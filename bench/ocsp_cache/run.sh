#!/usr/bin/env bash
# bench/ocsp_cache/run.sh BUILD_DIR [--smoke]
#
# OCSP by GET (RFC 6960 Appendix A.1 / RFC 5019 §5) under the same load
# generator (bench/ocsp/ocsp_loadgen, C keep-alive connections, closed loop)
# against three servers on the same pre-signed answers, in one run:
#   direct  `openmyna serve --only ocsp`, one thread per core, warm cache
#           (every answer pre-signed before the rounds start);
#   static  Debian's nginx serving THE SAME answers as static files (saved
#           from `direct` by GET before the rounds: identical bytes), one
#           worker per core, sendfile, open_file_cache: the physical limit
#           of serving those bytes over HTTP on this machine;
#   post    `direct` again, by POST (the same requests as DER bodies): what
#           the caching headers and the GET path's decoding cost;
#   proxy   Debian's nginx proxy_cache in front of `direct` (as
#           tests/revocation_cache, with keep-alive to the origin), warmed
#           by one pass so that the measured requests are cache hits (or
#           304 revalidations after max-age).
# Prints each side (median / best of OCSP_CACHE_BENCH_ROUNDS, alternating)
# and the ratios direct/static (goal >= 0.8) and proxy/direct. Client and
# servers share this machine's cores: every figure is a lower bound, the
# ratios are the figures to compare.
# Builds nothing: BUILD_DIR must hold src/cli/openmyna,
# bench/ocsp/revocation_bench_setup and bench/ocsp/ocsp_loadgen (a release
# build for figures: `scripts/build release --target openmyna
# revocation_bench_setup ocsp_loadgen`).
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
. "$(dirname "$0")/../lib/servers.sh"
bench_ocsp_programs "$build"
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "run.sh: nginx not installed (nginx-light)" >&2; exit 77; }
count=${OCSP_CACHE_BENCH_COUNT:-20000}
requests=${OCSP_CACHE_BENCH_REQUESTS:-5000}
seconds=${OCSP_CACHE_BENCH_SECONDS:-5}
connections=${OCSP_CACHE_BENCH_CONNECTIONS:-8}
rounds=${OCSP_CACHE_BENCH_ROUNDS:-3}
if [ "$smoke" = 1 ]; then count=300; requests=100; seconds=1; rounds=1; fi

bench_begin openmyna-ocsp-cache-bench
cores=$(nproc)

echo "== load before: $(uptime | sed 's/.*load/load/')"
echo "== setup: $count certificates (10% revoked), $requests distinct requests"
"$setup" "$work/sandbox" "$count" 10 "$requests" >/dev/null
reqs="$work/sandbox/bench/requests.bin"

port=$(bench_free_port)
bench_serve "$openmyna" "$work/sandbox" "$port" "$work/serve.log" ocsp
direct_pid=$serve_pid
bench_wait_presigned "$work/serve.log"
bench_wait_ocsp "$port" /ocsp/sign "$reqs" get

# The same answers as files, fetched from the responder by GET.
mkdir -p "$work/static/r" "$work/nginx"
"$loadgen" "$port" /ocsp/sign "$reqs" 1 0 "save=$work/static/r" >/dev/null
static_port=$(bench_free_port)
proxy_port=$(bench_free_port)
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$work/nginx/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes $cores;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  proxy_cache_path $work/nginx/cache levels=1:2 keys_zone=ocsp:16m;
  upstream origin { server 127.0.0.1:$port; keepalive 32; }
  server {  # static: the pre-signed answers as files
    listen 127.0.0.1:$static_port;
    root $work/static;
    default_type application/ocsp-response;
    sendfile on;
    tcp_nodelay on;
    open_file_cache max=100000 inactive=10m;
    open_file_cache_valid 10m;
  }
  log_format cache '\$upstream_cache_status';
  server {  # proxy: a cache in front of the responder
    listen 127.0.0.1:$proxy_port;
    access_log $work/nginx/cache.log cache buffer=256k flush=1s;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache ocsp;
      proxy_cache_revalidate on;
    }
  }
}
CONF
"$nginx" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
bench_track $!
bench_wait_ocsp "$static_port" /r/ "$reqs" files ||
  { echo "run.sh: nginx did not answer" >&2; cat "$work/nginx/error.log" >&2; exit 1; }
# One pass through the proxy puts every answer in its cache.
mkdir -p "$work/proxied"
"$loadgen" "$proxy_port" /ocsp/sign "$reqs" 1 0 "save=$work/proxied" >/dev/null
cmp -s "$work/static/r/0.der" "$work/proxied/0.der" ||
  { echo "run.sh: the proxy's answer differs from the responder's" >&2; exit 1; }

field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
d_rps=""; s_rps=""; p_rps=""; d_p99=""; s_p99=""; p_p99=""; errors=0
o_rps=""; o_p99=""
for r in $(seq 1 "$rounds"); do
  d=$("$loadgen" "$port" /ocsp/sign "$reqs" "$connections" "$seconds" get)
  echo "round $r: direct (openmyna, $cores threads): $d"
  o=$("$loadgen" "$port" /ocsp/sign "$reqs" "$connections" "$seconds" post)
  echo "round $r: direct by POST (same requests):   $o"
  s=$("$loadgen" "$static_port" /r/ "$reqs" "$connections" "$seconds" files)
  echo "round $r: static (nginx files, $cores workers): $s"
  p=$("$loadgen" "$proxy_port" /ocsp/sign "$reqs" "$connections" "$seconds" get)
  echo "round $r: proxy  (nginx proxy_cache):       $p"
  d_rps+=" $(field rps "$d")"; s_rps+=" $(field rps "$s")"; p_rps+=" $(field rps "$p")"
  o_rps+=" $(field rps "$o")"; o_p99+=" $(field p99_ms "$o")"
  d_p99+=" $(field p99_ms "$d")"; s_p99+=" $(field p99_ms "$s")"; p_p99+=" $(field p99_ms "$p")"
  errors=$((errors + $(field errors "$d") + $(field errors "$o") + $(field errors "$s") + $(field errors "$p")))
done
bench_stop "$direct_pid"  # it logs its cache counts on exit
echo "openmyna cache: $(grep "OCSP: " "$work/serve.log" | sed 's/.*\] //' || true)"
sleep 1.5  # nginx flushes its buffered log every second
echo "proxy cache statuses (warm-up pass included): $(sort "$work/nginx/cache.log" | uniq -c | awk '{ printf "%s %s, ", $2, $1 }' | sed 's/, $//')"

stats() {  # "v1 v2 ..." -> "median best"
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
    { v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s %s\n", m, v[NR] }'
}
read -r dm db < <(stats "$d_rps"); read -r sm sb < <(stats "$s_rps")
read -r pm pb < <(stats "$p_rps"); read -r om ob < <(stats "$o_rps")
read -r op99 _ < <(stats "$o_p99")
read -r dp99 _ < <(stats "$d_p99"); read -r sp99 _ < <(stats "$s_p99")
read -r pp99 _ < <(stats "$p_p99")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
echo "== $count certificates, $requests distinct GET requests, $connections connections, $rounds x ${seconds} s (median / best req/s, median p99)"
echo "direct: $dm / $db req/s, p99 $dp99 ms"
echo "direct by POST: $om / $ob req/s, p99 $op99 ms"
echo "static: $sm / $sb req/s, p99 $sp99 ms"
echo "proxy:  $pm / $pb req/s, p99 $pp99 ms"
echo "ratio direct/static (nginx files): $(ratio "$dm" "$sm") (goal >= 0.8)"
echo "ratio proxy/direct: $(ratio "$pm" "$dm")"
echo "ratio direct GET/POST: $(ratio "$dm" "$om")"
echo "== load after: $(uptime | sed 's/.*load/load/')"
[ "$errors" = 0 ] || { echo "run.sh: $errors failed requests" >&2; exit 1; }
