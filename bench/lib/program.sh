# Sourced by the run.sh of benchmarks that run one program of the build
# (bash, set -euo pipefail):
#   bench_program ARG REL_PATH  sets `bench`: ARG when it is the program
#                               itself, else ARG/REL_PATH (ARG a build
#                               folder); exits 2 saying what is missing
#   bench_tmp NAME              sets `tmp`: a new folder under $TMPDIR
#                               (default /var/tmp), removed on exit
#   bench_on_postgres ARG...    runs `$bench URL ARG...` against a
#                               throw-away PostgreSQL server
#                               (tests/pg/with-postgres.sh), URL its address
bench_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

bench_program() {
  bench=$1
  if [ -z "$bench" ]; then
    echo "usage: $0 BUILD_DIR (or the program itself) ..." >&2
    exit 2
  fi
  [ -d "$bench" ] && bench=$bench/$2
  if [ ! -x "$bench" ]; then
    echo "$0: no program $bench (build it: scripts/build release --target $(basename "$2"))" >&2
    exit 2
  fi
}

bench_tmp() {
  tmp=$(mktemp -d "${TMPDIR:-/var/tmp}/$1.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
}

bench_on_postgres() {
  "$bench_lib_dir/../../tests/pg/with-postgres.sh" \
    bash -c '"$0" "$OPENMYNA_TEST_PG_URL" "$@"' "$bench" "$@"
}
