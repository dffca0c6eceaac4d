#!/bin/bash
# Runs in the VM's second boot (systemd as PID 1, cgroup v2 alone), from
# systemd-check.sh, in the service's own cgroup, which holds that script too:
# a stock Debian 12 host, where a login shell's cgroup holds the shell. It
# prepares the real-cgroup tests' cgroups with scripts/test's function (a
# transient scope of its own with delegation, a leaf of it for this script,
# cpu, cpuset, memory and pids enabled for the scope's children,
# CGVIEW_TEST_CGROUP_PARENT exported), then runs the gtest binaries named in
# /cgview/gtests with CGVIEW_TEST_REQUIRE_CGROUPS=1, as .ci/run would, and
# the other suites' cgroup making. Not as scripts/test: no `set -euo
# pipefail` (each check goes on to the next), an absolute $0, and no
# container engine (the VM has none; what a runtime leaves is imitated).
# Prints VM PASS/FAIL/NOTE lines; exits with the number of failures.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. /cgview/scripts/lib/limited-cgroup.sh
limited_cgroup_test_setup "$@"

failures=0
check() {  # name condition-status
  if [ "$2" = 0 ]; then echo "VM PASS systemd suites: $1"; else echo "VM FAIL systemd suites: $1"; failures=$((failures + 1)); fi
}
own=$(cut -d: -f3 /proc/self/cgroup)
echo "VM NOTE systemd suites: running in $own, CGVIEW_TEST_CGROUP_PARENT=${CGVIEW_TEST_CGROUP_PARENT:-}"
[[ $own == *.scope/cgview-leaf-$$ ]]; check "stepped aside to a leaf of a transient scope" $?
[ "${CGVIEW_TEST_CGROUP_PARENT:-}" = "/sys/fs/cgroup${own%/*}" ]; check "the scope is the tests' cgroup parent" $?

# What each binary runs here: its tests that make real cgroups and need only
# what the image has (no tmux, strace or source tree). (fd_tests is not run:
# one of its three runs takes about 8 minutes under TCG.) Expected skips: the
# root cgroup's /proc/stat case (the first boot runs it, from the root) and the
# stats tests that read cgroup v1's files (stats-v2-check.sh covers v2).
filter_for() {
  case $1 in
    */real_cgroup_tests) echo '*' ;;
    */reliability_tests) echo 'Faults.CgroupRemovedWhileTheProgramRuns:Faults.MountinfoReadableInTheNamespaceControl:*MountinfoUnreadable*:Promises.HeldInputFilesSurviveWhatTheProgramDoesToItsFds:Promises.HoldFilesOffKeepsNoFdOpen' ;;
    */stats_real_tests) echo 'StatsReal.*-StatsReal.Terminal*' ;;
  esac
}
expected_skips() {
  case $1 in
    */real_cgroup_tests) echo 'RealStat.AnOverrideInTheRootCgroupScalesTheHostsBusyTime' ;;
    */stats_real_tests) echo 'StatsReal.BusyLoopUnderHalfACpuReadsAboutFiftyPercent StatsReal.DirectIoIsCountedInStatsDiskstatsAndIostat StatsReal.OomKillIsCountedByStatsAndShow StatsReal.RootCpuacctIsScaledInProcStatAndNotShownByStats StatsReal.WorkingSetLeavesOutInactivePageCache' ;;
  esac
}
while read -r binary; do
  name=${binary##*/}
  filter=$(filter_for "$binary")
  began=$SECONDS
  out=$(CGVIEW_TEST_REQUIRE_CGROUPS=1 "$binary" --gtest_filter="$filter" 2>&1)
  rc=$?
  echo "VM TIME systemd suites $name: $((SECONDS - began))s"
  # The summary, and each failure with the three lines that say what differed.
  awk '/^\[  (PASSED|FAILED|SKIPPED) |^\[==========\] [0-9]+ tests? from .* ran/ { print }
       / Failure$/ { n = 4 } n > 0 { print; n-- }' <<<"$out" | sed "s/^/VM NOTE systemd suites $name: /"
  check "$name exits 0" $rc
  skipped=$(sed -n 's/^\[  SKIPPED \] \([^ ]*\).*/\1/p' <<<"$out" | grep -v "^[0-9]" | sort -u | xargs)
  [ "$skipped" = "$(expected_skips "$binary")" ]; check "$name skips only the expected (skipped: ${skipped:-none})" $?
  # Every test ran: passed or skipped as expected (stats_real_tests has only skips here).
  ran=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran.*/\1/p' <<<"$out")
  [ "${ran:-0}" -gt 0 ]; check "$name ran tests (${ran:-0})" $?
done </cgview/gtests

# scripts/demo-live (and scripts/bench, which makes its cgroups with the same
# functions) under scripts/test: its cgroup in the prepared parent, no new scope.
demo=$(bash /cgview/scripts/demo-live /cgview/lib/libcgview.so /cgview/bin/cgview 2>&1)
check "demo-live under the prepared parent exits 0" $?
made=$(grep -m1 "^  cgroup cpu  *$CGVIEW_TEST_CGROUP_PARENT/cgview-demo-[0-9]* (v2)$" <<<"$demo")
[ -n "$made" ]; check "demo-live made its cgroup in the parent (${made:-no such line})" $?
awk '$1 == "nproc" && $2 == 2 && $3 == 1 { found = 1 } END { exit !found }' <<<"$demo"
check "demo-live: nproc 2 without, 1 with cgview" $?

# The Python suites' cgroups: compat.py's cases and the container engines' --cgroup-parent.
python3 /cgview/systemd-python-suites.py
failures=$((failures + $?))

# What the Docker and Podman suites leave (not run here): runc and crun turn on
# every controller on each cgroup above a --cgroup-parent, the scope included.
before=$(<"$CGVIEW_TEST_CGROUP_PARENT/cgroup.subtree_control")
sed 's/[^ ]*/+&/g' "$CGVIEW_TEST_CGROUP_PARENT/cgroup.controllers" >"$CGVIEW_TEST_CGROUP_PARENT/cgroup.subtree_control"
[ "$(<"$CGVIEW_TEST_CGROUP_PARENT/cgroup.subtree_control")" != "$before" ]
check "as a runtime does, more controllers on: $(<"$CGVIEW_TEST_CGROUP_PARENT/cgroup.subtree_control")" $?

# Undone as scripts/test undoes it at its end: back in the scope, the leaf gone.
limited_cgroup_remove
trap - EXIT
[ "$(cut -d: -f3 /proc/self/cgroup)" = "${own%/*}" ]; check "back in the scope after the run" $?
left=$(find "/sys/fs/cgroup${own%/*}" -mindepth 1 -type d | xargs)
[ -z "$left" ]; check "no cgroup left in the scope (left: ${left:-none})" $?
exit "$failures"
