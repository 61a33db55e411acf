"""Every example runs as a script, exits 0 and prints its result."""
import glob
import os
import subprocess
import sys

import pytest

EXAMPLES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "examples")

SCRIPTS = sorted(glob.glob(os.path.join(EXAMPLES_DIR, "*.py")))


def test_there_are_examples():
    names = {os.path.basename(p) for p in SCRIPTS}
    assert {"linear_regression.py", "scalar_graph.py", "gradcheck_custom_function.py"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=os.path.basename)
def test_example_runs_as_a_script(script, tmp_path):
    proc = subprocess.run([sys.executable, script], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert "Traceback" not in proc.stderr
