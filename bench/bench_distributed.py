"""Smoke run of bench/distributed_mlp.py (data-parallel steps, 2 ranks against 1) under mpiexec.

The figures come from the script itself, run with mpiexec (see its docstring);
pytest-benchmark times a single process, so here the script is only run in a
tiny configuration to keep it working. Skipped without mpi4py.
"""
import os
import shutil
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "distributed_mlp.py")


def test_distributed_mlp_script_runs(tmp_path):
    pytest.importorskip("mpi4py", reason="mpi4py not installed: the 'distributed' extra is needed")
    mpiexec = shutil.which("mpiexec", path=os.pathsep.join([os.path.dirname(sys.executable),
                                                            os.environ.get("PATH", "")]))
    assert mpiexec, "mpi4py is installed but mpiexec is not on PATH"
    out = tmp_path / "figures.json"
    result = subprocess.run([mpiexec, "-n", "2", sys.executable, SCRIPT, "--sizes", "T2", "--rounds", "1",
                             "--steps", "2", "--json", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.count("speed-up 2 ranks / 1 rank") == 1, result.stdout      # rank 0 prints
    import json

    row = json.loads(out.read_text())[0]
    assert row["mlp"] == "T2" and row["samples_per_s"]["fastgrad DDP 2 ranks"] > 0
