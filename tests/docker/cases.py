"""The cases: each starts containers from the images under docker/ and checks,
inside them, what real programs see against what the limits given call for.
Every case is one function taking (engine, report)."""
import json
import os
import subprocess
import time

from expect import Limits, cpu_list, host_online, show_figures

# The images, tagged as the README tells users (docker/*/Dockerfile: FROM cgview).
CGVIEW, NGINX, JAVA, PYTHON = "cgview", "nginx-cgview", "java-cgview", "python-cgview"
BASE = "debian:12"


class Report:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def check(self, case, what, got, expected, ok=None):
        ok = got == expected if ok is None else ok
        print("%s %s: %s (got %s, expected %s)" % ("ok  " if ok else "FAIL", case, what, got, expected), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failures.append("%s: %s" % (case, what))
        return ok


# What Python, nproc and cgview see in the container: one JSON line.
PYTHON_PROBE = r"""
import json, os, subprocess
def meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return line.split()[1]
run = lambda *a: subprocess.run(a, capture_output=True, text=True, check=True).stdout
def own_swappiness():  # v1: /sys/fs/cgroup/memory is the container's own cgroup
    path = "/sys/fs/cgroup/memory/memory.swappiness"
    return open(path).read() if os.path.exists(path) else None
print(json.dumps({"nproc": int(run("nproc")), "cpu_count": os.cpu_count(),
                  "affinity": sorted(os.sched_getaffinity(0)), "mem_total": meminfo("MemTotal"),
                  "online": open("/sys/devices/system/cpu/online").read(),
                  "swap_total": meminfo("SwapTotal"), "show": json.loads(run("cgview", "show", "--json")),
                  "uid": os.getuid(), "seccomp": status("Seccomp"), "preload_env": os.environ.get("LD_PRELOAD"),
                  "swappiness": own_swappiness()}))
"""


def probe_python_image(engine, limits, extra=()):
    p = engine.run(PYTHON, ["python3", "-c", PYTHON_PROBE], list(limits.options()) + list(extra))
    return json.loads(p.stdout.strip().splitlines()[-1])


def check_view(report, case, seen, limits):
    """The checks every limits case makes on the probe's output."""
    n, mem = limits.n(), limits.mem_total()
    report.check(case, "nproc", seen["nproc"], n)
    report.check(case, "python os.cpu_count()", seen["cpu_count"], n)
    report.check(case, "python os.sched_getaffinity(0) is N CPUs of the mask in a row (spread placement)",
                 seen["affinity"] in limits.possible_views(), True)
    report.check(case, "/sys/devices/system/cpu/online agrees with the affinity",
                 sorted(cpu_list(seen["online"])), seen["affinity"])
    report.check(case, "/proc/meminfo MemTotal", seen["mem_total"], mem)
    show_cpus, show_mem = show_figures(seen["show"])
    report.check(case, "cgview show --json CPUs", show_cpus, n)
    report.check(case, "cgview show --json MemTotal", show_mem, mem)


def limits_cases():
    """--cpus, --cpuset-cpus, --memory with and without --memory-swap."""
    cases = [Limits(cpus="0.5"), Limits(cpus="1.5"), Limits(cpus="2"), Limits(memory="256m"),
             Limits(memory="256m", memory_swap="512m"), Limits(memory="256m", memory_swap="256m")]
    if 1 in host_online():
        cases.insert(3, Limits(cpuset="1"))
    return cases


def case_limits(engine, report):
    for limits in limits_cases():
        case = "limits %s" % limits
        seen = probe_python_image(engine, limits)
        check_view(report, case, seen, limits)
        if limits.memory is not None:
            report.check(case, "/proc/meminfo SwapTotal", seen["swap_total"], limits.swap_total(seen["swappiness"]))


def case_cgroupns(engine, report):
    limits = Limits(cpus="1", memory="256m")
    for mode in ("private", "host"):
        case = "--cgroupns %s, %s" % (mode, limits)
        check_view(report, case, probe_python_image(engine, limits, ["--cgroupns", mode]), limits)


# Two samples of `cgview stats --json` while a shell burns CPU beside it.
STATS_PROBE = "(while :; do :; done) & sleep 0.3; cgview stats --json --count 2 --interval 0.5; kill $!"


def case_stats(engine, report):
    """`cgview stats` inside a container, as a person there runs it: the limits it was
    given, where they are set, its use, with private and host cgroup namespaces."""
    limits = Limits(cpus="0.5", memory="256m")
    for mode in ("private", "host"):
        case = "cgview stats --json, --cgroupns %s, %s --pids-limit 64" % (mode, limits)
        p = engine.run(CGVIEW, ["sh", "-c", STATS_PROBE],
                       list(limits.options()) + ["--pids-limit", "64", "--cgroupns", mode], check=False)
        samples = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
        report.check(case, "exit status and samples", (p.returncode, len(samples)), (0, 2))
        if len(samples) != 2:
            continue
        last = samples[1]
        report.check(case, "cpu.cpus", last["cpu"]["cpus"], limits.n())
        report.check(case, "cpu.quota", last["cpu"]["quota"], 0.5)
        # The busy loop is held to the quota: half a CPU, give or take the sampling.
        report.check(case, "cpu.cpus_used with a busy loop (0.5 CPU quota)", last["cpu"]["cpus_used"],
                     "0.3..0.6", ok=last["cpu"]["cpus_used"] is not None and 0.3 <= last["cpu"]["cpus_used"] <= 0.6)
        report.check(case, "memory.limit", last["memory"]["limit"], limits.mem_total())
        report.check(case, "memory.usage is the container's (0 < usage < limit)",
                     last["memory"]["usage"], "0..limit",
                     ok=last["memory"]["usage"] is not None and 0 < last["memory"]["usage"] < limits.mem_total())
        report.check(case, "pids.max", last["pids"]["max"], 64)
        report.check(case, "pids.current counts the container's processes (2..10)", last["pids"]["current"], "2..10",
                     ok=last["pids"]["current"] is not None and 2 <= last["pids"]["current"] <= 10)
        report.check(case, "no warnings (every controller's cgroup found)", last["warnings"], [])


def case_restricted(engine, report):
    """As nobody, on a read-only root, under a pids limit; Docker's default
    seccomp profile applies to every case (no --security-opt anywhere)."""
    limits = Limits(cpus="0.5", memory="256m")
    for name, extra in (("--user 65534", ["--user", "65534"]), ("--read-only", ["--read-only"]),
                        ("--pids-limit 64", ["--pids-limit", "64"])):
        case = "%s, %s" % (name, limits)
        seen = probe_python_image(engine, limits, extra)
        check_view(report, case, seen, limits)
        if name.startswith("--user"):
            report.check(case, "runs as uid 65534", seen["uid"], 65534)
    case = "default seccomp profile, %s" % limits
    seen = probe_python_image(engine, limits)
    report.check(case, "Seccomp mode in /proc/self/status (2 = filter)", seen["seccomp"], "2")
    check_view(report, case, seen, limits)


def case_system_wide(engine, report):
    """python-cgview was made with `RUN cgview enable`: no LD_PRELOAD in its
    environment, and a child started with `env -i` still sees the container."""
    limits = Limits(cpus="0.5", memory="256m")
    case = "system-wide mode, %s" % limits
    p = engine.run(PYTHON, ["sh", "-c", "cat /etc/ld.so.preload; echo ---; env -i /usr/bin/env; echo ---; "
                            "env -i /usr/bin/nproc; env -i /bin/grep MemTotal /proc/meminfo"], limits.options())
    preload, child_env, rest = p.stdout.split("---\n")
    report.check(case, "/etc/ld.so.preload names the library", preload.split(), ["/usr/lib/libcgview.so"])
    report.check(case, "the env -i child's environment is empty", child_env.strip(), "")
    nproc, meminfo = rest.strip().splitlines()
    report.check(case, "env -i nproc", int(nproc), limits.n())
    report.check(case, "env -i grep MemTotal /proc/meminfo", int(meminfo.split()[1]) * 1024, limits.mem_total())
    seen = probe_python_image(engine, limits)
    report.check(case, "LD_PRELOAD is not set in the image", seen["preload_env"], None)
    # The README's command, as it stands there.
    readme = engine.run_docker("run", "--rm", *engine.container_args(), "--cpus", "0.5", "--memory", "256m",
                               PYTHON, "sh", "-c", "env -i nproc").stdout.strip()
    report.check(case, "README: docker run --rm --cpus 0.5 --memory 256m python-cgview sh -c 'env -i nproc'",
                 readme, str(Limits(cpus="0.5").n()))
    # cgview disable takes the mode away again: the same child sees the host.
    p = engine.run(PYTHON, ["sh", "-c", "cgview disable; test -e /etc/ld.so.preload && echo kept || echo removed; "
                            "env -i /usr/bin/nproc"], limits.options())
    said, gone, nproc = p.stdout.strip().splitlines()
    report.check(case, "cgview disable reports it", said.split(":")[1].strip() if ":" in said else said, "disabled")
    report.check(case, "cgview disable removes /etc/ld.so.preload (it named only the library)", gone, "removed")
    report.check(case, "after cgview disable, env -i nproc is the host's", int(nproc), len(host_online()))


def case_nginx(engine, report):
    limits = Limits(cpus="1", memory="256m")
    case = "nginx worker_processes auto, %s" % limits
    cid = engine.start_detached(NGINX, options=limits.options())
    workers = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        # docker top lists the container's processes from the host: no ps needed inside.
        top = engine.out("top", cid, "-o", "pid,args").splitlines()[1:]
        workers = [line for line in top if "worker process" in line]
        if workers and any("master process" in line for line in top):
            time.sleep(0.5)  # let every worker start
            workers = [line for line in engine.out("top", cid, "-o", "pid,args").splitlines() if "worker process" in line]
            break
        time.sleep(0.2)
    report.check(case, "worker processes", len(workers), limits.n())
    # A request over the container's own loopback (--network none keeps lo), with bash's /dev/tcp.
    reply = engine.run_docker("exec", cid, "bash", "-c",
                              "exec 3<>/dev/tcp/127.0.0.1/80; printf 'GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3; "
                              "cat <&3").stdout
    status = reply.splitlines()[0].strip() if reply else ""
    report.check(case, "GET / over 127.0.0.1:80 inside the container", status, "HTTP/1.1 200 OK")
    report.check(case, "the body nginx serves", reply.rstrip().splitlines()[-1] if reply else "",
                 "workers sized by cgview")
    engine.run_docker("rm", "-f", cid, quiet=True)


JAVA_PROBE = """
public class Probe {
  public static void main(String[] args) {
    var hs = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
    System.out.println(Runtime.getRuntime().availableProcessors() + " " + hs.getVMOption("MaxHeapSize").getValue());
  }
}
"""


def java_flag(output, name):
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == name:
            return int(parts[3])
    raise KeyError(name)


def case_java(engine, report):
    """A JVM without container support (JAVA_TOOL_OPTIONS in the image) follows
    the limits through the shim. The heap expected is the JVM's own rule for a
    machine of that size and CPU count, asked of the same JVM with -XX:MaxRAM
    and -XX:ActiveProcessorCount, the shim off and no limits."""
    # The README's command, as it stands there.
    limits = Limits(cpus="1.5", memory="512m")
    flags = engine.run_docker("run", "--rm", *engine.container_args(), "--cpus", "1.5", "--memory", "512m",
                              JAVA, "java", "-XX:+PrintFlagsFinal", "-version").stdout
    expected = engine.run(JAVA, ["java", "-XX:MaxRAM=%d" % limits.mem_total(), "-XX:ActiveProcessorCount=%d" % limits.n(),
                                 "-XX:+PrintFlagsFinal", "-version"], ["-e", "LD_PRELOAD="]).stdout
    report.check("legacy JVM, README command", "docker run --rm --cpus 1.5 --memory 512m java-cgview java "
                 "-XX:+PrintFlagsFinal -version: MaxHeapSize", java_flag(flags, "MaxHeapSize"),
                 java_flag(expected, "MaxHeapSize"))
    # The image's own command says what the JVM sized itself for.
    said = engine.run_docker("run", "--rm", *engine.container_args(), "--cpus", "1.5", "--memory", "512m", JAVA).stdout
    report.check("legacy JVM, the image's command", "docker run --rm --cpus 1.5 --memory 512m java-cgview",
                 said.strip(), "%d CPUs, max heap %d MiB" % (limits.n(), java_flag(expected, "MaxHeapSize") >> 20))
    for limits in (Limits(cpus="1.5", memory="512m"), Limits(cpus="0.5", memory="256m")):
        case = "legacy JVM, %s" % limits
        p = engine.run(JAVA, ["sh", "-c", "cat > /tmp/Probe.java && java /tmp/Probe.java"], limits.options(),
                       input=JAVA_PROBE)
        cpus, heap = p.stdout.split()
        flags = engine.run(JAVA, ["java", "-XX:MaxRAM=%d" % limits.mem_total(),
                                  "-XX:ActiveProcessorCount=%d" % limits.n(), "-XX:+PrintFlagsFinal", "-version"],
                           ["-e", "LD_PRELOAD="]).stdout
        report.check(case, "JAVA_TOOL_OPTIONS turns container support off",
                     "Picked up JAVA_TOOL_OPTIONS: -XX:-UseContainerSupport" in p.stderr, True)
        report.check(case, "Runtime.availableProcessors()", int(cpus), limits.n())
        report.check(case, "MaxHeapSize (the JVM's own rule for MaxRAM=%d, %d CPUs)" % (limits.mem_total(), limits.n()),
                     int(heap), java_flag(flags, "MaxHeapSize"))


LIVE_PROBE = r"""
import ctypes, json, os, time
class Sysinfo(ctypes.Structure):
    _fields_ = [("uptime", ctypes.c_long), ("loads", ctypes.c_ulong * 3), ("totalram", ctypes.c_ulong),
                ("freeram", ctypes.c_ulong), ("sharedram", ctypes.c_ulong), ("bufferram", ctypes.c_ulong),
                ("totalswap", ctypes.c_ulong), ("freeswap", ctypes.c_ulong), ("procs", ctypes.c_ushort),
                ("pad", ctypes.c_ushort), ("totalhigh", ctypes.c_ulong), ("freehigh", ctypes.c_ulong),
                ("mem_unit", ctypes.c_uint), ("_f", ctypes.c_char * 8)]
libc = ctypes.CDLL(None)
meminfo = open("/proc/meminfo")   # opened once, rewound for every sample
while True:
    info = Sysinfo()
    libc.sysinfo(ctypes.byref(info))
    meminfo.seek(0)
    total = [int(l.split()[1]) * 1024 for l in meminfo.read().splitlines() if l.startswith("MemTotal:")][0]
    print(json.dumps({"t": time.time(), "sysconf": os.sysconf("SC_NPROCESSORS_ONLN"),
                      "sysinfo": info.totalram * info.mem_unit, "meminfo": total}), flush=True)
    time.sleep(0.05)
"""


def case_live_update(engine, report):
    """docker update on a running container: a process that keeps asking sees
    the new figures within a second, without restarting."""
    before = Limits(cpus="1", memory="256m", memory_swap="256m")
    after = Limits(cpus="2", memory="512m", memory_swap="512m")
    case = "docker update %s -> %s" % (before, after)
    cid = engine.start_detached(PYTHON, ["python3", "-u", "-c", LIVE_PROBE], before.options())
    logs = subprocess.Popen([engine.docker, "logs", "-f", cid], stdout=subprocess.PIPE, text=True, env=engine.env)
    try:
        first = json.loads(logs.stdout.readline())
        want_before = {"sysconf": before.n(), "sysinfo": before.mem_total(), "meminfo": before.mem_total()}
        report.check(case, "before: sysconf, sysinfo, rewound /proc/meminfo",
                     {k: first[k] for k in want_before}, want_before)
        engine.run_docker("update", *after.options(), cid)
        updated = time.time()
        want_after = {"sysconf": after.n(), "sysinfo": after.mem_total(), "meminfo": after.mem_total()}
        seen, at = None, None
        while True:
            line = json.loads(logs.stdout.readline())
            if line["t"] < updated:
                continue
            if {k: line[k] for k in want_after} == want_after:
                seen, at = want_after, line["t"]
                break
            if line["t"] > updated + 3:
                seen = {k: line[k] for k in want_after}
                break
        report.check(case, "after: sysconf, sysinfo, rewound /proc/meminfo", seen, want_after)
        delay = None if at is None else round(at - updated, 2)
        report.check(case, "seconds from the update's return to the new figures (at most 1)", delay, "<= 1",
                     ok=delay is not None and delay <= 1.0)
    finally:
        logs.kill()
        logs.wait()
        engine.run_docker("rm", "-f", cid, quiet=True)


def case_kubernetes_pattern(engine, report):
    """As docker/kubernetes/deployment.yaml: one container copies the library and
    the cgview command out of the cgview image into a volume; an unmodified
    debian:12 container mounts it read-only, preloads the library and sees its
    limits, and the command, beside the library in one folder, finds it there
    (`cgview run`) and reads the container's cgroup (`cgview show`)."""
    limits = Limits(cpus="1", memory="256m")
    case = "kubernetes pattern (volume + LD_PRELOAD in debian:12), %s" % limits
    volume = engine.volume()
    engine.run(CGVIEW, ["cp", "/usr/lib/libcgview.so", "/usr/bin/cgview", "/cgview/"], ["-v", volume + ":/cgview"])
    script = ("nproc; grep MemTotal /proc/meminfo; touch /cgview/x 2>/dev/null || echo read-only; "
              "env -u LD_PRELOAD /cgview/cgview run -- nproc; /cgview/cgview show --json | tr -d '\\n'")
    p = engine.run(BASE, ["sh", "-c", script],
                   limits.options() + ["-v", volume + ":/cgview:ro", "-e", "LD_PRELOAD=/cgview/libcgview.so"])
    lines = p.stdout.strip().splitlines()
    if len(lines) != 5:
        report.check(case, "five lines of output", p.stdout, "nproc, MemTotal, read-only, run's nproc, show's JSON")
        return
    nproc, meminfo, ro, run_nproc, show = lines
    report.check(case, "nproc", int(nproc), limits.n())
    report.check(case, "/proc/meminfo MemTotal", int(meminfo.split()[1]) * 1024, limits.mem_total())
    report.check(case, "the volume is read-only in the app container", ro, "read-only")
    report.check(case, "no ld.so error on stderr", p.stderr.strip(), "")
    report.check(case, "/cgview/cgview run finds /cgview/libcgview.so: nproc", int(run_nproc), limits.n())
    memory = json.loads(show)["memory"]
    report.check(case, "/cgview/cgview show: the memory limit", memory["limit"], limits.mem_total())
    engine.run_docker("volume", "rm", volume, quiet=True)


LEGACY, LEGACY_SUITE = "debian:11", "bullseye"


def case_legacy_image(engine, report):
    """A legacy image (debian:11, glibc 2.31; the library is built on glibc 2.36) with
    the library copied in from the cgview image, preloaded by LD_PRELOAD and then by
    /etc/ld.so.preload: every program starts with no ld.so error, and both a program
    without libdl (nproc: the shim's own symbol lookup) and one with it (perl: dlsym)
    see the limits."""
    engine.ensure_legacy_image(LEGACY, LEGACY_SUITE)
    limits = Limits(cpus="1", memory="256m")
    case = "legacy image %s (glibc 2.31), %s" % (LEGACY, limits)
    volume = engine.volume()
    engine.run(CGVIEW, ["cp", "/usr/lib/libcgview.so", "/cgview/libcgview.so"], ["-v", volume + ":/cgview"])
    probe = "nproc; grep MemTotal /proc/meminfo; perl -MPOSIX -e 'print POSIX::sysconf(84), qq(\\n)'"
    for how, options, script in [
            ("LD_PRELOAD", ["-e", "LD_PRELOAD=/cgview/libcgview.so"], probe),
            ("/etc/ld.so.preload", [], "echo /cgview/libcgview.so > /etc/ld.so.preload && env -i sh -c \"%s\"" % probe)]:
        p = engine.run(LEGACY, ["sh", "-c", script], limits.options() + ["-v", volume + ":/cgview:ro"] + options,
                       check=False)
        lines = p.stdout.strip().splitlines()
        report.check(case, "%s: exit status" % how, p.returncode, 0)
        report.check(case, "%s: no ld.so error on stderr" % how, p.stderr.strip(), "")
        if len(lines) == 3:
            report.check(case, "%s: nproc" % how, int(lines[0]), limits.n())
            report.check(case, "%s: /proc/meminfo MemTotal" % how, int(lines[1].split()[1]) * 1024, limits.mem_total())
            report.check(case, "%s: perl sysconf(_SC_NPROCESSORS_ONLN)" % how, int(lines[2]), limits.n())
        else:
            report.check(case, "%s: three lines of output" % how, p.stdout, "nproc, MemTotal, perl's count")
    engine.run_docker("volume", "rm", volume, quiet=True)


# An image whose programs and libraries lie where only its environment points:
# /opt/tool/bin in PATH, and ls's libselinux.so.1 moved to /opt/tool/lib, which
# only LD_LIBRARY_PATH names.
TOOL_IMAGE = "cgview-doctor-env"
TOOL_DOCKERFILE = """FROM cgview
RUN mkdir -p /opt/tool/bin /opt/tool/lib && cp /bin/ls /opt/tool/bin/tool \\
 && mv "$(readlink -f "$(ls /lib/*/libselinux.so.1)")" /opt/tool/lib/libselinux.so.1 \\
 && rm -f /lib/*/libselinux.so.1
ENV PATH=/opt/tool/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LD_LIBRARY_PATH=/opt/tool/lib
"""


def case_doctor_image_env(engine, report):
    """`cgview doctor --root` over an unpacked image (docker export) with the environment
    `docker inspect` gives (--env-file): the same verdicts as doctor inside a container of it,
    and the same libraries the real ld.so loads there; without the file, the image's own
    program and library are not found."""
    import shutil
    import tempfile
    case = "doctor --root --env-file"
    work = tempfile.mkdtemp(prefix="doctor-env-", dir=engine.work_dir)
    try:
        with open(os.path.join(work, "Dockerfile"), "w") as f:
            f.write(TOOL_DOCKERFILE)
        engine.build(work, "Dockerfile", TOOL_IMAGE)
        env_text = engine.out("image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", TOOL_IMAGE)
        env_file = os.path.join(work, "image.env")
        with open(env_file, "w") as f:
            f.write(env_text)
        rootfs = os.path.join(work, "rootfs")
        os.mkdir(rootfs)
        container = engine.run_docker("create", "--label", engine.label, TOOL_IMAGE, "true", quiet=True).stdout.strip()
        # As the README unpacks it: owners, setuid bits and file capabilities kept.
        exported = subprocess.run("%s export %s | tar --xattrs --xattrs-include='security.capability' -xpf - -C %s" %
                                  (engine.docker, container, rootfs), shell=True, env=engine.env, capture_output=True,
                                  text=True)
        engine.run_docker("rm", container, quiet=True)
        report.check(case, "docker export | tar -xp", exported.returncode, 0)
        cgview = os.path.join(rootfs, "usr/bin/cgview")  # static: runs here as in the image

        def outside(*options):
            p = subprocess.run([cgview, "doctor", "--json", "--root", rootfs, *options], capture_output=True, text=True)
            return {r["path"]: r for r in json.loads(p.stdout)["programs"]} if p.stdout.strip() else {}

        def libselinux(program):
            return {x["name"]: x["path"] for x in (program or {}).get("libraries", [])}.get("libselinux.so.1", "?")

        bare, given = outside(), outside("--env-file", env_file)
        report.check(case, "without --env-file: /opt/tool/bin/tool examined", "/opt/tool/bin/tool" in bare, False)
        report.check(case, "without --env-file: ls's libselinux.so.1 found", libselinux(bare.get("/usr/bin/ls")), None)
        report.check(case, "with --env-file: /opt/tool/bin/tool examined", "/opt/tool/bin/tool" in given, True)
        report.check(case, "with --env-file: ls's libselinux.so.1", libselinux(given.get("/usr/bin/ls")),
                     "/opt/tool/lib/libselinux.so.1")
        # Inside a container of the image, doctor takes the environment the image gives.
        p = engine.run(TOOL_IMAGE, ["cgview", "doctor", "--json", "tool", "ls", "passwd"], check=False)
        inside = {r["path"]: r for r in json.loads(p.stdout)["programs"]} if p.stdout.strip() else {}
        # passwd is setuid: the unpacked copy kept the bit, and both judge it alike.
        for path in ("/opt/tool/bin/tool", "/usr/bin/ls", "/usr/bin/passwd"):
            fields = lambda r: (r.get("kind"), r.get("reached"), libselinux(r), r.get("asks"))  # noqa: E731
            report.check(case, "%s: the same verdict outside (--env-file) as inside" % path,
                         fields(given.get(path, {})), fields(inside.get(path, {})))
        # The image sets no USER, so it runs as root: --user with what docker inspect says judges
        # setuid passwd reached, and the real ld.so in a container of it loads the library there.
        user = engine.out("image", "inspect", "--format", "{{.Config.User}}", TOOL_IMAGE).strip()
        as_user = outside("--env-file", env_file, "--user", user)
        report.check(case, "--user '%s' (docker inspect): setuid passwd reached" % user,
                     as_user.get("/usr/bin/passwd", {}).get("reached"), True)
        loaded = engine.run(TOOL_IMAGE, ["env", "LD_PRELOAD=/usr/lib/libcgview.so", "LD_DEBUG=files", "passwd",
                                         "--help"], check=False)
        report.check(case, "ld.so loads the library into passwd run as root", "file=/usr/lib/libcgview.so" in
                     loaded.stderr, True)
        # The real ld.so agrees: the program runs with the image's LD_LIBRARY_PATH, and without it
        # cannot find the library.
        ran = engine.run(TOOL_IMAGE, ["tool", "-d", "/"], check=False)
        report.check(case, "tool runs in the image", ran.returncode, 0)
        unset = engine.run(TOOL_IMAGE, ["env", "-u", "LD_LIBRARY_PATH", "tool", "-d", "/"], check=False)
        report.check(case, "without LD_LIBRARY_PATH ld.so cannot find libselinux.so.1", unset.returncode != 0 and
                     "libselinux.so.1" in unset.stderr, True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


CASES = [case_limits, case_cgroupns, case_stats, case_restricted, case_system_wide, case_nginx, case_java,
         case_live_update, case_kubernetes_pattern, case_legacy_image, case_doctor_image_env]
