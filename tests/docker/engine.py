"""The Docker engine the suite talks to, and everything it makes there.

- As root, the suite starts a Docker engine of its own beside any other, and
  stops it at the end: `dockerd --bridge=none --iptables=false` with the
  cgroupfs driver, its own socket, state and containerd namespace
  (PRIVATE_*), so that it never touches the machine's engine (Debian's
  docker.io service on a systemd host with cgroup v2 runs with the systemd
  driver, which places containers by unit, not by path). Its log is in the
  build dir. Without root or dockerd, an engine that already answers is used.
- There is no image registry here: a missing `debian:12` is built from Debian's
  packages with debootstrap (the mirror apt already uses) and `docker import`.
- Every container runs with `--network none` and a `--cgroup-parent` under the
  test's own cgroup (the RUN steps of image builds too); the containers,
  volumes and images the suite made are removed at the end (the base image is
  kept: later runs reuse it).
"""
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import cgroup_parent  # tests/support (docker_suite.py puts it on the path)

SKIP = 77
# The suite's own engine: its socket, its runtime state, and its images (the base image is
# built once and kept there for later runs), apart from the machine's engine's.
PRIVATE_SOCKET = "/run/cgview-test-docker.sock"
PRIVATE_EXEC_ROOT = "/run/cgview-test-docker"
PRIVATE_DATA_ROOT = "/var/lib/cgview-test-docker"
PRIVATE_NAMESPACE = "cgview-test"  # in a containerd the machine's engine may share


class Unavailable(Exception):
    """No engine here (no dockerd, or it cannot start): the suite skips, with this reason."""


def log(message):
    print(message, flush=True)


class Engine:
    def __init__(self, work_dir):
        self.work_dir = work_dir
        self.docker = shutil.which("docker")
        self.env = dict(os.environ, DOCKER_BUILDKIT="0")  # every client call's
        self.daemon = None          # the dockerd we started, if any
        self.adopted = False        # the suite's own engine, left running by a killed run
        self.label = "cgview-test=%d" % os.getpid()
        self.serial = 0
        self.images_before = set()
        self.cgroup_parent = None
        self.parent = None          # the CgroupParent, once the engine answers

    # --- the engine ---------------------------------------------------------

    def answers(self):
        if not self.docker:
            return False
        return subprocess.run([self.docker, "info"], capture_output=True, timeout=60, env=self.env).returncode == 0

    def start(self):
        if not self.docker:
            raise Unavailable("no docker client on PATH (Debian package docker.io)")
        dockerd = shutil.which("dockerd") or ("/usr/sbin/dockerd" if os.access("/usr/sbin/dockerd", os.X_OK) else None)
        if dockerd and os.geteuid() == 0:
            self.env["DOCKER_HOST"] = "unix://" + PRIVATE_SOCKET
            if self.answers():  # a run killed before its end left it running: stopped at this end
                log("engine: the suite's own engine already answers at %s; using it" % PRIVATE_SOCKET)
                self.adopted = True
            else:
                self.start_private(dockerd)
        elif self.answers():
            log("engine: a Docker engine already answers; using it (starting one needs root and dockerd)")
        elif not dockerd:
            raise Unavailable("no Docker engine answers and there is no dockerd binary (Debian package docker.io)")
        else:
            raise Unavailable("no Docker engine answers and starting dockerd needs root")
        info = self.out("info", "--format", "{{.CgroupDriver}} cgroup v{{.CgroupVersion}}").strip()
        log("engine: %s, cgroup driver %s" % (self.out("version", "--format", "{{.Server.Version}}").strip(), info))
        self.cgroup_parent = self.make_cgroup_parent(info.split()[0])
        self.default_parents_before = set(glob.glob("/sys/fs/cgroup/*/docker"))
        self.images_before = self.image_ids()

    def start_private(self, dockerd):
        os.makedirs(self.work_dir, exist_ok=True)
        logfile = os.path.join(self.work_dir, "dockerd.log")
        pidfile = os.path.join(PRIVATE_EXEC_ROOT, "dockerd.pid")
        # cgroupfs: containers go by path under --cgroup-parent (below). It is the default on
        # cgroup v1; on a systemd host with cgroup v2 the default would be the systemd driver.
        argv = [dockerd, "--host", "unix://" + PRIVATE_SOCKET, "--exec-root", PRIVATE_EXEC_ROOT,
                "--data-root", PRIVATE_DATA_ROOT, "--pidfile", pidfile,
                "--containerd-namespace", PRIVATE_NAMESPACE,
                "--containerd-plugins-namespace", PRIVATE_NAMESPACE + "-plugins",
                "--bridge=none", "--iptables=false", "--exec-opt", "native.cgroupdriver=cgroupfs"]
        log("engine: starting the suite's own engine: %s (log: %s)" % (" ".join(argv[1:]), logfile))
        self.daemon = subprocess.Popen(argv, stdout=open(logfile, "ab"), stderr=subprocess.STDOUT,
                                       start_new_session=True)
        deadline = time.monotonic() + 60
        while not self.answers():
            if self.daemon.poll() is not None or time.monotonic() > deadline:
                tail = open(logfile, errors="replace").read()[-800:]
                self.stop_daemon()
                raise Unavailable("dockerd did not start; the end of %s:\n%s" % (logfile, tail))
            time.sleep(0.5)

    def stop_daemon(self):
        if self.adopted:
            self.stop_adopted()
        if self.daemon is None:
            return
        log("engine: stopping the dockerd this suite started (pid %d)" % self.daemon.pid)
        self.daemon.send_signal(signal.SIGTERM)
        try:
            self.daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        self.daemon = None

    def stop_adopted(self):
        """The suite's own engine that a killed run left: stopped through its pidfile."""
        self.adopted = False
        try:
            pid = int(open(os.path.join(PRIVATE_EXEC_ROOT, "dockerd.pid")).read())
            log("engine: stopping the suite's own engine a killed run left (pid %d)" % pid)
            os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.5)

    # --- commands -----------------------------------------------------------

    def run_docker(self, *args, check=True, input=None, timeout=600, quiet=False):
        if not quiet:
            shown = [a if "\n" not in a else "'<script: %d lines>'" % a.count("\n") for a in args]
            log("  $ docker " + " ".join(shown))
        p = subprocess.run([self.docker, *args], capture_output=True, text=True, input=input, timeout=timeout,
                           env=self.env)
        if check and p.returncode != 0:
            raise RuntimeError("docker %s: exit %d\n%s%s" % (" ".join(args), p.returncode, p.stdout[-2000:], p.stderr[-2000:]))
        return p

    def out(self, *args, **kw):
        return self.run_docker(*args, quiet=True, **kw).stdout

    def container_args(self):
        """What every container of the suite gets: no network, its cgroup under
        the test's own, a label for the cleanup."""
        self.serial += 1
        return ["--network", "none", "--cgroup-parent", self.cgroup_parent, "--label", self.label,
                "--name", "cgview-test-%d-%d" % (os.getpid(), self.serial)]

    def run(self, image, command, options=(), input=None, check=True):
        """docker run --rm ... image command; returns the CompletedProcess."""
        interactive = ["-i"] if input is not None else []
        return self.run_docker("run", "--rm", *interactive, *self.container_args(), *options, image, *command,
                               input=input, check=check)

    def start_detached(self, image, command=(), options=()):
        return self.run_docker("run", "-d", *self.container_args(), *options, image, *command).stdout.strip()

    def volume(self):
        return self.run_docker("volume", "create", "--label", self.label).stdout.strip()

    def build_all(self, source_dir, dockerfiles):
        """The first image, then the rest side by side (they only share the first:
        most of their time is apt's downloads and unpacking)."""
        import concurrent.futures
        self.build(source_dir, *dockerfiles[0])
        with concurrent.futures.ThreadPoolExecutor(len(dockerfiles)) as pool:
            for f in [pool.submit(self.build, source_dir, d, t) for d, t in dockerfiles[1:]]:
                f.result()

    def build(self, source_dir, dockerfile, tag):
        """As the README tells users, from the working tree; --network host reaches Debian's mirror."""
        start = time.monotonic()
        log("  $ (cd %s && docker build --network host -f %s -t %s .)" % (source_dir, dockerfile, tag))
        # The build's RUN steps are containers too: under the test's cgroup like the others.
        p = subprocess.run([self.docker, "build", "--network", "host", "--cgroup-parent", self.cgroup_parent,
                            "-f", dockerfile, "-t", tag, "."],
                           cwd=source_dir, capture_output=True, text=True, timeout=1200, env=self.env)
        if p.returncode != 0:
            raise RuntimeError("docker build -f %s failed:\n%s%s" % (dockerfile, p.stdout[-3000:], p.stderr[-3000:]))
        log("  built %s in %.0f s" % (tag, time.monotonic() - start))

    def image_ids(self):
        return set(self.out("image", "ls", "-a", "-q", "--no-trunc").split())

    # --- the base image -----------------------------------------------------

    def has_image(self, name):
        return self.run_docker("image", "inspect", name, check=False, quiet=True).returncode == 0

    def ensure_base_image(self):
        if not self.has_image("debian:12"):
            mirror = debian_mirror()
            log("base: no debian:12 in the engine; debootstrap --variant=minbase bookworm from %s "
                "(about 2.5 minutes, once)" % mirror)
            start = time.monotonic()
            root = tempfile.mkdtemp(prefix="cgview-debian12-", dir=self.work_dir)
            try:
                p = subprocess.run(["debootstrap", "--variant=minbase", "bookworm", root, mirror],
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    raise RuntimeError("debootstrap failed:\n" + (p.stdout + p.stderr)[-2000:])
                tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
                imp = subprocess.run([self.docker, "import", "-", "debian:12"], stdin=tar.stdout,
                                     capture_output=True, text=True, env=self.env)
                tar.stdout.close()
                if tar.wait() != 0 or imp.returncode != 0:
                    raise RuntimeError("docker import failed: " + imp.stderr)
            finally:
                shutil.rmtree(root, ignore_errors=True)
            log("base: debian:12 imported in %.0f s" % (time.monotonic() - start))
        else:
            log("base: debian:12 is in the engine")
        if not self.has_image("debian:12-slim"):
            self.run_docker("tag", "debian:12", "debian:12-slim")
        # Never count the base among what the suite made.
        self.images_before |= self.image_ids() & {self.out("image", "inspect", "-f", "{{.Id}}", "debian:12").strip()}

    def ensure_legacy_image(self, tag, suite):
        """An older Debian image (debian:11: glibc 2.31) from the root tests/support/debian_root.py
        caches, imported once and kept, as the base image is."""
        if not self.has_image(tag):
            import debian_root
            root = debian_root.cached_root(suite, log)
            tar = subprocess.Popen(["tar", "-C", root, "--exclude", "./.complete", "-c", "."],
                                   stdout=subprocess.PIPE)
            imp = subprocess.run([self.docker, "import", "-", tag], stdin=tar.stdout, capture_output=True, text=True,
                                 env=self.env)
            tar.stdout.close()
            if tar.wait() != 0 or imp.returncode != 0:
                raise RuntimeError("docker import of %s failed: %s" % (tag, imp.stderr))
            log("legacy: %s imported from %s" % (tag, root))
        self.images_before.add(self.out("image", "inspect", "-f", "{{.Id}}", tag).strip())

    # --- cgroups ------------------------------------------------------------

    def make_cgroup_parent(self, driver):
        """A path under the test's own cgroup (tests/support/cgroup_parent.py)."""
        if driver == "systemd":
            raise Unavailable("the engine uses the systemd cgroup driver; this suite places containers by path (cgroupfs)")
        self.parent = cgroup_parent.CgroupParent("cgview-docker")
        log("engine: containers go under --cgroup-parent %s (the test's own cgroup: %s)" %
            (self.parent.path, self.parent.own))
        return self.parent.path

    # --- cleanup ------------------------------------------------------------

    def cleanup(self):
        """Removes what this run made; returns a list of what could not be removed."""
        problems = []
        if not self.docker or not self.answers():
            return problems
        ids = self.out("ps", "-aq", "--filter", "label=" + self.label).split()
        if ids:
            self.run_docker("rm", "-f", "-v", *ids, check=False, quiet=True)
        vols = self.out("volume", "ls", "-q", "--filter", "label=" + self.label).split()
        if vols:
            self.run_docker("volume", "rm", "-f", *vols, check=False, quiet=True)
        made = self.image_ids() - self.images_before
        if made:
            self.run_docker("image", "rm", "-f", *made, check=False, quiet=True)
        # Images can hold each other (a stage and its children): one more pass.
        again = self.image_ids() - self.images_before
        if again:
            self.run_docker("image", "rm", "-f", *again, check=False, quiet=True)
        if self.out("ps", "-aq", "--filter", "label=" + self.label).split():
            problems.append("containers left")
        if self.out("volume", "ls", "-q", "--filter", "label=" + self.label).split():
            problems.append("volumes left")
        left = self.image_ids() - self.images_before
        if left:
            problems.append("images left: %s" % " ".join(sorted(left)))
        # Docker's default parent appears only if something ran outside the test's cgroup.
        outside = sorted(set(glob.glob("/sys/fs/cgroup/*/docker")) - self.default_parents_before)
        if outside:
            problems.append("cgroups made outside the test's own: %s" % " ".join(outside))
            for path in outside:
                try:
                    os.rmdir(path)
                except OSError:
                    pass
        dirs = self.parent.remove() if self.parent is not None else []
        if dirs:
            problems.append("cgroup directories left: %s" % " ".join(dirs))
        log("cleanup: removed %d containers, %d volumes, %d images the suite made; cgroup parent removed" %
            (len(ids), len(vols), len(made)))
        return problems


def debian_mirror():
    """The mirror apt already uses for bookworm (not -security, not -updates)."""
    candidates = []
    for path in glob.glob("/etc/apt/sources.list.d/*.sources"):
        for stanza in open(path).read().split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.*)$", stanza, re.M))
            if "bookworm" in fields.get("Suites", "").split():
                candidates += fields.get("URIs", "").split()
    for path in ["/etc/apt/sources.list"] + glob.glob("/etc/apt/sources.list.d/*.list"):
        if os.path.exists(path):
            for line in open(path):
                m = re.match(r"\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s", line)
                if m:
                    candidates.append(m.group(1))
    return candidates[0] if candidates else "http://deb.debian.org/debian"
