#!/usr/bin/env bash
# PDF pages rendered per second by the konbini document renderer beside the
# same lines drawn by plain cairo/pango in the same run (the floor); prints
# the ratio by CPU time and by wall clock (issue 11 goal: >= 0.5x). Not
# measured here yet: documents issued per second end to end and the p99 of a
# session at 50 concurrent sessions (docs/konbini.md "Status").
#   bench/konbini/run.sh BUILD_DIR [PAGES [OUT.pdf]]
set -euo pipefail
bench=$1
[ -d "$bench" ] && bench=$bench/bench/konbini/openmyna_konbini_bench
echo "load before: $(uptime)"
"$bench" "${2:-30}" ${3:+"$3"}
echo "load after: $(uptime)"
