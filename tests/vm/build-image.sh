#!/usr/bin/env bash
# Builds the VM image tests/vm boots, from Debian's packages alone, or finds it
# in the cache. Prints the directory that holds it:
#   vmlinuz       the kernel of Debian's linux-image-amd64 (never the host's /boot)
#   rootfs.cpio   a debootstrap root file system (minbase + what the checks run),
#                 with the few kernel modules the checks need under /vm-modules
# The cache key hashes this script, the package list and the kernel's version,
# so any change to them builds a new image.  CGVIEW_VM_CACHE overrides the cache.
set -euo pipefail
cache=${CGVIEW_VM_CACHE:-/var/cache/cgview-vm}
# (No libelf1: the cgview command is linked statically, and runs without it.)
# runc and crun: the runtimes Docker and Podman start containers with (vm_checks.py).
packages=procps,python3,busybox,util-linux,systemd,runc,crun
# zram: the swap device (the root file system is in RAM, where swap files cannot
# live), and the compressors it may use (which are built in varies by kernel).
# virtio_pci, virtio_blk, crc32c and ext4: a scratch disk, so that cgroup v2's io.stat has a block
# device to count (`cgview stats`, /proc/diskstats).
modules=(zram lzo-rle lzo lz4 zstd virtio_pci virtio_blk crc32c_generic ext4)

kpkg=$(apt-cache depends linux-image-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
kver=$(apt-cache policy "$kpkg" | sed -n 's/^ *Candidate: //p')
[ -n "$kpkg" ] && [ -n "$kver" ] || { echo "build-image: cannot find linux-image-amd64's kernel package" >&2; exit 1; }
key=$({ cat "$0"; echo "$packages ${modules[*]} $kpkg $kver"; } | sha256sum | cut -c1-16)
out=$cache/$key
if [ -f "$out/ready" ]; then
  echo "$out"
  exit 0
fi
# Two stages, each cached on its own so a change to one does not redo the other:
# the root file system (debootstrap: minutes) keyed by the package list, and the
# kernel package, extracted, keyed by its version.
root_cache=$cache/root-$(echo "bookworm minbase $packages" | sha256sum | cut -c1-16)
if [ ! -f "$root_cache/root.cpio" ]; then
  echo "build-image: debootstrap bookworm ($packages)" >&2
  rm -rf "$root_cache" && mkdir -p "$root_cache"
  debootstrap --variant=minbase --include="$packages" bookworm "$root_cache/root" http://deb.debian.org/debian >&2
  # What the checks never read: documentation, locales, apt's lists and caches.
  rm -rf "$root_cache"/root/usr/share/{doc,man,info,locale} "$root_cache"/root/var/cache/apt/* \
    "$root_cache"/root/var/lib/apt/lists/*
  (cd "$root_cache/root" && find . | cpio -o -H newc --quiet) >"$root_cache/root.cpio.part"
  rm -rf "$root_cache/root"
  mv "$root_cache/root.cpio.part" "$root_cache/root.cpio"
fi
kernel_cache=$cache/kernel-$kpkg-$kver
if [ ! -f "$kernel_cache/done" ]; then
  echo "build-image: $kpkg $kver" >&2
  rm -rf "$kernel_cache" && mkdir -p "$kernel_cache"
  (cd "$kernel_cache" && apt-get download -q "$kpkg=$kver" >&2)
  dpkg-deb -x "$kernel_cache"/"$kpkg"_*.deb "$kernel_cache/tree"
  rm -f "$kernel_cache"/*.deb
  # The package ships no modules.dep (its postinst makes it): make it here.
  depmod -b "$kernel_cache/tree" "$(basename "$(echo "$kernel_cache"/tree/lib/modules/*)")"
  touch "$kernel_cache/done"
fi

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$kernel_cache"/tree/boot/vmlinuz-* "$work/vmlinuz"
# Each wanted module after the modules it needs (modules.dep), uncompressed.
moddir=$(echo "$kernel_cache"/tree/lib/modules/*)
mkdir -p "$work/mods/vm-modules"
: >"$work/mods/vm-modules/order"
add_module() {
  local rel=$1 line dep name
  name=$(basename "${rel%%.ko*}")
  grep -qxF "$name" "$work/mods/vm-modules/order" && return 0
  line=$(grep "^$rel:" "$moddir/modules.dep")
  for dep in ${line#*:}; do add_module "$dep"; done
  case "$rel" in
    *.xz) xz -dc "$moddir/$rel" >"$work/mods/vm-modules/$name.ko" ;;
    *.zst) zstd -qdc "$moddir/$rel" >"$work/mods/vm-modules/$name.ko" ;;
    *) cp "$moddir/$rel" "$work/mods/vm-modules/$name.ko" ;;
  esac
  echo "$name" >>"$work/mods/vm-modules/order"
}
for m in "${modules[@]}"; do
  rel=$(grep -o "^[^:]*/$m\.ko[^:]*" "$moddir/modules.dep" | head -n1 || true)
  if [ -n "$rel" ]; then
    add_module "$rel"
  elif [ "$m" = zram ]; then
    echo "build-image: no module zram in $kpkg" >&2
    exit 1
  fi  # a compressor that is not a module is built in
done
(cd "$work/mods" && find . | cpio -o -H newc --quiet) >"$work/mods.cpio"
cat "$root_cache/root.cpio" "$work/mods.cpio" >"$work/rootfs.cpio"
mkdir -p "$out"
mv "$work/vmlinuz" "$work/rootfs.cpio" "$out/"
echo "$kpkg $kver" >"$out/kernel-version"
touch "$out/ready"
echo "$out"
