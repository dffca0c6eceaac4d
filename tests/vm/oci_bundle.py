"""Containers started by real OCI runtimes (runc, which Docker runs; crun, Podman's
default on cgroup v2), for the VM's runtime cases (vm_checks.py).

A bundle is shaped as Docker shapes one: namespaces (a private cgroup namespace
unless asked otherwise, Docker's default on cgroup v2), /proc, a /dev tmpfs, a
read-only /sys, the runtime's own cgroup mount at /sys/fs/cgroup, Docker's masked
and read-only /proc and /sys paths (each one more mount in the container's
mountinfo), a seccomp filter refusing kcmp (as Docker's default profile does
without CAP_SYS_PTRACE; the library asks it once in a fork child), and the
limits given as OCI resources, which the runtime writes into the cgroup it
makes (cgroupfs driver, `cgroupsPath`, or the systemd driver). Its root file system is
the VM's own /usr, /etc and /cgview, bound read-only: an image would add
nothing the checks read.

The VM's root is an initramfs, where pivot_root cannot work: the runtimes are
run with --no-pivot (move and chroot), as Docker does with DOCKER_RAMDISK set.
"""
import json
import os
import shutil
import subprocess

STATE = "/tmp/oci-state"
# Docker's defaults (its oci/defaults.go lists these paths).
MASKED = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
          "/sys/firmware", "/sys/devices/virtual/powercap"]
READ_ONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]


def config(args, env, cgroups_path, resources, cgroupns=True):
    namespaces = [{"type": t} for t in ("pid", "ipc", "uts", "mount", "network")]
    if cgroupns:
        namespaces.append({"type": "cgroup"})
    mounts = [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]},
    ] + [{"destination": d, "type": "bind", "source": d, "options": ["rbind", "ro"]}
         for d in ("/usr", "/etc", "/cgview")]
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False, "user": {"uid": 0, "gid": 0}, "args": args, "env": env, "cwd": "/",
            "noNewPrivileges": True,
            "capabilities": {k: CAPS for k in ("bounding", "effective", "permitted")},
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "cgview-oci",
        "mounts": mounts,
        "linux": {
            "cgroupsPath": cgroups_path,
            "resources": resources,
            "namespaces": namespaces,
            "maskedPaths": MASKED,
            "readonlyPaths": READ_ONLY,
            "seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                        "syscalls": [{"names": ["kcmp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]},
        },
    }


def make_bundle(name, spec):
    """Writes /tmp/oci/NAME: config.json and a root of mount points and the
    merged-/usr links (bin -> usr/bin, ...)."""
    bundle = "/tmp/oci/" + name
    shutil.rmtree(bundle, ignore_errors=True)
    rootfs = bundle + "/rootfs"
    for d in ("usr", "etc", "cgview", "proc", "sys", "dev", "tmp"):
        os.makedirs(os.path.join(rootfs, d))
    for link in ("bin", "sbin", "lib", "lib64"):
        if os.path.islink("/" + link):
            os.symlink(os.readlink("/" + link), os.path.join(rootfs, link))
    with open(bundle + "/config.json", "w") as f:
        json.dump(spec, f, indent=1)
    return bundle


def global_options(runtime, systemd):
    """Where the runtime keeps its state, and which cgroup driver it uses."""
    argv = [runtime, "--root", STATE]
    if systemd:
        argv.append("--systemd-cgroup")
    elif runtime == "crun":
        argv.append("--cgroup-manager=cgroupfs")
    return argv


def start(runtime, name, bundle, systemd=False):
    """`RUNTIME run` in the foreground: the container's stdin and stdout are the
    pipes returned (terminal false: the runtimes pass this process's fds on)."""
    os.makedirs(STATE, exist_ok=True)
    argv = global_options(runtime, systemd) + ["run", "--no-pivot", "--bundle", bundle, name]
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def state(runtime, name, systemd=False):
    """The runtime's `state` of a container (its "pid" and "status"), or {}."""
    p = subprocess.run(global_options(runtime, systemd) + ["state", name], capture_output=True, timeout=60)
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {}


def delete(runtime, name, systemd=False):
    """Whatever a failed run left (a container that has exited leaves nothing)."""
    try:
        subprocess.run(global_options(runtime, systemd) + ["delete", "-f", name], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        pass
