#!/bin/sh
# PID 1 of the test VM: a real cgroup v2 hierarchy (the kernel was booted with
# cgroup_no_v1=all), the controllers enabled for children, a zram swap device,
# then the checks. Results go to the serial console; the VM then powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "+cpu +cpuset +io +memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
# Swap for the swap case: zram (the root file system lives in RAM, where a swap file cannot).
while read -r m; do busybox insmod "/vm-modules/$m.ko" 2>&1 | sed "s/^/VM NOTE insmod $m: /"; done </vm-modules/order
if [ -e /sys/block/zram0/disksize ]; then
  for alg in lzo-rle lzo lz4 zstd; do echo "$alg" >/sys/block/zram0/comp_algorithm 2>/dev/null && break; done
  echo 512M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 ||
    echo "VM NOTE no zram swap"
fi
echo "VM NOTE swap: $(tail -n +2 /proc/swaps | tr -s ' ')"
mkdir -p /scratch && mount -t ext4 /dev/vda /scratch || echo "VM NOTE no scratch disk"
echo "VM BOOTED $(uname -r) cpus=$(nproc) nodes=$(cat /sys/devices/system/node/online) $(grep MemTotal /proc/meminfo)"
python3 /cgview/vm_checks.py
echo "VM EXIT $?"
sync
busybox poweroff -f
