#!/usr/bin/env bash
# Pages per second and p99 of the portal's あなたの情報 and やりとり履歴 for a
# resident with 10,000 history rows, each beside the registry API's read of
# the same data in the same run (the baseline); prints page/API cost ratios.
#   bench/portal/run.sh RELEASE_BUILD_DIR [ROWS] [ROUNDS]
set -euo pipefail
. "$(dirname "$0")/../lib/program.sh"
bench_program "${1:-}" bench/portal/portal_bench
bench_tmp portal-bench
echo "load before: $(uptime)"
"$bench" "$tmp" --rows "${2:-10000}" --rounds "${3:-30}"
echo "load after: $(uptime)"
