#!/usr/bin/env bash
# Issue 11's performance goals, each beside its baseline in the same run:
# 1. PDF pages rendered per second by the konbini document renderer beside
#    the same lines drawn by plain cairo/pango (the floor; goal >= 0.5x), by
#    CPU time and by wall clock;
# 2. kiosk sessions end to end in process (card signature, centre, issuer,
#    PDF, ledger, the kiosk's check): documents per second one at a time,
#    with CONCURRENT kiosks running sessions back to back (closed loop: the
#    goal's load) and in waves begun in the same instant (bursts), each
#    with the p50/p99 of a session's server time (the sum over its requests
#    of the centre's time from receiving each to answering it; goal p99 <
#    200 ms at 50 kiosks) beside the whole session's wall time and the CPU
#    per session, beside the same document's PDF rendered alone.
#   bench/konbini/run.sh BUILD_DIR [PAGES [SESSIONS [CONCURRENT]]]
set -euo pipefail
dir=$1
echo "load before: $(uptime)"
"$dir/bench/konbini/openmyna_konbini_bench" "${2:-30}"
"$dir/bench/konbini/openmyna_konbini_session_bench" "${3:-200}" "${4:-50}" \
  2> >(grep -v '^\[20' >&2)
echo "load after: $(uptime)"
