#!/usr/bin/env python3
"""The cgroup v2 cases, run inside the test VM (tests/vm/init.sh).

Each case makes cgroups under /sys/fs/cgroup, runs one probe inside them with
libcgview.so preloaded (nproc, getconf, the served files, free, busybox free,
python3, `cgview show --json`) and judges what the probe saw against the
kernel's own files: cpu.max, cpuset.cpus.effective, memory.max,
memory.current, memory.swap.*, cpu.stat. Prints `VM PASS name` or
`VM FAIL name: why` per case and `VM DONE failures=N` at the end.
"""
import json
import math
import os
import select
import subprocess
import sys
import time
import traceback

import oci_bundle

CG = "/sys/fs/cgroup"
SHIM = "/cgview/lib/libcgview.so"
CGVIEW = "/cgview/bin/cgview"
MIB = 1 << 20
TOL = 6 * MIB  # usage moves while a probe runs: processes start and exit
failures = 0


def read(path):
    with open(path) as f:
        return f.read().strip()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def make(rel, **files):
    path = os.path.join(CG, rel)
    os.makedirs(path, exist_ok=True)
    for name, value in files.items():
        write(os.path.join(path, name.replace("__", ".")), value)
    return path


def remove(rel):
    path = os.path.join(CG, rel)
    for root, dirs, _ in sorted(os.walk(path), key=lambda w: -len(w[0])):
        for d in dirs:
            try:
                os.rmdir(os.path.join(root, d))
            except OSError:
                pass
    try:
        os.rmdir(path)
    except OSError:
        pass


def host_meminfo():
    out = {}
    for line in open("/proc/meminfo"):
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return out


def parse_cpu_list(text):
    cpus = set()
    for part in text.strip().split(","):
        if not part:
            continue
        a, _, b = part.partition("-")
        cpus.update(range(int(a), int(b or a) + 1))
    return cpus


def start_in(cgroup, argv, preload=True, unshare=None):
    """Starts argv as a member of `cgroup` (optionally in a new cgroup namespace)."""
    env = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin")
    if preload:
        env["LD_PRELOAD"] = SHIM
    prefix = 'echo $$ > "$0/cgroup.procs" || exit 99; '
    if unshare == "bare":
        cmd = prefix + 'exec unshare -C "$@"'
    elif unshare == "mount":
        # As runtimes do: a new cgroup and mount namespace with a fresh cgroup2 mount.
        cmd = prefix + ('exec unshare -Cm sh -c \'umount -l /sys/fs/cgroup && '
                        'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"\' sh "$@"')
    else:
        cmd = prefix + 'exec "$@"'
    return subprocess.Popen(["sh", "-c", cmd, cgroup] + argv, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


PROBE = r'''
echo "@@nproc"; nproc
echo "@@getconf"; getconf _NPROCESSORS_ONLN
echo "@@online"; cat /sys/devices/system/cpu/online
echo "@@has_cpu"; cat /sys/devices/system/node/has_cpu
echo "@@nodes"; for n in /sys/devices/system/node/node[0-9]*; do echo "${n##*/node} $(cat "$n/cpulist")"; done
echo "@@meminfo"; cat /proc/meminfo
for d in "$@"; do echo "@@current $d"; cat "$d/memory.current" 2>/dev/null; cat "$d/memory.swap.current" 2>/dev/null; done
for d in "$@"; do echo "@@stat $d"; cat "$d/memory.stat" 2>/dev/null; done
echo "@@free"; free -b
echo "@@bbfree"; busybox free
echo "@@py"; python3 -c 'import os, json; ps = os.sysconf("SC_PAGE_SIZE"); print(json.dumps({"cpu_count": os.cpu_count(), "affinity": sorted(os.sched_getaffinity(0)), "phys": os.sysconf("SC_PHYS_PAGES") * ps, "avphys": os.sysconf("SC_AVPHYS_PAGES") * ps}))'
echo "@@json"; /cgview/bin/cgview show --json
echo "@@end"
'''


def sections_of(out):
    """The probe's output, split at its "@@name" lines."""
    sections, name = {}, None
    for line in out.splitlines():
        if line.startswith("@@"):
            name = line[2:]
            sections[name] = []
        elif name is not None:
            sections[name].append(line)
    if "end" not in sections:
        raise AssertionError("probe did not finish: " + out[-800:])
    return sections


def probe(cgroup, levels=(), unshare=None):
    """Runs the probe in `cgroup`; `levels` are directories whose usage it reads alongside."""
    before = host_meminfo()  # the host's figures move while the probe runs
    p = start_in(cgroup, ["sh", "-c", PROBE, "probe"] + list(levels), unshare=unshare)
    out, _ = p.communicate(timeout=120)
    sections = sections_of(out)
    sections["host before"] = before
    return sections


def meminfo_of(lines):
    out = {}
    for line in lines:
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts and parts[0].isdigit():
            out[key] = int(parts[0]) * 1024
    return out


def json_figure(lines, kind):
    """`cgview show --json`, read defensively: integer keys (memory.total,
    cpu.count / cpus, flat or nested) or the older "view" list of strings."""
    try:
        doc = json.loads("\n".join(lines))
    except ValueError:
        return None
    keys = {"memory": [("memory", "total"), ("memory.total",), ("mem_total",)],
            "cpus": [("cpu", "count"), ("cpus", "count"), ("cpu.count",), ("cpus",), ("cpu", "cpus")]}[kind]
    for path in keys:
        node = doc
        for k in path:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node = node.get("container", node.get("value"))
        if isinstance(node, int) and not isinstance(node, bool):
            return node
    for row in doc.get("view", []) if isinstance(doc, dict) else []:
        if row.get("name") == {"memory": "MemTotal", "cpus": "CPUs"}[kind]:
            text = str(row.get("container", "")).split()
            if text and text[0].isdigit():
                return int(text[0]) * (1024 if text[1:] == ["kB"] else 1)
    return None


class Check:
    def __init__(self, name):
        self.name, self.problems = name, []

    def eq(self, what, got, want):
        if got != want:
            self.problems.append(f"{what}: {got!r}, want {want!r}")

    def near(self, what, got, want, tol=TOL):
        if got is None or abs(got - want) > tol:
            self.problems.append(f"{what}: {got!r}, want {want!r} +- {tol}")

    def true(self, what, cond):
        if not cond:
            self.problems.append(what)

    def done(self):
        global failures
        if self.problems:
            failures += 1
            print(f"VM FAIL {self.name}: " + "; ".join(self.problems), flush=True)
        else:
            print(f"VM PASS {self.name}", flush=True)


def chain(cgroup):
    """The cgroup and its ancestors below the root, nearest first."""
    out, path = [], cgroup
    while path != CG:
        out.append(path)
        path = os.path.dirname(path)
    return out


def expected_cpus(cgroup):
    online = parse_cpu_list(read("/sys/devices/system/cpu/online"))
    eff = os.path.join(cgroup, "cpuset.cpus.effective")
    a = online & parse_cpu_list(read(eff)) if os.path.exists(eff) else online
    quota = None
    for d in chain(cgroup):
        f = os.path.join(d, "cpu.max")
        if os.path.exists(f):
            q, period = read(f).split()
            if q != "max":
                quota = min(quota or math.inf, int(q) / int(period))
    n = len(a) if quota is None else max(1, min(len(a), math.ceil(quota - 1e-9)))
    return n, a


def expected_limit(cgroup, host_total):
    limit = None
    for d in chain(cgroup):
        f = os.path.join(d, "memory.max")
        if os.path.exists(f) and read(f) != "max":
            limit = min(limit or math.inf, int(read(f)))
    return None if limit is None or limit >= host_total else limit


def check_cpus(c, s, cgroup):
    n, a = expected_cpus(cgroup)
    c.eq("nproc", int(s["nproc"][0]), n)
    c.eq("getconf _NPROCESSORS_ONLN", int(s["getconf"][0]), n)
    online = parse_cpu_list(s["online"][0])
    c.eq("cpu/online count", len(online), n)
    c.true(f"cpu/online {sorted(online)} not within the cgroup's CPUs {sorted(a)}", online <= a)
    py = json.loads(s["py"][0])
    c.eq("python os.cpu_count()", py["cpu_count"], n)
    c.eq("python sched_getaffinity", len(py["affinity"]), n)
    c.eq("cgview show --json CPUs", json_figure(s["json"], "cpus"), n)
    # NUMA nodes (the VM has two): each node's CPUs are those of V it holds,
    # and has_cpu the nodes holding one, as a kernel with the rest off-line.
    nodes = {int(line.split()[0]): parse_cpu_list(" ".join(line.split()[1:])) for line in s["nodes"]}
    host_nodes = {k: parse_cpu_list(read(f"/sys/devices/system/node/node{k}/cpulist")) for k in nodes}
    for k, cpus in nodes.items():
        c.eq(f"node{k}/cpulist", sorted(cpus), sorted(host_nodes[k] & online))
    c.eq("node/has_cpu", sorted(parse_cpu_list(s["has_cpu"][0])), sorted(k for k, cpus in nodes.items() if cpus))


def levels_usage(s):
    out = {}
    for name, lines in s.items():
        if name.startswith("current "):
            vals = [int(x) for x in lines if x.strip().isdigit()]
            out[name[8:]] = vals
    return out


# /proc/meminfo's host-wide kernel lines and the memory.stat keys the view takes them from.
KERNEL_LINES = {"KernelStack": "kernel_stack", "PageTables": "pagetables", "SecPageTables": "sec_pagetables",
                "Percpu": "percpu", "VmallocUsed": "vmalloc", "Zswap": "zswap", "SwapCached": "swapcached",
                "AnonHugePages": "anon_thp", "ShmemHugePages": "shmem_thp", "FileHugePages": "file_thp"}


def check_kernel_lines(c, s, mem, host):
    """The kernel lines are the cgroup's (the first level whose memory.stat the probe read,
    the one with the memory controller), not the host's."""
    stats = [lines for name, lines in s.items() if name.startswith("stat ") and lines]
    c.true("the probe read no memory.stat", bool(stats))
    if not stats:
        return
    stat = {k: int(v) for k, _, v in (l.partition(" ") for l in stats[0]) if v.isdigit()}
    seen = 0
    for line, key in KERNEL_LINES.items():
        if key not in stat or line not in mem:
            continue
        seen += 1
        # Processes start and exit between the two reads: a few stacks and page tables.
        c.near(f"{line} vs memory.stat {key} (the host's {host.get(line)})", mem[line],
               min(stat[key], mem["MemTotal"]), 512 * 1024)
    c.true(f"only {seen} kernel lines had a memory.stat key", seen >= 8)
    # Lines no cgroup file counts: the host's, never above the line a kernel keeps them under.
    for line, bound in (("Mlocked", "Unevictable"), ("ShmemPmdMapped", "ShmemHugePages"),
                        ("FilePmdMapped", "FileHugePages"), ("FileHugePages", "Cached"),
                        ("ShmemHugePages", "Shmem"), ("AnonHugePages", "AnonPages")):
        if line in mem and bound in mem:
            c.true(f"{line} {mem[line]} above {bound} {mem[bound]}", mem[line] <= mem[bound])


def check_memory(c, s, cgroup, usage_dir=None):
    host = host_meminfo()
    mem = meminfo_of(s["meminfo"])
    limit = expected_limit(cgroup, host["MemTotal"])
    usage = levels_usage(s)
    free_lines = [l.split() for l in s["free"] if l.startswith("Mem:")]
    bb_lines = [l.split() for l in s["bbfree"] if l.strip().startswith("Mem:")]
    py = json.loads(s["py"][0])
    if limit is None:
        c.near("MemTotal (no limit: the host's)", mem["MemTotal"], host["MemTotal"], 0)
        # The host's line, not MemTotal minus the cgroup's usage (more than the host has free).
        # Read while the probe ran: between the host's figures before and after it.
        low, high = sorted((s["host before"]["MemFree"], host["MemFree"]))
        c.true(f"MemFree (no limit: the host's) {mem['MemFree']} outside the host's {low}-{high} +- 16 MiB",
               low - 16 * MIB <= mem["MemFree"] <= high + 16 * MIB)
        c.eq("cgview show --json memory", json_figure(s["json"], "memory") in (None, host["MemTotal"],
                                                                                host["MemTotal"] // 1024 * 1024), True)
        return mem
    c.eq("MemTotal", mem["MemTotal"], limit // 1024 * 1024)
    # The smallest headroom over the levels with a limit, at the probe's own time.
    headroom = None
    for d in chain(cgroup):
        f = os.path.join(d, "memory.max")
        if os.path.exists(f) and read(f) != "max" and usage.get(d):
            room = int(read(f)) - usage[d][0]
            headroom = room if headroom is None else min(headroom, room)
    if headroom is not None:
        c.near("MemFree (smallest headroom)", mem["MemFree"], max(headroom, 0))
    c.true("MemAvailable > MemTotal", mem["MemAvailable"] <= mem["MemTotal"])
    c.true("MemFree > MemAvailable", mem["MemFree"] <= mem["MemAvailable"])
    c.eq("free total", int(free_lines[0][1]) if free_lines else None, mem["MemTotal"])
    c.near("busybox free total (sysinfo)", int(bb_lines[0][1]) * 1024 if bb_lines else None, mem["MemTotal"], 1024)
    c.near("python SC_PHYS_PAGES", py["phys"], mem["MemTotal"], 4096)
    c.near("python SC_AVPHYS_PAGES", py["avphys"], mem["MemFree"], TOL)
    got = json_figure(s["json"], "memory")
    c.near("cgview show --json memory total", got, mem["MemTotal"], 1024)
    check_kernel_lines(c, s, mem, host)
    return mem


def case(name, fn):
    c = Check(name)
    try:
        fn(c)
    except Exception:
        c.problems.append("exception: " + traceback.format_exc().strip().replace("\n", " | ")[-600:])
    c.done()


def cpu_quota(value):
    def run(c):
        cg = make("vm/cpu" + value.replace(" ", "_"), cpu__max=value)
        check_cpus(c, probe(cg), cg)
        remove("vm/cpu" + value.replace(" ", "_"))
    return run


def cpuset_one(c):
    cg = make("vm/cpuset", cpuset__cpus="1")
    s = probe(cg)
    check_cpus(c, s, cg)
    c.eq("cpu/online", s["online"][0], read(cg + "/cpuset.cpus.effective"))
    c.eq("node/has_cpu (CPU 1 is node 1's)", s["has_cpu"][0], "1")
    remove("vm/cpuset")


def mem_256_noswap(c):
    cg = make("vm/m256", memory__max=str(256 * MIB), memory__swap__max="0")
    s = probe(cg, [cg])
    mem = check_memory(c, s, cg)
    c.eq("SwapTotal (memory.swap.max 0)", mem.get("SwapTotal"), 0)
    remove("vm/m256")


def mem_128_swap(c):
    cg = make("vm/m128", memory__max=str(128 * MIB), memory__swap__max=str(256 * MIB))
    hog = start_in(cg, ["python3", "-c", "import time; b = b'x' * (200 << 20); print('held', flush=True); time.sleep(600)"],
                   preload=False)
    deadline = time.time() + 90
    while time.time() < deadline and hog.poll() is None and int(read(cg + "/memory.swap.current")) < 40 * MIB:
        time.sleep(0.5)
    c.true("the allocating process died (no swap?): " + (hog.stdout.read() if hog.poll() is not None else ""),
           hog.poll() is None)
    swapped = int(read(cg + "/memory.swap.current"))
    c.true(f"pages were not pushed to swap (memory.swap.current {swapped})", swapped >= 40 * MIB)
    s = probe(cg, [cg])
    mem = check_memory(c, s, cg)
    host = host_meminfo()
    c.eq("SwapTotal", mem.get("SwapTotal"), min(256 * MIB, host["SwapTotal"]))
    swap_now = levels_usage(s)[cg][1]
    c.near("SwapTotal - SwapFree vs memory.swap.current", mem["SwapTotal"] - mem["SwapFree"], swap_now, 2 * MIB)
    hog.kill()
    hog.wait()
    remove("vm/m128")


def nested_passed_down(c):
    make("vm/nest", cpu__max="150000 100000", memory__max=str(384 * MIB))
    write(CG + "/vm/nest/cgroup.subtree_control", "+cpu +cpuset +memory +pids")
    cg = make("vm/nest/child")
    c.true("the child lacks memory files (+memory passed down)", os.path.exists(cg + "/memory.current"))
    s = probe(cg, [cg, CG + "/vm/nest"])
    check_cpus(c, s, cg)
    check_memory(c, s, cg)
    remove("vm/nest")


def memory_only_on_parent(c):
    make("vm/par", memory__max=str(192 * MIB))
    write(CG + "/vm/par/cgroup.subtree_control", "+cpu +pids")  # no +memory
    cg = make("vm/par/child", cpu__max="50000 100000")
    c.true("the child has memory files (the case needs none)", not os.path.exists(cg + "/memory.current"))
    s = probe(cg, [CG + "/vm/par"])
    check_cpus(c, s, cg)
    mem = check_memory(c, s, cg)
    c.true("Cached is the host's", mem.get("Cached", 0) <= mem["MemTotal"])
    remove("vm/par")


def cgroupns(kind):
    def run(c):
        cg = make("vm/ns" + kind, cpu__max="50000 100000", memory__max=str(256 * MIB))
        s = probe(cg, [], unshare=kind)
        check_cpus(c, s, cg)
        mem = meminfo_of(s["meminfo"])
        c.eq("MemTotal", mem["MemTotal"], 256 * MIB)
        c.true(f"MemFree {mem['MemFree']} not within the limit", 0 < mem["MemFree"] < 256 * MIB)
        c.near("cgview show --json memory total", json_figure(s["json"], "memory"), 256 * MIB, 1024)
        remove("vm/ns" + kind)
    return run


def limit_above_vm(c):
    cg = make("vm/big", memory__max=str(64 << 30))
    s = probe(cg, [cg])
    check_memory(c, s, cg)
    host = host_meminfo()
    mem = meminfo_of(s["meminfo"])
    # The host's free memory moves between the probe's read and this one: the
    # margin is check_memory's (16 MiB), far below what the old rule overstated
    # (the host's MemTotal minus the cgroup's usage: some 180 MiB more here).
    c.true(f"MemFree {mem['MemFree']} above the host's {host['MemFree']}", mem["MemFree"] <= host["MemFree"] + 16 * MIB)
    remove("vm/big")


def sibling_shares(c):
    make("vm/pod", memory__max=str(256 * MIB))
    write(CG + "/vm/pod/cgroup.subtree_control", "+memory +pids")
    sib = make("vm/pod/sibling")
    cg = make("vm/pod/me")
    hog = start_in(sib, ["python3", "-c", "import time; b = b'x' * (100 << 20); print('held', flush=True); time.sleep(600)"],
                   preload=False)
    c.eq("sibling started", hog.stdout.readline().strip(), "held")
    s = probe(cg, [cg, CG + "/vm/pod"])
    check_memory(c, s, cg)
    u = levels_usage(s)
    own_only = 256 * MIB - u[cg][0]
    mem = meminfo_of(s["meminfo"])
    c.true(f"MemFree {mem['MemFree']} counts only the own usage ({own_only})", mem["MemFree"] < own_only - 64 * MIB)
    hog.kill()
    hog.wait()
    remove("vm/pod")


# The probe as a container's process: first what the container shows without the
# library (the host's, which is what the case is about), then where the runtime
# put it; at the end it waits on stdin, so the runtime keeps its cgroup (which
# it removes when the container exits) until the checks have read it.
OCI_PROBE = r"""
echo "@@native"; env -u LD_PRELOAD nproc; env -u LD_PRELOAD sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo
echo "@@cgroup"; cat /proc/self/cgroup
echo "@@kcmp"; python3 -c 'import ctypes, os; c = ctypes.CDLL(None, use_errno=True); print(c.syscall(312, os.getpid(), os.getpid(), 0, 0, 0), ctypes.get_errno())'
""" + PROBE + "read _ || true\n"


def read_until_end(p, timeout=60):
    """The container's output up to its "@@end" line (it then waits on stdin).
    Read from the fd itself: a buffered reader could hold that line while select waits.
    Where it never comes, says why first (the runtime's message would come last)."""
    out, fd, deadline = b"", p.stdout.fileno(), time.time() + timeout
    while b"\n@@end\n" not in out and time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            break
        out += chunk
    text = out.decode(errors="replace")
    if "\n@@end\n" not in text:
        why = "no output for %d s" % timeout if p.poll() is None else "the runtime exited %d" % p.returncode
        raise AssertionError("the container did not finish its probe (%s): %s" % (why, text[-500:]))
    return text


def oci_runtime(runtime, cgroupns, resources, swap_total=None, systemd=False):
    """A container started by the real runtime with `resources` (OCI's), the
    library in its environment as a Dockerfile's ENV sets it; judged against
    the cgroup the runtime made, read here while the container waits. With
    `systemd`, runc's systemd driver places it as Docker does on a systemd
    host: a transient scope, system.slice/docker-NAME.scope."""
    name = runtime + ("-ns" if cgroupns else "-hostns") + ("-systemd" if systemd else "")

    def run(c):
        rel = "system.slice/docker-%s.scope" % name if systemd else "vm/oci-" + name
        cg = CG + "/" + rel
        env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LD_PRELOAD=" + SHIM]
        inside = "/sys/fs/cgroup" if cgroupns else cg  # the cgroup's directory, as the container sees it
        spec = oci_bundle.config(["sh", "-c", OCI_PROBE, "probe", inside], env,
                                 "system.slice:docker:" + name if systemd else "/" + rel, resources, cgroupns)
        before = host_meminfo()
        p = oci_bundle.start(runtime, name, oci_bundle.make_bundle(name, spec), systemd)
        try:
            s = sections_of(read_until_end(p))
            s["host before"] = before
            # Where the runtime put the container's process, read here (the
            # container itself sees only its namespace's root).
            pid = oci_bundle.state(runtime, name, systemd).get("pid", 0)
            c.true("the runtime gave no pid of a running container", pid > 0)
            if pid > 0:
                c.eq("the container's cgroup, read on the host", read("/proc/%d/cgroup" % pid), "0::/" + rel)
            # The usage the probe read, under the cgroup's name here.
            for kind in ("current ", "stat "):
                if kind + inside in s:
                    s[kind + cg] = s.pop(kind + inside)
            c.true("the runtime made no cgroup " + cg, os.path.isdir(cg))
            c.eq("/proc/self/cgroup in the container", s["cgroup"], ["0::/" if cgroupns else "0::/" + rel])
            c.eq("kcmp (x86-64's 312) in the container: refused as Docker's seccomp profile does", s["kcmp"], ["-1 1"])
            host = host_meminfo()
            c.eq("without the library: MemTotal (the host's)", int(s["native"][1]) * 1024, host["MemTotal"])
            c.eq("without the library: nproc (the cgroup's CPUs)", int(s["native"][0]), len(expected_cpus(cg)[1]))
            check_cpus(c, s, cg)
            mem = check_memory(c, s, cg)
            if swap_total is not None:
                c.eq("SwapTotal", mem.get("SwapTotal"), min(swap_total, host["SwapTotal"]))
        finally:
            p.stdin.close()
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.stdout.close()
            oci_bundle.delete(runtime, name, systemd)
            remove(rel)
        c.eq(runtime + " exit status", p.returncode, 0)
    return run


STAT_PROBE = r'''
import os, sys, time
def busy():
    f = open("/proc/stat").readline().split()
    v = [int(x) for x in f[1:]]
    return v[0] + v[1] + v[2] + v[5] + v[6] + v[7], v[3] + v[4]
def usage():
    for line in open(sys.argv[1] + "/cpu.stat"):
        if line.startswith("usage_usec"):
            return int(line.split()[1])
b0, i0 = busy(); u0 = usage(); t0 = time.time()
while time.time() - t0 < 1.0:
    pass
b1, i1 = busy(); u1 = usage()
print(b1 - b0, i1 - i0, (u1 - u0) / 10000.0, time.time() - t0)
'''


def stat_busy(c):
    cg = make("vm/stat", cpu__max="50000 100000")
    p = start_in(cg, ["python3", "-c", STAT_PROBE, cg])
    out, _ = p.communicate(timeout=60)
    busy, idle, usage, secs = [float(x) for x in out.split()[-4:]]
    c.near("/proc/stat busy ticks vs cpu.stat usage_usec", busy, usage, max(6, usage * 0.25))
    c.near("/proc/stat busy + idle ticks vs elapsed (N = 1)", busy + idle, secs * 100, max(15, secs * 30))
    remove("vm/stat")


def free_while_allocating(c):
    cg = make("vm/free", memory__max=str(256 * MIB), memory__swap__max="0")
    hog = start_in(cg, ["python3", "-c", "import time\nheld = []\nfor i in range(6):\n    held.append(b'x' * (20 << 20)); time.sleep(0.7)\ntime.sleep(600)"],
                   preload=False)
    p = start_in(cg, ["free", "-b", "-s", "1", "-c", "4"])
    out, _ = p.communicate(timeout=120)
    rows = [l.split() for l in out.splitlines() if l.startswith("Mem:")]
    c.eq("samples", len(rows), 4)
    c.true("a total is not the limit: " + str([r[1] for r in rows]), all(int(r[1]) == 256 * MIB for r in rows))
    used = [int(r[2]) for r in rows]
    c.true(f"used did not grow while the cgroup allocated: {used}", used[-1] > used[0] + 20 * MIB)
    hog.kill()
    hog.wait()
    remove("vm/free")


def stats_files(c):
    """cgview stats and the served /proc/diskstats, /proc/pressure/cpu and
    /proc/swaps against the cgroup's own io.stat, memory.events, cpu.pressure
    and memory.swap.max (tests/vm/stats-v2-check.sh, one line per check)."""
    env = dict(os.environ, CGVIEW_STATS_IO_DIR="/scratch")
    p = subprocess.run(["sh", "/cgview/stats-v2-check.sh", CGVIEW, SHIM], capture_output=True, text=True,
                       timeout=120, env=env)
    for line in (p.stdout + p.stderr).splitlines():
        print("VM NOTE stats: " + line, flush=True)
        if line.startswith("FAIL"):
            c.problems.append(line)
    if p.returncode != 0 and not c.problems:
        c.problems.append("stats-v2-check.sh exited %d" % p.returncode)


def stats_moved_to_root(c):
    """`cgview stats` moved out of its cgroup into the hierarchy's root while it
    runs: the interval across the move has no CPU rate (the root's time is the
    host's since boot: the difference is no one's use); the others are at most
    the CPUs' worth."""
    cg = make("vm/moved", cpu__max="50000 100000")
    p = start_in(cg, [CGVIEW, "stats", "--json", "--interval", "1", "--count", "3"], preload=False)
    time.sleep(1.5)
    write(CG + "/cgroup.procs", str(p.pid))
    out, _ = p.communicate(timeout=60)
    lines = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    c.eq("samples", len(lines), 3)
    cgroups = [d["cpu"]["cgroup"] for d in lines]
    c.true(f"stats was not moved to the root: {cgroups}", cgroups[-1] == CG and cgroups[0] == cg)
    for i, d in enumerate(lines):
        cpu = d["cpu"]
        moved = i > 0 and cgroups[i - 1] != cgroups[i]
        if moved:
            c.eq(f"line {i}: CPU percent across the move", cpu["percent"], None)
            c.eq(f"line {i}: throttled periods/s across the move", cpu["throttled_periods_per_s"], None)
        c.true(f"line {i}: CPU {cpu['percent']}% of {cpu['cpus']} CPUs", cpu["percent"] is None or cpu["percent"] <= 150)
    remove("vm/moved")


STAT_READER = r'''
import sys, time
f = open("/proc/stat")
end = time.time() + float(sys.argv[1])
while time.time() < end:
    f.seek(0)
    print(" ".join(f.readline().split()[1:4]), open("/proc/self/cgroup").read().strip(), flush=True)
    time.sleep(0.4)
'''


def stat_across_a_move(c):
    """/proc/stat read through one fd by a program moved from a busy cgroup to a
    fresh one and then into the root: the cpu line's user and system never go
    down (the fresh cgroup's total is below the old one's), and the move into
    the root adds no more busy time than the interval holds (not the host's)."""
    make("vm/mv2")
    write(CG + "/vm/mv2/cgroup.subtree_control", "+cpu +pids")
    busy = make("vm/mv2/busy", cpu__max="100000 100000")
    fresh = make("vm/mv2/fresh", cpu__max="100000 100000")
    spin = start_in(busy, ["python3", "-c", "while True: pass"], preload=False)
    time.sleep(3)
    p = start_in(busy, ["python3", "-c", STAT_READER, "6"])
    time.sleep(2)
    write(fresh + "/cgroup.procs", str(p.pid))
    time.sleep(2)
    write(CG + "/cgroup.procs", str(p.pid))
    out, _ = p.communicate(timeout=60)
    spin.kill()
    spin.wait()
    rows = [(list(map(int, l.split()[:3])), l.split()[3]) for l in out.splitlines() if l[:1].isdigit()]
    where = [r[1] for r in rows]
    c.true("the reader was not moved through both cgroups: " + repr(sorted(set(where))),
           "0::/vm/mv2/fresh" in where and "0::/" in where)
    for (a, wa), (b, wb) in zip(rows, rows[1:]):
        c.true(f"user/system went down from {a} ({wa}) to {b} ({wb})", b[0] >= a[0] and b[2] >= a[2])
        # Two CPUs at most, 100 ticks a second, 0.4 s apart (and scheduling slack).
        c.true(f"busy jumped from {a} ({wa}) to {b} ({wb})", (b[0] + b[2]) - (a[0] + a[2]) <= 2 * 100 * 2)
    remove("vm/mv2")


def ns_root_without_memory(c):
    """A cgroup namespace with its own cgroup2 mount at a cgroup its parent gave
    no memory controller (the parent's 200M limit binds, unseen): programs see
    the host's memory, and `cgview show` says a limit above may apply."""
    make("vm/nomem", memory__max=str(200 * MIB))
    write(CG + "/vm/nomem/cgroup.subtree_control", "+cpu +pids")  # no +memory
    cg = make("vm/nomem/c")
    c.true("the child has memory files (the case needs none)", not os.path.exists(cg + "/memory.current"))
    s = probe(cg, [], unshare="mount")
    mem = meminfo_of(s["meminfo"])
    c.eq("MemTotal (the host's: the limit is above the namespace)", mem["MemTotal"], host_meminfo()["MemTotal"])
    doc = json.loads("\n".join(s["json"]))
    c.eq("show --json memory view", doc["memory"]["view"], False)
    c.true("no note of a memory limit above the namespace: " + repr(doc.get("notes")),
           any("no memory limit" in n for n in doc.get("notes", [])))
    remove("vm/nomem")


DEMO = "/cgview/scripts/demo-live"


def run_demo_live(cgroup=None):
    """scripts/demo-live, started in `cgroup` (None: this process's own, the root)."""
    def enter():
        if cgroup:
            write(cgroup + "/cgroup.procs", str(os.getpid()))
    p = subprocess.run(["bash", DEMO, SHIM, CGVIEW], capture_output=True, text=True, timeout=180,
                       preexec_fn=enter)
    for line in (p.stdout + p.stderr).splitlines()[:12]:
        print("VM NOTE demo-live: " + line, flush=True)
    return p


def demo_rows(out):
    """The comparison's rows: program -> (without, with)."""
    rows = {}
    for line in out.splitlines():
        cells = [x for x in line.strip().split("  ") if x.strip()]
        if len(cells) == 3:
            rows[cells[0].strip()] = (cells[1].strip(), cells[2].strip())
    return rows


def check_demo_made_its_cgroup(c, where, p, parent):
    c.eq(where + ": exit status", p.returncode, 0)
    c.true(where + ": no cgroup v2 heading in " + repr(p.stdout[:300]),
           "A real cgroup on this machine (cgroup v2): 1 CPU of quota, 512 MiB" in p.stdout)
    rows = demo_rows(p.stdout)
    c.eq(where + ": nproc", rows.get("nproc"), (str(os.cpu_count()), "1"))
    c.eq(where + ": /proc/cpuinfo blocks with cgview", rows.get("grep -c ^processor /proc/cpuinfo", ("", ""))[1], "1")
    c.eq(where + ": free -m with cgview", rows.get("free -m: total memory (MiB)", ("", ""))[1], "512")
    c.eq(where + ": stderr", p.stderr, "")
    left = [n for n in os.listdir(parent) if n.startswith("cgview-")]
    c.eq(where + ": cgroups left in " + parent, left, [])


def demo_live(c):
    """scripts/demo-live makes its cgroup on cgroup v2: from the hierarchy's root; alone in a
    cgroup of its own (it steps aside to a leaf, enables cpu and memory, and undoes both); and
    it says why it cannot where its cgroup holds another process (v2 gives no limits there)."""
    check_demo_made_its_cgroup(c, "from the root", run_demo_live(), CG)

    alone = make("vm/demo-alone")
    check_demo_made_its_cgroup(c, "alone in its cgroup", run_demo_live(alone), alone)
    c.eq("alone: cgroup.subtree_control afterwards", read(alone + "/cgroup.subtree_control"), "")
    remove("vm/demo-alone")

    shared = make("vm/demo-shared")
    sleeper = subprocess.Popen(["sleep", "120"], preexec_fn=lambda: write(shared + "/cgroup.procs", str(os.getpid())))
    try:
        p = run_demo_live(shared)
    finally:
        sleeper.kill()
        sleeper.wait()
    c.eq("shared: exit status", p.returncode, 0)
    c.true("shared: no reason given in " + repr(p.stdout[:300]),
           "holds other processes" in p.stdout and "skipping the live demo" in p.stdout)
    c.eq("shared: cgroup.subtree_control afterwards", read(shared + "/cgroup.subtree_control"), "")
    c.eq("shared: cgroups left", [n for n in os.listdir(shared) if n.startswith("cgview-")], [])
    remove("vm/demo-shared")


def real_cgroup_tests(c):
    """tests/real's gtest binary (run.sh put it and its probes at their build paths): its real
    cgroups made on v2 (RealCgroup's one child of this root), CGVIEW_TEST_REQUIRE_CGROUPS=1."""
    try:
        binary = read("/cgview/real-tests")
    except OSError:
        c.problems.append("run.sh was given no real_cgroup_tests binary")
        return
    # Twice, as ctest runs them: by default, and with the programs holding their input files.
    for hold in ("", "1"):
        mode = "CGVIEW_HOLD_FILES=1" if hold else "default"
        env = dict(os.environ, CGVIEW_TEST_REQUIRE_CGROUPS="1")
        if hold:
            env["CGVIEW_TEST_HOLD_FILES"] = hold
        p = subprocess.run([binary], capture_output=True, text=True, timeout=400, env=env)
        lines = p.stdout.splitlines()
        for line in lines:
            if line.startswith(("[  PASSED", "[  FAILED", "[  SKIPPED", "[==========] 1")) or "Failure" in line:
                print("VM NOTE real_cgroup_tests (%s): %s" % (mode, line), flush=True)
        failed = [l.split()[3] for l in lines if l.startswith("[  FAILED  ] ") and len(l.split()) > 3]
        skipped = [l.split()[3] for l in lines if l.startswith("[  SKIPPED ] ") and len(l.split()) > 3]
        if p.returncode != 0 or failed:
            c.problems.append("%s: exit %d, failed: %s; %s" % (mode, p.returncode, " ".join(failed) or "-",
                                                              p.stderr[-300:]))
        c.eq(mode + ": skipped tests", skipped, [])
        c.true(mode + ": no test ran: " + p.stdout[-300:], "[  PASSED  ]" in p.stdout)


def main():
    os.makedirs(CG + "/vm", exist_ok=True)
    write(CG + "/vm/cgroup.subtree_control", "+cpu +cpuset +memory +pids")
    cases = [
        ("cpu.max 0.5", cpu_quota("50000 100000")),
        ("cpu.max 1.5", cpu_quota("150000 100000")),
        ("cpu.max max", cpu_quota("max 100000")),
        ("cpuset.cpus one CPU", cpuset_one),
        ("memory.max 256M, memory.swap.max 0", mem_256_noswap),
        ("memory.max 128M with pages in swap", mem_128_swap),
        ("nested, controllers passed down", nested_passed_down),
        ("memory controller only on the parent", memory_only_on_parent),
        ("cgroupns with a fresh cgroup2 mount", cgroupns("mount")),
        ("cgroupns without a mount (unshare -C)", cgroupns("bare")),
        ("a limit above the VM's memory", limit_above_vm),
        ("a sibling using part of the parent's limit", sibling_shares),
        ("/proc/stat busy vs cpu.stat usage_usec", stat_busy),
        ("free -s while the cgroup allocates", free_while_allocating),
        ("cgview stats, /proc/diskstats, pressure, swaps", stats_files),
        ("cgview stats moved to the root while it runs", stats_moved_to_root),
        ("/proc/stat across a move to another cgroup", stat_across_a_move),
        ("cgroupns at a cgroup without the memory controller", ns_root_without_memory),
        # Containers as Docker (runc) and Podman (crun) start them on cgroup v2: a private
        # cgroup namespace by default, Docker's --cgroupns=host, OCI's swap as memory+swap.
        ("runc, cgroupns: cpu 0.5, memory 256M, --memory-swap 256M",
         oci_runtime("runc", True, {"cpu": {"quota": 50000, "period": 100000},
                                    "memory": {"limit": 256 * MIB, "swap": 256 * MIB}}, swap_total=0)),
        ("runc, --cgroupns=host: cpuset 1, memory 192M",
         oci_runtime("runc", False, {"cpu": {"cpus": "1"}, "memory": {"limit": 192 * MIB}})),
        ("crun, cgroupns: cpu 0.5, memory 320M, swap 64M",
         oci_runtime("crun", True, {"cpu": {"quota": 50000, "period": 100000},
                                    "memory": {"limit": 320 * MIB, "swap": 384 * MIB}}, swap_total=64 * MIB)),
        ("scripts/demo-live on cgroup v2", demo_live),
        ("real_cgroup_tests on cgroup v2", real_cgroup_tests),
    ]
    only = os.environ.get("VM_ONLY")
    for name, fn in cases:
        if only and not any(o in name for o in only.split("|")):
            continue
        t = time.time()
        case(name, fn)
        print(f"VM TIME {name}: {time.time() - t:.1f}s", flush=True)
    print(f"VM DONE failures={failures}", flush=True)


def systemd_main():
    """In the second boot (systemd as PID 1, from systemd-check.sh): a container
    placed by runc's systemd driver, as Docker places one on a stock Debian 12
    host, with what `docker run --cpus 0.5 --memory 256m` gives runc (swap:
    twice the memory, as memory+swap). Exits with the number of failures."""
    case("systemd: runc --systemd-cgroup, cgroupns: cpu 0.5, memory 256M, swap 256M",
         oci_runtime("runc", True, {"cpu": {"quota": 50000, "period": 100000},
                                    "memory": {"limit": 256 * MIB, "swap": 512 * MIB}},
                     swap_total=256 * MIB, systemd=True))
    sys.exit(failures)


if __name__ == "__main__":
    systemd_main() if sys.argv[1:] == ["systemd"] else main()
