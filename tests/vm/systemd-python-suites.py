"""Run by systemd-suites.sh in the VM's systemd boot, in the leaf scripts/test's preparation
left it in: the Python suites' cgroups go in CGVIEW_TEST_CGROUP_PARENT too. compat.py's
cases A and B are made there, a program run in each gets the case's view under the library,
and they are removed; tests/support/cgroup_parent.py (the Docker and Podman suites'
--cgroup-parent) names a path under it. Prints VM PASS/FAIL lines; exits with the failures."""
import os
import subprocess
import sys

sys.path.insert(0, "/cgview")
import cgroup_parent  # noqa: E402
import compat  # noqa: E402

LIBRARY = "/cgview/lib/libcgview.so"
failures = 0


def check(name, ok):
    global failures
    print("VM %s systemd suites: %s" % ("PASS" if ok else "FAIL", name), flush=True)
    failures += 0 if ok else 1


parent = os.environ.get("CGVIEW_TEST_CGROUP_PARENT", "")
cgroups = compat.Cgroups()
check("compat.py: cgroup v2, its cgroups in %s (not %s)" % (cgroups.hierarchies(), parent),
      cgroups.v2 and cgroups.hierarchies() == [parent])
host = compat.Host()
cases, unrunnable = compat.make_cases(host, "AB")
check("compat.py: both cases can be hosted (%s)" % "; ".join(unrunnable), not unrunnable)
try:
    for case in cases:
        procs = cgroups.create(case)

        def enter(procs=procs):
            for f in procs:
                with open(f, "w") as out:
                    out.write(str(os.getpid()))

        got = subprocess.run(["nproc"], capture_output=True, text=True, preexec_fn=enter,
                             env=dict(os.environ, LD_PRELOAD=LIBRARY)).stdout.strip()
        check("compat.py: case %s (%s): nproc %s under the library, expected %d" %
              (case.name, case.describe, got, case.n), got == str(case.n))
finally:
    cgroups.cleanup()
left = [n for n in os.listdir(parent) if n.startswith("cgview-compat-")] if parent else []
check("compat.py: its cgroups removed (left: %s)" % (left or "none"), not left)

engine_parent = cgroup_parent.CgroupParent("cgview-docker")
inside = parent[len("/sys/fs/cgroup"):] + "/cgview-docker-%d" % os.getpid()
check("cgroup_parent.py: --cgroup-parent %s, expected %s" % (engine_parent.path, inside),
      engine_parent.path == inside)
check("cgroup_parent.py: it will remove only the parent it names (%s)" % engine_parent.made,
      engine_parent.made == ["/sys/fs/cgroup" + inside])
sys.exit(failures)
