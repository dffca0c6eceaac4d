#!/bin/bash
# Runs in the VM's second boot, as a systemd service (systemd-check.service):
# scripts/demo-live started from the service's own cgroup, which holds this
# script too, so cgroup v2 gives its children no limits. The demo must run
# itself in a transient scope of its own (systemd-run --scope -p
# Delegate=yes), step aside to a leaf there and show the cgroup's 1 CPU and
# 512 MiB. Then a container started by runc with its systemd cgroup driver
# (vm_checks.py systemd), and the real-cgroup test suites, prepared as
# scripts/test prepares them (systemd-suites.sh). Prints VM PASS/FAIL lines and `VM DONE failures=N`.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
failures=0
check() {  # name condition-status
  if [ "$2" = 0 ]; then echo "VM PASS systemd: $1"; else echo "VM FAIL systemd: $1"; failures=$((failures + 1)); fi
}
echo "VM BOOTED systemd $(systemctl --version | head -n1), in $(cut -d: -f3 /proc/self/cgroup)"
out=$(bash /cgview/scripts/demo-live /cgview/lib/libcgview.so /cgview/bin/cgview 2>/tmp/demo.err)
rc=$?
sed 's/^/VM NOTE systemd demo-live: /' <<<"$out" | head -n 16
sed 's/^/VM NOTE systemd demo-live stderr: /' /tmp/demo.err
check "demo-live exits 0" "$rc"
grep -q "A real cgroup on this machine (cgroup v2): 1 CPU of quota, 512 MiB" <<<"$out"; check "it made its cgroup" $?
awk '$1 == "nproc" && $2 == 2 && $3 == 1 { found = 1 } END { exit !found }' <<<"$out"; check "nproc 2 without, 1 with cgview" $?
grep -q "^  cgroup cpu .*\.scope/cgview-demo-[0-9]* (v2)$" <<<"$out"; check "in a transient scope of its own" $?
[ ! -s /tmp/demo.err ]; check "nothing on stderr" $?
# A container placed by runc's systemd driver, as Docker places one here.
python3 /cgview/vm_checks.py systemd
failures=$((failures + $?))
# The suites that make real cgroups, as scripts/test runs them here.
if [ -s /cgview/gtests ]; then
  bash /cgview/systemd-suites.sh
  failures=$((failures + $?))
fi
echo "VM DONE failures=$failures"
# The unit's SuccessAction=poweroff-force did not end this VM (systemd 252
# stayed up): power off here, as the first boot's init does.
sync
busybox poweroff -f
