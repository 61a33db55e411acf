"""Busy processes for the contention benchmarks: started, and always stopped, by the caller.

Each one spins on a core until stopped, or until its parent is gone (it checks
its parent's pid), so a killed benchmark run leaves none behind.
"""
import os
import subprocess
import sys

SPIN = "import os, sys\nparent = int(sys.argv[1])\nwhile os.getppid() == parent:\n    pass\n"


class BusyProcesses:
    """`count` spinning processes while the with block runs."""

    def __init__(self, count):
        if count < 1:
            raise ValueError(f"BusyProcesses: count must be >= 1, got {count}")
        self.count = count
        self.processes = []

    def __enter__(self):
        for _ in range(self.count):
            self.processes.append(subprocess.Popen([sys.executable, "-c", SPIN, str(os.getpid())]))
        return self

    def __exit__(self, *exc):
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.processes = []
        return False
