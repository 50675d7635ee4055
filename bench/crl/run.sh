#!/usr/bin/env bash
# bench/crl/run.sh BUILD_DIR [--smoke]
#
# CRL generation for one partition with 1,000,000 revoked entries (16-byte
# random serials, keyCompromise, as anchors.md §3.1), OpenMyna beside
# `openssl ca -gencrl` on the same data in this same run: the same CA key,
# the same serials, times and reasons (the openssl index.txt is written
# from the same population). Wall time and peak RSS from /usr/bin/time -v.
# Prints both ratios (goal: >= 5x faster, <= 1/4 of the memory), then the
# cost of a full publication (generation + the in-memory CRL linter).
# Both CRLs must list the same number of entries.
# Builds nothing: BUILD_DIR (a release build) must hold
# bench/ocsp/revocation_bench_setup and bench/crl/crl_bench_generate.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [--smoke]}
smoke=0
[ "${2:-}" = "--smoke" ] && smoke=1
setup="$build/bench/ocsp/revocation_bench_setup"
generate="$build/bench/crl/crl_bench_generate"
for b in "$setup" "$generate"; do
  [ -x "$b" ] || { echo "run.sh: $b not built" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (package time)" >&2; exit 2; }
count=${CRL_BENCH_COUNT:-1000000}
[ "$smoke" = 1 ] && count=2000

work=$(mktemp -d /tmp/openmyna-crl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== setup: $count revoked entries in one partition"
"$setup" "$work/sandbox" "$count" 100 1

measure() {  # measure NAME COMMAND... -> "seconds kilobytes"
  local log="$work/$1.time"; shift
  /usr/bin/time -v "$@" >"$work/out.txt" 2>"$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$log" |
    awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
  echo "$wall $rss"
}
entries() {  # entries FILE FORM
  openssl crl -inform "$2" -noout -text -in "$1" | grep -c "Serial Number:"
}

read -r ours_s ours_kb < <(measure ours "$generate" "$work/sandbox" "$work/ours.crl" stream)
echo "openmyna (streamed): ${ours_s} s, peak RSS $((ours_kb / 1024)) MB, $(stat -c %s "$work/ours.crl") bytes"
read -r base_s base_kb < <(measure openssl openssl ca -config "$work/sandbox/bench/openssl.cnf" \
  -gencrl -out "$work/openssl.pem")
openssl crl -in "$work/openssl.pem" -outform DER -out "$work/openssl.crl"
echo "openssl ca -gencrl:  ${base_s} s, peak RSS $((base_kb / 1024)) MB, $(stat -c %s "$work/openssl.crl") bytes (DER)"
awk -v a="$ours_s" -v b="$base_s" -v m="$ours_kb" -v n="$base_kb" 'BEGIN {
  printf "ratio time openssl/openmyna: %.1fx faster (goal >= 5x)\n", (a > 0) ? b / a : 0
  printf "ratio memory openmyna/openssl: %.3f (goal <= 0.25)\n", m / n }'

ours_n=$(entries "$work/ours.crl" DER); base_n=$(entries "$work/openssl.crl" DER)
echo "entries: openmyna $ours_n, openssl $base_n"
[ "$ours_n" = "$count" ] && [ "$base_n" = "$count" ] ||
  { echo "run.sh: entry counts differ from $count" >&2; exit 1; }

read -r pub_s pub_kb < <(measure publish "$generate" "$work/sandbox" "$work/pub.crl" publish)
echo "openmyna publish (generation + CRL linter): ${pub_s} s, peak RSS $((pub_kb / 1024)) MB"
