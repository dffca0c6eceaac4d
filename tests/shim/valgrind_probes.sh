#!/usr/bin/env bash
# Valgrind memcheck over the probe programs with libcgview.so preloaded:
# no invalid reads or writes, no use of uninitialised memory, no definite
# leaks, in the shim or the core.
#   valgrind_probes.sh SHIM PROBE FIXTURES_DIR
set -euo pipefail
shim=$1 probe=$2 fixtures=$3
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/install-deps installs it)"; exit 1; }
run() {  # run FIXTURE COMMAND...
  local fixture=$1; shift
  echo "== $fixture: $*"
  LD_PRELOAD=$shim CGVIEW_SYSROOT=$fixtures/$fixture \
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
             --track-origins=yes "$probe" "$@" >/dev/null
}
for fixture in docker-v2-private-ns docker-v1-host-ns v1-cpuset-quota no-limits; do
  run "$fixture" view
done
run docker-v2-private-ns paths
run docker-v2-private-ns passthrough
run docker-v2-private-ns processes 2 1048576   # the expected CPUs and MemTotal kB
echo "valgrind: clean"
