"""What a container should see, from the limits the test gave it (the rule the
README states), never a number taken from this machine by hand."""
import math
import re


def cpu_list(text):
    ids = set()
    for part in text.strip().split(","):
        if "-" in part:
            a, b = part.split("-")
            ids.update(range(int(a), int(b) + 1))
        elif part:
            ids.add(int(part))
    return ids


def host_online():
    return cpu_list(open("/sys/devices/system/cpu/online").read())


def host_meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def size(text):
    """Docker's sizes: 256m, 1g, 512k, or bytes."""
    m = re.fullmatch(r"(\d+)([bkmg]?)", text.lower())
    return int(m.group(1)) * {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2)]


def swap_accounting():
    import os
    return os.path.exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") or \
        os.path.exists("/sys/fs/cgroup/memory.swap.max")


class Limits:
    """The limits a `docker run` was given, and what the container should see."""

    def __init__(self, cpus=None, cpuset=None, memory=None, memory_swap=None):
        self.cpus, self.cpuset, self.memory, self.memory_swap = cpus, cpuset, memory, memory_swap

    def options(self):
        o = []
        if self.cpus is not None:
            o += ["--cpus", str(self.cpus)]
        if self.cpuset is not None:
            o += ["--cpuset-cpus", self.cpuset]
        if self.memory is not None:
            o += ["--memory", self.memory]
        if self.memory_swap is not None:
            o += ["--memory-swap", self.memory_swap]
        return o

    def mask(self):
        return cpu_list(self.cpuset) if self.cpuset is not None else host_online()

    def n(self):
        """The CPU count: the mask's size, or under a quota the quota rounded up, within 1..mask."""
        mask = len(self.mask())
        return mask if self.cpus is None else max(1, min(math.ceil(float(self.cpus)), mask))

    def possible_views(self):
        """Every V the default placement (spread) may give: N CPUs of the mask in a row,
        in the mask's order, wrapping past its end. Which one depends on the container's
        cgroup (its directory's inode), so every start is allowed here; that all of the
        container's views agree is checked beside it."""
        mask, n = sorted(self.mask()), self.n()
        return [sorted(mask[(start + i) % len(mask)] for i in range(n)) for start in range(len(mask))]

    def mem_total(self):
        host = host_meminfo("MemTotal")
        return host if self.memory is None else min(size(self.memory), host)

    def swap_total(self, swappiness=None):
        """Docker gives --memory alone a swap allowance as large again (--memory-swap
        defaults to twice --memory); shown at most the host's swap. `swappiness`: the
        container's own v1 memory.swappiness, read inside it (a cgroup copies its parent's
        when it is made, so vm.swappiness may differ); "0" means no swap in the view
        (docs/what-programs-see.md, Memory)."""
        host = host_meminfo("SwapTotal")
        if self.memory is None or not swap_accounting():
            return host
        if swappiness is not None and swappiness.strip() == "0":
            return 0  # reclaim at the limit never swaps: no swap shown
        if self.memory_swap == "-1":
            return host
        total = size(self.memory_swap) if self.memory_swap is not None else 2 * size(self.memory)
        return min(total - size(self.memory), host)

    def __str__(self):
        return " ".join(self.options()) or "no limits"


def show_figures(show):
    """(CPUs, MemTotal bytes) from `cgview show --json`, in either of its forms:
    {"cpus": {"container": 1}, "memory": {"total": BYTES}} (numbers), or the older
    {"view": [{"name": "CPUs", "container": "1"}, {"name": "MemTotal", "container": "262144 kB"}]}."""
    if isinstance(show.get("cpus"), dict) and isinstance(show.get("memory"), dict):
        return int(show["cpus"]["container"]), int(show["memory"]["total"])
    rows = {r["name"]: r["container"] for r in show.get("view", [])}
    mem = rows["MemTotal"].split()
    return int(rows["CPUs"]), int(mem[0]) * (1024 if mem[1:] == ["kB"] else 1)
