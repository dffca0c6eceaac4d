#!/usr/bin/env bash
# tests/vm: boots Debian 12's kernel under QEMU with cgroup_no_v1=all (a real
# cgroup v2 hierarchy) and runs tests/vm/vm_checks.py in it with this build's
# libcgview.so and cgview. Fails on any mismatch and on a VM that does not
# finish. Without qemu it skips (exit 77) with the reason, unless
# CGVIEW_TEST_REQUIRE_VM=1 (set by .ci/run), which makes that a failure.
#   run.sh LIBCGVIEW CGVIEW [REAL_CGROUP_TESTS [GTEST...] [-- PROGRAM...]]
# With REAL_CGROUP_TESTS (the gtest binary of tests/real) it runs in the VM
# too, on real cgroup v2, from the hierarchy's root. Under systemd (the second
# boot) it and the other GTEST binaries run as scripts/test runs them on a
# stock cgroup v2 host, from a transient scope (systemd-check.sh). They and
# the PROGRAMs they start (their probes), the library and cgview are put at
# the same absolute paths in the VM, which their compiled-in paths name.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shim=$1 cli=$2
shift 2
gtests=() programs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do gtests+=("$1"); shift; done
[ $# = 0 ] || shift
programs=("$@")
skip() {
  if [ "${CGVIEW_TEST_REQUIRE_VM:-0}" = 1 ]; then
    echo "vm: FAILED: $1 (CGVIEW_TEST_REQUIRE_VM=1)" >&2
    exit 1
  fi
  echo "vm: SKIPPED: $1" >&2
  exit 77
}
for tool in qemu-system-x86_64 debootstrap cpio depmod; do
  command -v "$tool" >/dev/null || skip "$tool is missing (scripts/install-deps installs it)"
done
[ "$(id -u)" = 0 ] || skip "building the image (debootstrap) needs root"
started=$(date +%s)
image=$("$here/build-image.sh")
built=$(date +%s)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The run's own files, in a second cpio archive the kernel unpacks over the image.
mkdir -p "$work/payload/cgview/lib" "$work/payload/cgview/bin" "$work/payload/cgview/scripts/lib"
cp "$here/init.sh" "$work/payload/init"
cp "$here/../../scripts/demo-live" "$work/payload/cgview/scripts/"
cp "$here/../../scripts/lib/limited-cgroup.sh" "$work/payload/cgview/scripts/lib/"
cp "$here/vm_checks.py" "$here/stats-v2-check.sh" "$here/systemd-check.sh" "$here/systemd-suites.sh" \
  "$here/systemd-python-suites.py" "$here/oci_bundle.py" "$here/../compat/compat.py" "$here/../support/cgroup_parent.py" "$work/payload/cgview/"
mkdir -p "$work/payload/etc/systemd/system"
cp "$here/systemd-check.service" "$work/payload/etc/systemd/system/cgview-check.service"
cp "$shim" "$work/payload/cgview/lib/libcgview.so"
cp "$cli" "$work/payload/cgview/bin/cgview"
if [ ${#gtests[@]} -gt 0 ]; then
  for f in "${gtests[@]}" "${programs[@]}" "$shim" "$cli"; do
    f=$(realpath "$f")
    mkdir -p "$work/payload$(dirname "$f")" && cp "$f" "$work/payload$f"
  done
  realpath "${gtests[0]}" >"$work/payload/cgview/real-tests"
  for f in "${gtests[@]}"; do realpath "$f"; done >"$work/payload/cgview/gtests"
fi
(cd "$work/payload" && find . | cpio -o -H newc --quiet) >"$work/payload.cpio"
cat "$image/rootfs.cpio" "$work/payload.cpio" >"$work/initrd"

# A scratch disk (ext4, made here) for the I/O checks: the root file system is in RAM.
truncate -s 64M "$work/scratch.img" && mkfs.ext4 -q -F "$work/scratch.img"
# /dev/kvm can be there and not work: a nested hypervisor here stops every guest right after
# its boot loader. KVM is used only when a kernel prints its banner under it within 15 s
# (under KVM it takes about a second; under TCG about seven); CGVIEW_VM_ACCEL=tcg|kvm decides.
kvm_works() {
  local log="$work/kvm-probe.log" pid i
  timeout 15 qemu-system-x86_64 -accel kvm -m 256M -nographic -no-reboot -kernel "$image/vmlinuz" \
    -append "console=ttyS0 panic=-1" -serial "file:$log" -monitor none -display none </dev/null >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 30); do
    if grep -aq "Linux version" "$log" 2>/dev/null; then
      kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  return 1
}
accel=${CGVIEW_VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  if [ -w /dev/kvm ]; then
    if kvm_works; then accel=kvm; else echo "vm: /dev/kvm is there but a guest does not boot under it: TCG" >&2; fi
  fi
fi
timeout_s=${CGVIEW_VM_TIMEOUT:-480}
echo "vm: image $image ($(cat "$image/kernel-version")), ready in $((built - started))s; booting with $accel" >&2
# boot NAME KERNEL-ARGS: one run of the VM, its console in $work/NAME.log;
# fails unless the console ends with "VM DONE failures=0".
boot() {
  local name=$1 append=$2 log="$work/$1.log" rc t0
  t0=$(date +%s)
  set +e
  # Two NUMA nodes of one CPU each, so the node files (has_cpu, nodeN/cpulist)
  # meet a real multi-node kernel.
  timeout "$timeout_s" qemu-system-x86_64 -accel "$accel" -m 1G -smp 2 -nographic -no-reboot \
    -object memory-backend-ram,id=mem0,size=512M -object memory-backend-ram,id=mem1,size=512M \
    -numa node,nodeid=0,cpus=0,memdev=mem0 -numa node,nodeid=1,cpus=1,memdev=mem1 \
    -kernel "$image/vmlinuz" -initrd "$work/initrd" -nic none \
    -drive file="$work/scratch.img",if=virtio,format=raw \
    -append "console=ttyS0 cgroup_no_v1=all panic=-1 quiet loglevel=3 $append" \
    -serial "file:$log" -monitor none -display none </dev/null
  rc=$?
  set -e
  grep -a '^VM ' "$log" | tr -d '\r' || true
  echo "vm: $name: $(( $(date +%s) - t0 ))s in the VM" >&2
  if [ $rc = 124 ]; then
    echo "vm: FAILED: the $name boot did not finish within ${timeout_s}s; the end of its console:" >&2
    tail -n 30 "$log" | tr -d '\r' >&2
    return 1
  fi
  if ! grep -aq '^VM DONE failures=0' "$log"; then
    echo "vm: FAILED: $name (qemu exit $rc); the end of its console:" >&2
    grep -av '^VM ' "$log" | tail -n 20 | tr -d '\r' >&2
    return 1
  fi
}
failed=0
# The checks, with a shell script as PID 1 at the hierarchy's root.
if [ "${CGVIEW_VM_ONLY:-}" != systemd ]; then
  boot checks "rdinit=/init ${CGVIEW_VM_ONLY:+VM_ONLY=$CGVIEW_VM_ONLY}" || failed=1
fi
# systemd as PID 1 (the VM has no D-Bus: systemd-run talks to it directly), one unit.
if [ -z "${CGVIEW_VM_ONLY:-}" ] || [ "${CGVIEW_VM_ONLY:-}" = systemd ]; then
  boot systemd "rdinit=/lib/systemd/systemd systemd.unit=cgview-check.service systemd.show_status=0" || failed=1
fi
echo "vm: $(( $(date +%s) - started ))s in all" >&2
[ $failed = 0 ] || exit 1
echo "vm: all cases passed" >&2
