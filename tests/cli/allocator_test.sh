#!/usr/bin/env bash
# allocator_test.sh OPENMYNA ALLOCATOR: the `openmyna` executable allocates
# with the allocator the build chose (cmake/OpenMynaAllocator.cmake). Each
# allocator is asked by its own documented switch to print its statistics when
# the process ends; the text can only come from that allocator serving the
# process's mallocs:
#   jemalloc  MALLOC_CONF=stats_print:true  "___ Begin jemalloc statistics ___"
#             (jemalloc(3), opt.stats_print)
#   tcmalloc  MALLOCSTATS=1  "MALLOC: ... Bytes in use by application"
#             (gperftools docs/tcmalloc.html, MALLOCSTATS)
#   mimalloc  MIMALLOC_SHOW_STATS=1  "heap stats:" (mimalloc's options)
#   system    none of the three libraries is loaded, and none prints.
# The library must also come before libc in the executable's DT_NEEDED
# (readelf), so that its malloc interposes glibc's.
set -euo pipefail
openmyna=${1:?usage: allocator_test.sh OPENMYNA ALLOCATOR}
allocator=${2:?usage: allocator_test.sh OPENMYNA ALLOCATOR}
fail() { echo "FAIL: $*" >&2; exit 1; }

stats() {
  MALLOC_CONF=stats_print:true MALLOCSTATS=1 MIMALLOC_SHOW_STATS=1 \
    "$openmyna" --version 2>&1 >/dev/null || true
}
needed=$(readelf -d "$openmyna" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
index_of() { grep -n "^$1" <<<"$needed" | head -1 | cut -d: -f1 || true; }
out=$(stats)
case $allocator in
  jemalloc) lib=libjemalloc pattern='___ Begin jemalloc statistics ___' ;;
  tcmalloc) lib=libtcmalloc_minimal pattern='Bytes in use by application' ;;
  mimalloc) lib=libmimalloc pattern='heap stats:' ;;
  system)
    for lib in libjemalloc libtcmalloc libmimalloc; do
      [ -z "$(index_of $lib)" ] || fail "system allocator, but $lib is linked"
    done
    for p in 'jemalloc statistics' 'Bytes in use by application' 'heap stats:'; do
      ! grep -qF "$p" <<<"$out" || fail "system allocator, but '$p' printed"
    done
    echo "ok  glibc's malloc: no other allocator linked or printing"
    exit 0
    ;;
  *) fail "unknown allocator $allocator" ;;
esac
at=$(index_of "$lib")
libc=$(index_of libc.so)
[ -n "$at" ] || fail "$lib not in DT_NEEDED: $(tr '\n' ' ' <<<"$needed")"
[ -n "$libc" ] && [ "$at" -lt "$libc" ] || fail "$lib not before libc.so"
grep -qF "$pattern" <<<"$out" || fail "$allocator did not print its statistics"
echo "ok  $allocator: $lib is DT_NEEDED #$at (libc #$libc) and serves the mallocs"
