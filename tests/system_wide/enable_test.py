#!/usr/bin/env python3
"""`cgview enable|disable --root DIR` over temporary roots: the line it adds and
removes in DIR/etc/ld.so.preload, the lines it leaves alone, the libraries it
refuses to name (another kind of ELF file, or one whose symbol versions the
root's glibc lacks), and the atomic replacement (no temporary file left behind).
Whether ld.so then loads the library in every program is checked for real in
the Docker suite (tests/docker, system-wide case)."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stand_in_libc as stand_ins  # noqa: E402

CGVIEW = sys.argv[1]
SHIM = os.path.realpath(sys.argv[2])  # what enable must write: the library next to the binary, resolved
failures = 0


def check(name, ok, detail=""):
    global failures
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + detail), flush=True)
    failures += 0 if ok else 1


def cgview(*args):
    p = subprocess.run([CGVIEW, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def make_root(library=True):
    root = tempfile.mkdtemp(prefix="cgview-enable-")
    os.mkdir(os.path.join(root, "etc"))
    if library:  # programs under ROOT load the library at the same path, inside ROOT
        inside = root + SHIM
        os.makedirs(os.path.dirname(inside))
        shutil.copy(SHIM, inside)
    return root


def preload(root):
    path = os.path.join(root, "etc", "ld.so.preload")
    return open(path).read() if os.path.exists(path) else None


def leftovers(root):
    return [n for n in os.listdir(os.path.join(root, "etc")) if n != "ld.so.preload"]


def test_enable_new_file_then_idempotent():
    root = make_root()
    rc, out, err = cgview("enable", "--root", root)
    check("enable creates ld.so.preload naming the library", rc == 0 and preload(root) == SHIM + "\n",
          "rc=%d %r %r" % (rc, preload(root), err))
    check("the new file is mode 0644", oct(os.stat(root + "/etc/ld.so.preload").st_mode & 0o7777) == "0o644")
    rc, out, err = cgview("enable", "--root", root)
    check("enable again changes nothing and succeeds", rc == 0 and preload(root) == SHIM + "\n"
          and "already" in out, "rc=%d %r" % (rc, preload(root)))
    rc, out, err = cgview("disable", "--root", root)
    check("disable of a file that named only the library removes it", rc == 0 and preload(root) is None,
          "rc=%d %r" % (rc, preload(root)))
    rc, out, err = cgview("disable", "--root", root)
    check("disable again succeeds and creates nothing", rc == 0 and preload(root) is None and not leftovers(root))
    shutil.rmtree(root)


def test_other_lines_untouched():
    root = make_root()
    original = "# site preloads\n/usr/lib/other.so\n\n  /opt/x/liby.so  \n"
    path = root + "/etc/ld.so.preload"
    open(path, "w").write(original)
    os.chmod(path, 0o600)
    rc, _, err = cgview("enable", "--root", root)
    check("enable appends after the other lines", rc == 0 and preload(root) == original + SHIM + "\n",
          "%r %r" % (preload(root), err))
    check("enable keeps the file's mode", oct(os.stat(path).st_mode & 0o7777) == "0o600")
    rc, _, err = cgview("disable", "--root", root)
    check("disable gives back the file exactly as it was", rc == 0 and preload(root) == original,
          "%r" % preload(root))
    check("no temporary file left in etc/", not leftovers(root), str(leftovers(root)))
    # A file whose last line has no newline: enable must not glue its line to it.
    open(path, "w").write("/usr/lib/other.so")
    cgview("enable", "--root", root)
    check("enable after a last line without newline", preload(root) == "/usr/lib/other.so\n" + SHIM + "\n",
          "%r" % preload(root))
    # The library's line in the middle (hand-edited, with blanks around it).
    open(path, "w").write("/a.so\n  %s \n/b.so\n" % SHIM)
    rc, _, _ = cgview("disable", "--root", root)
    check("disable removes only the library's line", rc == 0 and preload(root) == "/a.so\n/b.so\n",
          "%r" % preload(root))
    shutil.rmtree(root)


def stand_in_libc(root, versions):
    """ROOT/lib/libc.so.6 defining exactly `versions`: where ld.so and enable look
    after the multiarch directory."""
    stand_ins.build(os.path.join(root, "lib", "libc.so.6"), versions)


def ld_so_refuses(root):
    return stand_ins.ld_so_missing(SHIM, os.path.join(root, "lib"))


def test_glibc_versions():
    required = stand_ins.versions_required(SHIM)
    check("the shim requires symbol versions of libc.so.6 (the test's premise)", len(required) >= 1, str(required))

    root = make_root()
    stand_in_libc(root, required)
    rc, out, err = cgview("enable", "--root", root)
    check("a glibc with every version the library requires: enabled, nothing on stderr",
          rc == 0 and preload(root) == SHIM + "\n" and err == "", "rc=%d %r %r" % (rc, preload(root), err))
    check("... and ld.so loads the library over it", ld_so_refuses(root) == [], str(ld_so_refuses(root)))
    shutil.rmtree(root)

    # Each version in turn missing: ld.so would stop every program, so enable refuses and names it.
    for missing in required:
        root = make_root()
        stand_in_libc(root, [v for v in required if v != missing])
        refuses("a glibc without %s" % missing, root, "lacks %s," % missing)
        check("... as ld.so itself refuses it", ld_so_refuses(root) == [missing], str(ld_so_refuses(root)))
        shutil.rmtree(root)

    # Already enabled (by hand) in such a root: the error says the line is there and how to take it out.
    root = make_root()
    stand_in_libc(root, required[:-1])
    open(root + "/etc/ld.so.preload", "w").write(SHIM + "\n")
    rc, out, err = cgview("enable", "--root", root)
    check("already named in a root whose glibc lacks a version: exit 1, says so and names disable",
          rc == 1 and "already" in err and "cgview disable --root" in err and preload(root) == SHIM + "\n",
          "rc=%d %r" % (rc, err))
    shutil.rmtree(root)

    # A glibc of another machine only (an image for another port): its loader would print an
    # error in every program, so enable refuses.
    root = make_root()
    stand_in_libc(root, required)
    with open(os.path.join(root, "lib", "libc.so.6"), "r+b") as f:
        f.seek(18)
        f.write(b"\x02\x00")  # EM_SPARC, little-endian
    refuses("a root whose only glibc is another machine's", root, "is built for sparc (64-bit)")
    shutil.rmtree(root)

    root = make_root()
    stand_in_libc(root, [])
    rc, out, err = cgview("enable", "--root", root)
    check("a libc.so.6 without symbol versions (ld.so checks none): enabled",
          rc == 0 and preload(root) == SHIM + "\n" and err == "", "rc=%d %r %r" % (rc, preload(root), err))
    check("... and ld.so loads the library over it", ld_so_refuses(root) == [], str(ld_so_refuses(root)))
    shutil.rmtree(root)

    root = make_root()  # no libc.so.6 at all: a musl or static image
    rc, out, err = cgview("enable", "--root", root)
    check("no glibc in the root: enabled, with one warning line saying nothing there reads it",
          rc == 0 and preload(root) == SHIM + "\n" and err.count("\n") == 1 and "warning: no glibc" in err,
          "rc=%d %r %r" % (rc, preload(root), err))
    shutil.rmtree(root)


def refuses(name, root, expect_in_error):
    path = root + "/etc/ld.so.preload"
    before = preload(root)
    rc, out, err = cgview("enable", "--root", root)
    check("refuses %s with one line, exit 1" % name,
          rc == 1 and err.count("\n") == 1 and expect_in_error in err and preload(root) == before,
          "rc=%d err=%r file=%r" % (rc, err, preload(root)))
    check("refusing %s leaves nothing in etc/" % name, not leftovers(root) and os.path.exists(path) == (before is not None))


def patched_library(root, offset, data):
    inside = root + SHIM
    with open(inside, "r+b") as f:
        f.seek(offset)
        f.write(data)


def test_lib_layout_line():
    """A line naming the library through ld.so's $LIB (README: images that run programs
    of more than one build) is the shim enabled: enable adds nothing (a second line would make
    ld.so complain in programs of the other class), disable takes it out."""
    root = make_root(library=False)
    line = "/usr/$LIB/libcgview.so"
    open(root + "/etc/ld.so.preload", "w").write("/usr/lib/other.so\n" + line + "\n")
    rc, out, err = cgview("enable", "--root", root)
    check("a $LIB line: enable says already enabled and changes nothing",
          rc == 0 and "already enabled: " + line in out and preload(root) == "/usr/lib/other.so\n" + line + "\n",
          "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    rc, out, err = cgview("disable", "--root", root)
    check("... and disable takes the $LIB line out, keeping the others",
          rc == 0 and preload(root) == "/usr/lib/other.so\n", "rc=%d %r %r" % (rc, err, preload(root)))
    shutil.rmtree(root)
    # '#' starts a comment there: a commented-out line is no entry (ld.so reads comments
    # as lib_layout.cpp says), and the library's line stays the one disable takes out.
    root = make_root()
    commented = "# " + line + "\n"
    open(root + "/etc/ld.so.preload", "w").write(commented)
    rc, out, err = cgview("enable", "--root", root)
    check("a commented-out $LIB line: enable adds the library after it",
          rc == 0 and preload(root) == commented + SHIM + "\n", "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    rc, out, err = cgview("enable", "--root", root)
    check("... and then says it is already enabled", rc == 0 and "already enabled" in out, "rc=%d %r %r" % (rc, out, err))
    rc, out, err = cgview("disable", "--root", root)
    check("... disable takes that line out and leaves the comment",
          rc == 0 and preload(root) == commented, "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    # A line ending in CR (a file written on Windows): ld.so reads "...libcgview.so\r", which
    # does not exist, so the library is not enabled there.
    open(root + "/etc/ld.so.preload", "w").write(SHIM + "\r\n")
    rc, out, err = cgview("enable", "--root", root)
    check("the library's line ending in CR: not taken as enabled (ld.so fails on it)",
          rc == 0 and "added" in out and preload(root).endswith("\n" + SHIM + "\n"),
          "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    shutil.rmtree(root)


def test_another_copy():
    """A copy of the library elsewhere in the root (the Kubernetes /cgview/libcgview.so
    beside an image's enable of /usr/lib's): the same mode, not a second one."""
    root = make_root()
    copy = "/cgview/libcgview-copy.so"  # a build of it by its soname, whatever the name
    os.makedirs(root + "/cgview")
    shutil.copy(SHIM, root + copy)
    shutil.copy("/bin/true", root + "/cgview/not-the-library.so")
    path = root + "/etc/ld.so.preload"
    open(path, "w").write("/usr/lib/other.so\n" + copy + "\n")
    rc, out, err = cgview("enable", "--root", root)
    check("another copy named: enable says already enabled, names it, and adds no second line",
          rc == 0 and "already enabled: " + copy in out and preload(root) == "/usr/lib/other.so\n" + copy + "\n",
          "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    rc, out, err = cgview("disable", "--root", root)
    check("... disable takes the copy out, says which, and keeps the other line",
          rc == 0 and ("disabled: " + copy) in out and preload(root) == "/usr/lib/other.so\n",
          "rc=%d %r %r %r" % (rc, out, err, preload(root)))
    open(path, "w").write("/cgview/not-the-library.so\n")
    rc, out, err = cgview("enable", "--root", root)
    check("a file that is not a build of the library does not count as one",
          rc == 0 and preload(root) == "/cgview/not-the-library.so\n" + SHIM + "\n", "rc=%d %r" % (rc, preload(root)))
    open(path, "w").write(SHIM + "\n" + copy + "\n")
    rc, out, err = cgview("disable", "--root", root)
    check("two copies named (enabled twice before): disable takes out both",
          rc == 0 and preload(root) is None, "rc=%d %r %r" % (rc, out, preload(root)))
    # A copy for another machine (e_machine 183, arm64) is not this mode for
    # enable, which adds its own; disable takes out both.
    other = "/cgview/libcgview-arm64.so"
    shutil.copy(SHIM, root + other)
    with open(root + other, "r+b") as f:
        f.seek(18)
        f.write(b"\xb7\x00")
    open(path, "w").write(other + "\n")
    rc, out, err = cgview("enable", "--root", root)
    check("a copy built for another machine: enable adds this build's line after it",
          rc == 0 and preload(root) == other + "\n" + SHIM + "\n", "rc=%d %r %r" % (rc, err, preload(root)))
    rc, out, err = cgview("disable", "--root", root)
    check("... and disable takes out both", rc == 0 and preload(root) is None, "rc=%d %r %r" % (rc, out, preload(root)))
    # A line naming libcgview.so where no file is (deleted, or a volume not mounted): every
    # program's ld.so warns of it, and it is cgview's, so disable takes it out too.
    open(path, "w").write("/usr/lib/other.so\n/cgview/gone/libcgview.so\n")
    rc, out, err = cgview("disable", "--root", root)
    check("a line naming a missing libcgview.so: disable takes it out and keeps the other",
          rc == 0 and preload(root) == "/usr/lib/other.so\n", "rc=%d %r %r" % (rc, out, preload(root)))
    shutil.rmtree(root)


def test_symlinked_file():
    """An ld.so.preload that is a symlink (a configuration tool's file): written
    where it points, inside the root, and the link stays."""
    root = make_root()
    os.makedirs(root + "/etc/site")
    open(root + "/etc/site/preload", "w").write("/usr/lib/other.so\n")
    os.symlink("/etc/site/preload", root + "/etc/ld.so.preload")  # absolute: inside the root
    rc, out, err = cgview("enable", "--root", root)
    check("a symlinked ld.so.preload: enable writes its target and keeps the link",
          rc == 0 and os.path.islink(root + "/etc/ld.so.preload")
          and open(root + "/etc/site/preload").read() == "/usr/lib/other.so\n" + SHIM + "\n",
          "rc=%d %r %r" % (rc, err, open(root + "/etc/site/preload").read()))
    rc, out, err = cgview("disable", "--root", root)
    check("... disable takes the line out of the target and keeps the link",
          rc == 0 and os.path.islink(root + "/etc/ld.so.preload")
          and open(root + "/etc/site/preload").read() == "/usr/lib/other.so\n", "rc=%d %r" % (rc, err))
    open(root + "/etc/site/preload", "w").write(SHIM + "\n")
    rc, out, err = cgview("disable", "--root", root)
    check("... with the library its only line, the target is emptied, not removed, and the link stays",
          rc == 0 and os.path.islink(root + "/etc/ld.so.preload") and open(root + "/etc/site/preload").read() == "",
          "rc=%d %r" % (rc, err))
    check("... no temporary file left beside the target", os.listdir(root + "/etc/site") == ["preload"],
          str(os.listdir(root + "/etc/site")))
    shutil.rmtree(root)


def test_symlinked_etc():
    """A root whose etc/ is an absolute symlink: resolved inside the root, never
    on this system (where /private/etc need not exist, or /etc is the host's)."""
    root = make_root()
    shutil.rmtree(root + "/etc")
    os.makedirs(root + "/private/etc")
    os.symlink("/private/etc", root + "/etc")
    rc, out, err = cgview("enable", "--root", root)
    check("etc/ an absolute symlink: enable writes the root's private/etc/ld.so.preload",
          rc == 0 and open(root + "/private/etc/ld.so.preload").read() == SHIM + "\n"
          and not os.path.exists("/private/etc/ld.so.preload"), "rc=%d %r" % (rc, err))
    rc, out, err = cgview("disable", "--root", root)
    check("... and disable removes it there", rc == 0 and not os.path.exists(root + "/private/etc/ld.so.preload"),
          "rc=%d %r" % (rc, err))
    shutil.rmtree(root)


def test_mounted_file():
    """An ld.so.preload with a file mounted over it (a Kubernetes ConfigMap's
    subPath): it cannot be replaced, and the message says why. In a private
    mount namespace, so nothing is left mounted."""
    root = make_root()
    source = root + "/mounted-from"
    open(source, "w").write("/usr/lib/other.so\n")
    open(root + "/etc/ld.so.preload", "w").write("")
    p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                        'mount --bind "$1" "$2/etc/ld.so.preload" || exit 99; exec "$3" enable --root "$2"',
                        "sh", source, root, CGVIEW], capture_output=True, text=True)
    if p.returncode == 99:
        print("(no bind mount here: the mounted-file case not run)")
    else:
        check("a file mounted over ld.so.preload: exit 1, says a file is mounted there",
              p.returncode == 1 and "a file is mounted there" in p.stderr and open(source).read() == "/usr/lib/other.so\n",
              "rc=%d %r" % (p.returncode, p.stderr))
        open(source, "w").write(SHIM + "\n")  # disable would remove the file: a mount cannot be
        p = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                            'mount --bind "$1" "$2/etc/ld.so.preload" || exit 99; exec "$3" disable --root "$2"',
                            "sh", source, root, CGVIEW], capture_output=True, text=True)
        check("... disable too", p.returncode == 1 and "a file is mounted there" in p.stderr, "rc=%d %r" % (p.returncode, p.stderr))
    shutil.rmtree(root)


def test_not_root():
    """Another user than root cannot change the file: said so."""
    # The command and the library copied where that user may run them (the
    # build tree's folders need not be open to it), and into the root.
    tools = tempfile.mkdtemp(prefix="cgview-enable-tools-")
    os.chmod(tools, 0o755)
    shutil.copy(CGVIEW, tools + "/cgview")
    shutil.copy(SHIM, tools + "/libcgview.so")
    root = make_root(library=False)
    os.makedirs(root + tools)
    shutil.copy(SHIM, root + tools + "/libcgview.so")
    os.chmod(root, 0o755)
    p = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", tools + "/cgview",
                        "enable", "--root", root], capture_output=True, text=True)
    check("enable as another user than root: exit 1, says it is root's to change",
          p.returncode == 1 and "Permission denied (the system-wide mode is root's to change)" in p.stderr
          and preload(root) is None, "rc=%d %r" % (p.returncode, p.stderr))
    open(root + "/etc/ld.so.preload", "w").write(tools + "/libcgview.so\n")
    p = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", tools + "/cgview",
                        "disable", "--root", root], capture_output=True, text=True)
    check("... disable too", p.returncode == 1 and "(the system-wide mode is root's to change)" in p.stderr,
          "rc=%d %r" % (p.returncode, p.stderr))
    shutil.rmtree(root)
    shutil.rmtree(tools)


def test_refusals():
    root = make_root(library=False)
    refuses("a missing library", root, "does not exist")
    rc, _, err = cgview("enable", "--root", root)
    check("... and says to copy it in first", "copy it in first" in err, err)
    shutil.rmtree(root)

    # An absolute symlink in an image points into the image: ld.so there follows
    # it inside, so enable must judge the file it leads to there, not on this system.
    root = make_root(library=False)
    elsewhere = "/opt/cgview-%d/libcgview.so" % os.getpid()  # not on this system
    os.makedirs(os.path.dirname(root + elsewhere))
    shutil.copy(SHIM, root + elsewhere)
    os.makedirs(os.path.dirname(root + SHIM))
    os.symlink(elsewhere, root + SHIM)
    rc, out, err = cgview("enable", "--root", root)
    check("a library that is an absolute symlink inside the root is followed there: enabled",
          rc == 0 and preload(root) == SHIM + "\n" and not os.path.exists(elsewhere), "rc=%d %r" % (rc, err))
    os.remove(root + elsewhere)
    os.remove(root + "/etc/ld.so.preload")
    refuses("a symlink to a library missing from the root", root, elsewhere + " does not exist there")
    shutil.rmtree(root)

    root = make_root()
    open(root + SHIM, "wb").write(b"#!/bin/sh\necho not a library\n")
    open(root + "/etc/ld.so.preload", "w").write("/usr/lib/other.so\n")
    refuses("a file that is not ELF", root, "not an ELF file")
    shutil.rmtree(root)

    host_class = open("/proc/self/exe", "rb").read(5)[4]
    root = make_root()
    patched_library(root, 4, bytes([3 - host_class]))  # ELFCLASS32 <-> ELFCLASS64
    refuses("the other ELF class", root, "-bit")
    shutil.rmtree(root)

    root = make_root()
    patched_library(root, 18, b"\x02\x00")  # EM_SPARC, little-endian: no machine here is one
    refuses("another machine", root, "built for sparc (64-bit), this system is ")
    shutil.rmtree(root)

    root = make_root()
    patched_library(root, 16, b"\x02\x00")  # ET_EXEC
    refuses("an executable", root, "not a shared object")
    shutil.rmtree(root)

    root = tempfile.mkdtemp(prefix="cgview-enable-")
    rc, _, err = cgview("enable", "--root", root)
    check("a root without etc/ is an error", rc == 1 and "no such directory" in err and not os.listdir(root),
          "rc=%d %r" % (rc, err))
    rc, _, err = cgview("enable", "--root", root + "/missing")
    check("a root that does not exist is named as such", rc == 1 and err == "cgview: %s/missing: no such directory\n" % root,
          "rc=%d %r" % (rc, err))
    shutil.rmtree(root)


def test_closed_to_others():
    """ld.so opens a preload as each program's user: enable still adds a library an ordinary user
    may not open (root's programs load it), and warns, naming why. The root's own top is
    not judged: it is the directory the image was unpacked into (here mkdtemp's, 0700)."""
    required = stand_ins.versions_required(SHIM)
    root = make_root()
    stand_in_libc(root, required)
    top = os.path.join(root, SHIM.lstrip("/").split("/")[0])
    os.chmod(top, 0o700)
    rc, _, err = cgview("enable", "--root", root)
    want = "cgview: warning: %s: an ordinary user may not search /%s (mode 0700" % (SHIM, os.path.basename(top))
    check("a library under a 0700 directory: enabled, with a warning naming it", rc == 0 and preload(root) == SHIM + "\n"
          and err.startswith(want) and err.count("\n") == 1, "rc=%d %r" % (rc, err))
    shutil.rmtree(root)
    root = make_root()
    stand_in_libc(root, required)
    os.chmod(root + SHIM, 0o600)
    rc, _, err = cgview("enable", "--root", root)
    check("a library of mode 0600: enabled, with a warning", rc == 0 and preload(root) == SHIM + "\n"
          and err.startswith("cgview: warning: %s: an ordinary user may not read it (mode 0600" % SHIM), "rc=%d %r" % (rc, err))
    shutil.rmtree(root)
    # ld.so reads ld.so.preload itself only where the program may: an existing 0600 file keeps
    # its mode, so enable warns, as it does where the file already names the library.
    root = make_root()
    stand_in_libc(root, required)
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write("")
    os.chmod(root + "/etc/ld.so.preload", 0o600)
    for when in ("added", "already there"):
        rc, _, err = cgview("enable", "--root", root)
        want = ("cgview: warning: an ordinary user may not read %s/etc/ld.so.preload (mode 0600, owner 0, group 0): "
                "ld.so reads none of the list's entries in the programs such a user runs, and says nothing "
                "(chmod 644 %s/etc/ld.so.preload)\n" % (root, root))
        check("an ld.so.preload of mode 0600, library %s: a warning naming it" % when,
              rc == 0 and preload(root) == SHIM + "\n" and err == want, "rc=%d %r" % (rc, err))
    os.chmod(root + "/etc/ld.so.preload", 0o644)
    rc, _, err = cgview("enable", "--root", root)
    check("... of mode 0644: no warning", rc == 0 and err == "", "rc=%d %r" % (rc, err))
    shutil.rmtree(root)


def test_usage():
    rc, _, err = cgview("enable", "--root")
    check("enable --root without DIR is a usage error (2)", rc == 2, "rc=%d" % rc)
    rc, _, err = cgview("disable", "extra")
    check("disable with an unknown argument is a usage error (2)", rc == 2, "rc=%d" % rc)


if __name__ == "__main__":
    test_enable_new_file_then_idempotent()
    test_other_lines_untouched()
    test_lib_layout_line()
    test_another_copy()
    test_symlinked_file()
    test_symlinked_etc()
    test_mounted_file()
    test_not_root()
    test_refusals()
    test_glibc_versions()
    test_closed_to_others()
    test_usage()
    print("%d failed" % failures)
    sys.exit(1 if failures else 0)
