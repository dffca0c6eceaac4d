#!/usr/bin/python3
"""cgview under Podman: a second real container runtime beside Docker.

Podman (Debian's package: conmon, the runc that docker.io brings, the cgroupfs manager on
this cgroup v1 machine) puts a container in cgroups of its own (/libpod_parent/libpod-ID),
mounts the hierarchies read-only, and with --cgroupns private shows the container its cgroups
as "/". This suite imports the Debian 11 root that tests/old_glibc also uses (debootstrap
minbase, cached in /var/cache/cgview-old-glibc; glibc 2.31: a legacy image) as a Podman image,
bind-mounts the build's libcgview.so into each container read-only, and checks what the
image's own programs see without the shim (the host) and with it (the container), through
LD_PRELOAD and through /etc/ld.so.preload, under a quota, a cpuset and a private cgroup
namespace; then that `podman update` shows in a running container within a second; that six
containers started together with different limits each see their own; and that a process
has the same fds after reading the served files as before. Every container
runs with --network none, under a --cgroup-parent inside the test's own cgroup, which the
suite removes at the end.

Prints one line per check and `N passed, M failed`; exit 77 (skip) where podman or root is
missing, unless CGVIEW_TEST_REQUIRE_PODMAN=1 (.ci/run), which makes that a failure.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import cgroup_parent  # noqa: E402  (containers under the test's own cgroup)
import debian_root  # noqa: E402  (the cached Debian 11 root)

SKIP = 77
# Containers go by path under --cgroup-parent, which takes the cgroupfs manager: the default on
# cgroup v1, where a systemd host with cgroup v2 would default to the systemd manager.
PODMAN = ["podman", "--cgroup-manager=cgroupfs"]
SUITE = "bullseye"
IMAGE = "localhost/cgview-test-bullseye:1"
LIBRARY = "/usr/lib/libcgview.so"  # where each container sees the build's library
MiB = 1024 * 1024
# Podman's default limits (1048576 open files) exceed this sandbox's hard limits, and runc
# may only lower a limit: the containers get small, explicit ones.
ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]


def log(message):
    print("podman: " + message, flush=True)


def skip(reason):
    log("skipped: " + reason)
    if os.environ.get("CGVIEW_TEST_REQUIRE_PODMAN") == "1":
        log("CGVIEW_TEST_REQUIRE_PODMAN=1: failing instead")
        sys.exit(1)
    sys.exit(SKIP)


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, case, what, got, want):
        ok = got == want
        print("%s %s: %s%s" % ("ok  " if ok else "FAIL", case, what, "" if ok else ": got %r, expected %r" % (got, want)),
              flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


class Podman:
    def __init__(self, shim):
        self.shim = os.path.realpath(shim)
        self.parent = cgroup_parent.CgroupParent("cgview-podman")

    def options(self):
        """What every container of the suite runs with."""
        return ["--network", "none", "--cgroup-parent", self.parent.path] + ULIMITS

    def ensure_image(self):
        if subprocess.run(PODMAN + ["image", "exists", IMAGE]).returncode == 0:
            return
        root = debian_root.cached_root(SUITE, log)
        log("importing %s as %s" % (root, IMAGE))
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(PODMAN + ["import", "-", IMAGE], stdin=tar.stdout, check=True, capture_output=True)
        if tar.wait() != 0:
            raise RuntimeError("tar of %s failed" % root)

    def run(self, options, script, preload=True):
        """`sh -c script` in a new container; (exit status, stdout, stderr)."""
        argv = (PODMAN + ["run", "--rm"] + self.options() + options +
                ["-v", "%s:%s:ro" % (self.shim, LIBRARY)] + (["-e", "LD_PRELOAD=" + LIBRARY] if preload else []) +
                [IMAGE, "sh", "-c", script])
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr


# What a program of the image says, one line each.
PROBE = ("nproc; getconf _NPROCESSORS_ONLN; grep -c ^processor /proc/cpuinfo; cat /sys/devices/system/cpu/online; "
         "awk '/^MemTotal/ {print $2}' /proc/meminfo; perl -MPOSIX -e 'print POSIX::sysconf(84), qq(\\n)'")
PROBE_NAMES = ["nproc", "getconf _NPROCESSORS_ONLN", "grep -c ^processor /proc/cpuinfo",
               "/sys/devices/system/cpu/online", "MemTotal kB", "perl sysconf(_SC_NPROCESSORS_ONLN)"]


def host_view():
    online = open("/sys/devices/system/cpu/online").read().strip()
    count = int(subprocess.run(["getconf", "_NPROCESSORS_ONLN"], capture_output=True, text=True).stdout)
    total = [int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0]
    return [str(count), str(count), str(count), online, str(total), str(count)]


def check_probe(report, case, rc, out, err, want):
    report.check(case, "exit status", rc, 0)
    report.check(case, "nothing on stderr", err.strip(), "")
    got = out.split("\n")[:len(want)]
    for name, g, w in zip(PROBE_NAMES, got + [""] * len(want), want):
        if w is not None:
            report.check(case, name, g, w)


def cpu_list(text):
    """The CPUs of a kernel list ("0-2,5"); None when it is not one."""
    cpus = []
    try:
        for part in text.strip().split(","):
            first, _, last = part.partition("-")
            cpus += list(range(int(first), int(last or first) + 1))
    except ValueError:
        return None
    return cpus


def case_views(podman, report):
    host = host_view()
    host_n = int(host[0])
    cases = [
        ("--cpus 0.5 --memory 256m", ["--cpus", "0.5", "--memory", "256m"], 1, 256 * MiB, None),
        ("--cgroupns private --cpus 1.5 --memory 300m",
         ["--cgroupns", "private", "--cpus", "1.5", "--memory", "300m"], min(2, host_n), 300 * MiB, None),
    ]
    if host_n >= 2:  # CPU 1 exists
        cases.insert(1, ("--cpuset-cpus 1 --memory 512m", ["--cpuset-cpus", "1", "--memory", "512m"], 1, 512 * MiB, "1"))
    for name, options, n, memory, online in cases:
        rc, out, err = podman.run(options, PROBE, preload=False)
        # Without the shim: the host's numbers, but where the kernel answers for the cpuset.
        want_plain = list(host)
        if "--cpuset-cpus" in options:
            want_plain[0] = want_plain[5] = None  # nproc and perl ask sched_getaffinity: the kernel's cpuset
        check_probe(report, "without the shim, " + name, rc, out, err, want_plain)
        rc, out, err = podman.run(options, PROBE)
        lines = out.split("\n")
        want = [str(n), str(n), str(n), online, str(memory // 1024), str(n)]
        check_probe(report, "LD_PRELOAD, " + name, rc, out, err, want)
        if online is None:
            report.check("LD_PRELOAD, " + name, "online list names N CPUs",
                         len(cpu_list(lines[3]) or []) if len(lines) > 3 else None, n)
    # /etc/ld.so.preload: a clean environment (env -i) too.
    rc, out, err = podman.run(["--cpus", "0.5", "--memory", "256m"],
                              "echo %s > /etc/ld.so.preload && env -i sh -c \"%s\"" % (LIBRARY, PROBE.replace('"', '\\"')
                                                                                     .replace("$", "\\$")),
                              preload=False)
    check_probe(report, "/etc/ld.so.preload, env -i, --cpus 0.5 --memory 256m", rc, out, err,
                ["1", "1", "1", None, str(256 * 1024), "1"])


LIVE = """while :; do echo "$(date +%s.%N) $(nproc) $(awk '/^MemTotal/ {print $2}' /proc/meminfo)"; sleep 0.05; done"""


def case_update(podman, report):
    """podman update on a running container: what a program asks next is the new view."""
    case = "podman update --cpus 1 --memory 256m -> --cpus 2 --memory 512m"
    argv = (PODMAN + ["run", "-d"] + podman.options() + ["--cpus", "1", "--memory", "256m"] +
            ["-v", "%s:%s:ro" % (podman.shim, LIBRARY), "-e", "LD_PRELOAD=" + LIBRARY, IMAGE, "sh", "-c", LIVE])
    cid = subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()
    logs = None
    try:
        logs = subprocess.Popen(PODMAN + ["logs", "-f", cid], stdout=subprocess.PIPE, text=True)
        first = logs.stdout.readline().split()
        report.check(case, "before: nproc, MemTotal kB", first[1:], ["1", str(256 * 1024)])
        p = subprocess.run(PODMAN + ["update", "--cpus", "2", "--memory", "512m", cid], capture_output=True, text=True)
        report.check(case, "podman update succeeds", (p.returncode, p.stderr.strip()[-200:]), (0, ""))
        updated = time.time()
        seen, at = None, None
        while True:  # the first sample after the update that shows the new view, or 3 s of samples
            line = logs.stdout.readline().split()
            if not line:
                break
            if float(line[0]) < updated:
                continue
            seen = line[1:]
            if seen == ["2", str(512 * 1024)]:
                at = float(line[0])
                break
            if float(line[0]) > updated + 3:
                break
        report.check(case, "after: nproc, MemTotal kB", seen, ["2", str(512 * 1024)])
        report.check(case, "seen within a second of the update", at is not None and at - updated <= 1.0, True)
    finally:
        subprocess.run(PODMAN + ["rm", "-f", "-t", "0", cid], capture_output=True)
        if logs is not None:
            logs.kill()
            logs.wait()


def case_many_at_once(podman, report):
    """A host full of containers: six started together, each with its own limits, each sees its
    own (nothing is shared between processes of different containers)."""
    host_n = int(host_view()[0])
    wanted = [("0.5", 128), ("1", 192), ("1.5", 256), ("2", 320), ("0.25", 384), ("1.2", 448)]  # --cpus, MiB
    started = []
    for cpus, memory in wanted:
        argv = (PODMAN + ["run", "--rm"] + podman.options() + ["--cpus", cpus, "--memory", "%dm" % memory] +
                ["-v", "%s:%s:ro" % (podman.shim, LIBRARY), "-e", "LD_PRELOAD=" + LIBRARY, IMAGE, "sh", "-c",
                 "sleep 0.5; echo $(nproc) $(awk '/^MemTotal/ {print $2}' /proc/meminfo)"])
        started.append(subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    got, want = [], []
    for (cpus, memory), p in zip(wanted, started):
        out, _ = p.communicate(timeout=120)
        got.append(out.split())
        want.append([str(max(1, min(host_n, math.ceil(float(cpus))))), str(memory * 1024)])
    report.check("six containers at once", "each sees its own nproc and MemTotal kB", got, want)


def case_no_fds(podman, report):
    """Invisible: the served files leave no fd behind in the process that read them."""
    script = ("before=$(ls /proc/$$/fd | wc -l); "
              "for f in /proc/meminfo /proc/cpuinfo /proc/stat /sys/devices/system/cpu/online; do read x < $f; done; "
              "nproc >/dev/null; echo $before $(ls /proc/$$/fd | wc -l)")
    rc, out, err = podman.run(["--cpus", "0.5", "--memory", "256m"], script)
    words = out.split()
    report.check("--cpus 0.5 --memory 256m", "a shell's fds before and after reading the served files",
                 (rc, len(words) == 2 and words[0] == words[1]), (0, True))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shim", required=True)
    args = ap.parse_args()
    if os.geteuid() != 0:
        skip("needs root (rootful podman, cgroups)")
    if not shutil.which("podman"):
        skip("no podman (Debian package podman)")
    podman = Podman(args.shim)
    try:
        podman.ensure_image()
    except debian_root.Unavailable as e:
        skip(str(e))
    info = subprocess.run(PODMAN + ["info", "--format",
                           "{{.Version.Version}} {{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}} "
                           "cgroups {{.Host.CgroupsVersion}}"], capture_output=True, text=True).stdout.strip()
    log("podman %s" % info)
    log("containers go under --cgroup-parent %s (the test's own cgroup: %s)" % (podman.parent.path, podman.parent.own))
    report = Report()
    try:
        case_views(podman, report)
        case_update(podman, report)
        case_many_at_once(podman, report)
        case_no_fds(podman, report)
    finally:
        left = podman.parent.remove()
        report.check("cleanup", "cgroup directories left", left, [])
    log("%d passed, %d failed" % (report.passed, report.failed))
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
