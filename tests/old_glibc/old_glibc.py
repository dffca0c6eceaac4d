#!/usr/bin/python3
"""libcgview.so in a legacy image: Debian 11's root (glibc 2.31), in a real cgroup.

The library is built on Debian 12 (glibc 2.36); legacy software runs in older images.
A preloaded library that asks libc for a symbol version it lacks stops every program
from starting ("version `GLIBC_2.34' not found (required by libcgview.so)"), and with
/etc/ld.so.preload every program of the image. This suite copies a Debian 11 minbase
root (debootstrap from Debian's mirror, cached in /var/cache/cgview-old-glibc), puts the
build's libcgview.so in it, and runs that root's own programs, chrooted, in a real
child cgroup of this process's own (CPU quota 0.5: N = 1; 256 MiB), with and without
the shim. It checks that every program starts and prints nothing of ours, and that the
numbers are the container's both where the program links libdl (perl: the shim finds
libc's functions with dlsym) and where it does not (coreutils: before glibc 2.34 such a
process has no dlsym, and the shim reads the symbol tables itself), with LD_PRELOAD and
with /etc/ld.so.preload (written by `cgview enable --root`, which checks the root's
glibc first, and judged by `cgview doctor --root`). Without the shim the same commands
give the host's numbers. The cgview command itself (statically linked) runs in that
root and in one holding nothing else, and the .deb (`cpack -G DEB`) installs there with
dpkg, serves, and is removed.

Prints one line per check and `N passed, M failed`; exit 77 (skip) where the machine
cannot host real cgroups or build the root, unless CGVIEW_TEST_REQUIRE_CGROUPS=1.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "compat"))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
import compat  # noqa: E402  (real cgroups: Host, Case, Cgroups)
import debian_root  # noqa: E402  (the cached Debian 11 root)

SKIP = 77
SUITE = "bullseye"          # Debian 11: glibc 2.31
LIBRARY = "/usr/lib/libcgview.so"   # where the image has it
PROBE = "/usr/lib/cgview_old_glibc_probe.so"
ALLOCATOR = "/usr/lib/cgview_init_malloc_preload.so"
INNER_CGVIEW = "/usr/local/bin/cgview"   # the command, copied in
LIBS = "/lib/x86_64-linux-gnu"
MiB = 1024 * 1024

# Runs one command chrooted into the root, with the host's /proc and /sys (the kernel's
# files and the cgroup hierarchies) bound in a mount namespace of its own.
CHROOT = """root=$1; shift
mount --rbind /proc "$root/proc" && mount --rbind /sys "$root/sys" || exit 98
exec chroot "$root" "$@"
"""


def log(message):
    print("old_glibc: " + message, flush=True)


def skip(reason):
    print("old_glibc: skipped: " + reason, flush=True)
    if os.environ.get("CGVIEW_TEST_REQUIRE_CGROUPS") == "1":
        print("old_glibc: CGVIEW_TEST_REQUIRE_CGROUPS=1: failing instead", flush=True)
        sys.exit(1)
    sys.exit(SKIP)


class Image:
    """A copy of the cached root for this run, with the library in it."""

    def __init__(self, cgview, shim, probe, allocator, tmp):
        self.root = os.path.join(tmp, "root")
        self.cgview = cgview
        subprocess.run(["cp", "-a", debian_root.cached_root(SUITE, log), self.root], check=True)
        shutil.copy(shim, self.root + LIBRARY)
        shutil.copy(probe, self.root + PROBE)
        shutil.copy(allocator, self.root + ALLOCATOR)
        shutil.copy(cgview, self.root + INNER_CGVIEW)
        # `cgview enable --root` names the library next to the binary, at the same path
        # inside the root (in a build tree: build/shim/libcgview.so).
        self.enabled_library = os.path.realpath(shim)
        os.makedirs(os.path.dirname(self.root + self.enabled_library), exist_ok=True)
        shutil.copy(shim, self.root + self.enabled_library)
        self.glibc = subprocess.run(["chroot", self.root, "ldd", "--version"], capture_output=True,
                                    text=True).stdout.splitlines()[0]

    def cgview_command(self, *args):
        p = subprocess.run([self.cgview, *args], capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def preload_system_wide(self, on):
        """`cgview enable|disable --root`: (exit status, stderr, the file after it)."""
        rc, _, err = self.cgview_command("enable" if on else "disable", "--root", self.root)
        path = self.root + "/etc/ld.so.preload"
        return rc, err, open(path).read() if os.path.exists(path) else None

    def run(self, argv, procs, env, preload=None, root=None):
        """argv inside the root (or `root`); LD_PRELOAD=preload for argv alone (the host's
        tools that get it there, unshare, mount and chroot, must not have it)."""
        if preload:
            argv = ["/usr/bin/env", "LD_PRELOAD=" + preload] + argv

        def attach():
            for f in procs:
                with open(f, "w") as fh:
                    fh.write(str(os.getpid()))
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", CHROOT, "sh",
                            root or self.root] + argv, env=env, preexec_fn=attach, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout, p.stderr


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        print("%s %s%s" % ("ok  " if ok else "FAIL", what, "" if ok else ": " + detail), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cgview", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--probe", required=True, help="old_glibc_probe.cpp's library")
    ap.add_argument("--allocator", required=True, help="tests/shim/init_malloc_preload.c's library")
    ap.add_argument("--build-dir", required=True, help="where cpack makes the .deb")
    args = ap.parse_args()
    if os.geteuid() != 0:
        skip("needs root (chroot, mounts, cgroups)")
    for tool in ("unshare", "chroot"):
        if not shutil.which(tool):
            skip("no %s" % tool)
    try:
        cgroups = compat.Cgroups()
    except compat.CgroupError as e:
        skip(str(e))
    host = compat.Host()
    case = compat.Case("old-glibc", 0.5, None, 256 * MiB, host)
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="cgview-old-glibc-") as tmp:
        try:
            try:
                image = Image(args.cgview, args.shim, args.probe, args.allocator, tmp)
            except debian_root.Unavailable as e:
                skip(str(e))
            procs = cgroups.create(case)
            print("old_glibc: %s; cgroup: %s, V = %s of host CPUs %s" %
                  (image.glibc, case.describe, compat.fmt_list(case.cpus), compat.fmt_list(host.cpus)),
                  flush=True)
            run_checks(image, procs, case, host, checks)
            deb_checks(image, args.build_dir, tmp, procs, case, checks)
        finally:
            cgroups.cleanup()
    print("old_glibc: %d passed, %d failed" % (checks.passed, checks.failed), flush=True)
    return 1 if checks.failed else 0


def run_checks(image, procs, case, host, checks):
    pages = case.memory // host.page
    total_kb = case.memory // 1024
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
    # (name, argv, what the container's view prints, what the host's prints), compared
    # word by word (the kernel pads /proc/meminfo's columns)
    commands = [
        ("true starts", ["/bin/true"], "", ""),
        ("nproc (coreutils, no libdl: the shim's own lookup)", ["nproc"], "%d\n" % case.n,
         "%d\n" % len(host.cpus)),
        ("getconf _NPROCESSORS_ONLN", ["getconf", "_NPROCESSORS_ONLN"], "%d\n" % case.n, "%d\n" % len(host.cpus)),
        ("getconf _PHYS_PAGES", ["getconf", "_PHYS_PAGES"], "%d\n" % pages, None),
        ("head -1 /proc/meminfo", ["head", "-1", "/proc/meminfo"], "MemTotal: %d kB" % total_kb, None),
        ("cat /sys/devices/system/cpu/online", ["cat", "/sys/devices/system/cpu/online"],
         compat.range_list(case.cpus) + "\n", None),
        ("perl sysconf(_SC_NPROCESSORS_ONLN) (links libdl: dlsym)",
         ["perl", "-MPOSIX", "-e", "print POSIX::sysconf(84), qq(\\n)"], "%d\n" % case.n, "%d\n" % len(host.cpus)),
        ("perl reads /proc/meminfo", ["perl", "-ne", "print if /^MemTotal/", "/proc/meminfo"],
         "MemTotal: %d kB" % total_kb, None),
        # coreutils 8.32's cp compares __fxstat of the open file with stat of its path.
        ("cp /proc/meminfo (__fxstat: the real file's identity)",
         ["sh", "-c", "cp /proc/meminfo /tmp/cgview-cp && head -1 /tmp/cgview-cp; rm -f /tmp/cgview-cp"],
         "MemTotal: %d kB" % total_kb, None),
    ]
    for name, argv, view, host_answer in commands:
        rc, out, err = image.run(argv, procs, env, preload=LIBRARY)
        checks.check("LD_PRELOAD: %s" % name, rc == 0 and out.split() == view.split() and err == "",
                     "exit %d, printed %r, stderr %r; expected %r" % (rc, out, err, view))
        if host_answer is not None:
            rc, out, err = image.run(argv, procs, env)
            checks.check("without the shim: %s" % name, rc == 0 and out.split() == host_answer.split(),
                         "exit %d, printed %r, stderr %r; expected %r" % (rc, out, err, host_answer))
    # An allocator that asks for the affinity and reads a /proc file while it initialises,
    # and cannot be re-entered then (as jemalloc): the shim's first resolution runs inside
    # it, and in perl (which links libdl) glibc 2.31's dlsym callocs its error state on its
    # first use in a thread: the shim must not use dlsym before 2.34 (init_malloc_preload.c;
    # the other half, no failed dlvsym, is checked on aarch64 by scripts/cross-test).
    rc, out, err = image.run(["perl", "-MPOSIX", "-e", "print POSIX::sysconf(84), qq(\\n)"], procs, env,
                             preload=ALLOCATOR + " " + LIBRARY)
    checks.check("LD_PRELOAD after an allocator that asks for the affinity while it initialises: perl's "
                 "sysconf(_SC_NPROCESSORS_ONLN), no allocation inside it",
                 rc == 0 and out == "%d\n" % case.n and err == "", "exit %d, printed %r, stderr %r" % (rc, out, err))
    # The entry points with no system-call fallback, and the shim's lookup against dlsym's.
    meminfo = "MemTotal: %d kB" % total_kb
    libpthread, libdl = LIBS + "/libpthread.so.0", LIBS + "/libdl.so.2"
    for name, preload, compare in [
            ("no libdl: the shim's own lookup", [libpthread], False),
            ("libdl after libpthread", [libpthread, libdl], True),
            ("libdl before libpthread", [libdl, libpthread], True)]:
        rc, out, err = image.run(["/bin/true"], procs, dict(env, CGVIEW_PROBE_COMPARE="1" if compare else "0"),
                                 preload=" ".join([LIBRARY, PROBE] + preload))
        got = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        want = {"pthread_getaffinity_rc": "0", "pthread_getaffinity_count": str(case.n), "attr_set_rc": "0",
                "attr_get_rc": "0", "attr_get_count": str(case.n), "fopen": meminfo,
                "rewind": meminfo, "fseek_rc": "0", "fseek": meminfo, "before_fsetpos": meminfo,
                "fsetpos_rc": "0", "fsetpos": meminfo, "freopen": meminfo}
        if compare:
            want.update(compared="55", differ="0")
        wrong = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
        checks.check("probe (%s): pthread_getaffinity_np, pthread_attr_*affinity_np, rewind, fseek, fsetpos, "
                     "freopen%s" % (name, ", next_symbol == dlsym for 55 lookups" if compare else ""),
                     rc == 0 and err == "" and not wrong,
                     "exit %d, stderr %r, wrong (got, expected): %r; output:\n%s" % (rc, err, wrong, out))
    # The cgview command itself inside the root (built here on glibc 2.36, statically
    # linked): `cgview doctor` and `cgview show` where the image's own glibc is 2.31.
    rc, out, err = image.run([INNER_CGVIEW, "show", "--json"], procs, env)
    checks.check("the cgview command runs in the root: show --json, the container's CPUs and memory",
                 rc == 0 and err == "" and '"container": %d,' % case.n in out and
                 '"total": %d,' % case.memory in out, "exit %d, stderr %r, printed %r" % (rc, err, out[:600]))
    rc, out, err = image.run([INNER_CGVIEW, "doctor", "--json", "/usr/bin/nproc"], procs, env)
    reports = json.loads(out)["programs"] if rc in (0, 3) and out.startswith("{") else []
    checks.check("the cgview command runs in the root: doctor reads nproc of glibc 2.31",
                 err == "" and [r.get("kind") for r in reports] == ["glibc-dynamic"],
                 "exit %d, stderr %r, printed %r" % (rc, err, out[:600]))
    # And in a root with nothing but it (no libc, no loader: a musl or distroless image has
    # no glibc either).
    bare = os.path.join(os.path.dirname(image.root), "bare")
    for d in ("proc", "sys", "bin"):
        os.makedirs(os.path.join(bare, d), exist_ok=True)
    shutil.copy(image.cgview, os.path.join(bare, "bin/cgview"))
    rc, out, err = image.run(["/bin/cgview", "show", "--json"], procs, env, root=bare)
    checks.check("the cgview command runs in a root with no libc: show --json, the container's CPUs",
                 rc == 0 and err == "" and '"container": %d,' % case.n in out,
                 "exit %d, stderr %r, printed %r" % (rc, err, out[:600]))
    # doctor judges this glibc able to load the library (it checks the symbol versions).
    rc, out, err = image.cgview_command("doctor", "--json", "--root", image.root, "nproc", "perl")
    reports = json.loads(out)["programs"] if rc in (0, 3) and out else []
    checks.check("doctor --root: nproc and perl of glibc 2.31 are reached",
                 rc == 0 and [r["reached"] for r in reports] == [True, True], "exit %d %s %r" % (rc, out, err))
    # /etc/ld.so.preload reaches every program, a clean environment included.
    rc, err, written = image.preload_system_wide(True)
    checks.check("cgview enable --root on glibc 2.31: enabled, nothing on stderr",
                 rc == 0 and err == "" and written == image.enabled_library + "\n",
                 "exit %d, stderr %r, ld.so.preload %r" % (rc, err, written))
    try:
        for name, argv, view in [("sh -c true", ["/bin/sh", "-c", "true"], ""),
                                 ("env -i nproc", ["env", "-i", "/usr/bin/nproc"], "%d\n" % case.n),
                                 ("env -i perl sysconf", ["env", "-i", "/usr/bin/perl", "-MPOSIX", "-e",
                                                          "print POSIX::sysconf(84), qq(\\n)"], "%d\n" % case.n)]:
            rc, out, err = image.run(argv, procs, env)
            checks.check("ld.so.preload: %s" % name, rc == 0 and out.split() == view.split() and err == "",
                         "exit %d, printed %r, stderr %r; expected %r" % (rc, out, err, view))
    finally:
        rc, err, written = image.preload_system_wide(False)
        checks.check("cgview disable --root: the file removed", rc == 0 and written is None,
                     "exit %d, stderr %r, ld.so.preload %r" % (rc, err, written))


def deb_checks(image, build_dir, tmp, procs, case, checks):
    """The .deb on Debian 11: its Depends lets dpkg install it there (the library's
    glibc needs, not the 2.34 dpkg-shlibdeps would compute), and it serves."""
    out_dir = os.path.join(tmp, "deb")
    p = subprocess.run(["cpack", "-G", "DEB", "-B", out_dir], cwd=build_dir, capture_output=True, text=True)
    debs = glob.glob(os.path.join(out_dir, "cgview_*.deb"))
    if p.returncode != 0 or len(debs) != 1:
        checks.check("cpack -G DEB makes one .deb", False, "exit %d, made %r: %s" % (p.returncode, debs, p.stderr))
        return
    depends = subprocess.run(["dpkg-deb", "-f", debs[0], "Depends"], capture_output=True, text=True).stdout.strip()
    shutil.copy(debs[0], image.root + "/tmp/cgview.deb")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
    rc, out, err = image.run(["dpkg", "-i", "/tmp/cgview.deb"], procs, env)
    checks.check("dpkg -i of the .deb on Debian 11 (Depends: %s)" % depends, rc == 0,
                 "exit %d, stderr %r" % (rc, err))
    if rc != 0:
        return
    rc, out, err = image.run(["nproc"], procs, env, preload="/usr/lib/libcgview.so")
    checks.check("the installed library: LD_PRELOAD=/usr/lib/libcgview.so nproc",
                 rc == 0 and out == "%d\n" % case.n and err == "", "exit %d, printed %r, stderr %r" % (rc, out, err))
    rc, out, err = image.run(["cgview", "run", "--", "nproc"], procs, env)
    checks.check("the installed command: cgview run -- nproc",
                 rc == 0 and out == "%d\n" % case.n and err == "", "exit %d, printed %r, stderr %r" % (rc, out, err))
    rc, out, err = image.run(["dpkg", "-r", "cgview"], procs, env)
    checks.check("dpkg -r cgview on Debian 11", rc == 0 and not os.path.exists(image.root + "/usr/bin/cgview"),
                 "exit %d, stderr %r" % (rc, err))


if __name__ == "__main__":
    sys.exit(main())
