#!/usr/bin/python3
"""psutil's test suite as `python3 -m unittest` runs it, with one change, made the same way
natively and under the shim (suites.py runs both through this file).

psutil.tests installs a SIGTERM handler that raises SystemExit, so that its test programs run
their atexit functions. Processes forked without exec inherit it: multiprocessing's pool
workers (TestFetchAllProcesses). Pool.terminate() stops a worker with SIGTERM while holding the
pool's queue lock, then waits for it. Where the handler's SystemExit is raised inside a __del__
method or another finalizer, Python only prints it ("Exception ignored in"), the worker lives on,
blocks on that lock and terminate() waits for ever (psutil issue 2104: psutil's own CI turns the
pool off). Forked children here get SIGTERM's default action back, as a worker of a program that
installs no handler has; a child that execs loses the handler anyway.
"""

import os
import signal
import sys
import unittest

if __name__ == "__main__":
    os.register_at_fork(after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
    unittest.main(module=None, argv=["python3 -m unittest"] + sys.argv[1:])
