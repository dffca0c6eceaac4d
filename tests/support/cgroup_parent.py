"""A cgroup parent for a container engine's containers, under the test's own cgroup
(or, on cgroup v2 under scripts/test, under the cgroup it prepared for the suites).

Engines with the cgroupfs manager (dockerd, podman) make a container's cgroup under the
path given with --cgroup-parent, in every v1 hierarchy (and the v2 one). Tests must touch
nothing outside their own cgroup, so the parent is a child of it. With cgroup v1 each
controller has its own path; the deepest (here the memory controller's) is the test's own,
and the runtime creates the same path in every hierarchy: the directories that do not exist
yet are noted, and `remove` takes exactly those away at the end."""
import glob
import os
import time


class CgroupParent:
    def __init__(self, name):
        paths = []
        for line in open("/proc/self/cgroup"):
            parts = line.rstrip("\n").split(":", 2)
            if len(parts) == 3:
                paths.append(parts[2])
        self.own = max(paths, key=lambda p: p.count("/") if p != "/" else 0)
        # scripts/test on cgroup v2 runs the suites in a leaf of a cgroup it prepared (a
        # cgroup holding processes gives its children no limits): the parent goes beside it.
        prepared = os.environ.get("CGVIEW_TEST_CGROUP_PARENT", "")
        if prepared.startswith("/sys/fs/cgroup/"):
            self.own = prepared[len("/sys/fs/cgroup"):]
        self.path = self.own.rstrip("/") + "/%s-%d" % (name, os.getpid())
        self.made = []  # deepest last; removed in reverse
        # cgroup v2 mounted at /sys/fs/cgroup: the one hierarchy (its subdirectories are
        # cgroups, not hierarchies). Else the v1 hierarchies below it (and a hybrid's unified one).
        if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            hierarchies = ["/sys/fs/cgroup/"]
        else:
            hierarchies = sorted(glob.glob("/sys/fs/cgroup/*/"))
        for hierarchy in hierarchies:
            if not os.path.exists(os.path.join(hierarchy, "cgroup.procs")):
                continue
            path = hierarchy.rstrip("/")
            for component in self.path.strip("/").split("/"):
                path += "/" + component
                if not os.path.exists(path):
                    self.made.append(path)

    def remove(self):
        """Removes the directories the runtime made for the parent, and any cgroup it left
        inside (podman keeps conmon in <parent>/conmon); returns those left."""
        left = []
        for path in sorted(self.made, key=lambda p: -p.count("/")):
            # Only the parent's own subtree: an ancestor made for it may hold others' cgroups.
            own = path.endswith(self.path)
            inside = [os.path.join(d, name) for d, names, _ in os.walk(path, topdown=False) for name in names] if own else []
            for directory in inside + [path]:
                for _ in range(20):  # the runtime may still be tearing a container down
                    try:
                        if os.path.isdir(directory):
                            os.rmdir(directory)
                        break
                    except OSError:
                        time.sleep(0.1)
                else:
                    left.append(directory)
        return left
