#!/usr/bin/env bash
# bench/crl/run.sh BUILD_DIR [--smoke]
#
# CRL publication for one partition with 1,000,000 revoked entries
# (16-byte random serials, keyCompromise, as anchors.md §3.1), OpenMyna
# beside `openssl ca -gencrl` on the same data in this same run: the same
# CA key, the same serials, times and reasons (the openssl index.txt is
# written from the same population). Wall time and peak RSS of each
# process from /usr/bin/time -v.
#
# OpenMyna's figure is the whole publication as `openmyna serve` does it
# (CrlPublisher::Publish): one walk of the SQLite store, entries encoded
# by hand and spilled, the TBS hashed while streamed, one RSA signature,
# then the streaming CRL linter over the file read back (it verifies the
# signature too), then the atomic rename. The generation alone (no
# linter) is printed for information.
#
# Rounds alternate openssl and openmyna (CRL_BENCH_ROUNDS, default 3) so
# that load changes hit both; median and best are printed and the ratios
# use the medians (goal: >= 5x faster, <= 1/4 of the peak memory). Both
# CRLs must list every entry (`openssl crl -text`).
# Measured 2026-11-26 (RelWithDebInfo, 2 vCPUs, load ~1): publication
# 1.04 s / 12 MB vs openssl 15.45 s / 591 MB = 14.9x faster, 0.021 of the
# memory. Under load 7-8: 17.3x, 0.021 (docs/revocation.md).
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
rounds=${CRL_BENCH_ROUNDS:-3}
if [ "$smoke" = 1 ]; then count=2000; rounds=1; fi

work=$(mktemp -d /tmp/openmyna-crl-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== load before: $(uptime)"
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
# stats "v1 v2 ..." -> "median best(min)"
stats() {
  tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
    { v[NR] = $1 } END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%s %s\n", m, v[1] }'
}

base_t=""; base_m=""; pub_t=""; pub_m=""; gen_t=""; gen_m=""
for r in $(seq 1 "$rounds"); do
  read -r s kb < <(measure openssl openssl ca -config "$work/sandbox/bench/openssl.cnf" \
    -gencrl -out "$work/openssl.pem")
  base_t+=" $s"; base_m+=" $kb"
  echo "round $r: openssl ca -gencrl ${s} s, $((kb / 1024)) MB"
  read -r s kb < <(measure publish "$generate" "$work/sandbox" "$work/pub.crl" publish)
  pub_t+=" $s"; pub_m+=" $kb"
  echo "round $r: openmyna publish (generation + streaming linter) ${s} s, $((kb / 1024)) MB"
  read -r s kb < <(measure ours "$generate" "$work/sandbox" "$work/ours.crl" stream)
  gen_t+=" $s"; gen_m+=" $kb"
  echo "round $r: openmyna generation only ${s} s, $((kb / 1024)) MB"
done
openssl crl -in "$work/openssl.pem" -outform DER -out "$work/openssl.crl"

read -r bt_med bt_best < <(stats "$base_t")
read -r pt_med pt_best < <(stats "$pub_t")
read -r gt_med gt_best < <(stats "$gen_t")
read -r bm_med _ < <(stats "$base_m")
read -r pm_med _ < <(stats "$pub_m")
read -r gm_med _ < <(stats "$gen_m")
echo "== $count entries, $rounds rounds (median / best)"
echo "openssl ca -gencrl:                          ${bt_med} s / ${bt_best} s, peak RSS $((bm_med / 1024)) MB, $(stat -c %s "$work/openssl.crl") bytes (DER)"
echo "openmyna publish (generation + CRL linter):  ${pt_med} s / ${pt_best} s, peak RSS $((pm_med / 1024)) MB, $(stat -c %s "$work/pub.crl") bytes"
echo "openmyna generation only:                    ${gt_med} s / ${gt_best} s, peak RSS $((gm_med / 1024)) MB"
awk -v a="$pt_med" -v b="$bt_med" -v ab="$pt_best" -v bb="$bt_best" \
    -v m="$pm_med" -v n="$bm_med" 'BEGIN {
  printf "ratio time openssl/openmyna-publish: %.1fx faster (median), %.1fx (best) (goal >= 5x)\n", (a > 0) ? b / a : 0, (ab > 0) ? bb / ab : 0
  printf "ratio memory openmyna-publish/openssl: %.3f (goal <= 0.25)\n", m / n }'

ours_n=$(entries "$work/pub.crl" DER); base_n=$(entries "$work/openssl.crl" DER)
echo "entries: openmyna $ours_n, openssl $base_n"
[ "$ours_n" = "$count" ] && [ "$base_n" = "$count" ] ||
  { echo "run.sh: entry counts differ from $count" >&2; exit 1; }
echo "== load after: $(uptime)"
