#!/usr/bin/env python3
"""lscpu and hwloc read the files cgview serves for a host's CPUs and caches.

A synthetic host (8 CPUs: 2 packages of 2 cores of 2 threads; L1d, L1i and L2
per core, L3 per package; no cache `id` files, so both programs count caches
from shared_cpu_map) is written as a sysroot, with a cgroup v2 cpuset giving
the view V. Every file `cgview --sysroot HOST cat` serves is then swapped in
for the host's, which is what a preloaded program reads, and the two real
programs run over that tree (lscpu -s, HWLOC_FSROOT):

- lscpu reads the caches of every present CPU, the off-line ones too: it must
  count the host's caches once each (intersecting the sets with V made it
  count one per off-line CPU);
- hwloc reads the on-line CPUs (V) and creates a cache at the lowest CPU of
  its set: it must show each cache V uses, once, also when the cache's lowest
  CPU is outside V;
- both see V's CPUs on-line, and lscpu the host's others off-line;
- each package is a NUMA node: lscpu lists each node's CPUs of V (the kernel
  lists a node's on-line CPUs), and hwloc puts V's PUs in their nodes.

Usage: cache_readers.py --cgview PATH
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

CPUS = 8
CORE = lambda k: k // 2     # threads 2c, 2c+1
PACKAGE = lambda k: k // 4  # cores 2p, 2p+1


def mask(cpus):
    return "%02x" % sum(1 << c for c in cpus)


def cpulist(cpus):
    return ",".join(str(c) for c in sorted(cpus))


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_host(root, cpuset):
    nodes = "sys/devices/system/node/"
    for name in ("online", "possible", "has_cpu", "has_memory", "has_normal_memory"):
        write(root, nodes + name, "0-1\n")
    for n in range(2):
        cpus = [c for c in range(CPUS) if PACKAGE(c) == n]
        write(root, nodes + "node%d/cpulist" % n, cpulist(cpus) + "\n")
        write(root, nodes + "node%d/cpumap" % n, mask(cpus) + "\n")
        write(root, nodes + "node%d/meminfo" % n, "Node %d MemTotal:        4000000 kB\n"
              "Node %d MemFree:         2000000 kB\nNode %d MemUsed:         2000000 kB\n" % (n, n, n))
    sysfs = "sys/devices/system/cpu/"
    for name in ("online", "possible", "present"):
        write(root, sysfs + name, "0-%d\n" % (CPUS - 1))
    blocks = []
    for k in range(CPUS):
        threads = [c for c in range(CPUS) if CORE(c) == CORE(k)]
        package = [c for c in range(CPUS) if PACKAGE(c) == PACKAGE(k)]
        d = sysfs + "cpu%d/" % k
        if k:
            write(root, d + "online", "1\n")
        for name, cpus in (("thread_siblings", threads), ("core_cpus", threads), ("core_siblings", package),
                           ("package_cpus", package), ("die_cpus", package)):
            write(root, d + "topology/" + name, mask(cpus) + "\n")
            write(root, d + "topology/" + name + "_list", cpulist(cpus) + "\n")
        write(root, d + "topology/core_id", "%d\n" % (CORE(k) % 2))
        write(root, d + "topology/physical_package_id", "%d\n" % PACKAGE(k))
        write(root, d + "topology/die_id", "0\n")
        caches = [(1, "Data", "32K", threads), (1, "Instruction", "32K", threads), (2, "Unified", "1024K", threads),
                  (3, "Unified", "16384K", package)]
        for i, (level, kind, size, cpus) in enumerate(caches):
            c = d + "cache/index%d/" % i
            for name, value in (("level", level), ("type", kind), ("size", size), ("ways_of_associativity", 8),
                                ("coherency_line_size", 64), ("number_of_sets", 64),
                                ("physical_line_partition", 1), ("shared_cpu_map", mask(cpus)),
                                ("shared_cpu_list", cpulist(cpus))):
                write(root, c + name, "%s\n" % value)
        blocks.append("processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
                      "model name\t: Synthetic CPU @ 2.00GHz\nstepping\t: 7\ncpu MHz\t\t: 2000.000\n"
                      "cache size\t: 16384 KB\nphysical id\t: %d\nsiblings\t: 4\ncore id\t\t: %d\n"
                      "cpu cores\t: 2\napicid\t\t: %d\ninitial apicid\t: %d\nfpu\t\t: yes\n"
                      "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov lm ht\n"
                      "bogomips\t: 4000.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
                      "address sizes\t: 46 bits physical, 48 bits virtual\npower management:\n\n"
                      % (k, PACKAGE(k), CORE(k) % 2, k, k))
    write(root, "proc/cpuinfo", "".join(blocks))
    write(root, "proc/self/mountinfo",
          "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n")
    write(root, "proc/self/cgroup", "0::/\n")
    write(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n")
    write(root, "sys/fs/cgroup/cgroup.type", "domain\n")  # a namespace's root, not the host's
    write(root, "sys/fs/cgroup/cpu.max", "max 100000\n")
    write(root, "sys/fs/cgroup/cpuset.cpus.effective", cpulist(cpuset) + "\n")
    write(root, "proc/meminfo", "MemTotal:        8000000 kB\nMemFree:         4000000 kB\n")
    write(root, "proc/uptime", "1000.00 2000.00\n")
    write(root, "proc/stat", "cpu  1 0 1 1 0 0 0 0 0 0\n" +
          "".join("cpu%d 1 0 1 1 0 0 0 0 0 0\n" % k for k in range(CPUS)) + "intr 0\nctxt 0\n")


def served_view(cgview, host, view):
    """A copy of `host` with each file cgview serves replaced by what it serves."""
    shutil.copytree(host, view)
    for dirpath, _, files in [w for top in ("cpu", "node")
                              for w in os.walk(os.path.join(host, "sys/devices/system", top))]:
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), host)
            r = subprocess.run([cgview, "--sysroot", host, "cat", "/" + rel], capture_output=True)
            if r.returncode == 0:
                with open(os.path.join(view, rel), "wb") as f:
                    f.write(r.stdout)
    r = subprocess.run([cgview, "--sysroot", host, "cat", "/proc/cpuinfo"], capture_output=True, check=True)
    with open(os.path.join(view, "proc/cpuinfo"), "wb") as f:
        f.write(r.stdout)


def lscpu_caches(view):
    out = subprocess.run(["lscpu", "-s", view], capture_output=True, text=True, check=True).stdout
    found = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(L\w+) cache:.*\((\d+) instances?\)", out, re.M)}
    online = re.search(r"^On-line CPU\(s\) list:\s*(\S+)", out, re.M)
    nodes = {int(m.group(1)): m.group(2) for m in re.finditer(r"^NUMA node(\d+) CPU\(s\):[ \t]*(\S*)", out, re.M)}
    return found, online.group(1) if online else None, nodes, out


def hwloc_objects(view):
    env = dict(os.environ, HWLOC_FSROOT=view, HWLOC_COMPONENTS="linux,-x86")
    out = subprocess.run(["lstopo-no-graphics", "--of", "console", "--no-io", "--no-legend"], env=env,
                         capture_output=True, text=True, check=True).stdout
    count = lambda kind: len(re.findall(r"\b%s L#\d+" % kind, out))
    pus = sorted(int(p) for p in re.findall(r"PU L#\d+ \(P#(\d+)\)", out))
    return {k: count(k) for k in ("L3", "L2", "L1d", "L1i")}, pus, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cgview", required=True)
    args = ap.parse_args()
    for tool in ("lscpu", "lstopo-no-graphics"):
        if shutil.which(tool) is None:
            print("cache_readers: %s is not installed (scripts/install-deps installs it)" % tool)
            return 1
    failures = 0
    # V at the start of a package, across both packages, and inside one above its lowest CPU.
    for v in ([0, 1], [3, 4], [5, 6]):
        tmp = tempfile.mkdtemp(prefix="cgview-cache-readers-")
        try:
            host, view = os.path.join(tmp, "host"), os.path.join(tmp, "view")
            make_host(host, v)
            served_view(args.cgview, host, view)
            lscpu, online, nodes, lscpu_out = lscpu_caches(view)
            hwloc, pus, hwloc_out = hwloc_objects(view)
            in_node = lambda n: [k for k in v if PACKAGE(k) == n]
            cores = {CORE(k) for k in v}
            packages = {PACKAGE(k) for k in v}
            checks = [
                ("lscpu: V on-line", online, cpulist(v)),
                ("lscpu: the host's L3s, once each", lscpu.get("L3"), 2),
                ("lscpu: the host's L2s, once each", lscpu.get("L2"), 4),
                ("lscpu: the host's L1ds, once each", lscpu.get("L1d"), 4),
                ("lscpu: NUMA node0 CPU(s), V's", nodes.get(0), cpulist(in_node(0))),
                ("lscpu: NUMA node1 CPU(s), V's", nodes.get(1), cpulist(in_node(1))),
                ("hwloc: V's PUs", pus, v),
                ("hwloc: the L3s V uses", hwloc["L3"], len(packages)),
                ("hwloc: the L2s V uses", hwloc["L2"], len(cores)),
                ("hwloc: the L1ds V uses", hwloc["L1d"], len(cores)),
            ]
            for what, got, want in checks:
                ok = got == want
                failures += not ok
                print("%s V=%s %s: got %s, expected %s" % ("PASS" if ok else "FAIL", cpulist(v), what, got, want))
            if failures:
                print(lscpu_out)
                print(hwloc_out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("cache_readers: %d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
