"""Stand-ins for an older glibc, for the tests of `cgview enable` and `cgview doctor`.

Before any program code runs, ld.so checks that every symbol version a loaded object
requires of libc.so.6 is defined there. What a glibc defines is a list of version names
(GLIBC_2.2.5 ... GLIBC_2.36); an object named libc.so.6 that defines a chosen list is,
for that check, that glibc. `ld_so_missing` asks the real ld.so what it would refuse,
so a test can show its stand-in means what the test says it means."""
import os
import shutil
import subprocess
import tempfile


def version_key(name):
    """GLIBC_2.2.5 -> (2, 2, 5): glibc's versions in the order glibc added them."""
    return tuple(int(p) if p.isdigit() else 0 for p in name.split("_")[-1].split("."))


def versions_required(library):
    """The versions `library` requires (flags none, not weak) of libc.so.6, oldest first."""
    out = subprocess.run(["readelf", "-V", "--wide", library], capture_output=True, text=True, check=True).stdout
    required, in_libc = [], False
    for line in out.splitlines():
        words = line.split()
        if "File:" in words:
            in_libc = words[words.index("File:") + 1] == "libc.so.6"
        elif in_libc and "Name:" in words and "Flags:" in words and words[words.index("Flags:") + 1] == "none":
            required.append(words[words.index("Name:") + 1])
    return sorted(required, key=version_key)


def build(path, versions):
    """Writes at `path` a shared object named libc.so.6 that defines exactly `versions`
    (none: an object without symbol versions)."""
    scratch = tempfile.mkdtemp(prefix="cgview-libc-")
    try:
        source, script = os.path.join(scratch, "c.c"), os.path.join(scratch, "c.map")
        with open(source, "w") as f:
            f.write("".join("int stand_in_%d(void) { return %d; }\n" % (i, i) for i in range(len(versions) + 1)))
        nodes, parent = [], ""
        for i, version in enumerate(versions):
            nodes.append("%s { global: stand_in_%d; %s} %s;" % (version, i, "local: *; " if i == 0 else "", parent))
            parent = version
        with open(script, "w") as f:
            f.write("\n".join(nodes) + "\n")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        cmd = ["cc", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libc.so.6", "-o", path, source]
        if versions:
            cmd.append("-Wl,--version-script=" + script)
        subprocess.run(cmd, check=True)
    finally:
        shutil.rmtree(scratch)


def loader():
    """This system's dynamic loader, as /bin/true names it."""
    out = subprocess.run(["readelf", "-l", "--wide", "/bin/true"], capture_output=True, text=True, check=True).stdout
    return out.split("program interpreter: ")[1].split("]")[0]


def ld_so_missing(library, libc_dir):
    """The versions the real ld.so reports "not found" when it loads `library` with
    libc.so.6 taken from `libc_dir` (`ld.so --list` loads and checks, runs nothing)."""
    p = subprocess.run([loader(), "--library-path", libc_dir, "--list", library], capture_output=True, text=True)
    return sorted(w.split("'")[0] for w in p.stderr.split("version `")[1:])
