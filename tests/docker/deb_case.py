"""The .deb (`cpack -G DEB` in the build dir) in a clean debian:12 container
without network: installs with dpkg -i, works, and `dpkg -r` leaves nothing."""
import glob
import os
import shutil
import subprocess
import tempfile

from expect import Limits

INSTALL_AND_USE = r"""
set -e
dpkg -i /pkg/deps/*.deb /pkg/cgview.deb > /dev/null 2>&1 || dpkg -i /pkg/deps/*.deb /pkg/cgview.deb
echo "files: $(dpkg -L cgview | tr '\n' ' ')"
echo "help: $(cgview --help | tr '\n' ' ')"
echo "version: $(cgview --version 2>&1 || true)"
cgview show > /tmp/show && echo "show: ok" || echo "show: failed $?"
echo "nproc: $(LD_PRELOAD=/usr/lib/libcgview.so nproc)"
echo "run nproc: $(cgview run -- nproc)"
cgview enable > /dev/null
echo "enabled env -i nproc: $(env -i /usr/bin/nproc)"
left=""
dpkg -r cgview > /dev/null
echo "preload after: $(cat /etc/ld.so.preload 2>&1 | tr '\n' ' ')"
echo "ld.so after: $(/bin/true 2>&1)"
if [ -e /usr/share/doc/cgview ]; then left="/usr/share/doc/cgview"; fi
for f in $(cat /tmp/files); do
  if [ ! -d "$f" ] && [ -e "$f" ]; then left="$left $f"; fi
done
echo "left:$left"
echo "status: $(dpkg-query -W -f '${db:Status-Status}' cgview 2>&1)"
"""


def build_deb(build_dir, work_dir):
    """`cpack -G DEB` in the build dir, the package written under the work dir."""
    out = os.path.join(work_dir, "deb")
    shutil.rmtree(out, ignore_errors=True)
    print("  $ (cd %s && cpack -G DEB -B %s)" % (build_dir, out), flush=True)
    subprocess.run(["cpack", "-G", "DEB", "-B", out], cwd=build_dir, check=True, capture_output=True)
    debs = glob.glob(os.path.join(out, "cgview_*.deb"))
    if len(debs) != 1:
        raise RuntimeError("cpack made %s" % debs)
    return debs[0]


def deb_field(deb, field):
    return subprocess.run(["dpkg-deb", "-f", deb, field], capture_output=True, text=True, check=True).stdout.strip()


def dependencies(deb):
    """Package names in Depends (the first of each alternative, versions dropped)."""
    names = []
    for item in deb_field(deb, "Depends").split(","):
        first = item.split("|")[0].strip()
        if first:
            names.append(first.split()[0].split(":")[0])
    return names


def make(build_dir):
    def case_deb(engine, report):
        deb = build_deb(build_dir, engine.work_dir)
        limits = Limits(cpus="1", memory="256m")
        case = "the .deb in a clean debian:12, %s" % limits
        deps = dependencies(deb)
        lint = subprocess.run(["lintian", "--fail-on", "error,warning", deb], capture_output=True, text=True)
        findings = [l for l in lint.stdout.splitlines() if l[:2] in ("E:", "W:")]
        report.check(case, "lintian: no error or warning", findings, [])
        report.check(case, "Depends names libc6", "libc6" in deps, True)
        installed = set(engine.run("debian:12", ["dpkg-query", "-W", "-f", "${Package}\\n"]).stdout.split())
        missing = [d for d in deps if d not in installed]
        with tempfile.TemporaryDirectory(dir=engine.work_dir) as pkg:
            os.chmod(pkg, 0o755)  # apt's download user and the container read it
            os.mkdir(os.path.join(pkg, "deps"))
            if missing:
                # The container has no network: what the base image lacks comes from the host's apt.
                print("  dependencies the base image lacks, fetched with apt-get download: " + " ".join(missing))
                subprocess.run(["apt-get", "download", *missing], cwd=os.path.join(pkg, "deps"), check=True,
                               capture_output=True)
            subprocess.run(["cp", deb, os.path.join(pkg, "cgview.deb")], check=True)
            script = "dpkg-deb -c /pkg/cgview.deb | awk '{print $6}' | sed 's|^\\.||' > /tmp/files\n" + INSTALL_AND_USE
            script = script.replace("/pkg/deps/*.deb ", "/pkg/deps/*.deb " if missing else "")
            p = engine.run("debian:12", ["sh", "-c", script], limits.options() + ["-v", pkg + ":/pkg:ro"], check=False)
        out = dict(line.split(":", 1) for line in p.stdout.splitlines() if ":" in line)
        out = {k: v.strip() for k, v in out.items()}
        report.check(case, "dpkg -i succeeds and the rest runs", p.returncode, 0)
        files = out.get("files", "").split()
        report.check(case, "installs /usr/bin/cgview and /usr/lib/libcgview.so",
                     "/usr/bin/cgview" in files and "/usr/lib/libcgview.so" in files, True)
        report.check(case, "cgview --version names the package's version", deb_field(deb, "Version") in
                     out.get("version", ""), True)
        report.check(case, "cgview show", out.get("show"), "ok")
        report.check(case, "LD_PRELOAD=/usr/lib/libcgview.so nproc", out.get("nproc"), str(limits.n()))
        report.check(case, "cgview run -- nproc", out.get("run nproc"), str(limits.n()))
        report.check(case, "cgview enable, then env -i nproc", out.get("enabled env -i nproc"), str(limits.n()))
        report.check(case, "dpkg -r takes the library out of /etc/ld.so.preload (prerm: cgview disable)",
                     "libcgview" not in out.get("preload after", ""), True)
        report.check(case, "after dpkg -r, programs run without an ld.so complaint", out.get("ld.so after"), "")
        report.check(case, "dpkg -r leaves no file of the package", out.get("left"), "")
        report.check(case, "dpkg -r: the package is gone", out.get("status") in ("not-installed", "config-files")
                     or "no packages found" in out.get("status", ""), True)
        if p.returncode != 0:
            print(p.stdout[-1500:] + p.stderr[-1500:])
    return case_deb
