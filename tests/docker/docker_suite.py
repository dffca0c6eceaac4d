#!/usr/bin/env python3
"""cgview in a real Docker engine: builds the images under docker/ from the
working tree as the README tells users, runs containers with limits and checks
inside them what real programs see. See engine.py for how the engine, the base
image, cgroups and cleanup are handled, cases.py for the cases.

  docker_suite.py --source DIR --work DIR [--build DIR] [--only NAME ...]

Exit 0 all passed, 1 a check failed, 77 skipped (no Docker engine here; with
CGVIEW_TEST_REQUIRE_DOCKER=1 that is a failure instead)."""
import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))  # debian_root, cgroup_parent

import cases  # noqa: E402
import deb_case  # noqa: E402
from engine import SKIP, Engine, Unavailable, log  # noqa: E402

# The README's Docker section, in its order: the cgview image first, then the ones built FROM it.
IMAGES = [("docker/Dockerfile", cases.CGVIEW), ("docker/nginx/Dockerfile", cases.NGINX),
          ("docker/java/Dockerfile", cases.JAVA), ("docker/python/Dockerfile", cases.PYTHON)]


def skip_or_fail(reason):
    if os.environ.get("CGVIEW_TEST_REQUIRE_DOCKER") == "1":
        log("FAIL: no Docker engine, and CGVIEW_TEST_REQUIRE_DOCKER=1 requires one: " + reason)
        return 1
    log("SKIP: no Docker engine: " + reason)
    return SKIP


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--build", help="the CMake build dir: `cpack -G DEB` there makes the .deb the deb case installs")
    ap.add_argument("--only", nargs="*", help="run only these cases (function names without case_)")
    args = ap.parse_args()
    start = time.monotonic()
    engine = Engine(os.path.abspath(args.work))
    report = cases.Report()
    problems = []
    try:
        try:
            engine.start()
        except Unavailable as e:
            return skip_or_fail(str(e))
        engine.ensure_base_image()
        engine.build_all(os.path.abspath(args.source), IMAGES)
        selected = list(cases.CASES)
        if args.build:
            selected.append(deb_case.make(os.path.abspath(args.build)))
        for case in selected:
            name = case.__name__.replace("case_", "")
            if args.only and name not in args.only:
                continue
            log("== %s" % name)
            case_start = time.monotonic()
            try:
                case(engine, report)
            except Exception:
                traceback.print_exc()
                report.failures.append("%s: raised (see above)" % name)
            log("   (%.0f s)" % (time.monotonic() - case_start))
    except Exception:
        traceback.print_exc()
        report.failures.append("setup raised (see above)")
    finally:
        try:
            problems = engine.cleanup()
        except Exception:
            traceback.print_exc()
            problems = ["cleanup raised"]
        engine.stop_daemon()
    for p in problems:
        report.failures.append("cleanup: " + p)
        log("FAIL cleanup: " + p)
    log("docker suite: %d checks passed, %d failed, %.0f s" % (report.passed, len(report.failures),
                                                             time.monotonic() - start))
    for f in report.failures:
        log("  failed: " + f)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
