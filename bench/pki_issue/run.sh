#!/usr/bin/env bash
# bench/pki_issue/run.sh BUILD_DIR [COUNT [ROUNDS]]
#
# Certificates issued per second by CertificateAuthority::Issue (validate,
# build, lint, sign, store in SQLite) beside plain OpenSSL signing the same
# certificates (X509_sign + i2d_X509, same key, same process), in
# alternating rounds. Prints median and best of both and their ratio
# (goal: close to 1x; the RSA-2048 signature dominates both). Never fails
# on a time. BUILD_DIR: a release build holding
# bench/pki_issue/openmyna_pki_issue_bench.
# Measured 2026-11-26 (RelWithDebInfo, load 0.9, 500 x 5): 561 vs 1,110
# certs/s, ratio 0.51 (was 0.18); docs/pki.md says what remains.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [COUNT [ROUNDS]]}
bench="$build/bench/pki_issue/openmyna_pki_issue_bench"
[ -x "$bench" ] || { echo "run.sh: $bench not built" >&2; exit 2; }
echo "== load: $(uptime)"
"$bench" "${2:-500}" "${3:-5}"
echo "== load: $(uptime)"
