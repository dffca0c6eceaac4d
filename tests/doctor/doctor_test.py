#!/usr/bin/python3
"""`cgview doctor` and `cgview run` over real binaries (tests/doctor/CMakeLists.txt builds them).

Makes, in --scratch: a setuid copy, scripts, a truncated ELF, an ELF patched to another machine,
a symlink loop, a directory and two small images for --root; checks each verdict from the JSON
output and the exit status; then `--root /` over this machine (time printed, not asserted) and
spot checks of nproc and java. Prints one line per check and exits 1 on any failure.
Python standard library only.
"""

import argparse
import errno
import json
import re
import os
import shutil
import stat
import struct
import subprocess
import sys
import time
import unicodedata

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import stand_in_libc as stand_ins  # noqa: E402  (an older glibc's symbol versions)

failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok    " if ok else "FAIL  ") + what + ("" if ok else f"\n      {detail}"))
    if not ok:
        failures += 1


def doctor(cgview, *args, env=None, cwd=None):
    r = subprocess.run([cgview, "doctor", "--json", *args], capture_output=True, text=True, env=env, cwd=cwd,
                       timeout=300)
    try:
        data = json.loads(r.stdout)
    except json.JSONDecodeError:
        data = None
    return r.returncode, data, r.stderr


def one(cgview, program, env=None):
    rc, data, err = doctor(cgview, program, env=env)
    if data is None or len(data["programs"]) != 1:
        return rc, {"kind": "?", "reached": None, "reasons": [err], "asks": [], "served_paths": [],
                    "libraries": [], "container_aware": False}
    return rc, data["programs"][0]


def make_scratch(args):
    s = args.scratch
    shutil.rmtree(s, ignore_errors=True)
    os.makedirs(s)
    p = args.programs
    for name in ("doctor_dynamic", "doctor_unreferenced", "doctor_static", "doctor_asan", "doctor_musl", "libdoctor_musl.so", "doctor_go"):
        shutil.copy2(os.path.join(p, name), os.path.join(s, name))
    shutil.copytree(os.path.join(p, "bin"), os.path.join(s, "bin"))
    shutil.copytree(os.path.join(p, "lib"), os.path.join(s, "lib"))
    setuid = os.path.join(s, "setuid_copy")
    shutil.copy2(os.path.join(p, "doctor_dynamic"), setuid)
    os.chmod(setuid, 0o4755)

    def script(name, text, mode=0o755):
        path = os.path.join(s, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    script("script.sh", "#!/bin/sh\necho hi\n")
    script("env_python", "#!/usr/bin/env python3\nprint(1)\n")
    script("static_interp", f"#!{s}/doctor_static\n")
    script("plain_text", "not a program\n", 0o644)
    with open(os.path.join(p, "doctor_dynamic"), "rb") as f:
        real = f.read()
    for name, size in (("truncated", 200), ("truncated_in_program_headers", 100)):
        with open(os.path.join(s, name), "wb") as f:
            f.write(real[:size])
        os.chmod(os.path.join(s, name), 0o755)
    # #! nesting: the kernel runs five scripts deep and fails the sixth (ELOOP);
    # env's own exec starts the count again.
    previous = f"{s}/doctor_dynamic"
    for depth in range(1, 7):
        previous = script(f"nested{depth}.sh", f"#!{previous}\n")
    previous = f"{s}/doctor_dynamic"
    for depth in range(1, 8):
        previous = script(f"env_nested{depth}.sh", f"#!/usr/bin/env {previous}\n")
    script("env_two_words", "#!/usr/bin/env python3 -u\nprint(1)\n")
    script("env_split", "#!/usr/bin/env -S python3 -u\nprint(1)\n")
    script("env_options_one_word", "#!/usr/bin/env -i python3\nprint(1)\n")
    script("crlf.sh", "#!/bin/sh\r\necho hi\r\n")
    script("missing_interpreter", "#!/opt/no-venv/bin/python3\n")
    foreign = bytearray(real)
    foreign[18:20] = (183).to_bytes(2, "little")  # e_machine = EM_AARCH64
    with open(os.path.join(s, "foreign"), "wb") as f:
        f.write(foreign)
    os.chmod(os.path.join(s, "foreign"), 0o755)
    with open(os.path.join(p, "doctor_static"), "rb") as f:
        foreign_static = bytearray(f.read())
    foreign_static[18:20] = (183).to_bytes(2, "little")
    with open(os.path.join(s, "foreign_static"), "wb") as f:
        f.write(foreign_static)
    os.chmod(os.path.join(s, "foreign_static"), 0o755)
    with open(os.path.join(p, "lib", "libdoctor_ask.so"), "rb") as f:  # a library without a soname
        foreign_library = bytearray(f.read())
    foreign_library[18:20] = (183).to_bytes(2, "little")
    with open(os.path.join(s, "foreign_library.so"), "wb") as f:
        f.write(foreign_library)
    os.symlink("loop_b", os.path.join(s, "loop_a"))
    os.symlink("loop_a", os.path.join(s, "loop_b"))
    os.mkdir(os.path.join(s, "adir"))


def test_secure_mode(args, system_wide):
    """Secure mode, where ld.so ignores LD_PRELOAD, as the kernel decides it for each kind of file and
    runner: setuid or setgid to another user or group, file capabilities (setcap's
    security.capability, as Debian gives ping) that give a user other than root something, none
    under no_new_privs (setuid bits) or on a nosuid mount. For each, the real loader's answer
    (the program run with the library preloaded: does it see the memory override?) is what the
    case expects, `cgview run` warns exactly then, and doctor, which judges as an ordinary user
    (not root, not the file's owner or group), agrees with the run by nobody."""
    import tempfile
    where = tempfile.mkdtemp(prefix="cgview-secure-")
    os.chmod(where, 0o755)
    plain = os.path.join(where, "plain")
    shutil.copy2(os.path.join(args.programs, "doctor_dynamic"), plain)

    def caps(effective, permitted, inheritable):  # vfs_cap_data revision 2
        return struct.pack("<IIIII", 0x02000000 | effective, permitted, inheritable, 0, 0)

    def caps_v3(effective, permitted, root_id):  # revision 3: for the user namespace whose root is root_id
        return struct.pack("<IIIIII", 0x03000000 | effective, permitted, 0, 0, 0, root_id)

    net_raw = 1 << 13
    # name: (mode, owner uid, group, security.capability)
    files = {"plain": (0o755, 0, 0, None), "caps_ep": (0o755, 0, 0, caps(1, net_raw, 0)),
             # setcap in a rootless container (its root is uid 1000 here): exec ignores them here.
             # (Revision 3 for this namespace's root the kernel gives back as revision 2 when read.)
             "caps_v3_other_root": (0o755, 0, 0, caps_v3(1, net_raw, 1000)),
             "caps_p": (0o755, 0, 0, caps(0, net_raw, 0)), "caps_i": (0o755, 0, 0, caps(0, 0, net_raw)),
             "caps_none": (0o755, 0, 0, caps(0, 0, 0)), "suid_root": (0o4755, 0, 0, None),
             "suid_daemon": (0o4755, 1, 0, None), "sgid_daemon": (0o2755, 0, 1, None),
             "sgid_root": (0o2755, 0, 0, None), "sgid_no_exec": (0o2745, 0, 1, None)}
    for name, (mode, uid, gid, xattr) in files.items():
        path = os.path.join(where, name)
        if name != "plain":
            shutil.copy2(plain, path)
        os.chown(path, uid, gid)
        os.chmod(path, mode)
        if xattr is not None:
            os.setxattr(path, "security.capability", xattr)
    # How each runner runs a program, and how doctor is told of it. mail (8:8) has its own group
    # among its supplementary ones, as docker gives it (and su, login and ssh do).
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    runners = {"nobody": (nobody, [["--user", "65534:65534"], []]),
               "mail": (["setpriv", "--reuid=8", "--regid=8", "--groups=8"], [["--user", "8:8"]]),
               "root": ([], [["--user", "0:0"]])}
    nosuid_dir = os.path.join(where, "nosuid")
    os.mkdir(nosuid_dir)
    # A private mount namespace with a nosuid tmpfs holding a setuid-to-daemon copy.
    on_nosuid = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o nosuid,mode=755 none {nosuid_dir} && "
                 f"cp -p {where}/suid_daemon {nosuid_dir}/ && exec \"$@\"", "sh"]
    # (runner prefix, runner's name, file, whether the kernel gives secure mode)
    cases = [([], "root", "plain", False), (nobody, "nobody", "plain", False),
             (nobody, "nobody", "caps_ep", True), ([], "root", "caps_ep", False),
             (nobody, "nobody", "caps_p", True), (nobody, "nobody", "caps_i", False),
             (nobody, "nobody", "caps_none", False),
             (nobody, "nobody", "caps_v3_other_root", False),
             ([], "root", "suid_root", False), (nobody, "nobody", "suid_root", True),
             (nobody[:1] + ["--no-new-privs"] + nobody[1:], "nobody, no_new_privs", "suid_root", False),
             ([], "root", "suid_daemon", True), ([], "root", "sgid_daemon", True), ([], "root", "sgid_root", False),
             (nobody, "nobody", "sgid_no_exec", False), (on_nosuid, "root, nosuid mount", "nosuid/suid_daemon", False)]
    for prefix, runner, name, secure in cases:
        path = os.path.join(where, name)
        direct = subprocess.run(prefix + ["env", "CGVIEW_MEMORY=100M", "LD_PRELOAD=" + args.shim, path],
                                capture_output=True, text=True)
        loaded = "MemTotal:         102400 kB" in direct.stdout
        check(system_wide or loaded is not secure, f"{name} run by {runner}: ld.so {'ignores' if secure else 'loads'} "
              "the preload", direct)
        ran = subprocess.run(prefix + [args.cgview, "run", "--memory", "100M", "--", path], capture_output=True,
                             text=True)
        warned = "cannot reach it" in ran.stderr
        check(ran.returncode == 0 and warned is secure and ("102400 kB" in ran.stdout) is (not secure or system_wide),
              f"cgview run of {name} by {runner}: {'warns' if secure else 'no warning'}", ran)
        if prefix is nobody:
            rc, r = one(args.cgview, path)
            check(r["reached"] is (not secure or system_wide)
                  and any(x.startswith("It has file capabilities: the dynamic loader ignores LD_PRELOAD")
                          for x in r["reasons"]) is (secure and name.startswith("caps")),
                  f"doctor {name}: {'not ' if secure else ''}reached, as by nobody", r)
        if "--no-new-privs" in prefix:
            # Doctor under no_new_privs judges every runner with it, as they inherit it: reached,
            # as the run above by nobody with no_new_privs was, and it says why.
            for user in ([], ["--user", "nobody"]):
                judged = subprocess.run(["setpriv", "--no-new-privs", args.cgview, "doctor", "--json", *user, path],
                                        capture_output=True, text=True)
                r = json.loads(judged.stdout)["programs"][0] if judged.stdout.startswith("{") else {}
                check(judged.returncode == 0 and r.get("reached") is True
                      and any("no_new_privs" in x for x in r.get("reasons", [])),
                      f"doctor {' '.join(user)} under no_new_privs: {name} reached, saying why", judged)
    # In an unpacked image, such capabilities are its runtime's (a rootless engine's storage, whose
    # root they were set for): there they count.
    image = make_image(args, "image-caps-v3", False)
    shutil.copy2(os.path.join(where, "caps_v3_other_root"), os.path.join(image, "usr/bin/app"))
    rc, data, err = doctor(args.cgview, "--root", image, "/usr/bin/app")
    r = data["programs"][0] if data else {}
    check(r.get("reached") is False and any(x.startswith("It has file capabilities") for x in r.get("reasons", [])),
          "revision-3 capabilities in an image: its runtime's, secure mode there", (r, err))
    # Setuid, but only its owner and group may execute it (as dbus-daemon-launch-helper, 4754): exec
    # fails for nobody before secure mode matters, and doctor says so, for nobody and an ordinary user.
    group_only = os.path.join(where, "suid_group_only")
    shutil.copy2(plain, group_only)
    os.chown(group_only, 0, 1)
    os.chmod(group_only, 0o4754)
    # Through sh: setpriv's own exec still holds root's capabilities (it drops them at that exec).
    ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0"', group_only], capture_output=True, text=True)
    check(ran.returncode == 126 and "Permission denied" in ran.stderr, "a 4754 program run by nobody: EACCES", ran)
    for user in ([], ["--user", "65534"]):
        rc, data, err = doctor(args.cgview, *user, group_only)
        r = data["programs"][0] if data else {}
        check(rc == 3 and r.get("reached") is False and any("exec fails (EACCES)" in x for x in r.get("reasons", [])),
              f"doctor {' '.join(user)} of a 4754 program: may not be executed, said so", (r, err))
        t = subprocess.run([args.cgview, "doctor", *user, group_only], capture_output=True, text=True)
        check("NO       may not be executed by " in t.stdout, "... the table's why-not says so", t.stdout)
    # A script its runner may execute but not read (0711): the kernel starts its interpreter, which
    # cannot open it. Root (CAP_DAC_OVERRIDE) reads it.
    unreadable_script = os.path.join(where, "script_0711")
    with open(unreadable_script, "w") as f:
        f.write("#!/bin/sh\necho ran\n")
    os.chmod(unreadable_script, 0o711)
    ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0"', unreadable_script], capture_output=True, text=True)
    check(ran.returncode != 0 and "ran" not in ran.stdout and "Permission denied" in ran.stderr,
          "a 0711 script run by nobody: its interpreter cannot open it", ran)
    for user, reached in (([], False), (["--user", "65534"], False), (["--user", "0"], True)):
        rc, data, err = doctor(args.cgview, *user, unreadable_script)
        r = data["programs"][0] if data else {}
        check(r.get("reached") is reached and any("cannot open it (EACCES)" in x for x in r.get("reasons", [])) is not reached,
              f"doctor {' '.join(user)} of a 0711 script: reached {reached}", (r, err))
    # Root running a setuid-root program gains nothing by it: reached, and the reason says why.
    for user, said in (("0", True), ("65534", False)):
        rc, data, err = doctor(args.cgview, "--user", user, os.path.join(where, "suid_root"))
        r = data["programs"][0] if data else {}
        check(any(x.startswith("It is setuid, but its runner, 0:0 (root), gains nothing by it")
                  for x in r.get("reasons", [])) is said and r.get("reached") is (said or system_wide),
              f"doctor --user {user} of a setuid-root program: {'no secure mode, said' if said else 'secure mode'}", (r, err))
    rc, data, err = doctor(args.cgview, "--user", "1:1", group_only)  # its group may: secure mode then
    r = data["programs"][0] if data else {}
    check(r.get("reached") is system_wide and not any("EACCES" in x for x in r.get("reasons", [])),
          "doctor --user 1:1 of a 4754 program of group 1: secure mode, not EACCES", (r, err))
    # A program on a noexec mount: exec fails (EACCES) for anyone, root included.
    noexec_dir = os.path.join(where, "noexec")
    os.mkdir(noexec_dir)
    on_noexec = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o noexec,mode=755 none {noexec_dir} && "
                 f"cp -p {plain} {noexec_dir}/ && {noexec_dir}/plain >/dev/null 2>&1; echo $?; "
                 f"exec {args.cgview} doctor --json {noexec_dir}/plain"]
    ran = subprocess.run(on_noexec, capture_output=True, text=True)
    status, _, judged = ran.stdout.partition("\n")
    r = json.loads(judged)["programs"][0] if judged.strip().startswith("{") else {}
    check(status == "126" and r.get("reached") is False and any("noexec mount" in x for x in r.get("reasons", [])),
          "a program on a noexec mount: EACCES here, and doctor says so", (ran, r))
    # execvp passes over one there (EACCES) to the next in PATH, and `cgview run` of it says exec's
    # EACCES alone. Each line: sh's status, then cgview's stdout and stderr as one JSON line.
    other = os.path.join(where, "exec_ok")
    os.mkdir(other)
    shutil.copy2(plain, os.path.join(other, "plain"))
    report = ("import json, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
              "print(json.dumps([r.stdout, r.stderr]))")
    on_noexec = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o noexec,mode=755 none {noexec_dir} && "
                 f"cp -p {plain} {noexec_dir}/ && export PATH={noexec_dir}:{other}:$PATH && plain >/dev/null; echo $?; "
                 f"python3 -c '{report}' {args.cgview} doctor --json plain; "
                 f"python3 -c '{report}' {args.cgview} run -- {noexec_dir}/plain"]
    ran = subprocess.run(on_noexec, capture_output=True, text=True)
    lines = ran.stdout.splitlines()
    status = lines[0] if lines else ""
    judged, run = (json.loads(x) for x in lines[1:3]) if len(lines) == 3 else (["", ""], ["", ""])
    r = json.loads(judged[0])["programs"][0] if judged[0].startswith("{") else {}
    check(status == "0" and r.get("path") == os.path.join(other, "plain") and r.get("reached") is True,
          "PATH lookup passes over a program on a noexec mount, as execvp does", (ran, r))
    check(run[1] == f"cgview: {noexec_dir}/plain: Permission denied\n",
          "cgview run of a program on a noexec mount: exec's EACCES, no warning before it", (ran, run))
    # execvp passes over a PATH entry its runner may not execute (EACCES) and runs the next: doctor
    # and `cgview run` judge that one, not the first with some execute bit.
    first, second = os.path.join(where, "path1"), os.path.join(where, "path2")
    for d, mode in ((first, 0o744), (second, 0o755)):
        os.mkdir(d)
        os.chmod(d, 0o755)
        shutil.copy2(plain, os.path.join(d, "twice"))
        os.chmod(os.path.join(d, "twice"), mode)
    path_env = dict(os.environ, PATH=f"{first}:{second}:/usr/bin:/bin")
    ran = subprocess.run(nobody + ["sh", "-c", "twice"], capture_output=True, text=True, env=path_env)
    check(ran.returncode == 0, "nobody's PATH lookup passes over a 0744 file to the next", ran)
    for user, want in (([], second), (["--user", "65534"], second), (["--user", "0"], first)):
        rc, data, err = doctor(args.cgview, *user, "twice", env=path_env)
        r = data["programs"][0] if data else {}
        check(rc == 0 and r.get("path") == os.path.join(want, "twice") and r.get("reached") is True,
              f"doctor {' '.join(user)} twice: execvp's choice, {want}", (r, err))
    ran = subprocess.run(nobody + [args.cgview, "run", "--", "twice"], capture_output=True, text=True, env=path_env)
    check(ran.returncode == 0 and "cannot reach it" not in ran.stderr, "cgview run by nobody: no EACCES warning", ran)
    os.chmod(os.path.join(second, "twice"), 0o744)  # none nobody may run: execvp's EACCES, said of the first
    rc, data, err = doctor(args.cgview, "--user", "65534", "twice", env=path_env)
    r = data["programs"][0] if data else {}
    check(r.get("path") == os.path.join(first, "twice") and r.get("reached") is False
          and any("exec fails (EACCES)" in x for x in r.get("reasons", [])), "doctor: none it may run: EACCES", (r, err))
    # A program under a directory its runner may not search (0700): exec fails (EACCES) for nobody,
    # and execvp passes over that PATH entry to the next. Doctor and `cgview run` agree.
    private = os.path.join(where, "private")
    os.makedirs(os.path.join(private, "bin"))
    os.chmod(private, 0o700)
    hidden = os.path.join(private, "bin", "twice")
    shutil.copy2(plain, hidden)
    ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0"', hidden], capture_output=True, text=True)
    check(ran.returncode == 126 and "Permission denied" in ran.stderr, "a program under a 0700 directory run by nobody: EACCES", ran)
    for user, reached in (([], False), (["--user", "65534"], False), (["--user", "0"], True)):
        rc, data, err = doctor(args.cgview, *user, hidden)
        r = data["programs"][0] if data else {}
        check(r.get("reached") is reached
              and any(f"may not search {private} (mode 0700" in x for x in r.get("reasons", [])) is not reached,
              f"doctor {' '.join(user)} of a program under a 0700 directory: reached {reached}", (r, err))
    ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0" run -- "$1"', args.cgview, hidden], capture_output=True, text=True)
    check(ran.returncode == 126 and ran.stderr == f"cgview: {hidden}: Permission denied\n",
          "cgview run by nobody of a program under a 0700 directory: exec's EACCES alone", ran)
    # The same of a script whose interpreter lies there, named by its #! line or found by env in a
    # PATH of such directories alone: `cgview run` by nobody, who cannot look there either, says
    # nothing before exec's (or env's) own EACCES.
    direct, through_env = os.path.join(where, "runs_hidden"), os.path.join(where, "env_finds_hidden")
    for script, line in ((direct, f"#!{hidden}\n"), (through_env, "#!/usr/bin/env twice\n")):
        with open(script, "w") as f:
            f.write(line)
        os.chmod(script, 0o755)
        hidden_path = dict(os.environ, PATH=os.path.dirname(hidden))
        ran = subprocess.run(["/usr/bin/setpriv"] + nobody[1:] + ["/bin/sh", "-c", 'exec "$0" run -- "$1"', args.cgview,
                                                                  script], capture_output=True, text=True, env=hidden_path)
        check(ran.returncode == 126 and "Permission denied" in ran.stderr and "cgview: warning" not in ran.stderr,
              f"cgview run by nobody of {line.strip()}: the EACCES alone", ran)
    # POSIX ACLs (setfacl's system.posix_acl_access, written here as bytes): a 0750 directory whose
    # ACL lets nobody search it, and a 0755 one whose ACL refuses nobody. Doctor reads them as the
    # kernel does, for nobody; an ordinary user is named in neither.
    def acl(*entries):  # (tag, perm, id): 1 owner, 2 a user, 4 the group, 0x10 the mask, 0x20 others
        return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)
    owner, user, group, mask, others = 0x01, 0x02, 0x04, 0x10, 0x20
    for name, entries, nobody_may in (
            ("acl_lets_nobody", ((owner, 7, 0xffffffff), (user, 1, 65534), (group, 5, 0xffffffff),
                                 (mask, 5, 0xffffffff), (others, 0, 0xffffffff)), True),
            ("acl_refuses_nobody", ((owner, 7, 0xffffffff), (user, 0, 65534), (group, 5, 0xffffffff),
                                    (mask, 5, 0xffffffff), (others, 5, 0xffffffff)), False)):
        d = os.path.join(where, name)
        os.mkdir(d)
        os.setxattr(d, "system.posix_acl_access", acl(*entries))
        program = os.path.join(d, "plain")
        shutil.copy2(plain, program)
        ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0"', program], capture_output=True, text=True)
        check((ran.returncode == 0) is nobody_may, f"{name}: nobody's exec {'runs' if nobody_may else 'fails'}", ran)
        for user_args, reached in ((["--user", "65534"], nobody_may), ([], not nobody_may)):
            rc, data, err = doctor(args.cgview, *user_args, program)
            r = data["programs"][0] if data else {}
            check(r.get("reached") is reached, f"doctor {' '.join(user_args)} under {name}: reached {reached}", (r, err))
    os.chmod(os.path.join(second, "twice"), 0o755)
    # env's own PATH search passes over the hidden match too, and doctor names it in the script's reasons.
    rc, data, err = doctor(args.cgview, through_env, env=dict(os.environ, PATH=f"{os.path.dirname(hidden)}:{second}"))
    r = data["programs"][0] if data else {}
    check(r.get("interpreter", {}).get("path") == os.path.join(second, "twice")
          and any(x.startswith(f"PATH names {hidden} before it, but an ordinary user may not search {private}")
                  for x in r.get("reasons", [])), "doctor of #!/usr/bin/env twice: env's execvp's choice, and why", (r, err))
    path_env = dict(os.environ, PATH=f"{os.path.dirname(hidden)}:{second}:/usr/bin:/bin")
    ran = subprocess.run(nobody + ["sh", "-c", "twice"], capture_output=True, text=True, env=path_env)
    check(ran.returncode == 0, "nobody's PATH lookup passes over a directory under a 0700 one", ran)
    for user, want in (([], second), (["--user", "65534"], second), (["--user", "0"], os.path.dirname(hidden))):
        rc, data, err = doctor(args.cgview, *user, "twice", env=path_env)
        r = data["programs"][0] if data else {}
        passed_over = f"PATH names {hidden} before it, but " + ("65534:65534" if user else "an ordinary user") + \
                      f" may not search {private} (mode 0700"
        check(rc == 0 and r.get("path") == os.path.join(want, "twice") and r.get("reached") is True
              and any(x.startswith(passed_over) for x in r.get("reasons", [])) is (want == second),
              f"doctor {' '.join(user)} twice past a 0700 directory: execvp's choice, {want}, and why", (r, err))
    # env -C enters its directory as the runner: one under a 0700 directory fails for nobody
    # (EACCES, env exits 125) before any command runs.
    enter = os.path.join(where, "enter_private")
    with open(enter, "w") as f:
        f.write(f"#!/usr/bin/env -S -C {os.path.dirname(hidden)} ./twice\n")
    os.chmod(enter, 0o755)
    ran = subprocess.run(nobody + ["sh", "-c", 'exec "$0"', enter], capture_output=True, text=True)
    check(ran.returncode == 125 and "cannot change directory" in ran.stderr and "Permission denied" in ran.stderr,
          "env -C into a directory under a 0700 one, run by nobody: env's EACCES", ran)
    for user, reached in ((["--user", "65534"], False), ([], False), (["--user", "0"], True)):
        rc, data, err = doctor(args.cgview, *user, enter)
        r = data["programs"][0] if data else {}
        check(r.get("reached") is reached and any("Permission denied" in x for x in r.get("reasons", [])) is not reached,
              f"doctor {' '.join(user)} of env -C into a directory under a 0700 one: reached {reached}", (r, err))
    shutil.rmtree(where)


def libc_path():
    out = subprocess.run(["ldd", "/bin/true"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libc.so.6 =>" in line:
            return os.path.realpath(line.split("=>")[1].split()[0])
    raise SystemExit("cannot find libc.so.6 through ldd /bin/true")


def make_image(args, name, with_conf_lib, with_loader=True, libc_file="libc.so.6"):
    """A small image: /bin -> usr/bin, /sbin -> /usr/sbin (absolute: must stay inside),
    the loader in /lib64, libc in the multiarch dir, libdoctor_ask.so only through
    /etc/ld.so.conf's include glob. With libc_file="libc-2.31.so", libc.so.6 is a link
    to that file, as in every glibc before 2.34."""
    root = os.path.join(args.scratch, name)
    for d in ("usr/bin", "usr/sbin", "usr/lib/x86_64-linux-gnu", "etc/ld.so.conf.d", "opt/asklib", "lib64"):
        os.makedirs(os.path.join(root, d))
    if with_loader:
        shutil.copy2(os.path.realpath("/lib64/ld-linux-x86-64.so.2"), os.path.join(root, "lib64/ld-linux-x86-64.so.2"))
    os.symlink("usr/bin", os.path.join(root, "bin"))
    os.symlink("/usr/sbin", os.path.join(root, "sbin"))
    shutil.copy2(os.path.join(args.programs, "bin", "doctor_uses_library"), os.path.join(root, "usr/bin/app"))
    shutil.copy2(os.path.join(args.programs, "doctor_static"), os.path.join(root, "usr/sbin/static"))
    shutil.copy2(libc_path(), os.path.join(root, "usr/lib/x86_64-linux-gnu", libc_file))
    if libc_file != "libc.so.6":
        os.symlink(libc_file, os.path.join(root, "usr/lib/x86_64-linux-gnu/libc.so.6"))
    os.symlink("/usr/bin/app", os.path.join(root, "usr/bin/abs-link"))
    os.symlink("/../../../../usr/bin/nproc", os.path.join(root, "usr/bin/escape"))
    os.symlink("loop", os.path.join(root, "usr/bin/loop"))
    with open(os.path.join(root, "usr/bin/script.sh"), "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(root, "usr/bin/script.sh"), 0o755)
    with open(os.path.join(root, "etc/ld.so.conf"), "w") as f:
        f.write("# comment\ninclude /etc/ld.so.conf.d/*.conf\n")
    with open(os.path.join(root, "etc/ld.so.conf.d/ask.conf"), "w") as f:
        f.write("/opt/asklib\n")
    if with_conf_lib:
        shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), os.path.join(root, "opt/asklib"))
    return root


def test_programs(args):
    cg, s = args.cgview, args.scratch
    rc, r = one(cg, f"{s}/doctor_dynamic")
    check(r["kind"] == "glibc-dynamic" and r["reached"] is True and rc == 0, "dynamic C program: glibc-dynamic, reached, exit 0", r)
    check({"sysconf", "fopen"} <= set(r["asks"]), "dynamic C program asks sysconf and fopen", r["asks"])
    check(r["served_paths"] == ["/proc/meminfo"], "dynamic C program names /proc/meminfo only", r["served_paths"])
    check(any(lib["name"] == "libc.so.6" and lib["path"] for lib in r["libraries"]), "its libc.so.6 is found", r["libraries"])
    # An undefined symbol no relocation refers to: ld.so binds nothing to it, and it asks nothing.
    rc, r = one(cg, f"{s}/doctor_unreferenced")
    bound = subprocess.run([f"{s}/doctor_unreferenced"], capture_output=True, text=True,
                           env=dict(os.environ, LD_TRACE_LOADED_OBJECTS="1", LD_WARN="yes", LD_BIND_NOW="1",
                                    LD_DEBUG="bindings", LD_PRELOAD=args.shim))
    binds = set(re.findall(r"binding file \S+doctor_unreferenced \[0\] to \S+libcgview\.so \[0\]: normal symbol `([^']+)'",
                           bound.stderr))
    check(binds == {"sysconf", "fopen"} and set(r["asks"]) == binds,
          "an undefined sched_getaffinity no relocation refers to: not asked, as ld.so binds only sysconf and fopen",
          (r["asks"], binds))
    # Options after the programs count as options; after `--`, a name is a program.
    t = subprocess.run([cg, "doctor", f"{s}/doctor_dynamic", "--json"], capture_output=True, text=True)
    check(t.returncode == 0 and json.loads(t.stdout)["programs"][0]["path"] == f"{s}/doctor_dynamic",
          "doctor PROGRAM --json: JSON for the one program", (t.returncode, t.stdout[:200]))
    t = subprocess.run([cg, "doctor", "--", "--json"], capture_output=True, text=True)
    check(t.returncode == 3 and "--json" in t.stdout and "not found" in t.stdout,
          "doctor -- --json: a program named --json", (t.returncode, t.stdout))

    # A file name that is not UTF-8 (names are bytes): still JSON, with U+FFFD in its place.
    odd = os.path.join(s.encode(), b"odd\xffname")
    shutil.copy2(f"{s}/doctor_dynamic".encode(), odd)
    t = subprocess.run([cg.encode(), b"doctor", b"--json", odd], capture_output=True)
    try:
        odd_report = json.loads(t.stdout.decode("utf-8"))["programs"][0]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError) as e:
        odd_report = {"error": repr(e)}
    check(odd_report.get("program", "").endswith("odd\ufffdname"),
          "a program whose name is not UTF-8: valid UTF-8 JSON, the byte as U+FFFD", odd_report)

    rc, r = one(cg, f"{s}/doctor_static")
    check(r["kind"] == "static" and r["reached"] is False and rc == 3, "-static: static, not reached, exit 3", r)
    check(any("statically linked" in x for x in r["reasons"]), "-static: the reason says statically linked", r["reasons"])

    rc, r = one(cg, f"{s}/doctor_musl")
    check(r["kind"] == "musl" and r["reached"] is False and rc == 3, "musl-gcc: musl, not reached", r)

    go_version = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.split()[2]
    rc, r = one(cg, f"{s}/doctor_go")
    check(r["kind"] == "go" and r["reached"] is False and rc == 3, "Go: go, not reached", r)
    check(r.get("go_version") == go_version, f"Go: version read from build info is {go_version}", r.get("go_version"))
    check(r["container_aware"] is False, f"Go {go_version}: not container-aware", r)
    # The same binary claiming Go 1.25 (its build info rewritten, same length): the runtime
    # that sizes GOMAXPROCS from the cgroup counts as container-aware.
    with open(f"{s}/doctor_go", "rb") as f:
        body = f.read()
    if len(go_version) >= 8:
        newer = "go1.25." + "0" * (len(go_version) - 7)
        with open(f"{s}/doctor_go125", "wb") as f:
            f.write(body.replace(go_version.encode(), newer.encode()))
        os.chmod(f"{s}/doctor_go125", 0o755)
        rc, r = one(cg, f"{s}/doctor_go125")
        check(r.get("go_version") == newer and r["container_aware"] is True and r["reached"] is False,
              f"Go build info saying {newer}: container-aware, still not reached", r)

    with open("/etc/ld.so.preload") if os.path.exists("/etc/ld.so.preload") else open(os.devnull) as f:
        system_wide = "libcgview" in f.read()
    rc, r = one(cg, f"{s}/setuid_copy")
    check(r["kind"] == "glibc-dynamic" and r["reached"] is system_wide, "setuid copy: reached only in the system-wide mode", r)
    check(any("setuid" in x and "cgview enable" in x for x in r["reasons"]), "setuid copy: the reason names cgview enable", r["reasons"])
    test_secure_mode(args, system_wide)

    rc, r = one(cg, f"{s}/script.sh")
    sh = os.path.realpath("/bin/sh")
    check(r["kind"] == "script" and r["reached"] is True and r["interpreter"]["path"] == sh,
          f"#!/bin/sh script: script run by {sh}, reached", r)

    env = dict(os.environ, PATH="/usr/bin:/bin")
    rc, r = one(cg, f"{s}/env_python", env=env)
    interp = r.get("interpreter", {})
    check(r["kind"] == "script" and interp.get("program") == "python3" and interp.get("kind") == "glibc-dynamic"
          and os.path.basename(interp.get("path", "")).startswith("python3") and r["reached"] is True,
          "#!/usr/bin/env python3: python3 looked up in PATH, glibc-dynamic", r)

    rc, r = one(cg, f"{s}/static_interp")
    check(r["kind"] == "script" and r["reached"] is False and r["interpreter"]["kind"] == "static" and rc == 3,
          "a script whose interpreter is static: not reached", r)

    for name, kind, words in (("truncated", "not-elf", "ELF"), ("plain_text", "not-elf", "neither"),
                              ("loop_a", "unreadable", "loop"), ("adir", "unreadable", "directory"),
                              ("no_such_file", "unreadable", "does not exist"), ("foreign", "foreign-arch", "arm64")):
        rc, r = one(cg, f"{s}/{name}")
        check(r["kind"] == kind and r["reached"] is False and rc == 3 and any(words in x for x in r["reasons"]),
              f"{name}: {kind}, reason says '{words}', exit 3", r)

    rc, r = one(cg, f"{s}/foreign")
    check(any("$LIB" in x for x in r["reasons"]), "a dynamic program of another machine: says how to reach it ($LIB)", r)
    check(not any("statically linked" in x for x in r["reasons"]), "... and does not call it static", r)
    rc, r = one(cg, f"{s}/foreign_static")
    check(r["kind"] == "foreign-arch" and r["reached"] is False and not any("$LIB" in x for x in r["reasons"])
          and any("statically linked as well" in x for x in r["reasons"]),
          "a static program of another machine: says no build reaches it, no $LIB advice", r)
    rc, r = one(cg, f"{s}/foreign_library.so")
    check(r["kind"] == "foreign-arch" and not any("statically linked" in x for x in r["reasons"]),
          "a shared library of another machine (no soname): not called static", r)

    # Cut inside its program headers: libelf keeps the headers that fit (none) and no
    # error, which once passed for a library.
    rc, r = one(cg, f"{s}/truncated_in_program_headers")
    check(r["kind"] == "not-elf" and rc == 3 and any("program headers" in x for x in r["reasons"]),
          "an ELF cut inside its program headers: damaged, not a library", r)
    rc, r = one(cg, f"{s}/libdoctor_musl.so")
    check(r["kind"] == "musl" and r["reached"] is False and rc == 3, "a musl shared library: musl, not reached", r)
    rc, r = one(cg, f"{s}/doctor_musl")
    check(not any("libc.so " in x for x in r["reasons"]), "a musl program: its libc.so is its loader, not missing", r)

    for name, reached in (("nested5.sh", True), ("nested6.sh", False), ("env_nested7.sh", True)):
        rc, r = one(cg, f"{s}/{name}")
        check(r["kind"] == "script" and r["reached"] is reached and rc == (0 if reached else 3),
              f"{name}: reached {reached}, as the kernel runs it", r)
    t = subprocess.run([cg, "doctor", f"{s}/nested6.sh"], capture_output=True, text=True)
    check("too deeply" in t.stdout, "six nested #! scripts: too deep", t.stdout)
    rc, r = one(cg, f"{s}/env_two_words", env=env)
    check(r["reached"] is False and any("as one name" in x and "-S" in x for x in r["reasons"]),
          "#!/usr/bin/env python3 -u: env gets one name, not reached, -S suggested", r)
    rc, r = one(cg, f"{s}/env_options_one_word", env=env)
    real = subprocess.run([f"{s}/env_options_one_word"], capture_output=True, text=True, env=env)
    check(r["reached"] is False and rc == 3 and any("as one word" in x and "-S" in x for x in r["reasons"])
          and real.returncode != 0 and "invalid option" in real.stderr,
          "#!/usr/bin/env -i python3: env rejects '-i python3' (as it does here), not reached, -S suggested",
          (r, real.returncode, real.stderr))
    rc, r = one(cg, f"{s}/env_split", env=env)
    check(r["reached"] is True and r["interpreter"]["program"] == "python3", "#!/usr/bin/env -S python3 -u: python3", r)
    rc, r = one(cg, f"{s}/crlf.sh")
    check(r["reached"] is False and any("carriage return" in x for x in r["reasons"]), "a #! line with CRLF: said so", r)
    t = subprocess.run([cg, "doctor", f"{s}/crlf.sh"], capture_output=True, text=True)
    check("carriage return" in t.stdout and "\r" not in t.stdout and "\\r" in t.stdout,
          "text output: why, and the carriage return written as \\r", t.stdout)
    rc, r = one(cg, f"{s}/missing_interpreter")
    t = subprocess.run([cg, "doctor", f"{s}/missing_interpreter"], capture_output=True, text=True)
    check(r["interpreter"]["path"] == "/opt/no-venv/bin/python3" and "there is no /opt/no-venv" in t.stdout,
          "a missing interpreter: its whole path, and the missing directory", (r, t.stdout))

    rc, r = one(cg, f"{s}/bin/doctor_uses_library")
    lib = [x for x in r["libraries"] if x["name"] == "libdoctor_ask.so"]
    check(lib and lib[0]["path"] == f"{s}/lib/libdoctor_ask.so", "$ORIGIN/../lib RUNPATH finds the library", r["libraries"])
    check("sysinfo" in r["asks"] and "/proc/cpuinfo" in r["served_paths"], "a library's asks count for its program", r)

    # glibc's libc.so.6 names a loader (it runs, printing its version) but is a library.
    libc = next(line.split()[-1] for line in open("/proc/self/maps") if "/libc.so.6" in line)
    rc, r = one(cg, libc)
    check(r["kind"] == "library" and r["reached"] is True and rc == 0, "glibc's own libc.so.6: a library, reached", r)
    check(len(r["reasons"]) == 1 and "glibc's C library" in r["reasons"][0]
          and "not the ones it makes inside itself" in r["reasons"][0] and "MALLOC_ARENA_MAX" in r["reasons"][0],
          "glibc's own libc.so.6: one reason, its internal calls named as out of reach", r["reasons"])
    loader = os.path.realpath("/lib64/ld-linux-x86-64.so.2" if os.path.exists("/lib64/ld-linux-x86-64.so.2")
                              else "/lib/ld-linux-aarch64.so.1")
    rc, r = one(cg, loader)
    check(r["kind"] == "library" and r["reasons"] == ["It is glibc's dynamic loader, which loads libcgview.so into "
                                                      "programs and asks nothing cgview answers."],
          "glibc's loader: a library, named as the loader, and no other reason", r)

    rc, data, _ = doctor(cg, f"{s}/doctor_dynamic", f"{s}/script.sh")
    check(rc == 0 and len(data["programs"]) == 2 and data["reached"] == 2, "two reached programs: exit 0", (rc, data))
    rc, data, _ = doctor(cg, f"{s}/doctor_dynamic", f"{s}/doctor_static")
    check(rc == 3 and data["not_reached"] == 1, "one of two not reached: exit 3", rc)
    r = subprocess.run([cg, "doctor", "--bogus"], capture_output=True, text=True)
    check(r.returncode == 2, "doctor --bogus: exit 2", r.returncode)
    r = subprocess.run([cg, "doctor", "--root", f"{s}/no_such_dir"], capture_output=True, text=True)
    check(r.returncode == 1 and r.stderr.count("\n") == 1, "doctor --root missing dir: exit 1, one line", (r.returncode, r.stderr))
    os.makedirs(f"{s}/empty_root/usr/bin", exist_ok=True)
    r = subprocess.run([cg, "doctor", "--root", f"{s}/empty_root"], capture_output=True, text=True)
    check(r.returncode == 1 and r.stderr.count("\n") == 1 and "no ELF programs" in r.stderr and r.stdout == "",
          "doctor --root over a tree with no programs: exit 1, one line", (r.returncode, r.stdout, r.stderr))
    r = subprocess.run([cg, "doctor", f"{s}/doctor_static"], capture_output=True, text=True)
    check(r.returncode == 3 and "static" in r.stdout and "PROGRAM" in r.stdout, "text output: a table with the kind", r.stdout)
    # A path longer than the program column (48) takes a line of its own; the columns stay
    # under their headings, for it and for a short one.
    deep = os.path.join(s, "a-folder-name-long-enough-to-pass-the-column", "static")
    os.makedirs(os.path.dirname(deep), exist_ok=True)
    shutil.copy2(f"{s}/doctor_static", deep)
    # Names are padded by the columns a terminal gives them: a character of two UTF-8 bytes
    # takes one, a combining accent none, a CJK character two; a byte that is not UTF-8, one.
    accented = os.path.join(s, "caf\u00e9")
    combining = os.path.join(s, "cafe\u0301")
    wide = os.path.join(s, "\u7a0b\u5e8f")
    for name in (accented, combining, wide):
        shutil.copy2(f"{s}/doctor_static", name)
    stray = os.path.join(s, "bad\udcff")  # the byte 0xff, as Python's file system encoding keeps it
    shutil.copy2(f"{s}/doctor_static", os.fsencode(stray))
    r = subprocess.run([cg, "doctor", deep, "/bin/true", accented, combining, wide, stray], capture_output=True,
                       text=True, errors="surrogateescape")
    lines = r.stdout.splitlines()
    rows = [line for line in lines if not re.match(r"    \S", line)]  # less the reasons

    def column_of(line, text):
        """The terminal column `text` starts at in `line`."""
        head = line[:line.find(text)]
        return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
                   for c in head)

    # A C1 control (U+009B, a CSI some terminals act on) is written as an escape.
    c1 = os.path.join(s, "c1\u009bname")
    shutil.copy2(f"{s}/doctor_static", c1)
    t = subprocess.run([cg, "doctor", c1], capture_output=True)
    check(b"\xc2\x9b" not in t.stdout and b"c1\\u009bname" in t.stdout, "a C1 control in a name: escaped", t.stdout)

    kind_at = column_of(lines[0], "KIND") if lines else -1
    check(len(rows) >= 9 and rows[1] == deep and rows[2].startswith(" " * kind_at)
          and column_of(rows[2], "static ") == kind_at and column_of(rows[3], "glibc-dynamic ") == kind_at
          and all(row.startswith(name + " ") and column_of(row, "static ") == kind_at
                  for row, name in zip(rows[4:8], (accented, combining, wide, stray))),
          "text output: a long path on its own line, the columns aligned under their headings", r.stdout)


def test_images(args):
    cg = args.cgview
    root = make_image(args, "image", True)
    rc, data, err = doctor(cg, "--root", root)
    paths = sorted(p["path"] for p in data["programs"]) if data else []
    check(paths == ["/usr/bin/app", "/usr/sbin/static"], "--root scan: each ELF program once (/bin, /sbin, links deduped)", (paths, err))
    check(rc == 3, "--root scan with a static program: exit 3", rc)
    app = [p for p in data["programs"] if p["path"] == "/usr/bin/app"][0] if data else {}
    libs = {x["name"]: x["path"] for x in app.get("libraries", [])}
    check(libs.get("libdoctor_ask.so") == "/opt/asklib/libdoctor_ask.so", "ld.so.conf include glob resolves inside the root", libs)
    check(libs.get("libc.so.6") == "/usr/lib/x86_64-linux-gnu/libc.so.6", "libc found in the root's multiarch dir", libs)
    check("sysinfo" in app.get("asks", []), "the image's library asks sysinfo", app.get("asks"))
    check(app.get("reached") is True, "a glibc program with its loader in the image is reached", app)

    # Before glibc 2.34 libc.so.6 links to libc-2.NN.so: the strings glibc names for its own
    # sysconf and get_nprocs must be left out there too (they were counted as the program's).
    old_libc = make_image(args, "image-old-libc-name", True, libc_file="libc-2.31.so")
    rc, old_data, err = doctor(cg, "--root", old_libc, "/usr/bin/app")
    old_app = old_data["programs"][0] if old_data else {}
    check(old_app.get("served_paths") == app.get("served_paths"),
          "libc.so.6 -> libc-2.31.so: glibc's own paths left out as with libc.so.6 itself",
          (old_app.get("served_paths"), app.get("served_paths"), err))

    # A glibc older than the shim requires: ld.so would stop every program the library is
    # preloaded into, so no glibc program of that image is reached (a static one is as before).
    required = stand_ins.versions_required(args.shim)
    too_old = make_image(args, "image-glibc-too-old", True)
    libc_dir = os.path.join(too_old, "usr/lib/x86_64-linux-gnu")
    stand_ins.build(os.path.join(libc_dir, "libc.so.6"), required[:-1])
    check(stand_ins.ld_so_missing(args.shim, libc_dir) == [required[-1]],
          "the stand-in glibc lacks %s for ld.so itself" % required[-1], stand_ins.ld_so_missing(args.shim, libc_dir))
    rc, data, err = doctor(cg, "--root", too_old)
    got = {p["path"]: p for p in data["programs"]} if data else {}
    app_old = got.get("/usr/bin/app", {})
    check(rc == 3 and app_old.get("reached") is False and app_old.get("kind") == "glibc-dynamic"
          and any("lacks %s, which libcgview.so requires" % required[-1] in x for x in app_old.get("reasons", []))
          and not any("load libcgview.so into it" in x for x in app_old.get("reasons", [])),
          "a glibc older than the library requires: its program not reached, the missing version named", (rc, app_old, err))
    check(got.get("/usr/sbin/static", {}).get("kind") == "static", "... its static program judged as before", got.keys())
    t = subprocess.run([cg, "doctor", "--root", too_old, "/usr/bin/app"], capture_output=True, text=True)
    check(t.returncode == 3 and "uses a glibc older than libcgview.so requires" in t.stdout,
          "text output: the old glibc is the reason", t.stdout)
    # Nor a setuid program there, even with the system-wide mode on, nor a library.
    shutil.copy2(os.path.join(too_old, "usr/bin/app"), os.path.join(too_old, "usr/bin/suid-app"))
    os.chmod(os.path.join(too_old, "usr/bin/suid-app"), 0o4755)
    with open(os.path.join(too_old, "etc/ld.so.preload"), "w") as f:
        f.write("/usr/lib/libcgview.so\n")
    rc, data, _ = doctor(cg, "--root", too_old, "/usr/bin/suid-app", "/opt/asklib/libdoctor_ask.so")
    got = data["programs"] if data else []
    check(rc == 3 and [(p["kind"], p["reached"]) for p in got] == [("glibc-dynamic", False), ("library", False)]
          and all(any("lacks %s" % required[-1] in x for x in p["reasons"]) for p in got)
          and not any("loads libcgview.so here" in x or "cgview reaches it" in x for p in got for x in p["reasons"]),
          "in that root a setuid program (system-wide mode on) and a library are not reached either", (rc, got))

    # Without its loader the program cannot start there: not reached, and the reason says why.
    no_loader = make_image(args, "image-without-loader", True, with_loader=False)
    rc, data, _ = doctor(cg, "--root", no_loader, "/usr/bin/app")
    r = data["programs"][0] if data else {}
    check(rc == 3 and r.get("reached") is False
          and any("missing from this root: it cannot start here" in x for x in r.get("reasons", []))
          and not any("load libcgview.so into it" in x for x in r.get("reasons", [])),
          "a glibc program whose loader is missing from the root is not reached", (rc, r))
    t = subprocess.run([cg, "doctor", "--root", no_loader, "/usr/bin/app"], capture_output=True, text=True)
    check(t.returncode == 3 and "cannot start: its loader /lib64/ld-linux-x86-64.so.2 is missing from this root" in t.stdout,
          "text output: the loader named where it is not reached", t.stdout)

    rc, data, _ = doctor(cg, "--root", root, "app", "/bin/abs-link", "/sbin/static", "/usr/bin/escape", "/usr/bin/loop")
    got = [(p["path"], p["kind"]) for p in data["programs"]] if data else []
    check(got[:3] == [("/usr/bin/app", "glibc-dynamic"), ("/usr/bin/app", "glibc-dynamic"), ("/usr/sbin/static", "static")],
          "--root: PATH lookup and absolute symlinks resolve inside the root", got)
    check(len(got) == 5 and got[3][1] == "unreadable" and got[4][1] == "unreadable",
          "--root: '..' does not climb out of the root; a loop is a reason", got)

    # A name PATH holds only as a dangling symlink (to a removed JDK, say) or a directory: execvp
    # passes over it, and the reason names the entry, as the user sees the name there.
    os.symlink("/opt/jdk-gone/bin/java", root + "/usr/bin/java")
    os.makedirs(root + "/usr/bin/tools", exist_ok=True)
    rc, data, _ = doctor(cg, "--root", root, "java", "tools", "nosuch")
    why = [p.get("reasons", [""])[0] for p in data["programs"]] if data else []
    check(rc == 3 and why == [
        "java is not found in PATH; /usr/bin/java is a symlink to /opt/jdk-gone/bin/java, which does not exist "
        "(there is no /opt/jdk-gone).",
        "tools is not found in PATH; /usr/bin/tools is not an executable file.",
        "nosuch is not found in PATH."][:len(why)] and len(why) == 3,
          "--root: a dangling symlink or a directory in PATH is named where the name is not found", why)
    os.unlink(root + "/usr/bin/java")
    os.rmdir(root + "/usr/bin/tools")

    bare = make_image(args, "image-without-lib", False)
    rc, data, _ = doctor(cg, "--root", bare, "/usr/bin/app")
    r = data["programs"][0] if data else {}
    check(any("libdoctor_ask.so" in x and "not found" in x for x in r.get("reasons", [])),
          "a library missing from the root is reported", r.get("reasons"))
    shutil.copy2(os.path.join(args.programs, "doctor_musl"), os.path.join(bare, "usr/bin/muslapp"))
    rc, data, _ = doctor(cg, "--root", bare, "muslapp")
    r = data["programs"][0] if data else {}
    check(r.get("kind") == "musl" and any("ld-musl" in x and "missing from this root" in x for x in r.get("reasons", [])),
          "a loader missing from the root is reported", r)


def copy_for_machine(source, target, machine):
    """A copy of an ELF file claiming another e_machine (libelf still reads the rest)."""
    with open(source, "rb") as f:
        body = bytearray(f.read())
    body[18:20] = machine.to_bytes(2, "little")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(body)
    os.chmod(target, 0o755)


def loader_lib_token():
    """What this system's loader puts for $LIB, as it says (glibc 2.33+)."""
    out = subprocess.run([os.path.realpath("/lib64/ld-linux-x86-64.so.2"), "--list-diagnostics"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("dl_dst_lib="):
            return line.split("=", 1)[1].strip('"')
    raise SystemExit("this loader does not say its $LIB (ld.so --list-diagnostics, glibc 2.33+)")


def test_lib_layout(args):
    """Preload entries naming libcgview.so through $LIB: ld.so expands the token for each program
    to the value compiled into its loader, so each program is judged with the build the entry gives
    it (README: images that run programs of more than one build). The arm64 program is a copy of an x86-64 one
    claiming EM_AARCH64; its "build" a copy of the shim claiming the same."""
    cg = args.cgview
    em_aarch64 = 183
    # A loader whose compiled-in $LIB is lib64 (Red Hat's x86-64 layout; a stand-in file holding
    # that string), and Debian's real loader bundled in /opt, reached through /lib64's symlink:
    # its value, lib/x86_64-linux-gnu, whatever directory it lies in. Spelled $LIB and ${LIB}.
    for layout, token, spelling in (("lib64", "lib64", "$LIB"), ("bundled", "lib/x86_64-linux-gnu", "${LIB}")):
        root = make_image(args, "image-lib-" + layout, True, with_loader=False)
        loader = "/lib64/ld-linux-x86-64.so.2"
        if layout == "lib64":
            with open(root + loader, "wb") as f:
                f.write(b"\x7fELF stand-in loader\0/etc/ld.so.preload\0lib64\0")
        else:
            bundled = "/opt/bundled/ld-linux-x86-64.so.2"
            os.makedirs(os.path.dirname(root + bundled))
            shutil.copy2(os.path.realpath(loader), root + bundled)
            os.symlink(bundled, root + loader)
        copy_for_machine(root + "/usr/bin/app", root + "/usr/bin/arm-app", em_aarch64)
        entry = f"/usr/{spelling}/libcgview.so"
        with open(root + "/etc/ld.so.preload", "w") as f:
            f.write(f"# {entry} commented out, and a real line:\n{entry}\n")
        build = f"/usr/{token}/libcgview.so"

        def judge(program):
            rc, data, err = doctor(cg, "--root", root, program)
            return data["programs"][0] if data else {"kind": "?", "reached": None, "reasons": [err]}

        r = judge("/usr/bin/arm-app")
        check(r["kind"] == "foreign-arch" and r["reached"] is False
              and any(f"'{entry}' names {build} for it, which does not exist" in x for x in r["reasons"]),
              f"{layout}: no build at {build}: the arm64 program is foreign-arch, the missing file named", r)
        r = judge("/usr/bin/app")
        check(r["kind"] == "glibc-dynamic" and r["reached"] is False
              and any(f"names {build} for it, which does not exist" in x for x in r["reasons"]),
              f"{layout}: ... and the x86-64 program, which the entry gives no library either, is not reached", r)
        os.makedirs(os.path.dirname(root + build), exist_ok=True)
        shutil.copy2(args.shim, root + build)
        r = judge("/usr/bin/arm-app")
        check(r["kind"] == "foreign-arch" and any(f"names {build} for it, which is built for x86-64" in x
                                                   for x in r["reasons"]),
              f"{layout}: an x86-64 build at {build}: the arm64 program is not reached, the build's machine named", r)
        r = judge("/usr/bin/app")
        check(r["kind"] == "glibc-dynamic" and r["reached"] is True
              and any(f"ld.so loads {build} into it" in x and f"'{entry}'" in x for x in r["reasons"]),
              f"{layout}: ... which reaches the x86-64 program", r)
        copy_for_machine(args.shim, root + build, em_aarch64)
        r = judge("/usr/bin/arm-app")
        check(r["kind"] == "glibc-dynamic" and r["reached"] is True
              and any(f"ld.so loads {build} into it, a build of libcgview.so for it" in x for x in r["reasons"]),
              f"{layout}: an arm64 build at {build}: the arm64 program is reached through it", r)
        # Another entry before it, which gives it nothing: still reached, and ld.so's error named.
        with open(root + "/etc/ld.so.preload", "w") as f:
            f.write(f"/nowhere/$LIB/libcgview.so {entry}\n")
        r = judge("/usr/bin/arm-app")
        check(r["reached"] is True and any(f"/nowhere/{token}/libcgview.so for it, which does not exist" in x
                                           for x in r["reasons"]),
              f"{layout}: an entry before it that gives it no build: reached, that entry's error named", r)
        # A setuid program loads only what ld.so.preload names, which gives it this build.
        shutil.copy2(root + "/usr/bin/arm-app", root + "/usr/bin/arm-suid")
        os.chmod(root + "/usr/bin/arm-suid", 0o4755)
        r = judge("/usr/bin/arm-suid")
        check(r["reached"] is True and any("setuid" in x and f"loads {build} into it here" in x for x in r["reasons"]),
              f"{layout}: the setuid arm64 program is reached through /etc/ld.so.preload", r)

    # On the running system, LD_PRELOAD's entries count too, relative ones from the working
    # directory; a setuid program ignores them. (This system's own programs: an arm64 one would
    # be judged against the arm64 glibc that cross builds install here.)
    layout = os.path.join(args.scratch, "lib-layout")
    token = loader_lib_token()
    os.makedirs(os.path.join(layout, token))
    shutil.copy2(args.shim, os.path.join(layout, token, "libcgview.so"))
    program = os.path.join(args.scratch, "doctor_dynamic")
    with open("/etc/ld.so.preload") if os.path.exists("/etc/ld.so.preload") else open(os.devnull) as f:
        system_wide = "libcgview" in f.read()
    for value, cwd in ((os.path.join(layout, "$LIB/libcgview.so"), None), ("$LIB/libcgview.so", layout)):
        env = dict(os.environ, LD_PRELOAD=value)
        r = subprocess.run([cg, "doctor", "--json", program, f"{args.scratch}/setuid_copy"], capture_output=True,
                           text=True, env=env, cwd=cwd)
        got = json.loads(r.stdout)["programs"] if r.stdout.startswith("{") else []
        check(len(got) == 2 and got[0]["reached"] is True
              and any(f"loads {layout}/{token}/libcgview.so into it" in x for x in got[0]["reasons"]),
              f"LD_PRELOAD={value} (from {cwd or 'anywhere'}): the program is reached through it", (got, r.stderr))
        if not system_wide:
            check(len(got) == 2 and got[1]["reached"] is False and any("setuid" in x for x in got[1]["reasons"]),
                  f"LD_PRELOAD={value}: a setuid program, which ignores LD_PRELOAD, is not", got)
    # A build its runner may not open (0600): ld.so, opening it as the program's user, prints its
    # error for nobody and loads nothing; doctor says so for nobody and an ordinary user, not root.
    os.chmod(os.path.join(layout, token, "libcgview.so"), 0o600)
    env = dict(os.environ, LD_PRELOAD=os.path.join(layout, "$LIB/libcgview.so"))
    ran = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", 'exec "$0"', program],
                         capture_output=True, text=True, env=env)
    check("cannot be preloaded" in ran.stderr, "a 0600 $LIB build, run by nobody: ld.so's error", ran)
    for user, reached in (([], False), (["--user", "65534"], False), (["--user", "0"], True)) if not system_wide else ():
        r = subprocess.run([cg, "doctor", "--json", *user, program], capture_output=True, text=True, env=env)
        got = json.loads(r.stdout)["programs"][0] if r.stdout.startswith("{") else {}
        check(got.get("reached") is reached
              and any("is closed to its runner" in x and "may not read it (mode 0600" in x
                      for x in got.get("reasons", [])) is not reached,
              f"doctor {' '.join(user)} with a 0600 $LIB build: reached {reached}", (got, r.stderr))
    os.remove(os.path.join(layout, token, "libcgview.so"))
    rc, r = one(cg, program, env=dict(os.environ, LD_PRELOAD=os.path.join(layout, "$LIB/libcgview.so")))
    check(r["reached"] is False and any("which does not exist" in x for x in r["reasons"]),
          "LD_PRELOAD naming a $LIB layout without this class's build: not reached", r)
    # Entries ld.so expands otherwise ($LIBX is no token; $PLATFORM is one this does not know)
    # leave the verdict as without them.
    for value in ("/nonexistent/$LIBX/libcgview.so", "/nonexistent/$PLATFORM/$LIB/libcgview.so"):
        rc, r = one(cg, os.path.join(args.scratch, "doctor_dynamic"), env=dict(os.environ, LD_PRELOAD=value))
        check(r["reached"] is True and not any("preload entry" in x for x in r["reasons"]),
              f"LD_PRELOAD={value}: not judged by that entry", r)
    shutil.copy2(args.shim, os.path.join(layout, token, "libcgview.so"))
    # With such a line in the running system's /etc/ld.so.preload (a tmpfs over /etc in a mount
    # namespace of its own), `cgview run` adds none of its own: the line loads each program's
    # build, and a second copy would be mapped beside it.
    check(os.geteuid() == 0, "runs as root (a mount namespace for /etc/ld.so.preload)")
    script = ("mount -t tmpfs none /etc && echo \"$1\" > /etc/ld.so.preload && "
              "\"$2\" run --cpus 1 -- /bin/sh -c 'nproc; grep -o \"[^ ]*libcgview.so\" /proc/self/maps | sort -u'")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                        os.path.join(layout, "$LIB/libcgview.so"), cg], capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})
    check(r.stdout.split() == ["1", f"{layout}/{token}/libcgview.so"] and r.stderr == "",
          "/etc/ld.so.preload naming a $LIB layout: cgview run loads that build alone, and says nothing",
          (r.stdout, r.stderr))
    # Where that line gives this class no build, cgview run adds its own, which serves it.
    missing = os.path.join(args.scratch, "lib-layout-empty", "$LIB/libcgview.so")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", missing, cg],
                       capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})
    check(r.stdout.split()[:1] == ["1"] and os.path.realpath(args.shim) in r.stdout and "cgview:" not in r.stderr,
          "/etc/ld.so.preload naming a $LIB layout without this class's build: cgview run adds its own",
          (r.stdout, r.stderr))
    # Comments as glibc's loader reads them: it misses a '#' far enough down the file, and
    # loads that line's words. The entries `cgview doctor` reports are the ones ld.so tries.
    preload = ("# the first comment, long enough to move the loader's search window on\n"
               "/nonexistent/a.so\n/nonexistent/b.so # a comment after an entry\n"
               "# a later comment the loader does not see\n/nonexistent/c.so\n")
    probe = ("mount -t tmpfs none /etc && printf %s \"$1\" > /etc/ld.so.preload && /bin/true; "
             "\"$2\" doctor --json")
    r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", probe, "sh", preload, cg],
                       capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "LD_PRELOAD"})
    tried = [line.split("'")[1] for line in r.stderr.splitlines() if "from /etc/ld.so.preload cannot be preloaded" in line]
    tried = list(dict.fromkeys(tried))  # ld.so complains once per entry in each program
    reported = []
    try:
        reported = [p["path"] for p in json.loads(r.stdout)["preloads"] if p["source"] == "/etc/ld.so.preload"]
    except (ValueError, KeyError):
        pass
    check(tried and reported == tried and "/nonexistent/c.so" in tried,
          "/etc/ld.so.preload with comments: doctor's entries are the ones ld.so tries", (tried, reported, r.stderr))
    # musl's loader neither reads ld.so.preload nor expands $LIB.
    rc, r = one(cg, os.path.join(args.scratch, "doctor_musl"),
                env=dict(os.environ, LD_PRELOAD=os.path.join(layout, "$LIB/libcgview.so")))
    check(r["kind"] == "musl" and not any("preload entry" in x for x in r["reasons"]),
          "a musl program is not judged by a $LIB entry", r)


def test_other_ports_loader_name(args):
    """glibc's loader is /lib/ld.so.1 on MIPS, 32-bit PowerPC, s390 and m68k (not ld-linux*): a
    $LIB entry gives such a program the build in its port's multiarch directory, which the loader's
    own header names (Debian's mips64el: lib/mips64el-linux-gnuabi64). The program is a copy of an
    x86-64 one claiming EM_MIPS with its PT_INTERP rewritten; the loader and the "build" are copies
    of the shim claiming the same."""
    cg = args.cgview
    em_mips = 8
    root = make_image(args, "image-ld-so-1", True)
    program = root + "/usr/bin/mips-app"
    copy_for_machine(root + "/usr/bin/app", program, em_mips)
    with open(program, "rb") as f:
        body = f.read()
    interp = b"/lib64/ld-linux-x86-64.so.2\0"
    check(body.count(interp) == 1, "the x86-64 program names its loader once")
    body = body.replace(interp, b"/lib/ld.so.1".ljust(len(interp), b"\0"))
    with open(program, "wb") as f:
        f.write(body)
    token = "lib/mips64el-linux-gnuabi64"
    copy_for_machine(args.shim, root + "/lib/ld.so.1", em_mips)
    with open(root + "/lib/ld.so.1", "ab") as f:
        f.write(b"\0" + token.encode() + b"\0")
    entry = "/usr/$LIB/libcgview.so"
    build = f"/usr/{token}/libcgview.so"
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write(entry + "\n")
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/mips-app")
    r = data["programs"][0] if data else {"kind": "?", "reached": None, "reasons": [err]}
    check(r["kind"] == "foreign-arch" and r["reached"] is False
          and any(f"'{entry}' names {build} for it, which does not exist" in x for x in r["reasons"]),
          "a MIPS program whose loader is /lib/ld.so.1: the $LIB entry's missing build is named", r)
    copy_for_machine(args.shim, root + build, em_mips)
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/mips-app")
    r = data["programs"][0] if data else {"kind": "?", "reached": None, "reasons": [err]}
    check(r["kind"] == "glibc-dynamic" and r["reached"] is True
          and any(f"ld.so loads {build} into it, a build of libcgview.so for it" in x for x in r["reasons"]),
          "... and with a MIPS build there, the program is reached through it", r)


def big_endian_copy(source, target):
    """A copy of an x86-64 ELF file whose header says big-endian, e_machine still x86-64's: what
    ld.so takes for a file of its class but the other byte order. Only the header reads right."""
    with open(source, "rb") as f:
        body = bytearray(f.read())
    body[5] = 2  # EI_DATA = ELFDATA2MSB
    body[16:20] = bytes(reversed(body[16:18])) + bytes(reversed(body[18:20]))  # e_type, e_machine
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(body)


def test_byte_order(args):
    """A build loads with a program only of its byte order: a $LIB build, a program, and a library
    in ld.so.conf's directories that say big-endian are judged as ld.so judges them (ldconfig
    leaves such a library out of ld.so.cache: the search goes on)."""
    cg = args.cgview
    root = make_image(args, "image-byte-order", True)
    entry = "/usr/$LIB/libcgview.so"
    build = "/usr/lib/x86_64-linux-gnu/libcgview.so"
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write(entry + "\n")
    big_endian_copy(args.shim, root + build)
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/app")
    r = data["programs"][0] if data else {"reached": None, "reasons": [err]}
    check(r["reached"] is False and any(f"names {build} for it, which is built for x86-64 (64-bit, big-endian)" in x
                                        for x in r["reasons"]),
          "a $LIB build saying big-endian: not loaded into the x86-64 program, the byte order named", r)
    os.remove(root + build)
    os.remove(root + "/etc/ld.so.preload")
    # Only the header: libelf reads it whole.
    header = (b"\x7fELF" + bytes([2, 2, 1]) + bytes(9) + struct.pack(">HHIQQQIHHHHHH", 2, 62, 1, 0, 0, 0, 0, 64, 0,
                                                                       0, 0, 0, 0))
    with open(root + "/usr/bin/be-app", "wb") as f:
        f.write(header)
    os.chmod(root + "/usr/bin/be-app", 0o755)
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/be-app")
    r = data["programs"][0] if data else {"kind": "?", "reasons": [err]}
    check(r["kind"] == "foreign-arch" and any("built for x86-64 (64-bit, big-endian) and libcgview.so for x86-64 "
                                              "(64-bit)" in x for x in r["reasons"]),
          "a program saying big-endian x86-64 is foreign-arch, its byte order named", r)
    # ld.so.conf's directory comes first: a big-endian libdoctor_ask.so there, the real one later.
    shutil.move(root + "/opt/asklib/libdoctor_ask.so", root + "/usr/lib/x86_64-linux-gnu/libdoctor_ask.so")
    big_endian_copy(root + "/usr/lib/x86_64-linux-gnu/libdoctor_ask.so", root + "/opt/asklib/libdoctor_ask.so")
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/app")
    r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
    check({"name": "libdoctor_ask.so", "path": "/usr/lib/x86_64-linux-gnu/libdoctor_ask.so"} in r["libraries"],
          "a big-endian library first in ld.so.conf's directories is passed over: the program's own is found", r)


def with_runpath(source, target, runpath):
    """A copy of doctor_uses_library whose RUNPATH ($ORIGIN/../lib) reads `runpath` instead, written
    over it in its string table (no longer than the original)."""
    with open(source, "rb") as f:
        body = f.read()
    old = b"$ORIGIN/../lib\0"
    assert body.count(old) == 1 and len(runpath) < len(old), "doctor_uses_library's RUNPATH is $ORIGIN/../lib"
    with open(target, "wb") as f:
        f.write(body.replace(old, runpath.encode().ljust(len(old), b"\0")))
    os.chmod(target, 0o755)


def dynamic_entries(body):
    """The file offsets of a 64-bit little-endian ELF file's dynamic entries."""
    phoff, = struct.unpack_from("<Q", body, 32)
    phentsize, phnum = struct.unpack_from("<HH", body, 54)
    for i in range(phnum):
        if struct.unpack_from("<I", body, phoff + i * phentsize)[0] == 2:  # PT_DYNAMIC
            offset, = struct.unpack_from("<Q", body, phoff + i * phentsize + 8)
            size, = struct.unpack_from("<Q", body, phoff + i * phentsize + 32)
            return list(range(offset, offset + size, 16))
    raise AssertionError("no PT_DYNAMIC")


def runpath_to_rpath(path, keep_runpath_skip=None):
    """Makes the DT_RUNPATH of a 64-bit little-endian ELF file its DT_RPATH (in place); with
    keep_runpath_skip=N, keeps it and adds a DT_RPATH of its string less its first N bytes, in the
    spare DT_NULL entries linkers leave (a file with both, as older linkers wrote)."""
    with open(path, "r+b") as f:
        body = bytearray(f.read())
        entries = dynamic_entries(body)
        runpath = next(at for at in entries if struct.unpack_from("<q", body, at)[0] == 29)  # DT_RUNPATH
        if keep_runpath_skip is None:
            struct.pack_into("<q", body, runpath, 15)  # DT_RPATH
        else:
            spare = [at for at in entries if struct.unpack_from("<q", body, at)[0] == 0]
            assert len(spare) >= 2, "no spare dynamic entry"
            value, = struct.unpack_from("<Q", body, runpath + 8)
            struct.pack_into("<qQ", body, spare[0], 15, value + keep_runpath_skip)
        f.seek(0)
        f.write(body)


def renamed_needed(source, target, old, new):
    """A copy of `source` whose dynamic string `old` reads `new` (no longer)."""
    with open(source, "rb") as f:
        body = f.read()
    old_bytes = old.encode() + b"\0"
    assert old_bytes in body and len(new) <= len(old), (source, old)
    with open(target, "wb") as f:
        f.write(body.replace(old_bytes, new.encode().ljust(len(old_bytes), b"\0")))
    os.chmod(target, 0o755)


def test_dynamic_string_tokens(args):
    """ld.so expands $ORIGIN, $LIB and $PLATFORM in every DT_NEEDED name, with a '/' or without,
    and $ORIGIN in the executable's DT_RPATH is the executable's directory even where a library's
    dependency is searched through it."""
    cg = args.cgview
    root = make_image(args, "image-tokens", True)

    def libraries(program):
        rc, data, err = doctor(cg, "--root", root, program)
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
        return {x["name"]: x["path"] for x in r["libraries"]}, r

    # NEEDED lib$PLATFORM.so: a name without '/', searched (the RUNPATH $ORIGIN/../lib: /usr/lib).
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/needs-platform", "libdoctor_ask.so", "lib$PLATFORM.so")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), root + "/usr/lib/libx86_64.so")
    found, r = libraries("/usr/bin/needs-platform")
    check(found.get("lib$PLATFORM.so") == "/usr/lib/libx86_64.so", "NEEDED lib$PLATFORM.so: libx86_64.so found", r)
    # Names with a '/': /$PLATFORM/a.so, and $ORIGIN/ask.so next to the program.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/needs-path", "libdoctor_ask.so", "/$PLATFORM/a.so")
    os.makedirs(root + "/haswell")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), root + "/haswell/a.so")
    found, r = libraries("/usr/bin/needs-path")
    check(found.get("/$PLATFORM/a.so") == "/haswell/a.so", "NEEDED /$PLATFORM/a.so: /haswell/a.so", r)
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/needs-origin", "libdoctor_ask.so", "$ORIGIN/ask.so")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), root + "/usr/bin/ask.so")
    found, r = libraries("/usr/bin/needs-origin")
    check(found.get("$ORIGIN/ask.so") == "/usr/bin/ask.so", "NEEDED $ORIGIN/ask.so: /usr/bin/ask.so", r)

    # Two libraries in two directories each need $ORIGIN/q: ld.so loads both files (/opt/asklib/q
    # and /b/q), where a name without a token it loads once. The program needs the first library
    # (through ld.so.conf) and, in place of libc.so.6, the second, /b/ask.so.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/two-origins", "libc.so.6", "/b/ask.so")
    asklib = root + "/opt/asklib/libdoctor_ask.so"
    os.makedirs(root + "/b")
    renamed_needed(asklib, root + "/b/ask.so", "libc.so.6", "$ORIGIN/q")
    renamed_needed(asklib, asklib + ".new", "libc.so.6", "$ORIGIN/q")
    os.replace(asklib + ".new", asklib)
    shutil.copy2(libc_path(), root + "/opt/asklib/q")
    shutil.copy2(libc_path(), root + "/b/q")
    _, r = libraries("/usr/bin/two-origins")
    loaded = sorted(x["path"] for x in r["libraries"] if x["name"] == "$ORIGIN/q")
    check(loaded == ["/b/q", "/opt/asklib/q"], "NEEDED $ORIGIN/q of two directories: both files examined", r)
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), asklib)
    # ${ORIGIN}/q and $ORIGIN/q of one directory are one name to ld.so: one library.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/one-origin.0", "libdoctor_ask.so", "${ORIGIN}/q")
    renamed_needed(root + "/usr/bin/one-origin.0", root + "/usr/bin/one-origin", "libc.so.6", "$ORIGIN/q")
    shutil.copy2(libc_path(), root + "/usr/bin/q")
    _, r = libraries("/usr/bin/one-origin")
    check([x["path"] for x in r["libraries"] if x["name"].endswith("/q")] == ["/usr/bin/q"],
          "${ORIGIN}/q and $ORIGIN/q from one directory: one library", r)
    # A library reached through a symlink (/l/ask.so -> ../r/ask.so) has the directory ld.so
    # opened it from as its $ORIGIN: its $ORIGIN/q is /l/q.
    os.makedirs(root + "/l")
    os.makedirs(root + "/r")
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/linked", "libdoctor_ask.so", "/l/ask.so")
    renamed_needed(asklib, root + "/r/ask.so", "libc.so.6", "$ORIGIN/q")
    os.symlink("../r/ask.so", root + "/l/ask.so")
    shutil.copy2(libc_path(), root + "/l/q")
    found, r = libraries("/usr/bin/linked")
    check(found.get("/l/ask.so") == "/r/ask.so" and found.get("$ORIGIN/q") == "/l/q",
          "a library through a symlink: $ORIGIN is the directory it was opened from", r)
    # A library loaded by path answers a later need of its soname: /s/c.so, a copy of libc
    # (soname libc.so.6), serves the program's libc.so.6, found nowhere else.
    os.makedirs(root + "/s")
    shutil.copy2(libc_path(), root + "/s/c.so")
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/by-soname", "libdoctor_ask.so", "/s/c.so")
    os.rename(root + "/usr/lib/x86_64-linux-gnu/libc.so.6", root + "/usr/lib/x86_64-linux-gnu/libc.so.6.away")
    found, r = libraries("/usr/bin/by-soname")
    os.rename(root + "/usr/lib/x86_64-linux-gnu/libc.so.6.away", root + "/usr/lib/x86_64-linux-gnu/libc.so.6")
    check(found.get("/s/c.so") == "/s/c.so" and found.get("libc.so.6") == "/s/c.so" and
          not any("not found" in x for x in r["reasons"]),
          "NEEDED libc.so.6 after /s/c.so, whose soname it is: the library already loaded", r)

    # The program's DT_RPATH $ORIGIN/../zz holds libq.so.6, which its library (found through
    # ld.so.conf, in /opt/asklib) needs: $ORIGIN is the program's directory, not the library's.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/rpath-app", "$ORIGIN/../lib", "$ORIGIN/../zz")
    runpath_to_rpath(root + "/usr/bin/rpath-app")
    renamed_needed(root + "/opt/asklib/libdoctor_ask.so", root + "/opt/asklib/libdoctor_ask.so.new", "libc.so.6",
                   "libq.so.6")
    os.replace(root + "/opt/asklib/libdoctor_ask.so.new", root + "/opt/asklib/libdoctor_ask.so")
    os.makedirs(root + "/usr/zz")
    shutil.copy2(libc_path(), root + "/usr/zz/libq.so.6")
    found, r = libraries("/usr/bin/rpath-app")
    check(found.get("libdoctor_ask.so") == "/opt/asklib/libdoctor_ask.so" and found.get("libq.so.6") == "/usr/zz/libq.so.6",
          "the program's DT_RPATH $ORIGIN/../zz serves its library's needs from the program's directory", r)
    # A library between them, libdoctor_mid.so (found through the program's RUNPATH, in /usr/lib),
    # has a DT_RPATH $ORIGIN/../zz: ld.so searches it for the needs of the library it loads too,
    # which has none of its own, so libdoctor_ask.so's libq.so.6 is found in /usr/zz. Made its
    # DT_RUNPATH instead, it serves only libdoctor_mid.so's own needs.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/mid-app", "libdoctor_ask.so", "libdoctor_mid.so")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_mid.so"), root + "/usr/lib/libdoctor_mid.so")
    found, r = libraries("/usr/bin/mid-app")
    check(found.get("libdoctor_mid.so") == "/usr/lib/libdoctor_mid.so" and found.get("libq.so.6") == "/usr/zz/libq.so.6",
          "a loader's DT_RPATH serves the needs of the library it loads", r)
    with open(root + "/usr/lib/libdoctor_mid.so", "r+b") as f:
        body = bytearray(f.read())
        rpath = next(at for at in dynamic_entries(body) if struct.unpack_from("<q", body, at)[0] == 15)
        struct.pack_into("<q", body, rpath, 29)  # DT_RPATH -> DT_RUNPATH
        f.seek(0)
        f.write(body)
    found, r = libraries("/usr/bin/mid-app")
    check("libq.so.6" in found and not found["libq.so.6"], "a loader's DT_RUNPATH does not serve its library's needs", r)

    # Both tags: DT_RUNPATH $ORIGIN/../zz and DT_RPATH /../zz (/zz). ld.so ignores the DT_RPATH,
    # so libq.so.6, in /zz only, is not found for the library.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/both-app", "$ORIGIN/../lib", "$ORIGIN/../zz")
    runpath_to_rpath(root + "/usr/bin/both-app", keep_runpath_skip=len("$ORIGIN"))
    os.makedirs(root + "/zz")
    os.replace(root + "/usr/zz/libq.so.6", root + "/zz/libq.so.6")
    found, r = libraries("/usr/bin/both-app")
    check("libq.so.6" in found and not found["libq.so.6"] and any("libq.so.6 is not found" in x for x in r["reasons"]),
          "DT_RPATH beside DT_RUNPATH is ignored, as ld.so ignores it: libq.so.6 in its directory is not found", r)


def test_platform_token(args):
    """$PLATFORM in a search path is the CPU's name as glibc's loader gives it (on x86-64 "haswell"
    on Intel CPUs since Haswell, else "x86_64", or "xeon_phi"), each tried; "$PLATFORMX" is no
    token, as in ld.so."""
    cg = args.cgview
    root = make_image(args, "image-platform", False)
    lib = os.path.join(args.programs, "lib", "libdoctor_ask.so")

    def library_found(runpath, lib_dir):
        with_runpath(root + "/usr/bin/app", root + "/usr/bin/plat-app", runpath)
        shutil.rmtree(root + "/p", ignore_errors=True)
        os.makedirs(root + lib_dir)
        shutil.copy2(lib, root + lib_dir)
        rc, data, err = doctor(cg, "--root", root, "/usr/bin/plat-app")
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
        return {"name": "libdoctor_ask.so", "path": lib_dir + "/libdoctor_ask.so"} in r["libraries"], r

    for lib_dir in ("/p/haswell", "/p/x86_64", "/p/xeon_phi"):
        found, r = library_found("/p/$PLATFORM", lib_dir)
        check(found, f"RUNPATH /p/$PLATFORM finds the library in {lib_dir}", r)
    found, r = library_found("/p/${PLATFORM}", "/p/haswell")
    check(found, "RUNPATH /p/${PLATFORM} too", r)
    found, r = library_found("/p/$PLATFORM", "/p")
    check(not found and any("libdoctor_ask.so" in x and "not found" in x for x in r["reasons"]),
          "$PLATFORM never expands to nothing: a library in /p itself is not found, as ld.so finds none", r)
    found, r = library_found("/p/$PLATFORMX", "/p/$PLATFORMX")
    check(found, "$PLATFORMX is no token: its directory is taken as written", r)


def add_dynamic_entry(path, tag, string_at):
    """Writes a dynamic entry (`tag`, the string at file offset `string_at` in .dynstr) into the
    first spare DT_NULL entry of a copy of doctor_uses_library (its RUNPATH string locates the
    string table), in place."""
    with open(path, "r+b") as f:
        body = bytearray(f.read())
        entries = dynamic_entries(body)
        runpath = next(at for at in entries if struct.unpack_from("<q", body, at)[0] == 29)
        runpath_offset, = struct.unpack_from("<Q", body, runpath + 8)
        # The RUNPATH string's file offset less its offset in .dynstr: the table's file offset.
        table = body.index(b"$ORIGIN/../lib\0") - runpath_offset
        spare = [at for at in entries if struct.unpack_from("<q", body, at)[0] == 0]
        assert len(spare) >= 2, "no spare dynamic entry"
        struct.pack_into("<qQ", body, spare[0], tag, string_at - table)
        f.seek(0)
        f.write(body)


def test_loaded_objects(args):
    """ld.so answers a need from the objects already loaded: by a soname, the program's own among
    them, and by ld.so's (its PT_INTERP path and soname) before any search; and an empty
    DT_RUNPATH still turns the DT_RPATH off."""
    cg = args.cgview
    root = make_image(args, "image-loaded", True)
    asklib = root + "/opt/asklib/libdoctor_ask.so"

    def libraries(program):
        rc, data, err = doctor(cg, "--root", root, program)
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
        return {x["name"]: x["path"] for x in r["libraries"]}, r

    # The program's soname "lib" (the tail of its RUNPATH string), which its library needs: the
    # program itself, not the file named lib in the multiarch directory.
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/self-app")
    with open(root + "/usr/bin/self-app", "rb") as f:
        lib_at = f.read().index(b"$ORIGIN/../lib\0") + len("$ORIGIN/../")
    add_dynamic_entry(root + "/usr/bin/self-app", 14, lib_at)  # DT_SONAME
    renamed_needed(asklib, asklib + ".new", "libc.so.6", "lib")
    os.replace(asklib + ".new", asklib)
    shutil.copy2(libc_path(), root + "/usr/lib/x86_64-linux-gnu/lib")
    found, r = libraries("/usr/bin/self-app")
    check(found.get("lib") == "/usr/bin/self-app", "a need of the program's own soname is the program", r)
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), asklib)

    # ld.so at /opt/ld-linux-x86-64.so.2, in no search directory: libc.so.6's need of it is the
    # loader already there.
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/own-loader", "/lib64/ld-linux-x86-64.so.2",
                   "/opt/ld-linux-x86-64.so.2")
    os.rename(root + "/lib64/ld-linux-x86-64.so.2", root + "/opt/ld-linux-x86-64.so.2")
    found, r = libraries("/usr/bin/own-loader")
    os.rename(root + "/opt/ld-linux-x86-64.so.2", root + "/lib64/ld-linux-x86-64.so.2")
    check(found.get("ld-linux-x86-64.so.2") == "/opt/ld-linux-x86-64.so.2" and not any("not found" in x for x in r["reasons"]),
          "libc.so.6's need of ld-linux-x86-64.so.2: the program's own loader", r)

    # DT_RUNPATH "" beside DT_RPATH /zz: the DT_RPATH is ignored, and libdoctor_ask.so, in /zz
    # only, is not found.
    with_runpath(root + "/usr/bin/app", root + "/usr/bin/empty-runpath", "\0/zz")
    runpath_to_rpath(root + "/usr/bin/empty-runpath", keep_runpath_skip=1)
    os.makedirs(root + "/zz")
    os.rename(asklib, root + "/zz/libdoctor_ask.so")
    found, r = libraries("/usr/bin/empty-runpath")
    check("libdoctor_ask.so" in found and not found["libdoctor_ask.so"],
          "an empty DT_RUNPATH turns the DT_RPATH beside it off", r)
    os.rename(root + "/zz/libdoctor_ask.so", asklib)


def test_hwcaps_subdirectories(args):
    """glibc's loader (2.33 and later) tries each search directory's glibc-hwcaps subdirectories
    the CPU supports before the directory: on x86-64 x86-64-v4, -v3, -v2, any of which a CPU may
    have. A library only there is found; a subdirectory glibc has no name for is not searched."""
    cg = args.cgview
    root = make_image(args, "image-hwcaps", False)
    lib = os.path.join(args.programs, "lib", "libdoctor_ask.so")

    def found_at(lib_dir):
        os.makedirs(root + lib_dir)
        shutil.copy2(lib, root + lib_dir)
        rc, data, err = doctor(cg, "--root", root, "/usr/bin/app")
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
        os.remove(root + lib_dir + "/libdoctor_ask.so")
        return {x["name"]: x["path"] for x in r["libraries"]}.get("libdoctor_ask.so"), r

    # /usr/lib through the program's RUNPATH ($ORIGIN/../lib), /opt/asklib through ld.so.conf.
    for lib_dir in ("/usr/lib/glibc-hwcaps/x86-64-v2", "/opt/asklib/glibc-hwcaps/x86-64-v4",
                    "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3"):
        path, r = found_at(lib_dir)
        check(path == lib_dir + "/libdoctor_ask.so", f"a library only in {lib_dir} is found", r)
    path, r = found_at("/usr/lib/glibc-hwcaps/x86-64-v9")
    check(not path, "glibc-hwcaps/x86-64-v9, no subdirectory of glibc's: not searched", r)


def test_relative_names(args):
    """ld.so opens a relative DT_NEEDED path ("q/ask.so") and a relative search-path entry from the
    program's working directory, not from the requester's: inside --root from its top, on the
    running system from doctor's own working directory."""
    cg = args.cgview
    root = make_image(args, "image-relative", False)
    lib = os.path.join(args.programs, "lib", "libdoctor_ask.so")

    def libraries(program, cwd=None, *root_args):
        rc, data, err = doctor(cg, *root_args, program, cwd=cwd)
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err]}
        return {x["name"]: x["path"] for x in r["libraries"]}, r

    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/rel-app", "libdoctor_ask.so", "q/ask.so")
    os.makedirs(root + "/usr/bin/q")
    shutil.copy2(lib, root + "/usr/bin/q/ask.so")
    found, r = libraries("/usr/bin/rel-app", None, "--root", root)
    check(not found.get("q/ask.so") and any("q/ask.so is a relative path" in x and "/q/ask.so does not exist" in x for x in r["reasons"]),
          "NEEDED q/ask.so beside the program only: not found, and said to be taken from the working directory", r)
    os.makedirs(root + "/q")
    shutil.copy2(lib, root + "/q/ask.so")
    found, r = libraries("/usr/bin/rel-app", None, "--root", root)
    check(found.get("q/ask.so") == "/q/ask.so", "NEEDED q/ask.so inside --root: from the root's top", r)
    # A relative path to a file of another build: said so, not "not found".
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/rel-other", "libdoctor_ask.so", "w/ask.so")
    big_endian_copy(lib, root + "/w/ask.so")
    found, r = libraries("/usr/bin/rel-other", None, "--root", root)
    check(not found.get("w/ask.so") and any("/w/ask.so is built for" in x for x in r["reasons"]),
          "NEEDED w/ask.so of another byte order: named as built for another machine", r)
    # On the running system: from doctor's working directory, the program elsewhere.
    live = os.path.join(args.scratch, "relative-live")
    os.makedirs(live + "/q")
    os.makedirs(live + "/bin/q")
    shutil.copy2(root + "/usr/bin/rel-app", live + "/bin/rel-app")
    shutil.copy2(lib, live + "/q/ask.so")
    shutil.copy2(lib, live + "/bin/q/ask.so")
    found, r = libraries(live + "/bin/rel-app", live)
    check(found.get("q/ask.so") == live + "/q/ask.so", "NEEDED q/ask.so on the running system: from the working directory", r)
    found, r = libraries(live + "/bin/rel-app", "/")
    check(not found.get("q/ask.so"), "NEEDED q/ask.so with another working directory: not found", r)
    # Search-path entries without a leading '/', "p/lib", in DT_RUNPATH and in DT_RPATH, and empty
    # ones ("/none:", ":/none", "/none::/x"): from the working directory too.
    with_runpath(root + "/usr/bin/app", root + "/usr/bin/rel-runpath", "p/lib")
    shutil.copy2(root + "/usr/bin/rel-runpath", root + "/usr/bin/rel-rpath")
    runpath_to_rpath(root + "/usr/bin/rel-rpath")
    os.makedirs(root + "/usr/bin/p/lib")
    shutil.copy2(lib, root + "/usr/bin/p/lib")
    for program in ("rel-runpath", "rel-rpath"):
        found, r = libraries("/usr/bin/" + program, None, "--root", root)
        check(not found.get("libdoctor_ask.so"), f"{program} p/lib: not searched from the program's directory", r)
    os.makedirs(root + "/p/lib")
    shutil.copy2(lib, root + "/p/lib")
    for program in ("rel-runpath", "rel-rpath"):
        found, r = libraries("/usr/bin/" + program, None, "--root", root)
        check(found.get("libdoctor_ask.so") == "/p/lib/libdoctor_ask.so", f"{program} p/lib: searched from the root's top", r)
    for entries in ("/none:", ":/none", "/none::/x"):
        with_runpath(root + "/usr/bin/app", root + "/usr/bin/empty-entry", entries)
        found, r = libraries("/usr/bin/empty-entry", None, "--root", root)
        check(not found.get("libdoctor_ask.so"), f"RUNPATH {entries}: the library nowhere in it or the top", r)
        shutil.copy2(lib, root + "/libdoctor_ask.so")
        found, r = libraries("/usr/bin/empty-entry", None, "--root", root)
        check(found.get("libdoctor_ask.so") == "/libdoctor_ask.so", f"RUNPATH {entries}: its empty entry is the working directory", r)
        os.remove(root + "/libdoctor_ask.so")


def test_library_path(args):
    """LD_LIBRARY_PATH, as ld.so reads it: ':' or ';' between directories, an empty one the working
    directory, $ORIGIN the program's directory, $LIB expanded; searched after the DT_RPATHs and
    before the DT_RUNPATH; ignored for a setuid program. On the running system doctor takes its
    own; in --root none but --library-path's, which also overrides its own."""
    cg = args.cgview
    root = make_image(args, "image-library-path", False)
    lib = os.path.join(args.programs, "lib", "libdoctor_ask.so")

    def examine(program, *options, env=None, cwd=None):
        rc, data, err = doctor(cg, *options, program, env=env, cwd=cwd)
        r = data["programs"][0] if data else {"libraries": [], "reasons": [err], "asks": []}
        return {x["name"]: x["path"] for x in r["libraries"]}, r, data

    def place(lib_dir):
        os.makedirs(root + lib_dir, exist_ok=True)
        shutil.copy2(lib, root + lib_dir)

    place("/opt/applib")
    env = dict(os.environ, LD_LIBRARY_PATH="/opt/applib")
    found, r, data = examine("/usr/bin/app", "--root", root, env=env)
    check("libdoctor_ask.so" in found and not found["libdoctor_ask.so"]
          and any("give that (--library-path" in x for x in r["reasons"]) and data and data["library_path"] is None
          and not any("imports none of the functions" in x for x in r["reasons"]),
          "--root: doctor's own LD_LIBRARY_PATH is not the image's; the reason names --library-path", r)
    t = subprocess.run([cg, "doctor", "--root", root, "/usr/bin/app"], capture_output=True, text=True)
    check("[libdoctor_ask.so not found]" in t.stdout.splitlines()[1], "the table's line names the missing library",
          t.stdout)
    found, r, data = examine("/usr/bin/app", "--root", root, "--library-path", "/none;/opt/applib")
    check(found.get("libdoctor_ask.so") == "/opt/applib/libdoctor_ask.so" and "sysinfo" in r["asks"]
          and data["library_path"] == "/none;/opt/applib",
          "--library-path /none;/opt/applib: found there (';' separates too), and what it asks examined", r)
    t = subprocess.run([cg, "doctor", "--root", root, "--library-path", "/none;/opt/applib", "/usr/bin/app"],
                       capture_output=True, text=True)
    check(t.stdout.endswith("\n(LD_LIBRARY_PATH: /none;/opt/applib)\n"), "text output: the LD_LIBRARY_PATH used, last",
          t.stdout)
    place("/usr/x/lib/x86_64-linux-gnu")
    found, r, _ = examine("/usr/bin/app", "--root", root, "--library-path=/none:${ORIGIN}/../x/$LIB")
    check(found.get("libdoctor_ask.so") == "/usr/x/lib/x86_64-linux-gnu/libdoctor_ask.so",
          "--library-path ${ORIGIN}/../x/$LIB: the program's directory, its multiarch $LIB", r)
    place("/")
    found, r, _ = examine("/usr/bin/app", "--root", root, "--library-path", "/none::/x")
    check(found.get("libdoctor_ask.so") == "/libdoctor_ask.so", "--library-path /none::/x: the empty entry is the working directory", r)
    os.remove(root + "/libdoctor_ask.so")
    # Its place in the order: after the program's DT_RPATH, before its DT_RUNPATH ($ORIGIN/../lib).
    place("/usr/lib")
    found, r, _ = examine("/usr/bin/app", "--root", root, "--library-path", "/opt/applib")
    check(found.get("libdoctor_ask.so") == "/opt/applib/libdoctor_ask.so", "LD_LIBRARY_PATH before DT_RUNPATH", r)
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/rpath-app")
    runpath_to_rpath(root + "/usr/bin/rpath-app")
    found, r, _ = examine("/usr/bin/rpath-app", "--root", root, "--library-path", "/opt/applib")
    check(found.get("libdoctor_ask.so") == "/usr/lib/libdoctor_ask.so", "DT_RPATH before LD_LIBRARY_PATH", r)
    os.remove(root + "/usr/lib/libdoctor_ask.so")
    # A setuid program: ld.so ignores LD_LIBRARY_PATH for it, so no hint either.
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/suid-app")
    os.chmod(root + "/usr/bin/suid-app", 0o4755)
    found, r, _ = examine("/usr/bin/suid-app", "--root", root, "--library-path", "/opt/applib")
    check("libdoctor_ask.so" in found and not found["libdoctor_ask.so"]
          and not any("--library-path" in x for x in r["reasons"]),
          "a setuid program: LD_LIBRARY_PATH ignored, as ld.so ignores it", r)
    # The glibc judged is the one the library path gives: one older than libcgview.so requires.
    required = stand_ins.versions_required(args.shim)
    os.makedirs(root + "/opt/oldlibc")
    stand_ins.build(root + "/opt/oldlibc/libc.so.6", required[:-1])
    rc, data, err = doctor(cg, "--root", root, "--library-path", "/opt/applib:/opt/oldlibc", "/usr/bin/app")
    r = data["programs"][0] if data else {}
    check(rc == 3 and r.get("reached") is False
          and any("Its glibc (/opt/oldlibc/libc.so.6) lacks" in x for x in r.get("reasons", [])),
          "an older glibc in the library path: its program not reached", (rc, r, err))
    # A library's need: $ORIGIN in LD_LIBRARY_PATH is still the program's directory. app2 needs
    # libdoctor_mid.so (in /opt/asklib, through ld.so.conf), which needs libdoctor_ask.so: only
    # in /usr/applib2, which $ORIGIN/../applib2 names from the program's /usr/bin (from the
    # library's /opt/asklib it would be /opt/applib2).
    renamed_needed(root + "/usr/bin/app", root + "/usr/bin/app2", "libdoctor_ask.so", "libdoctor_mid.so")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_mid.so"), root + "/opt/asklib")
    place("/usr/applib2")
    found, r, _ = examine("/usr/bin/app2", "--root", root, "--library-path", "$ORIGIN/../applib2")
    check(found.get("libdoctor_mid.so") == "/opt/asklib/libdoctor_mid.so"
          and found.get("libdoctor_ask.so") == "/usr/applib2/libdoctor_ask.so",
          "a library's need through LD_LIBRARY_PATH: its $ORIGIN the program's directory", r)
    # Secure mode holds for what a setuid program's libraries need; setgid without group execute
    # (mandatory locking, no privilege) is no secure mode.
    shutil.copy2(root + "/usr/bin/app2", root + "/usr/bin/suid-app2")
    os.chmod(root + "/usr/bin/suid-app2", 0o4755)
    found, r, _ = examine("/usr/bin/suid-app2", "--root", root, "--library-path", "$ORIGIN/../applib2")
    check(found.get("libdoctor_mid.so") == "/opt/asklib/libdoctor_mid.so" and "libdoctor_ask.so" in found
          and not found["libdoctor_ask.so"], "a setuid program's library's need: LD_LIBRARY_PATH ignored too", r)
    shutil.copy2(root + "/usr/bin/app2", root + "/usr/bin/locking-app2")
    os.chmod(root + "/usr/bin/locking-app2", 0o2745)
    found, r, _ = examine("/usr/bin/locking-app2", "--root", root, "--library-path", "$ORIGIN/../applib2")
    check(found.get("libdoctor_ask.so") == "/usr/applib2/libdoctor_ask.so",
          "setgid without group execute: LD_LIBRARY_PATH searched", r)
    # A preload entry without '/' is searched for as a need of the program: through
    # LD_LIBRARY_PATH with its $ORIGIN, except in secure mode. (A $LIB entry that names no
    # file makes doctor judge each program by what the entries give it.)
    shutil.copy2(args.shim, root + "/usr/applib2/libcgview.so")
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write("/nonexistent/$LIB/libcgview.so\nlibcgview.so\n")
    rc, data, err = doctor(cg, "--root", root, "--library-path", "$ORIGIN/../applib2", "/usr/bin/app")
    got = {p["path"]: p for p in data["programs"]} if data else {}
    check(got.get("/usr/bin/app", {}).get("reached") is True
          and any("loads /usr/applib2/libcgview.so" in x for x in got["/usr/bin/app"]["reasons"]),
          "a bare ld.so.preload entry found through LD_LIBRARY_PATH's $ORIGIN: reached", (got.get("/usr/bin/app"), err))
    rc, data, err = doctor(cg, "--root", root, "--library-path", "/usr/applib2", "/usr/bin/suid-app")
    suid = data["programs"][0] if data else {}
    check(suid.get("reached") is False, "... but not for a setuid program, whose search ignores LD_LIBRARY_PATH",
          (suid, err))
    os.remove(root + "/etc/ld.so.preload")
    # On the running system: doctor's own LD_LIBRARY_PATH, which --library-path "" turns off.
    live = os.path.join(args.scratch, "library-path-live")
    os.makedirs(live + "/bin")
    os.makedirs(live + "/other")
    shutil.copy2(root + "/usr/bin/app", live + "/bin/app")
    shutil.copy2(lib, live + "/other")
    env = dict(os.environ, LD_LIBRARY_PATH="$ORIGIN/../other")
    found, r, data = examine(live + "/bin/app", env=env)
    check(found.get("libdoctor_ask.so") == live + "/other/libdoctor_ask.so" and data["library_path"] == "$ORIGIN/../other",
          "running system: doctor's own LD_LIBRARY_PATH, its $ORIGIN the program's directory", r)
    found, r, data = examine(live + "/bin/app", "--library-path", "", env=env)
    check("libdoctor_ask.so" in found and not found["libdoctor_ask.so"] and data["library_path"] is None,
          "--library-path '': none, over doctor's own", r)
    # cgview run judges the glibc its LD_LIBRARY_PATH gives the program (cgview itself is static).
    old_libc = os.path.join(args.scratch, "library-path-old-libc")
    os.makedirs(old_libc)
    stand_ins.build(os.path.join(old_libc, "libc.so.6"), required[:-1])
    shutil.copy2(os.path.join(args.programs, "doctor_dynamic"), live + "/bin/dyn")
    t = subprocess.run([cg, "run", "--", live + "/bin/dyn"], capture_output=True, text=True,
                       env=dict(os.environ, LD_LIBRARY_PATH=old_libc))
    check("uses a glibc older than libcgview.so requires" in t.stderr,
          "cgview run with an LD_LIBRARY_PATH holding an older glibc: warns", t.stderr)
    # Environment mode: a bare preload name's search stands for /bin/sh's, which it says where
    # LD_LIBRARY_PATH's $ORIGIN varies with the program.
    t = subprocess.run([cg, "doctor"], capture_output=True, text=True,
                       env=dict(os.environ, LD_PRELOAD="libcgview-nowhere.so", LD_LIBRARY_PATH="$ORIGIN/../cg"))
    check("libcgview-nowhere.so: not found" in t.stdout and "$ORIGIN is each program's own directory" in t.stdout,
          "environment mode: LD_LIBRARY_PATH's $ORIGIN said to vary by program", t.stdout)
    t = subprocess.run([cg, "doctor", "--library-path"], capture_output=True, text=True)
    check(t.returncode == 2 and "--library-path needs" in t.stderr, "--library-path without a value: usage error", t.stderr)


def test_env_file(args):
    """--env-file: an image's NAME=VALUE lines (docker inspect's Config.Env) give its PATH, where names
    are looked up and whose directories --root alone examines too, its LD_LIBRARY_PATH and its
    LD_PRELOAD; --library-path still wins. Without it, an unpacked image has none of them."""
    cg = args.cgview
    root = make_image(args, "image-env-file", False)
    os.makedirs(root + "/opt/jdk/bin")
    shutil.copy2(root + "/usr/bin/app", root + "/opt/jdk/bin/jtool")
    os.makedirs(root + "/opt/applib")
    shutil.copy2(os.path.join(args.programs, "lib", "libdoctor_ask.so"), root + "/opt/applib")
    env_file = os.path.join(args.scratch, "image.env")
    with open(env_file, "w") as f:
        f.write("# docker inspect --format '{{range .Config.Env}}{{println .}}{{end}}' IMAGE\n\n"
                "PATH=/opt/jdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
                "JAVA_HOME=/opt/jdk\nHOME\n  LD_LIBRARY_PATH=/opt/applib\r\n")
    rc, data, err = doctor(cg, "--root", root)
    paths = [p["path"] for p in data["programs"]] if data else []
    check("/usr/bin/app" in paths and "/opt/jdk/bin/jtool" not in paths,
          "--root alone, no --env-file: the standard bin folders only", (paths, err))
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file)
    got = {p["path"]: p for p in data["programs"]} if data else {}
    jtool = got.get("/opt/jdk/bin/jtool", {})
    check(jtool.get("reached") is True and "/usr/bin/app" in got,
          "--root with --env-file: its PATH's /opt/jdk/bin examined too", (list(got), err))
    check({x["name"]: x["path"] for x in jtool.get("libraries", [])}.get("libdoctor_ask.so") == "/opt/applib/libdoctor_ask.so"
          and data["library_path"] == "/opt/applib",
          "--env-file's LD_LIBRARY_PATH (indented, CRLF) finds the library", jtool)
    rc, data, err = doctor(cg, "--root", root, "jtool")
    r = data["programs"][0] if data else {}
    check(rc == 3 and any("--env-file gives the image's" in x for x in r.get("reasons", [])),
          "a name not in the default PATH: the reason points to --env-file", (r, err))
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "jtool")
    r = data["programs"][0] if data else {}
    check(r.get("path") == "/opt/jdk/bin/jtool", "a name looked up in --env-file's PATH", (r, err))
    # A script's `#!/usr/bin/env jtool`: its interpreter looked up in the same PATH.
    with open(root + "/usr/bin/jscript", "w") as f:
        f.write("#!/usr/bin/env jtool\n")
    os.chmod(root + "/usr/bin/jscript", 0o755)
    # Without /usr/bin/env in the image (distroless has none) the kernel cannot start the script.
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "/usr/bin/jscript")
    r = data["programs"][0] if data else {}
    check(rc == 3 and r.get("interpreter", {}).get("path") == "/usr/bin/env"
          and any("does not exist" in x for x in r["interpreter"].get("reasons", [])),
          "#!/usr/bin/env in an image without env: env does not exist", (r, err))
    shutil.copy2("/usr/bin/env", root + "/usr/bin/env")
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/jscript")
    r = data["programs"][0] if data else {}
    check(rc == 3 and r.get("interpreter", {}).get("path") == "jtool"
          and any("--env-file gives the image's" in x for x in r.get("reasons", [])),
          "#!/usr/bin/env with a name not in the default PATH: the script's reason points to --env-file", (r, err))
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "/usr/bin/jscript")
    r = data["programs"][0] if data else {}
    check(rc == 0 and r.get("interpreter", {}).get("path") == "/opt/jdk/bin/jtool",
          "#!/usr/bin/env's name looked up in --env-file's PATH", (r, err))
    os.unlink(root + "/usr/bin/jscript")
    os.unlink(root + "/usr/bin/env")
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "--library-path", "", "jtool")
    r = data["programs"][0] if data else {"libraries": []}
    check({x["name"]: x["path"] for x in r["libraries"]}.get("libdoctor_ask.so", "?") is None,
          "--library-path '' over --env-file's LD_LIBRARY_PATH", r)
    # The image's LD_PRELOAD: a $LIB entry that gives the program no build keeps it out.
    preload_file = os.path.join(args.scratch, "image-preload.env")
    with open(preload_file, "w") as f:
        f.write("LD_PRELOAD=/usr/$LIB/libcgview.so\n")
    rc, data, err = doctor(cg, "--root", root, "--env-file", preload_file, "/usr/bin/app")
    r = data["programs"][0] if data else {}
    check(rc == 3 and r.get("reached") is False and any("/usr/$LIB/libcgview.so" in x for x in r.get("reasons", [])),
          "--env-file's LD_PRELOAD=/usr/$LIB/libcgview.so, no build there: not reached, the entry named", (r, err))
    # With a build there, it reaches the program; not a setuid one, for which ld.so ignores
    # LD_PRELOAD: nothing may say the entry loads into it.
    shutil.copy2(args.shim, root + "/usr/lib/x86_64-linux-gnu/libcgview.so")
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/suid-app")
    os.chmod(root + "/usr/bin/suid-app", 0o4755)
    rc, data, err = doctor(cg, "--root", root, "--env-file", preload_file, "/usr/bin/app", "/usr/bin/suid-app")
    got = {p["path"]: p for p in data["programs"]} if data else {}
    app, suid = got.get("/usr/bin/app", {}), got.get("/usr/bin/suid-app", {})
    check(app.get("reached") is True and any("loads /usr/lib/x86_64-linux-gnu/libcgview.so" in x for x in app["reasons"]),
          "--env-file's $LIB LD_PRELOAD with a build there: reached through it", app)
    check(suid.get("reached") is False and not any("from the preload entry" in x for x in suid.get("reasons", [])),
          "... a setuid program: not reached, and no reason says the LD_PRELOAD entry loads into it", suid)
    os.remove(root + "/usr/lib/x86_64-linux-gnu/libcgview.so")
    # On the running system: the file's PATH over doctor's own.
    live = os.path.join(args.scratch, "env-file-live")
    os.makedirs(live)
    shutil.copy2(os.path.join(args.programs, "doctor_dynamic"), live + "/live-tool")
    live_file = os.path.join(args.scratch, "live.env")
    with open(live_file, "w") as f:
        f.write(f"PATH={live}\n")
    rc, data, err = doctor(cg, "--env-file", live_file, "live-tool")
    r = data["programs"][0] if data else {}
    check(rc == 0 and r.get("path") == live + "/live-tool", "running system: a name looked up in --env-file's PATH", (r, err))
    # Several files merge, a later one's variable winning (as docker's --env-file); a pipe is read
    # (`--env-file <(docker inspect ...)`), a byte order mark skipped.
    more = os.path.join(args.scratch, "more.env")
    with open(more, "w") as f:
        f.write("\ufeffLD_LIBRARY_PATH=/none\n")
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "--env-file", more, "jtool")
    r = data["programs"][0] if data else {}
    check(r.get("path") == "/opt/jdk/bin/jtool" and data["library_path"] == "/none",
          "two --env-file: merged, the later LD_LIBRARY_PATH (after a byte order mark) wins", (r, err))
    t = subprocess.run(["bash", "-c", f'"$0" doctor --json --root "$1" --env-file <(cat "$2") jtool', cg, root, env_file],
                       capture_output=True, text=True)
    check(t.returncode == 0 and json.loads(t.stdout)["programs"][0]["path"] == "/opt/jdk/bin/jtool",
          "--env-file <(...): a pipe is read", (t.stdout[-300:], t.stderr))
    # docker inspect's whole JSON, not its Env lines: nothing set, and a warning says so.
    json_file = os.path.join(args.scratch, "inspect.json")
    with open(json_file, "w") as f:
        f.write('[{"Config": {"Env": ["PATH=/opt/jdk/bin"]}}]\n')
    t = subprocess.run([cg, "doctor", "--root", root, "--env-file", json_file, "/usr/bin/app"], capture_output=True,
                       text=True)
    check("warning: doctor --env-file" in t.stderr and "sets none of PATH" in t.stderr
          and "it holds no NAME=VALUE line" in t.stderr, "a JSON file: warned", t.stderr)
    t = subprocess.run([cg, "doctor", "--json", "--root", root, "--env-file", "-", "jtool"], capture_output=True,
                       text=True, input="PATH=/opt/jdk/bin\nLANG=C.UTF-8\n")
    check(t.returncode == 0 and json.loads(t.stdout)["programs"][0]["path"] == "/opt/jdk/bin/jtool",
          "--env-file -: standard input", (t.stdout[-200:], t.stderr))
    t = subprocess.run([cg, "doctor", "--root", root, "--env-file", "-", "/usr/bin/app"], capture_output=True,
                       text=True, input="LANG=C.UTF-8\n")
    check("sets none of PATH, LD_LIBRARY_PATH and LD_PRELOAD: the defaults stand" in t.stderr,
          "a file of other variables only: the defaults said to stand", t.stderr)
    big = os.path.join(args.scratch, "big.env")
    with open(big, "w") as f:
        f.write("A=" + "x" * (1 << 20) + "\nPATH=/opt/jdk/bin\n")
    for bad, why in ((os.path.join(args.scratch, "no-such.env"), "No such file"), (args.scratch, "not a regular file"),
                     (big, "larger than 1 MiB"), ("/dev/zero", "not a regular file or a pipe")):
        t = subprocess.run([cg, "doctor", "--env-file", bad, "/usr/bin/true"], capture_output=True, text=True)
        check(t.returncode == 1 and f"doctor --env-file {bad}: " in t.stderr and why in t.stderr,
              f"--env-file {os.path.basename(bad)}: an error, said", t.stderr)
    t = subprocess.run([cg, "doctor", "--env-file", env_file], capture_output=True, text=True)
    check(t.returncode == 2 and "give PROGRAM or --root" in t.stderr, "--env-file without PROGRAM or --root: usage error",
          t.stderr)


def test_env_drops_preload(args):
    """A #! line `/usr/bin/env -S -i PROGRAM` (or `-u LD_PRELOAD`, `LD_PRELOAD=`) starts PROGRAM
    without LD_PRELOAD: reached only through /etc/ld.so.preload. -u and -C take the next word,
    which is not the command."""
    cg, s = args.cgview, args.scratch
    program = f"{s}/doctor_dynamic"
    cases = (("env_drop_i", f"-S -i {program}", False), ("env_drop_dash", f"-S - {program}", False),
             ("env_drop_u", f"-S -u LD_PRELOAD -C / {program}", False),
             ("env_drop_unset", f"-S --unset=LD_PRELOAD {program}", False),
             ("env_drop_empty", f"-S LD_PRELOAD= {program}", False),
             ("env_keep_u", f"-S -u HOME {program}", True), ("env_keep_set", f"-S -i LD_PRELOAD={args.shim} {program}", True))
    with open("/etc/ld.so.preload") if os.path.exists("/etc/ld.so.preload") else open(os.devnull) as f:
        system_wide = "libcgview" in f.read()
    for name, line, reached in cases:
        path = os.path.join(s, name)
        with open(path, "w") as f:
            f.write(f"#!/usr/bin/env {line}\n")
        os.chmod(path, 0o755)
        rc, r = one(cg, path)
        want = reached or system_wide
        check(r["kind"] == "script" and r.get("interpreter", {}).get("path") == program and r["reached"] is want
              and (rc == 0) is want, f"#!/usr/bin/env {line.replace(program, 'PROGRAM')}: reached {want}", r)
        if not reached:
            check(any("drops LD_PRELOAD" in x for x in r["reasons"]), "... the reason says env drops LD_PRELOAD", r)
    # In an image whose /etc/ld.so.preload names the library, the system-wide mode reaches it.
    root = make_image(args, "image-env-drop", True)
    shutil.copy2("/usr/bin/env", root + "/usr/bin/env")
    with open(root + "/usr/bin/drop.sh", "w") as f:
        f.write("#!/usr/bin/env -S -i /usr/bin/app\n")
    os.chmod(root + "/usr/bin/drop.sh", 0o755)
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/drop.sh")
    r = data["programs"][0] if data else {}
    check(r.get("reached") is False, "image without /etc/ld.so.preload: env -i's command not reached", (r, err))
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write("/usr/lib/x86_64-linux-gnu/libcgview.so\n")
    shutil.copy2(args.shim, root + "/usr/lib/x86_64-linux-gnu/libcgview.so")
    rc, data, err = doctor(cg, "--root", root, "/usr/bin/drop.sh")
    r = data["programs"][0] if data else {}
    check(r.get("reached") is True and any("which is enabled here" in x for x in r.get("reasons", [])),
          "image whose /etc/ld.so.preload names the library: env -i's command reached", (r, err))
    # LD_PRELOAD's entry gives the command a build, /etc/ld.so.preload's none: after env -i, not reached.
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write("/usr/$LIB/nonexistent/libcgview.so\n")
    env_file = os.path.join(args.scratch, "env-drop.env")
    with open(env_file, "w") as f:
        f.write("LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libcgview.so\n")
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "/usr/bin/drop.sh")
    r = data["programs"][0] if data else {}
    check(r.get("reached") is False and rc != 0 and any("gives it no build" in x for x in r.get("reasons", [])),
          "LD_PRELOAD reaches, /etc/ld.so.preload's entry does not: env -i's command not reached", (r, err))
    shutil.rmtree(root)


def test_env_shebang_against_env(args):
    """What doctor says env does with a #! line's words, against what this machine's env does with
    the same line: the command runs with LD_PRELOAD (reached), runs without it, the script runs
    itself for ever (a bare `#!/usr/bin/env` too), or env runs nothing. The unit tests (env_shebang_test.cpp) hold the rest."""
    cg, s = args.cgview, args.scratch
    env = {"PATH": "/usr/bin:/bin", "LD_PRELOAD": args.shim}
    with open("/etc/ld.so.preload") if os.path.exists("/etc/ld.so.preload") else open(os.devnull) as f:
        system_wide = "libcgview" in f.read()
    lines = ("", "printenv", "-S printenv", "-vS printenv LD_PRELOAD", "-iS printenv", "-S -vi printenv", "-S -- printenv",
             "-S --u=LD_PRELOAD printenv", "-S -i -S printenv", "-S 'print'env", "-S \"printenv\" x", "-S printenv\\c -i",
             "-S ${NOPE}printenv", "-S -C / printenv", "-i", "FOO=1 X", "-S FOO=1", "-u LD_PRELOAD printenv", "-S # printenv",
             "-v", "-S --ign printenv", "-S -0 printenv", "-S printenv 'x", "-S \\q printenv", "-S $X printenv",
             "-i printenv", "-S -x printenv", "-S --version", "-S -u", "-S '' printenv",
             "-S --default-signal=FOO printenv", "-S --ignore-signal=int,STOP printenv", "-S --default-signal=32 printenv",
             "-S --block-signal=KILL,rtmin+1,130 printenv", "-S --default-signal=KILL --default-signal printenv",
             "--default-signal=KILL")
    for i, line in enumerate(lines):
        path = os.path.join(s, f"env_line_{i}")
        with open(path, "w") as f:
            f.write(f"#!/usr/bin/env {line}".rstrip() + "\n")
        os.chmod(path, 0o755)
        try:  # printenv prints LD_PRELOAD where it kept it, nothing where env dropped it
            real = subprocess.run([path, "LD_PRELOAD"], capture_output=True, text=True, env=env, timeout=3)
            printed = real.stdout.split()
            out = ("kept" if printed and all(p == args.shim for p in printed) else
                   "dropped" if real.returncode == 1 and not printed else "nothing")
        except subprocess.TimeoutExpired:
            out = "loop"
        rc, r = one(cg, path, env=env)
        ran = r.get("interpreter", {}).get("path") == "/usr/bin/printenv"
        said = ("kept" if ran and r["reached"] and not any("drops LD_PRELOAD" in x for x in r["reasons"]) else
                "dropped" if ran and any("drops LD_PRELOAD" in x for x in r["reasons"]) else
                "loop" if any("runs env again, for ever" in x for x in r["reasons"]) else
                "nothing" if any("runs no command" in x for x in r["reasons"]) else "?")
        want_reached = out == "kept" or (out == "dropped" and system_wide)
        check(said == out and r["reached"] is want_reached and (rc == 0) is want_reached,
              f"#!/usr/bin/env {line}: env here: {out}; doctor: {said}", r)


def exec_errno(path):
    """The errno with which the kernel refuses to start `path` (0: it started)."""
    try:
        subprocess.run([path], capture_output=True)
        return 0
    except OSError as e:
        return e.errno


def test_env_shebang_lookup(args):
    """Where env looks for a #! line's command, against this machine's env: in the PATH the line
    leaves (-i, - and -u PATH leave none, and execvp takes /bin:/usr/bin), from -C's directory;
    `#!/usr/bin/env` alone and a NUL after env give env no command (a loop); the kernel keeps 255
    bytes of a #! line without a newline in its first 256."""
    cg, s = args.cgview, args.scratch
    bin_dir = os.path.join(s, "env_lookup_bin")
    os.makedirs(bin_dir, exist_ok=True)
    shutil.copy2("/usr/bin/printenv", os.path.join(bin_dir, "printenv_x"))
    env = {"PATH": bin_dir + ":/usr/bin:/bin", "LD_PRELOAD": args.shim}
    command = os.path.join(bin_dir, "printenv_x")
    prefix = b"#!/usr/bin/env -S "
    # Followed by " x\n": no newline in the first 256 bytes. The command's last byte is the 255th (kept)
    # or the 256th (cut).
    fits = prefix + b"/" * (255 - len(prefix) - len(command)) + command.encode()
    cut = fits[:len(prefix)] + b"/" + fits[len(prefix):]
    lines = ((b"#!/usr/bin/env -S printenv_x", "ran"), (b"#!/usr/bin/env -S -i printenv_x", "not found"),
             (b"#!/usr/bin/env -S - printenv_x", "not found"), (b"#!/usr/bin/env -S -u PATH printenv_x", "not found"),
             (b"#!/usr/bin/env -S PATH=/nowhere printenv_x", "not found"),
             (b"#!/usr/bin/env -S -i PATH=" + bin_dir.encode() + b" printenv_x", "ran"),
             (b"#!/usr/bin/env -S -C " + bin_dir.encode() + b" ./printenv_x", "ran"),
             (b"#!/usr/bin/env -S -C /nonexistent printenv_x", "fails"), (b"#!/usr/bin/env -S -u A=1 printenv_x", "fails"),
             (b"#!/usr/bin/env -S -C '' printenv_x", "fails"), (b"#!/usr/bin/env -S -i -u A=1 PATH=" + bin_dir.encode() +
                                                              b" printenv_x", "ran"),
             (b"#!/usr/bin/env", "loop"), (b"#!/usr/bin/env\0-S printenv_x", "loop"),
             (fits, "ran"), (cut, "not found"))
    for i, (line, want) in enumerate(lines):
        path = os.path.join(s, f"env_lookup_{i}")
        with open(path, "wb") as f:
            f.write(line + (b" x\n" if line in (fits, cut) else b"\n"))
        os.chmod(path, 0o755)
        try:
            real = subprocess.run([path, "LD_PRELOAD"], capture_output=True, text=True, env=env, timeout=3)
            out = ("ran" if args.shim in real.stdout or real.returncode == 1 and not real.stderr else
                   "not found" if real.returncode == 127 else "fails")
        except subprocess.TimeoutExpired:
            out = "loop"
        rc, r = one(cg, path, env=env)
        interp = r.get("interpreter", {})
        said = ("ran" if interp.get("path") == command else
                "loop" if any("for ever" in x for x in r["reasons"]) else
                "fails" if any("runs no command" in x for x in r["reasons"]) else
                "not found" if interp.get("kind") == "unreadable" else "?")
        shown = line if len(line) < 80 else line[:40] + b"..." + line[-30:]
        check(out == want and said == want, f"{shown!r}: env here: {out}; doctor: {said}", r)
    # An interpreter's name that runs past the 255 bytes: the kernel refuses the file.
    path = os.path.join(s, "env_lookup_enoexec")
    with open(path, "w") as f:
        f.write("#!/" + "x" * 300 + " -S printenv\n")
    os.chmod(path, 0o755)
    errno_here = exec_errno(path)
    rc, r = one(cg, path, env=env)
    check(errno_here == errno.ENOEXEC and rc == 3 and any("(ENOEXEC)" in x for x in r["reasons"]),
          "a #! interpreter's name past 255 bytes: ENOEXEC here, and doctor says so", (errno_here, r))
    # At the edge: a name of bytes 2-254 and a blank as the 256th byte runs (binfmt_script.c looks at
    # all 256 for the blank, then keeps 255); a name reaching the 256th byte is cut (ENOEXEC).
    for extra, want_errno in ((0, 0), (1, errno.ENOEXEC)):
        interp = os.path.join(s, "p" * (253 + extra - len(s) - 1))
        if not os.path.lexists(interp):
            os.symlink("/usr/bin/printenv", interp)
        with open(path, "wb") as f:
            f.write(b"#!" + interp.encode() + b" x\n")
        errno_here = exec_errno(path)
        rc, r = one(cg, path, env=env)
        said_enoexec = any("(ENOEXEC)" in x for x in r["reasons"])
        check(errno_here == want_errno and said_enoexec is (want_errno != 0),
              f"a #! interpreter's name ending at byte {255 + extra}: errno {errno_here} here, doctor's ENOEXEC: "
              f"{said_enoexec}", (errno_here, r))


def test_secure_mode_closed_preload(args):
    """A library /etc/ld.so.preload names that an ordinary user may not open: ld.so opens it as the
    program's user once exec has applied its privileges: a setuid program's owner, a setgid one's
    group, its runner's ids with what file capabilities give (CAP_DAC_READ_SEARCH opens anything).
    ld.so reads the list itself only where access(2) lets the real ids and the effective ones may
    open it, and maps no library on a noexec mount. For each case, the real ld.so (does the
    program load the library?) gives the expected answer, and doctor, for the runner (and, run by
    nobody, for the ordinary user it assumes) agrees with it."""
    import tempfile
    where = tempfile.mkdtemp(prefix="cgview-closed-preload-")
    os.chmod(where, 0o755)

    def caps(effective, permitted):  # vfs_cap_data revision 2
        return struct.pack("<IIIII", 0x02000000 | effective, permitted, 0, 0, 0)

    def acl(*entries):  # system.posix_acl_access: (tag, perm, id); 1 owner, 2 a user, 4 the group, 0x10 mask, 0x20 others
        return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in entries)

    net_raw, dac_read_search = 1 << 13, 1 << 2
    # name: (mode, owner uid, group, security.capability)
    programs = {"suid_root": (0o4755, 0, 0, None), "suid_daemon": (0o4755, 1, 0, None), "sgid_daemon": (0o2755, 0, 1, None),
                "caps_net_raw": (0o755, 0, 0, caps(1, net_raw)), "caps_dac": (0o755, 0, 0, caps(1, dac_read_search)),
                "caps_dac_not_effective": (0o755, 0, 0, caps(0, dac_read_search))}
    # Each is a copy of cat, which prints its own /proc/self/maps: whether ld.so loaded the
    # library, where it says nothing (a list it may not read) as where it says why not.
    for name, (mode, uid, gid, xattr) in programs.items():
        path = os.path.join(where, name)
        shutil.copy2("/bin/cat", path)
        os.chown(path, uid, gid)
        os.chmod(path, mode)
        if xattr is not None:
            os.setxattr(path, "security.capability", xattr)
    # name: (directory's mode, owner and group, library's mode and group, the directory's ACL)
    owner, user, group, mask, others, anyone = 0x01, 0x02, 0x04, 0x10, 0x20, 0xffffffff
    libraries = {"root_0700_dir": (0o700, 0, 0, 0o755, 0, None), "file_0600": (0o755, 0, 0, 0o600, 0, None),
                 "daemon_0700_dir": (0o700, 1, 0, 0o755, 0, None), "group1_0750_dir": (0o750, 0, 1, 0o755, 0, None),
                 "group1_0640_file": (0o755, 0, 0, 0o640, 1, None),
                 "acl_lets_daemon": (0o750, 0, 0, 0o755, 0, acl((owner, 7, anyone), (user, 1, 1), (group, 5, anyone),
                                                                (mask, 5, anyone), (others, 0, anyone))),
                 "group8_0750_dir": (0o750, 0, 8, 0o755, 0, None),
                 "noexec_dir": (0o755, 0, 0, 0o755, 0, None), "open_dir": (0o755, 0, 0, 0o755, 0, None)}
    for name, (dir_mode, dir_uid, dir_gid, lib_mode, lib_gid, dir_acl) in libraries.items():
        d = os.path.join(where, name)
        os.mkdir(d)
        shutil.copy2(args.shim, os.path.join(d, "libcgview.so"))
        os.chown(os.path.join(d, "libcgview.so"), 0, lib_gid)
        os.chmod(os.path.join(d, "libcgview.so"), lib_mode)
        os.chown(d, dir_uid, dir_gid)
        os.chmod(d, dir_mode)
        if dir_acl is not None:
            os.setxattr(d, "system.posix_acl_access", dir_acl)
    # How each runner runs a program, and how doctor is told of it. mail (8:8) has its own group
    # among its supplementary ones, as docker gives it (and su, login and ssh do).
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    runners = {"nobody": (nobody, [["--user", "65534:65534"], []]),
               "mail": (["setpriv", "--reuid=8", "--regid=8", "--groups=8"], [["--user", "8:8"]]),
               "root": ([], [["--user", "0:0"]])}
    # (library, the list's mode and group, program, runner, whether ld.so loads the library). Root
    # (setuid root) and CAP_DAC_READ_SEARCH (effective) open anything; daemon its own directory
    # and what an ACL gives it; a setgid program its group's, and its runner's supplementary
    # groups'. Root running a setuid-to-daemon program reads a 0600 list (access(2) by its real
    # id) but opens it as daemon.
    cases = [("root_0700_dir", "0644", 0, "suid_root", "nobody", True),
             ("root_0700_dir", "0644", 0, "suid_daemon", "nobody", False),
             ("root_0700_dir", "0644", 0, "caps_net_raw", "nobody", False),
             ("root_0700_dir", "0644", 0, "caps_dac", "nobody", True),
             ("root_0700_dir", "0644", 0, "caps_dac_not_effective", "nobody", False),
             ("file_0600", "0644", 0, "suid_root", "nobody", True), ("file_0600", "0644", 0, "suid_daemon", "nobody", False),
             ("file_0600", "0644", 0, "caps_dac", "nobody", True), ("file_0600", "0644", 0, "caps_net_raw", "nobody", False),
             ("daemon_0700_dir", "0644", 0, "suid_daemon", "nobody", True),
             ("daemon_0700_dir", "0644", 0, "suid_root", "nobody", True),
             ("daemon_0700_dir", "0644", 0, "caps_net_raw", "nobody", False),
             ("group1_0750_dir", "0644", 0, "sgid_daemon", "nobody", True),
             ("group1_0750_dir", "0644", 0, "suid_daemon", "nobody", False),
             ("group1_0640_file", "0644", 0, "sgid_daemon", "nobody", True),
             ("acl_lets_daemon", "0644", 0, "suid_daemon", "nobody", True),
             ("acl_lets_daemon", "0644", 0, "sgid_daemon", "nobody", False),
             ("group8_0750_dir", "0644", 0, "sgid_daemon", "mail", True),
             ("group8_0750_dir", "0644", 0, "suid_daemon", "mail", True),
             ("group8_0750_dir", "0644", 0, "sgid_daemon", "nobody", False),
             ("root_0700_dir", "0644", 0, "suid_daemon", "root", False),
             ("open_dir", "0644", 0, "suid_daemon", "nobody", True), ("open_dir", "0600", 0, "suid_root", "nobody", False),
             ("open_dir", "0600", 0, "suid_daemon", "root", False), ("open_dir", "0600", 0, "sgid_daemon", "root", True),
             ("open_dir", "0604", 1, "sgid_daemon", "nobody", False), ("open_dir", "0604", 1, "suid_daemon", "nobody", True),
             ("noexec_dir", "0644", 0, "suid_root", "nobody", False)]
    in_ns = ("mount -t tmpfs none /etc && echo \"$1\" > /etc/ld.so.preload && chmod $2 /etc/ld.so.preload && "
             "chgrp $3 /etc/ld.so.preload && mount --bind $4 $4 && mount -o remount,bind,noexec $4 && shift 4 && "
             "exec \"$@\"")
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    noexec_dir = os.path.join(where, "noexec_dir")

    def in_namespace(entry, list_mode, list_group, *argv, noexec=noexec_dir):
        """argv in a mount namespace whose /etc/ld.so.preload names `entry`, and `noexec` is noexec."""
        return subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", in_ns, "sh", entry, list_mode,
                               str(list_group), noexec, *argv], capture_output=True, text=True, env=env)
    for library, list_mode, list_group, program, runner, expected in cases:
        lib = os.path.join(where, library, "libcgview.so")
        path = os.path.join(where, program)
        what = f"{program} run by {runner}, {library}, ld.so.preload {list_mode} group {list_group}"

        def with_preload(*argv):
            return in_namespace(lib, list_mode, list_group, *argv)
        run_as, users = runners[runner]
        ran = with_preload(*run_as, path, "/proc/self/maps")
        loaded = ran.returncode == 0 and "/libcgview.so" in ran.stdout
        # Where it does not, ld.so says why, but of a list it may not read, nothing.
        silent = "cannot be preloaded" not in ran.stderr
        check(loaded is expected and (loaded or silent is (list_mode != "0644")),
              f"{what}: ld.so {'loads' if expected else 'does not load'} the library"
              f"{'' if loaded else ', silently' if list_mode != '0644' else ', saying so'}", (ran.stderr, ran.stdout[-300:]))
        for user in users:
            judged = with_preload(args.cgview, "doctor", "--json", *user, path)
            r = json.loads(judged.stdout)["programs"][0] if judged.stdout.startswith("{") else {}
            # Not reached: the reason names what is closed, the list or the library, and the short
            # one who may not read the list: the runner (access(2) by its real ids) or the program.
            said = ("may not read /etc/ld.so.preload" if list_mode != "0644" else
                    "lies on a noexec mount" if library == "noexec_dir" else "is closed to it: as ")
            named = loaded or any(said in x for x in r.get("reasons", []))
            blamed = ("its runner" if program == "suid_root" else "it") + " may not read /etc/ld.so.preload"
            short = loaded or list_mode == "0644" or r.get("why_not", "").endswith(blamed)
            once = sum(x.count("doctor assumes") for x in r.get("reasons", [])) <= 1
            check(r.get("reached") is loaded and named and short and once,
                  f"doctor {' '.join(user)} of {what}: reached {loaded}, as ld.so, the reasons naming what is closed",
                  (r, judged.stderr))
    # Outside secure mode LD_PRELOAD still reaches a program the list does not: reached, and the
    # reasons say the system-wide mode does not. A $LIB entry there gives it no build it loads.
    plain = os.path.join(where, "plain")
    shutil.copy2("/bin/cat", plain)
    os.chmod(plain, 0o755)
    layout = os.path.join(where, "open_dir", "layout")
    os.makedirs(os.path.join(layout, loader_lib_token()))
    os.chmod(layout, 0o755)
    shutil.copy2(args.shim, os.path.join(layout, loader_lib_token(), "libcgview.so"))
    for entry in (os.path.join(where, "open_dir", "libcgview.so"), os.path.join(layout, "$LIB", "libcgview.so")):
        for list_mode, system_wide in (("0600", False), ("0644", True)):
            def with_list(*argv):
                return in_namespace(entry, list_mode, 0, *argv)
            ran = with_list(*nobody, plain, "/proc/self/maps")
            check(("/libcgview.so" in ran.stdout) is system_wide and "cannot be preloaded" not in ran.stderr,
                  f"a plain program run by nobody, ld.so.preload {list_mode} naming {entry}: "
                  f"{'loads it' if system_wide else 'loads nothing, silently'}", ran.stderr)
            # Root reads any list (access(2): a real root's capabilities count).
            for user, reaches in (([], system_wide), (["--user", "0:0"], True)):
                judged = with_list(args.cgview, "doctor", "--json", *user, plain)
                r = json.loads(judged.stdout)["programs"][0] if judged.stdout.startswith("{") else {}
                reasons = r.get("reasons", [])
                check(r.get("reached") is True and r.get("preload_file_closed") is not reaches
                      and any("but /etc/ld.so.preload does not: its runner" in x for x in reasons) is not reaches
                      and any("from the preload entry" in x for x in reasons) is (reaches and "$LIB" in entry),
                      f"doctor {' '.join(user)} of that plain program, ld.so.preload {list_mode}: reached (cgview run), "
                      f"the list {'said to load it' if reaches else 'said not to'}", (r, judged.stderr))
    # Doctor's report of the environment and enable say the same of a list an ordinary user may not read.
    judged = in_namespace(os.path.join(where, "open_dir", "libcgview.so"), "0600", 0, args.cgview, "doctor", "--json")
    pre = json.loads(judged.stdout)["preloads"] if judged.stdout.startswith("{") else []
    check(len(pre) == 1 and pre[0].get("others_may_open") is False,
          "doctor's environment: an ld.so.preload of mode 0600: others_may_open false", (pre, judged.stderr))
    # enable refuses a library on a noexec mount (here the build's own, beside this cgview).
    refused = in_namespace("", "0644", 0, args.cgview, "enable", noexec=os.path.dirname(os.path.realpath(args.shim)))
    check(refused.returncode == 1 and "lies on a noexec mount, where ld.so cannot map its code" in refused.stderr,
          "enable of a library on a noexec mount: refused, saying why", refused)
    # So does run: the program would print ld.so's error and see the host.
    refused = in_namespace("", "0644", 0, args.cgview, "run", "--", "/bin/true",
                           noexec=os.path.dirname(os.path.realpath(args.shim)))
    check(refused.returncode == 1 and "lies on a noexec mount, where ld.so cannot map its code; install cgview "
          "elsewhere" in refused.stderr and "cannot be preloaded" not in refused.stderr,
          "run with its library on a noexec mount: refused, saying why", refused)
    # Run by such a user, doctor cannot read the list either: a setuid program run by such a user is
    # not reached all the same; a setgid one run by root may be, which doctor cannot tell.
    for user, program, said in (([], "suid_root", "its runner, an ordinary user, may not read /etc/ld.so.preload"),
                                (["--user", "0:0"], "sgid_daemon", "doctor's own user may not read it")):
        judged = in_namespace(os.path.join(where, "open_dir", "libcgview.so"), "0600", 0, *nobody, args.cgview,
                              "doctor", "--json", *user, os.path.join(where, program))
        r = json.loads(judged.stdout)["programs"][0] if judged.stdout.startswith("{") else {}
        check(r.get("reached") is False and any(said in x for x in r.get("reasons", [])),
              f"doctor {' '.join(user)} run by nobody, ld.so.preload 0600: {program} not reached, saying why",
              (r, judged.stderr))
    # Run by such a user, doctor cannot read the list either, and says that it exists all the same.
    for as_json in (True, False):
        judged = in_namespace(os.path.join(where, "open_dir", "libcgview.so"), "0600", 0, *nobody, args.cgview,
                              "doctor", *(["--json"] if as_json else []))
        if as_json:
            data = json.loads(judged.stdout) if judged.stdout.startswith("{") else {}
            check(data.get("preloads") == [] and data.get("preload_file_readable") is False,
                  "doctor run by nobody, ld.so.preload 0600: preload_file_readable false", (data, judged.stderr))
        else:
            check("/etc/ld.so.preload exists, but this user may not read it (mode 0600" in judged.stdout
                  and "none (LD_PRELOAD unset" not in judged.stdout and "use `cgview run` or `cgview enable`" not in
                  judged.stdout and "root may open it: chmod 644 /etc/ld.so.preload" in judged.stdout,
                  "... and its text says the list exists but is closed to it", judged.stdout)
    shutil.rmtree(where)


def test_secure_preload_name(args):
    """In secure mode ld.so takes of LD_PRELOAD a name without '/' (ld.so(8)) when its search
    finds the library with the setuid bit set: `LD_PRELOAD=libcgview.so` with a setuid
    /usr/lib/x86_64-linux-gnu/libcgview.so reaches a setuid program an ordinary user runs; without
    the bit, or named by its path, it does not."""
    cg = args.cgview
    root = make_image(args, "image-secure-preload", True)
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/suid-app")
    os.chmod(root + "/usr/bin/suid-app", 0o4755)
    lib = root + "/usr/lib/x86_64-linux-gnu/libcgview.so"
    shutil.copy2(args.shim, lib)
    env_file = os.path.join(args.scratch, "secure-preload.env")
    for value in ("libcgview.so", "/usr/lib/x86_64-linux-gnu/libcgview.so"):
        with open(env_file, "w") as f:
            f.write(f"LD_PRELOAD={value}\n")
        for mode in (0o4755, 0o755):
            os.chmod(lib, mode)
            rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "/usr/bin/suid-app")
            r = data["programs"][0] if data else {}
            want = value == "libcgview.so" and mode == 0o4755
            check(r.get("reached") is want and (rc == 0) is want,
                  f"LD_PRELOAD={value}, the library's mode {mode:o}: a setuid program "
                  + ("reached" if want else "not reached"), (rc, r, err))
            if value == "libcgview.so":
                says = "loads /usr/lib/x86_64-linux-gnu/libcgview.so into it" if want else "which is not setuid"
                check(any(says in x for x in r.get("reasons", [])), f"... the reason says '{says}'", r)
    # ld.so loads every preload with __RTLD_SECURE: in secure mode a name without '/' is searched
    # for without ld.so.cache (so not in /etc/ld.so.conf's /opt/asklib) and taken only setuid, be it
    # LD_PRELOAD's or /etc/ld.so.preload's ("cannot be preloaded" from a real ld.so in a chroot).
    os.remove(lib)
    cached = root + "/opt/asklib/libcgview.so"
    shutil.copy2(args.shim, cached)
    os.chmod(cached, 0o4755)
    with open(env_file, "w") as f:
        f.write("LD_PRELOAD=libcgview.so\n")
    rc, data, err = doctor(cg, "--root", root, "--env-file", env_file, "/usr/bin/suid-app")
    r = data["programs"][0] if data else {}
    check(r.get("reached") is False and rc != 0,
          "LD_PRELOAD=libcgview.so, setuid only in an ld.so.conf directory: a setuid program not reached", (rc, r, err))
    os.remove(cached)
    shutil.copy2(args.shim, lib)
    os.chmod(lib, 0o755)
    with open(root + "/etc/ld.so.preload", "w") as f:
        f.write("libcgview.so\n")
    for mode in (0o4755, 0o755):
        os.chmod(lib, mode)
        rc, data, err = doctor(cg, "--root", root, "/usr/bin/suid-app")
        r = data["programs"][0] if data else {}
        want = mode == 0o4755
        check(r.get("reached") is want and (rc == 0) is want,
              f"/etc/ld.so.preload 'libcgview.so', the library's mode {mode:o}: a setuid program "
              + ("reached" if want else "not reached"), (rc, r, err))
    shutil.rmtree(root)


def test_user(args):
    """--user USER[:GROUP]: judge an image's programs for that runner, named as docker's USER (a name
    from the image's /etc/passwd, or a number): root gets no secure mode from a setuid-root
    program, so LD_PRELOAD reaches it; another user does. (test_secure_mode checks the rule itself
    against the kernel.)"""
    cg = args.cgview
    root = make_image(args, "image-user", True)
    shutil.copy2(root + "/usr/bin/app", root + "/usr/bin/suid-app")
    os.chmod(root + "/usr/bin/suid-app", 0o4755)
    with open(root + "/etc/passwd", "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n")

    def verdict(*options):
        rc, data, err = doctor(cg, "--root", root, *options, "/usr/bin/suid-app")
        return (data["programs"][0]["reached"], data["user"]) if data else (None, err)

    check(verdict() == (False, None), "no --user: an ordinary user's verdict, not reached", verdict())
    check(verdict("--user", "root") == (True, "0:0"), "--user root (the image's /etc/passwd): reached", verdict("--user", "root"))
    check(verdict("--user", "app") == (False, "1000:1000"), "--user app: not reached", verdict("--user", "app"))
    check(verdict("--user", "0:1000") == (True, "0:1000"), "--user 0:1000: reached", verdict("--user", "0:1000"))
    check(verdict("--user", "") == (True, "0:0"), "--user '' (an image without USER): root, reached", verdict("--user", ""))
    t = subprocess.run([cg, "doctor", "--root", root, "--user", "0", "/usr/bin/suid-app"], capture_output=True, text=True)
    check(t.returncode == 0 and t.stdout.endswith("\n(run by 0:0)\n"), "text output: the runner, last", t.stdout)
    t = subprocess.run([cg, "doctor", "--root", root, "/usr/bin/suid-app"], capture_output=True, text=True)
    check(t.returncode == 3 and "when an ordinary user runs it (doctor assumes such a runner; --user names another)" in t.stdout
          and "(run by" not in t.stdout, "text output without --user: the reason says who was assumed", t.stdout)
    # Past 20 programs the reasons are left out: one line says it for the table.
    assumed = "(setuid, setgid and capability programs judged as run by an ordinary user: --user names another runner)\n"
    many = ["/usr/bin/suid-app"] * 21
    t = subprocess.run([cg, "doctor", "--root", root, *many], capture_output=True, text=True)
    check(t.returncode == 3 and t.stdout.endswith(assumed), "a long table without --user: the assumption, last", t.stdout[-300:])
    t = subprocess.run([cg, "doctor", "--root", root, "--user", "app", *many], capture_output=True, text=True)
    check(t.returncode == 3 and assumed not in t.stdout and t.stdout.endswith("(run by 1000:1000)\n"),
          "a long table with --user: the runner, not the assumption", t.stdout[-300:])
    t = subprocess.run([cg, "doctor", "--root", root, *["/usr/bin/app"] * 21], capture_output=True, text=True)
    check(t.returncode == 0 and assumed not in t.stdout, "a long table of no setuid program: no assumption said",
          t.stdout[-300:])
    for spec in ("app:", ":app", ":"):
        t = subprocess.run([cg, "doctor", "--root", root, "--user", spec, "/usr/bin/app"], capture_output=True, text=True)
        check(t.returncode == 2 and "--user needs USER or USER:GROUP" in t.stderr, f"--user '{spec}': a usage error",
              t.stderr)
    t = subprocess.run([cg, "doctor", "--root", root, "--user", "postgres", "/usr/bin/app"], capture_output=True,
                       text=True)
    check(t.returncode == 1 and f"doctor --user postgres: no user postgres in {root}/etc/passwd" in t.stderr,
          "--user naming no user of the image: an error", t.stderr)
    t = subprocess.run([cg, "doctor", "--user", "0"], capture_output=True, text=True)
    check(t.returncode == 2 and "give PROGRAM or --root" in t.stderr, "--user without PROGRAM or --root: usage error",
          t.stderr)


def test_this_machine(args):
    cg = args.cgview
    start = time.monotonic()
    rc, data, err = doctor(cg, "--root", "/")
    elapsed = time.monotonic() - start
    n = len(data["programs"]) if data else 0
    print(f"info  doctor --root / : {n} programs in {elapsed:.1f} s")
    kinds = {"glibc-dynamic", "static", "go", "musl", "other-libc", "foreign-arch", "library", "not-elf", "unreadable"}
    check(data is not None and n > 50 and rc in (0, 3), "--root / examines this machine's programs", (rc, err[-500:]))
    check(data is not None and all(p["kind"] in kinds for p in data["programs"]), "every program has a known kind")
    nproc = [p for p in data["programs"] if p["path"].endswith("/bin/nproc")] if data else []
    check(nproc and nproc[0]["kind"] == "glibc-dynamic" and "sched_getaffinity" in nproc[0]["asks"],
          "nproc: glibc-dynamic, asks sched_getaffinity", nproc)
    rc, r = one(cg, "ls")
    check(r["kind"] == "glibc-dynamic" and r["reached"], "ls (from PATH): glibc-dynamic, reached", r)
    java = shutil.which("java")
    if java is None:
        check(False, "java is installed (openjdk-17-jre-headless, scripts/install-deps)")
        return
    rc, r = one(cg, "java")
    ev = r.get("container_evidence", [])
    check(r["kind"] == "glibc-dynamic" and r["container_aware"] and any("libjvm.so" in e["file"] for e in ev),
          "java: container_aware, evidence in libjvm.so", ev)


def test_run(args):
    cg, s = args.cgview, args.scratch
    # A cgview command (an image's /usr/bin/cgview, of this build or another) is static but reads
    # its cgroup itself: reached, so a scan of an image that holds it does not count it, and run
    # says nothing. Doctor knows it by a text every cgview holds: a copy changed elsewhere (another
    # build) is one, a copy whose text is changed is another static program. (The default build's
    # cgview is static; with CGVIEW_STATIC_CLI=OFF it is reached as any glibc program is.)
    marker = b"cgview command: reads its own cgroup, needs no libcgview.so"
    with open(cg, "rb") as f:
        image = f.read()
    check(marker in image, "the cgview command holds the text doctor knows it by")
    other_build = bytearray(image)
    middle = len(other_build) // 2
    while other_build.find(marker, max(0, middle - len(marker) + 1), middle + len(marker)) >= 0:
        middle += len(marker)  # not in the text itself
    other_build[middle] ^= 0xff  # a byte in place: the size stays
    unmarked = bytearray(image.replace(marker, marker.replace(b"cgroup", b"cgrouq")))
    for name, content in (("cgview_copy", image), ("cgview_other_build", other_build), ("cgview_unmarked", unmarked)):
        with open(f"{s}/{name}", "wb") as f:
            f.write(content)
        os.chmod(f"{s}/{name}", 0o755)
    static = one(cg, cg)[1]["kind"] == "static"
    check(static, "this cgview is statically linked (the default build)")
    # The text found across the search's reads: a static program that holds it where all but its
    # last byte lie before the first 64 KiB read's end, or the second's (which starts with the
    # first's last bytes): the most the search must keep from one read for the next.
    with open(os.path.join(args.programs, "doctor_static"), "rb") as f:
        static_program = f.read()
    for border in (65536, 2 * 65536 - (len(marker) - 1)):
        at = border - (len(marker) - 1)
        content = static_program[:at] + marker + static_program[at + len(marker):]
        with open(f"{s}/marked_at_{border}", "wb") as f:
            f.write(content)
        os.chmod(f"{s}/marked_at_{border}", 0o755)
        rc, r = one(cg, f"{s}/marked_at_{border}")
        check(len(static_program) > border and r["kind"] == "static" and r["reached"] is True,
              f"the cgview text across the search's read at {border}: found", r)
    for program, reached in ((cg, True), (f"{s}/cgview_copy", True), (f"{s}/cgview_other_build", True),
                             (f"{s}/cgview_unmarked", not static)):
        rc, r = one(cg, program)
        check(r["reached"] is reached and rc == (0 if reached else 3)
              and any("It is a cgview command" in x for x in r["reasons"]) is (reached and static),
              f"doctor of {os.path.basename(program)}: reached {reached}", r)
        if program != f"{s}/cgview_other_build":  # (a flipped byte may well break it)
            ran = subprocess.run([cg, "run", "--", program, "--version"], capture_output=True, text=True)
            check(ran.returncode == 0 and ("cannot reach it" in ran.stderr) is not reached,
                  f"run of {os.path.basename(program)}: {'no warning' if reached else 'a warning'}", ran)
    r = subprocess.run([cg, "run", "--", f"{s}/doctor_static"], capture_output=True, text=True)
    lines = r.stderr.splitlines()
    check(r.returncode == 0 and r.stdout.startswith("cpus "), "run static: runs anyway", r)
    check(len(lines) == 1 and lines[0].startswith("cgview: warning:") and "statically linked" in lines[0]
          and "cannot reach it" in lines[0], "run static: one warning line", r.stderr)
    # Go's own advice: GOMAXPROCS and GOMEMLIMIT; a runtime that sizes GOMAXPROCS from the
    # cgroup (1.25+, or this binary's build info rewritten to say so) needs GOMAXPROCS only
    # for an override, which is not in the cgroup.
    set_both = "is a Go program: cgview cannot reach it; set GOMAXPROCS and GOMEMLIMIT for it instead\n"
    from_cgroup = ("is a Go program: cgview cannot reach it; its runtime sizes GOMAXPROCS from the cgroup, "
                   "set GOMEMLIMIT for its memory\n")
    for name in ("doctor_go", "doctor_go125"):
        if not os.path.exists(f"{s}/{name}"):
            continue
        aware = one(cg, f"{s}/{name}")[1]["container_aware"]
        r = subprocess.run([cg, "run", "--", f"{s}/{name}"], capture_output=True, text=True)
        check(r.returncode == 0 and r.stderr.endswith(from_cgroup if aware else set_both),
              f"run {name}: warns, with doctor's advice", r.stderr)
        r = subprocess.run([cg, "run", "--cpus", "1", "--", f"{s}/{name}"], capture_output=True, text=True)
        check(r.returncode == 0 and r.stderr.endswith(set_both), f"run --cpus 1 {name}: GOMAXPROCS for the override",
              r.stderr)
    r = subprocess.run([cg, "run", "--", f"{s}/doctor_dynamic"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stderr == "", "run dynamic: no warning", r.stderr)
    test_asan(args)
    r = subprocess.run([cg, "run", "--", "cgview-no-such-command"], capture_output=True, text=True)
    check(r.returncode == 127 and "not found" in r.stderr, "run: command not found exits 127", (r.returncode, r.stderr))
    r = subprocess.run([cg, "run", "--", f"{s}/adir"], capture_output=True, text=True)
    check(r.returncode == 126, "run: a directory exits 126", (r.returncode, r.stderr))
    # A #! line the kernel refuses (an interpreter's name cut at 256 bytes): execvp runs the script
    # with /bin/sh, whose nproc the library reaches: no warning.
    cut = f"{s}/run_cut_shebang"
    with open(cut, "w") as f:
        f.write("#!/" + "x" * 300 + "\nnproc\n")
    os.chmod(cut, 0o755)
    r = subprocess.run([cg, "run", "--cpus", "1", "--", cut], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == "1\n" and r.stderr == "",
          "run: a #! line the kernel refuses runs under /bin/sh, reached, no warning", r)
    # No execute bit for anyone (root needs one): exec's EACCES is the one line, no warning before it.
    unexecutable = f"{s}/doctor_dynamic_0644"
    shutil.copy2(f"{s}/doctor_dynamic", unexecutable)
    os.chmod(unexecutable, 0o644)
    r = subprocess.run([cg, "run", "--", unexecutable], capture_output=True, text=True)
    check(r.returncode == 126 and r.stderr == f"cgview: {unexecutable}: Permission denied\n",
          "run: a file without an execute bit exits 126, EACCES said once, no warning", (r.returncode, r.stderr))
    r = subprocess.run([cg, "run", "--", f"{s}/plain_text"], capture_output=True, text=True)
    check(r.returncode == 126, "run: a file without execute permission exits 126", (r.returncode, r.stderr))


def test_asan(args):
    """A program built with gcc -fsanitize=address exits at start when a preloaded library
    comes before its runtime; doctor names the runtime and the remedies, and run puts the
    runtime first (the program then runs and gets the view)."""
    cg, s = args.cgview, args.scratch
    program = f"{s}/doctor_asan"
    plain = subprocess.run([program], capture_output=True, text=True, env=dict(os.environ, LD_PRELOAD=args.shim))
    check(plain.returncode != 0 and "ASan runtime does not come first" in plain.stderr,
          "asan: the runtime refuses a library preloaded before it (what the case is about)", plain)
    rc, r = one(cg, program)
    runtime = r.get("asan_runtime") or ""
    check(r["reached"] and os.path.basename(runtime).startswith("libasan.so") and runtime.startswith("/"),
          "asan: doctor's JSON names the runtime's path", r)
    check(any("AddressSanitizer runtime" in x and "verify_asan_link_order=0" in x for x in r["reasons"]),
          "asan: doctor says why and what to do", r["reasons"])
    check(one(cg, f"{s}/doctor_dynamic")[1].get("asan_runtime", "absent") is None, "asan: null for other programs", "")
    cpus = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    r = subprocess.run([cg, "run", "--cpus", "1", "--", program], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith("cpus 1\n") and r.stderr == "",
          f"asan: run starts it, with the view (1 CPU; {cpus} here)", r)
    # A script it interprets: run examines the #! program, and puts its runtime first too.
    script = f"{s}/asan_script"
    with open(script, "w") as f:
        f.write(f"#!{program}\n")
    os.chmod(script, 0o755)
    r = subprocess.run([cg, "run", "--cpus", "1", "--", script], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout.startswith("cpus 1\n") and r.stderr == "",
          "asan: run starts a script it interprets", r)


def test_environment(args):
    cg = args.cgview
    env = {k: v for k, v in os.environ.items() if not k.startswith("CGVIEW_")}
    library_path = os.path.join(args.scratch, "library-path")
    os.makedirs(library_path, exist_ok=True)
    shutil.copy(args.shim, os.path.join(library_path, "libcgview-from-path.so"))
    # A renamed copy is cgview by its soname; a file named like it that is no build is not.
    renamed, lookalike = os.path.join(library_path, "cg.so"), os.path.join(library_path, "libcgview-lookalike.so")
    shutil.copy(args.shim, renamed)
    shutil.copy(os.path.realpath("/lib/x86_64-linux-gnu/libm.so.6") if os.path.exists("/lib/x86_64-linux-gnu/libm.so.6")
                else libc_path(), lookalike)
    # LD_LIBRARY_PATH's tokens expand: $LIB to this build's multiarch directory.
    os.makedirs(os.path.join(library_path, "lib", "x86_64-linux-gnu"), exist_ok=True)
    shutil.copy(args.shim, os.path.join(library_path, "lib", "x86_64-linux-gnu", "libcgview-lib-token.so"))
    env.update(LD_LIBRARY_PATH="/nonexistent:" + library_path + ";" + library_path + "/$LIB")
    env.update(LD_PRELOAD=f"{args.shim}:/nonexistent/libx.so:libm.so.6:libnosuch-cgview-test.so:libcgview-from-path.so"
                          f":{renamed}:{lookalike}:libcgview-lib-token.so",
               CGVIEW_CPUS="abc", CGVIEW_MEMORY="512M",
               CGVIEW_DISABLE="1", CGVIEW_TYPO="1", CGVIEW_CPU_PLACEMENT="lowest", CGVIEW_HOLD_FILES="Off")
    r = subprocess.run([cg, "doctor", "--json"], capture_output=True, text=True, env=env)
    data = json.loads(r.stdout) if r.returncode == 0 else None
    check(data is not None, "doctor (environment) --json: exit 0, JSON", r.stderr)
    if data is None:
        return
    pre = {p["path"]: p for p in data["preloads"] if p["source"] == "LD_PRELOAD"}
    check(pre.get(args.shim, {}).get("loadable") is True and pre[args.shim]["cgview"], "the shim in LD_PRELOAD: loadable", pre)
    check(pre.get("/nonexistent/libx.so", {}).get("exists") is False
          and pre["/nonexistent/libx.so"].get("others_may_open", 0) is None, "a missing preload: exists false", pre)
    # A name without '/' is searched for as ld.so does (here, libc's own directory).
    check(pre.get("libm.so.6", {}).get("exists") is True and pre["libm.so.6"]["loadable"] is True,
          "a bare name ld.so finds in its directories: exists, loadable", pre)
    check(pre.get("libnosuch-cgview-test.so", {}).get("exists") is False, "a bare name found nowhere: exists false", pre)
    check(pre.get("libcgview-from-path.so", {}).get("exists") is True and pre["libcgview-from-path.so"]["cgview"],
          "a bare name in LD_LIBRARY_PATH (searched first, as ld.so does): exists, cgview", pre)
    check(pre.get("libcgview-lib-token.so", {}).get("exists") is True,
          "a bare name in LD_LIBRARY_PATH's $LIB directory (after a ';'): exists", pre)
    check(pre.get(renamed, {}).get("cgview") is True, "a renamed copy of the library (soname libcgview.so): cgview", pre)
    check(pre.get(lookalike, {}).get("cgview") is False and pre[lookalike]["loadable"] is True,
          "a library named libcgview-*.so that is no build of it: not cgview", pre)
    check(data["shim_preloaded"] is True, "shim_preloaded", data)
    valid = {s["name"]: s["valid"] for s in data["settings"]}
    # The configuration's own verdicts: every variable it reads is known, booleans in any case.
    check(valid == {"CGVIEW_CPUS": False, "CGVIEW_MEMORY": True, "CGVIEW_DISABLE": True, "CGVIEW_TYPO": False,
                    "CGVIEW_CPU_PLACEMENT": True, "CGVIEW_HOLD_FILES": True},
          "each CGVIEW_* variable judged", valid)
    check(set(data["cgroups"]) == {"cpu", "cpuacct", "cpuset", "memory"}, "a cgroup entry per controller", data["cgroups"])
    check(data["view"]["disabled"] is True, "the view says CGVIEW_DISABLE", data["view"])
    del env["CGVIEW_DISABLE"]
    data = json.loads(subprocess.run([cg, "doctor", "--json"], capture_output=True, text=True, env=env).stdout)
    show = subprocess.run([cg, "show"], capture_output=True, text=True, env=env).stdout
    cpus_row = [l.split() for l in show.splitlines() if l.startswith("CPUs ")]
    check(data["view"].get("formed") is False or (cpus_row and str(data["view"]["cpus"]) == cpus_row[0][2]),
          "the view's CPU count is show's", (data["view"], cpus_row))
    r = subprocess.run([cg, "doctor"], capture_output=True, text=True, env=env)
    check(r.returncode == 0 and "INVALID" in r.stdout and "CGVIEW_TYPO" in r.stdout, "text environment report", r.stdout)
    check(re.search(r"libm\.so\.6: found at /\S+/libm\.so\.6: exists, loadable here", r.stdout) is not None,
          "the text report says where a bare name was found", r.stdout)
    # ld.so opens a preload as the program's user: a copy under a 0700 directory, or one of mode
    # 0600, fails in every program nobody runs (ld.so's error), and doctor says so of each.
    import tempfile
    where = tempfile.mkdtemp(prefix="cgview-closed-")
    os.chmod(where, 0o755)
    os.makedirs(os.path.join(where, "private"))
    os.chmod(os.path.join(where, "private"), 0o700)
    under_private, unreadable = os.path.join(where, "private", "libcgview.so"), os.path.join(where, "libcgview.so")
    shutil.copy(args.shim, under_private)
    shutil.copy(args.shim, unreadable)
    os.chmod(unreadable, 0o600)
    # How each runner runs a program, and how doctor is told of it. mail (8:8) has its own group
    # among its supplementary ones, as docker gives it (and su, login and ssh do).
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    runners = {"nobody": (nobody, [["--user", "65534:65534"], []]),
               "mail": (["setpriv", "--reuid=8", "--regid=8", "--groups=8"], [["--user", "8:8"]]),
               "root": ([], [["--user", "0:0"]])}
    for copy, why in ((under_private, f"may not search {where}/private (mode 0700"), (unreadable, "may not read it (mode 0600")):
        ran = subprocess.run(nobody + ["sh", "-c", "exec true"], capture_output=True, text=True,
                             env=dict(os.environ, LD_PRELOAD=copy))
        check("cannot be preloaded" in ran.stderr, f"nobody's program with {copy} preloaded: ld.so's error", ran)
        env = dict(os.environ, LD_PRELOAD=f"{args.shim}:{copy}")
        r = subprocess.run([cg, "doctor", "--json"], capture_output=True, text=True, env=env)
        pre = {p["path"]: p for p in json.loads(r.stdout)["preloads"]} if r.stdout.startswith("{") else {}
        check(pre.get(copy, {}).get("others_may_open") is False and pre.get(args.shim, {}).get("others_may_open") is True,
              f"doctor: {copy} closed to others, the build's library open to them", pre)
        r = subprocess.run([cg, "doctor"], capture_output=True, text=True, env=env)
        check(f"but an ordinary user {why}" in r.stdout and r.stdout.count("but an ordinary user") == 1
              and "programs started from here are reached.\n" in r.stdout,
              f"the text report says why of {copy} alone; the build's open copy reaches every program", r.stdout)
        r = subprocess.run([cg, "doctor"], capture_output=True, text=True, env=dict(os.environ, LD_PRELOAD=copy))
        check("reached, but only those run by a user who may open it" in r.stdout,
              f"{copy} alone: only the programs of a user who may open it are reached", r.stdout)
        # Doctor run by nobody, who may not look either: said so, not "does not exist" or "not loadable".
        r = subprocess.run(nobody + [cg, "doctor", "--json"], capture_output=True, text=True,
                           env=dict(os.environ, LD_PRELOAD=copy))
        got = next((p for p in json.loads(r.stdout)["preloads"] if p["path"] == copy), {}) if r.stdout.startswith("{") else {}
        check(got.get("examined") is False and got.get("exists") is (copy == unreadable) and got.get("others_may_open", 0) is None,
              f"doctor run by nobody with {copy} preloaded: not examined", (got, r.stderr))
    # A relative entry is opened from the working directory: through a 0700 directory below it
    # nobody's ld.so fails; from an open directory under a 0700 one (nothing above the working
    # directory is searched), it loads.
    below = os.path.join(where, "private", "open")
    os.makedirs(below)
    os.chmod(below, 0o755)
    shutil.copy(args.shim, below)
    for cwd, entry, closed in ((where, "private/libcgview.so", True), (below, "./libcgview.so", False)):
        env = dict(os.environ, LD_PRELOAD=entry)
        ran = subprocess.run(nobody + ["sh", "-c", "exec true"], capture_output=True, text=True, env=env, cwd=cwd)
        check(("cannot be preloaded" in ran.stderr) is closed, f"nobody's program with {entry} preloaded from {cwd}", ran)
        r = subprocess.run([cg, "doctor", "--json"], capture_output=True, text=True, env=env, cwd=cwd)
        pre = {p["path"]: p for p in json.loads(r.stdout)["preloads"]} if r.stdout.startswith("{") else {}
        check(pre.get(entry, {}).get("others_may_open") is (not closed),
              f"doctor from {cwd}: {entry} others_may_open {not closed}", pre)
    shutil.rmtree(where)


def test_musl(args):
    """A musl program with the shim preloaded (an Alpine image that sets LD_PRELOAD): musl's
    loader lacks glibc's own symbols, which the library references weakly, so the program
    starts, and the library, on another libc, passes everything through. In a root without
    glibc, doctor's environment report says the preload reaches nothing."""
    cg, s = args.cgview, args.scratch
    program = os.path.join(s, "doctor_musl")
    plain = subprocess.run([program], capture_output=True, text=True)
    env = dict(os.environ, LD_PRELOAD=args.shim, CGVIEW_CPUS="1", CGVIEW_MEMORY="256M", CGVIEW_DEBUG="1")
    preloaded = subprocess.run([program], capture_output=True, text=True, env=env)
    check(plain.returncode == 0 and plain.stdout.startswith("cpus "), "the musl program runs", plain)
    check(preloaded.returncode == 0 and preloaded.stdout == plain.stdout and preloaded.stderr == "",
          "the musl program with the shim preloaded: starts, the host's answers, nothing on stderr", preloaded)
    r = subprocess.run([cg, "run", "--cpus", "1", "--", program], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == plain.stdout and len(r.stderr.splitlines()) == 1 and "musl" in r.stderr,
          "run: a musl program runs, with one warning line", r)
    if os.geteuid() != 0:
        check(False, "the musl root needs root (chroot)")
        return
    root = os.path.join(s, "musl-root")
    os.makedirs(os.path.join(root, "lib"))
    loader = "ld-musl-x86_64.so.1"
    shutil.copy2(os.path.realpath("/lib/" + loader), os.path.join(root, "lib", loader))
    shutil.copy2(program, os.path.join(root, "app"))
    shutil.copy2(cg, os.path.join(root, "cgview"))
    shutil.copy2(args.shim, os.path.join(root, "libcgview.so"))
    env = {"LD_PRELOAD": "/libcgview.so", "PATH": "/"}

    def in_root(*argv):  # chroot in the child itself: a chroot(8) of this system's would load the preload
        return subprocess.run(list(argv), capture_output=True, text=True, env=env, cwd="/",
                              preexec_fn=lambda: os.chroot(root))
    inside = in_root("/app")
    check(inside.returncode == 0 and inside.stdout.startswith("cpus ") and inside.stderr == "",
          "a root without glibc, LD_PRELOAD set: the program starts", inside)
    r = in_root("/cgview", "doctor", "--json")
    data = json.loads(r.stdout) if r.returncode == 0 and r.stdout.startswith("{") else {}
    entry = next((p for p in data.get("preloads", []) if p["path"] == "/libcgview.so"), {})
    check(entry.get("loadable") is True and entry.get("glibc") is False and data.get("shim_preloaded") is False,
          "doctor in a root without glibc: the preload reaches nothing", (r.returncode, r.stderr, data))
    r = in_root("/cgview", "doctor")
    check("do not use glibc" in r.stdout and "are reached" not in r.stdout, "the text report says so", r.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cgview", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--programs", required=True)
    ap.add_argument("--scratch", required=True)
    args = ap.parse_args()
    make_scratch(args)
    test_programs(args)
    test_images(args)
    test_lib_layout(args)
    test_other_ports_loader_name(args)
    test_byte_order(args)
    test_platform_token(args)
    test_dynamic_string_tokens(args)
    test_relative_names(args)
    test_loaded_objects(args)
    test_hwcaps_subdirectories(args)
    test_library_path(args)
    test_env_file(args)
    test_env_drops_preload(args)
    test_env_shebang_against_env(args)
    test_env_shebang_lookup(args)
    test_secure_preload_name(args)
    test_secure_mode_closed_preload(args)
    test_user(args)
    test_run(args)
    test_environment(args)
    test_musl(args)
    test_this_machine(args)
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
