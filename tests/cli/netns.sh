# Sourced by the tests/cli scripts that listen on ports, right after `set -u`:
# run_in_own_network_namespace "$@" runs the script again in a network
# namespace of its own (root: unshare(1)), so that the ports it picks cannot
# be taken meanwhile by another test's connections, with its loopback up;
# where namespaces cannot be made, the test is skipped (exit 77).
run_in_own_network_namespace() {
  if [[ ${OPENMYNA_CLI_TEST_NETNS:-} != 1 ]]; then
    unshare -n --fork true 2>/dev/null || {
      echo "SKIP: cannot create a network namespace (needs root)"
      exit 77
    }
    OPENMYNA_CLI_TEST_NETNS=1 exec unshare -n --fork bash "$0" "$@"
  fi
  ip link set lo up || {
    echo "FAIL: no loopback in the namespace"
    exit 1
  }
}
