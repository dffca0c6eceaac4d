"""Debian root file systems for the suites that run a real older image: made once with
debootstrap (minbase, from Debian's mirror) and cached, shared by tests/old_glibc (a
chroot) and tests/docker (imported as an image)."""
import fcntl
import os
import shutil
import subprocess

CACHE = os.environ.get("CGVIEW_OLD_GLIBC_CACHE", "/var/cache/cgview-old-glibc")
MIRROR = "http://deb.debian.org/debian"


class Unavailable(Exception):
    """No root could be made here (no debootstrap, no mirror): the caller skips with this."""


def cached_root(suite, log=print):
    """The path of a pristine minbase root of `suite` (bullseye: Debian 11, glibc 2.31).
    About a minute the first time; callers copy it rather than change it."""
    root = os.path.join(CACHE, suite)
    done = os.path.join(root, ".complete")
    if os.path.exists(done):
        return root
    if not shutil.which("debootstrap"):
        raise Unavailable("no debootstrap (Debian package debootstrap)")
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time; the others find it made
        if os.path.exists(done):
            return root
        building = root + ".building"
        shutil.rmtree(building, ignore_errors=True)
        log("debootstrap --variant=minbase %s (once; cached in %s)" % (suite, CACHE))
        p = subprocess.run(["debootstrap", "--variant=minbase", suite, building, MIRROR],
                           capture_output=True, text=True)
        if p.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            raise Unavailable("debootstrap %s failed:\n%s" % (suite, (p.stdout + p.stderr)[-1500:]))
        open(os.path.join(building, ".complete"), "w").close()
        shutil.rmtree(root, ignore_errors=True)
        os.rename(building, root)
    return root
