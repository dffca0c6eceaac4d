#!/usr/bin/python3
"""cgview and real programs' own test suites: psutil's and CPython's, natively and under the shim.

Runs the test suite psutil ships (Debian's python3-psutil, psutil/tests) and a set of CPython's
own tests (Debian's libpython3.11-testsuite: the modules that open files, start programs, read
/proc and ask for CPUs and affinity) twice in the same real child cgroup of this process's own:
once natively (the baseline) and once with libcgview.so preloaded. Fails when a test fails or
errors under the shim but passes natively, when a test that ran natively does not run under the
shim (a crash) or when a CPython test module ends "crashed" or "env changed" only under the
shim; except the tests listed in BY_DESIGN (they compare a cgroup figure against one cgview
keeps the host's, each with its reason) and RACY (they fail natively too, at random).

A run past RUN_TIMEOUT is hung: every process of the cgroup is printed with its threads' stacks
(gdb) and the runner's Python tracebacks (faulthandler). A hang with a thread inside the shim
fails; one without (the program's own waits) runs the suite once more, and a second hang fails.

  Case A: CPU quota 0.5 (N = 1), memory limit 512 MiB: psutil's suite and CPython's.
  Case B: cpuset = CPU 1 only, no quota (V = {1}: real CPU ids, not 0), 1 GiB: psutil's suite.

Prints one line per difference and `N passed, M failed` (one check per case and suite); exit 77
(skip) where the machine cannot host real cgroups or lacks the suites, unless
CGVIEW_TEST_REQUIRE_CGROUPS=1 (then it fails). Reuses compat.py's cgroups. About 2.5 minutes on
2 CPUs; --full adds CPython's slow modules (subprocess, signal, threading, selectors, support,
concurrent_futures: about 6 minutes more per mode).
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compat  # noqa: E402  (the cgroups, the cases, skip rules and the clean environment)

PYTHON = compat.SYSTEM_PYTHON
MiB, GiB = compat.MiB, compat.GiB

# psutil's modules: what `python3 -m psutil.tests` runs on Linux (the other platforms' modules
# skip), plus test_memleaks, which its runner leaves out but which counts fds around each call,
# less test_testutils (psutil's own test helpers; 7 s). About 30 s each way at 0.5 CPU.
PSUTIL_MODULES = ["psutil.tests." + m for m in (
    "test_linux", "test_system", "test_process", "test_contracts", "test_misc", "test_posix",
    "test_unicode", "test_connections", "test_memleaks")]
# CPython's modules, about 22 s each way at 0.5 CPU: files (open, fopen, mmap, fcntl, stat),
# os and posix (cpu_count, sysconf, sched_*affinity, /proc reads), pty, resource, platform.
CPYTHON_MODULES = ["test_os", "test_posix", "test_fileio", "test_file", "test_tempfile",
                   "test_shutil", "test_pty", "test_mmap", "test_resource", "test_fcntl",
                   "test_stat", "test_sched", "test_genericpath", "test_posixpath",
                   "test_platform", "test_select"]
# --full: these too (they passed alike natively and under the shim at quotas 0.5 and 1.5).
CPYTHON_SLOW = ["test_subprocess", "test_signal", "test_threading", "test_selectors",
                "test_support", "test_concurrent_futures"]

# Differences cgview makes on purpose: the test compares a figure cgview gives for the cgroup
# against one that stays the host's. Found in these runs (psutil 5.9.4, procps 4.0.2).
_VMSTAT_ENV = ("the test runs `vmstat -s`/`free -b` with env={'LANG': 'C.UTF-8'}, which drops "
               "LD_PRELOAD: that tool reads the host's /proc/meminfo, psutil the cgroup's "
               "(test_available, which keeps the environment, agrees)")
BY_DESIGN = {
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_total": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_free": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_buffers": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_active": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_inactive": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_shared": _VMSTAT_ENV,
    # (fails natively too here: free 4's "used" is total - available, psutil's is not)
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_used": _VMSTAT_ENV,
    "psutil.tests.test_linux.TestSystemVirtualMemory.test_avail_old_percent":
        "psutil's estimate for kernels before 3.14 subtracts the zones' low watermarks from "
        "/proc/zoneinfo, the host's (cgview does not serve it: the watermarks are host-wide, "
        "no cgroup has its own), from MemFree: 86 MB of a 24 GB host is over its 15% of 512 MiB",
    "psutil.tests.test_linux.TestSystemCPUCountLogical.test_against_nproc":
        "`nproc --all` is get_nprocs_conf(), the configured CPUs, which stay the host's",
    "psutil.tests.test_linux.TestSystemCPUCountLogical.test_against_sysdev_cpu_num":
        "it counts the /sys/devices/system/cpu/cpuK directories, the configured CPUs, which stay "
        "(those outside the view read online = 0)",
    "psutil.tests.test_process.TestProcess.test_cpu_num":
        "/proc/self/stat's processor field is the kernel's real CPU id (ids stay real and the "
        "affinity is not narrowed, as sched_getcpu() stays real); the test wants 0 whenever "
        "cpu_count() is 1, which fails for V = {1} and whenever the process last ran outside V",
}

# Tests that fail natively too, at random, whatever the shim does: psutil starts a program and
# reads its /proc/PID/cmdline once the pid exists, but Popen returns when execve closes the
# CLOEXEC error pipe, after the new mm is in place and before the kernel sets its argument area,
# and until then the file reads empty (name() falls back to the 15-character comm). Natively in
# the 0.5 CPU cgroup, 21 to 34 of 40 such reads were empty.
_EXEC_RACE = "reads /proc/PID/cmdline while execve is setting it up: empty natively too"
RACY = {
    "psutil.tests.test_process.TestProcess.test_cmdline": _EXEC_RACE,
    "psutil.tests.test_process.TestProcess.test_long_cmdline": _EXEC_RACE,
    "psutil.tests.test_process.TestProcess.test_long_name": _EXEC_RACE,
    "psutil.tests.test_process.TestProcess.test_prog_w_funky_name": _EXEC_RACE,
    "psutil.tests.test_unicode.TestFSAPIs.test_proc_cmdline": _EXEC_RACE,
    "psutil.tests.test_unicode.TestFSAPIs.test_proc_name": _EXEC_RACE,
    "psutil.tests.test_unicode.TestFSAPIsWithInvalidPath.test_proc_cmdline": _EXEC_RACE,
    "psutil.tests.test_unicode.TestFSAPIsWithInvalidPath.test_proc_name": _EXEC_RACE,
}


# ----------------------------------------------------------------------------------------------
# Outcomes of a verbose unittest run (psutil's unittest -v, CPython's regrtest -v)

# "psutil.tests.test_x.C.test_y ... ok" (psutil names its tests so) or
# "test_y (test.test_x.C.test_y) ... ok" (and a docstring line may follow the id).
RAN_PSUTIL = re.compile(r"^(psutil\.tests\.[\w.]+) \.\.\. ", re.M)
RAN_CPYTHON = re.compile(r"^\w+ \((test\.[\w.]+)\)(?: \.\.\. |\n)", re.M)
# The id of every test a verbose run started (the last one is where a hung run is).
RAN_ANY = re.compile(r"^(?:(psutil\.tests\.[\w.]+)|\w+ \((test\.[\w.]+)\)) ?(?:\.\.\.|$)", re.M)
# "FAIL: id", "ERROR: test_y (test.test_x.C.test_y) (subtest)", "ERROR: setUpClass (test.test_x.C)"
FAILED = re.compile(r"^(FAIL|ERROR|UNEXPECTED SUCCESS): (\S+)(?: \(([\w.]+)\))?", re.M)
# regrtest: "0:00:04 load avg: 0.21 [ 1/17] test_os passed" / "... test_os failed (env changed)"
MODULE = re.compile(r"\[\s*\d+/\d+\] (test_\w+) (.+)$", re.M)
BAD_MODULE = ("crashed", "env changed", "timed out", "uncaught", "interrupted", "worker")


class Outcome:
    def __init__(self, text, rc, seconds):
        self.rc, self.seconds = rc, seconds
        self.ran = set(RAN_PSUTIL.findall(text)) | set(RAN_CPYTHON.findall(text))
        self.failed = {}
        for kind, name, inner in FAILED.findall(text):
            self.failed[inner or name] = kind
        self.ran |= set(self.failed)
        self.modules = {}
        for name, status in MODULE.findall(text):
            if not status.startswith("running"):
                self.modules[name] = re.sub(r" \(\d.*? sec\)$", "", status.strip())
        self.tail = text[-1500:]


# ----------------------------------------------------------------------------------------------

# A suite's run takes 20-40 s here either way; one past these is hung (a deadlock, or a test
# that waits for ever) and is reported with its stacks, well inside ctest's timeout for all six.
RUN_TIMEOUT, RERUN_TIMEOUT = 150, 60
# A gdb frame inside the shim: its hooks (cgview_open), its namespaces, or its file without symbols.
SHIM_FRAME = re.compile(r"\bcgview(?:_\w+ \(|::)|libcgview")


class Suite:
    def __init__(self, name, argv, rerun):
        self.name, self.argv, self.rerun = name, argv, rerun


def psutil_suite():
    runner = os.path.join(os.path.dirname(os.path.abspath(__file__)), "psutil_runner.py")
    return Suite("psutil", [PYTHON, runner, "-v"] + PSUTIL_MODULES,
                 lambda test: [PYTHON, runner, "-v", test])


def cpython_suite(full):
    mods = CPYTHON_MODULES + (CPYTHON_SLOW if full else [])
    return Suite("cpython", [PYTHON, "-m", "test", "-j1", "-v", "--timeout", "100"] + mods,
                 lambda test: [PYTHON, "-m", "unittest", "-v", test])


def run(r, argv, mode, procs, cwd, timeout):
    """argv in the case's cgroup (native or with the shim), in cwd; returns its Outcome. Python
    runs with -X faulthandler, so a run past `timeout` can be asked where it is (SIGABRT)."""
    t0 = time.time()
    with tempfile.TemporaryFile("w+", errors="replace") as out:
        argv = argv[:1] + ["-X", "faulthandler"] + argv[1:]
        p = r.popen(argv, mode, procs, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        stuck_in_shim = False
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stuck_in_shim = report_hang(p, procs, mode, timeout, out)
            rc = "timeout"
        out.seek(0)
        text = out.read()
    o = Outcome(text, rc, time.time() - t0)
    o.stuck_in_shim = stuck_in_shim
    return o


def thread_stacks(pid):
    """{thread id: its native stack's frame lines} of a process, from gdb; {} without gdb."""
    if not shutil.which("gdb"):
        return {}
    try:
        text = subprocess.run(["gdb", "-p", str(pid), "-batch", "-nx", "-ex", "thread apply all bt 12"],
                              capture_output=True, text=True, timeout=60).stdout
    except subprocess.TimeoutExpired:
        return {"(gdb did not attach in 60 s)": []}
    stacks, frames = {}, None
    for line in text.splitlines():
        heading = re.match(r"Thread \d+ \(.*?LWP (\d+)", line)
        if heading:
            frames = stacks.setdefault("thread " + heading.group(1), [])
        elif line.startswith("#") and frames is not None:
            frames.append(line)
    return stacks


def inside_shim(frames):
    return any(SHIM_FRAME.search(f) for f in frames)


def report_hang(p, procs, mode, timeout, out):
    """A run that outlived its timeout: prints the test it was in, every process of the cgroup
    with its threads' native stacks (gdb, where installed) and the Python tracebacks of the
    runner (faulthandler on SIGABRT), then kills what is left. True when a thread was inside
    libcgview.so in two samples of the stacks 2 s apart (a running thread may pass through the
    shim once: one that stays there waits or spins in it)."""
    pids = sorted({int(x) for f in procs for x in compat.read(f).split()})
    first = {pid: thread_stacks(pid) for pid in pids}
    time.sleep(2)
    second = {pid: thread_stacks(pid) for pid in pids}
    stuck_threads = []
    print("HANG %s run past %d s; its processes:" % (mode, timeout))
    for pid in pids:
        try:
            cmdline = compat.read("/proc/%d/cmdline" % pid).replace("\0", " ").strip()
            status = compat.read("/proc/%d/status" % pid)
            state = re.search(r"^State:\s*(.*)$", status, re.M).group(1)
            wchan = compat.read("/proc/%d/wchan" % pid)
        except (OSError, AttributeError):
            continue
        # Its parent and signal masks: a pool worker that outlives its SIGTERM shows why here.
        signals = " ".join("%s %s" % m for m in
                           re.findall(r"^(PPid|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt):\s*(\S+)$", status, re.M))
        print("  pid %d [%s, wchan %s]: %s" % (pid, state, wchan, cmdline[:200]))
        print("    %s" % signals)
        for thread, frames in first[pid].items():
            print("    %s:" % thread)
            for frame in frames:
                print("      " + frame[:200])
            if inside_shim(frames) and inside_shim(second[pid].get(thread, [])):
                stuck_threads.append("pid %d %s" % (pid, thread))
    if stuck_threads:
        print("HANG %s: inside libcgview.so in both samples: %s" % (mode, ", ".join(stuck_threads)))
    p.send_signal(signal.SIGABRT)  # faulthandler: every thread's traceback, to the output
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    for _ in range(10):  # what it started meanwhile too (psutil's tests start programs)
        left = {int(x) for f in procs for x in compat.read(f).split()} | ({p.pid} if p.poll() is None else set())
        if not left:
            break
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.2)
    p.wait()
    out.seek(0)
    text = out.read()
    started = [a or b for a, b in RAN_ANY.findall(text)]
    print("HANG %s: the last test started: %s" % (mode, started[-1] if started else "none"))
    # An exception raised where Python can only print it (a finalizer): a SystemExit there is a
    # SIGTERM the process outlived. The last five.
    ignored = re.findall(r"^Exception ignored in.*\n(?:[ T].*\n)*[\w.]*(?:Error|Exit|Exception|Interrupt)\b.*$",
                         text, re.M)
    for block in ignored[-5:]:
        print("HANG %s: an exception Python only printed:\n%s" % (mode, block[:2000]))
    tracebacks = text.rfind("Fatal Python error: Aborted")
    if tracebacks >= 0:
        print("HANG %s: the runner's Python threads:\n%s" % (mode, text[tracebacks:tracebacks + 6000]))
    sys.stdout.flush()
    return bool(stuck_threads)


def run_suite(r, suite, mode, procs, cwd):
    """The suite's run in `mode`. A run that hangs with no thread inside the shim (the program's
    own waits: psutil's process pool is known to deadlock at random, psutil issue 2104) runs once
    more; its stacks stay in the output. A hang inside the shim, or a second one, is returned."""
    o = run(r, suite.argv, mode, procs, cwd, timeout=RUN_TIMEOUT)
    if o.rc != "timeout" or o.stuck_in_shim:
        return o
    print("HANG %s: no thread inside libcgview.so; running the suite once more" % mode, flush=True)
    again = run(r, suite.argv, mode, procs, fresh_dir(os.path.dirname(cwd), os.path.basename(cwd) + "-again"),
                timeout=RUN_TIMEOUT)
    if again.rc != "timeout":
        print("FLAKY-HANG %s: hung once (stacks above), completed when run again" % mode, flush=True)
    return again


def fresh_dir(tmp, name):
    d = os.path.join(tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    os.mkdir(d)
    return d


def compare(r, case, suite, procs, tmp):
    """Runs suite natively and under the shim; prints each difference; True when none counts."""
    label = "%s %s" % (case.name, suite.name)
    results = {}
    for mode in ("host", "shim"):
        cwd = fresh_dir(tmp, "%s-%s-%s" % (case.name, suite.name, mode))
        results[mode] = run_suite(r, suite, mode, procs, cwd)
        o = results[mode]
        compat.log("suites: %s %s: %d tests, %d failed or errored, exit %s, %.0f s" %
                   (label, "native" if mode == "host" else "shim", len(o.ran), len(o.failed),
                    o.rc, o.seconds))
    native, shim = results["host"], results["shim"]
    ok = True
    for mode, o in results.items():
        if o.rc == "timeout":  # its stacks are above
            print("FAIL %s: the %s run hung%s" % (label, "native" if mode == "host" else "shim",
                                                  " inside libcgview.so" if o.stuck_in_shim else " twice"))
            ok = False
    if not native.ran:
        print("FAIL %s: the native run ran no tests (exit %s):\n%s" % (label, native.rc, native.tail))
        return False
    for test in sorted(native.ran - shim.ran):
        print("FAIL %s %s: ran natively, not under the shim (a crash?)" % (label, test))
        ok = False
    for mod, status in sorted(shim.modules.items()):
        if any(b in status for b in BAD_MODULE) and native.modules.get(mod) != status:
            print("FAIL %s %s: %s under the shim, natively %s" % (label, mod, status,
                                                               native.modules.get(mod, "not run")))
            ok = False
    for test, kind in sorted(shim.failed.items()):
        if test in native.failed:
            continue  # the baseline fails it too (a tty, the network, this machine)
        if test in BY_DESIGN:
            print("BY-DESIGN %s %s: %s" % (label, test, BY_DESIGN[test]))
            continue
        if test in RACY:
            print("RACY %s %s: %s" % (label, test, RACY[test]))
            continue
        # Once more, alone, under the shim: a test that then passes failed at random.
        again = run(r, suite.rerun(test), "shim", procs, fresh_dir(tmp, "rerun"), timeout=RERUN_TIMEOUT)
        if again.rc == 0 and test in again.ran and not again.failed:
            print("FLAKY %s %s: %s under the shim, passed when run again alone" % (label, test, kind))
            continue
        print("FAIL %s %s: %s under the shim, passes natively" % (label, test, kind))
        ok = False
    unused = sorted(t for t in BY_DESIGN if t in native.ran and t not in native.failed
                    and t in shim.ran and t not in shim.failed and t.startswith(suite.name))
    if unused:
        compat.log("suites: %s: passed under the shim too (by design, not differing here): %s" %
                   (label, " ".join(t.rsplit(".", 1)[1] for t in unused)))
    print("%s %s: %d tests, natively %d failed, under the shim %d failed" %
          ("PASS" if ok else "FAIL", label, len(native.ran), len(native.failed), len(shim.failed)),
          flush=True)
    return ok


def prerequisites():
    missing = []
    for module, package in (("psutil.tests", "python3-psutil"), ("test.regrtest", "libpython3.11-testsuite")):
        if subprocess.run([PYTHON, "-c", "import " + module], capture_output=True).returncode != 0:
            missing.append("%s (%s cannot import %s)" % (package, PYTHON, module))
    return missing


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shim", required=True, help="the built libcgview.so")
    ap.add_argument("--cases", default="AB", help="which cases to run (default AB)")
    ap.add_argument("--full", action="store_true", help="also CPython's slow modules")
    ap.add_argument("--suites", default="psutil,cpython", help="which suites (default psutil,cpython)")
    args = ap.parse_args()
    if not os.path.exists(args.shim):
        sys.exit("suites: %s: no such file" % args.shim)
    t0 = time.time()
    missing = prerequisites()
    if missing:
        compat.skip("not installed: %s (scripts/install-deps)" % ", ".join(missing))
    cgroups = compat.setup(args)
    tmp = tempfile.mkdtemp(prefix="cgview-suites-")
    passed = failed = 0
    unrunnable = []
    try:
        r = compat.Runner(argparse.Namespace(shim=args.shim, cgview=None), tmp)
        r.env["TMPDIR"] = tmp
        host = compat.Host()
        cases = []
        if "A" in args.cases:
            cases.append((compat.Case("A", 0.5, None, 512 * MiB, host),
                          [psutil_suite(), cpython_suite(args.full)]))
        if "B" in args.cases:
            if 1 not in host.cpus or len(host.cpus) < 2:
                unrunnable.append("case B needs CPU 1 online and at least 2 CPUs")
            else:
                cases.append((compat.Case("B", None, [1], 1 * GiB, host), [psutil_suite()]))
        if unrunnable and compat.cgroups_required():
            compat.skip("; ".join(unrunnable))
        for case, suites in cases:
            case.name = "suites-" + case.name  # its cgroup: cgview-compat-PID-suites-A
            procs = cgroups.create(case)
            compat.log("suites: case %s: %s; N=%d" % (case.name, case.describe, case.n))
            for suite in suites:
                if suite.name not in args.suites.split(","):
                    continue
                if compare(r, case, suite, procs, tmp):
                    passed += 1
                else:
                    failed += 1
            cgroups.cleanup()
    except compat.Interrupted as e:
        compat.log("suites: interrupted (%s), cleaning up" % e)
        failed += 1
    finally:
        cgroups.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    compat.log("suites: %.1f s" % (time.time() - t0))
    if not failed and unrunnable:
        compat.skip("; ".join(unrunnable))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
