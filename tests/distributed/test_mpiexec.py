"""The MPI programs in mpi_programs/, each run with `mpiexec -n 2` under a timeout.

They need mpi4py and an MPI library (`pip install 'fastgrad[distributed]'`) and
are skipped only when mpi4py is not installed; with mpi4py, a missing mpiexec
is a failure."""
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py", reason="mpi4py not installed: the MPI tests need the 'distributed' extra")

PROGRAMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mpi_programs")
TIMEOUT_S = 240


def mpiexec():
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    found = shutil.which("mpiexec", path=search)
    assert found, "mpi4py is installed but mpiexec is not on PATH (install the mpich wheel or a system MPI)"
    return found


def run_on_two_ranks(*command, cwd=None):
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    try:
        return subprocess.run([mpiexec(), "-n", "2", *command], capture_output=True, text=True,
                              timeout=TIMEOUT_S, env=env, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"`mpiexec -n 2 {' '.join(command)}` hung for {TIMEOUT_S} s:\n{e.stdout}\n{e.stderr}")


def run_program(name, *args):
    result = run_on_two_ranks(sys.executable, os.path.join(PROGRAMS, name), *args)
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.parametrize("program, last_words", [
    ("collectives.py", "collectives ok"),
    ("ddp_equivalence.py", "ddp equivalence ok"),
    ("sync_batch_norm.py", "sync batch norm ok"),
])
def test_program_passes_on_both_ranks(program, last_words):
    result = run_program(program)
    assert result.stdout.count(last_words) == 2, result.stdout


def test_ddp_features(tmp_path):
    result = run_program("ddp_features.py", str(tmp_path))
    assert result.stdout.count("ddp features ok") == 2, result.stdout
    assert (tmp_path / "ddp-checkpoint.npz").exists()


def test_an_error_on_one_rank_ends_the_job_and_names_the_rank():
    result = run_on_two_ranks(sys.executable, os.path.join(PROGRAMS, "fail_on_one_rank.py"))
    assert result.returncode != 0
    assert "should never get here" not in result.stdout
    assert "rank 1 failed with an uncaught exception" in result.stderr, result.stderr
    assert "rank 1: ValueError: a deliberate failure in step 2" in result.stderr, result.stderr


def test_demo_trains_data_parallel_and_rank_0_prints_the_table(tmp_path):
    fastgrad_cli = [sys.executable, "-m", "fastgrad"]
    result = run_on_two_ranks(*fastgrad_cli, "demo", "--distributed", "--epochs", "2", "--optimizers", "sgd,adam",
                              "--progress", "none", "--out", str(tmp_path), cwd=str(tmp_path))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    out = result.stdout
    assert out.count("final test acc") == 1, out            # one table: rank 0's
    assert "batch 32 = 2 ranks x 16" in out, out
    assert "\nsgd " in out and "\nadam " in out, out
    assert (tmp_path / "results-distributed.json").exists()
    import fastgrad as fg

    state = fg.load(str(tmp_path / "model-distributed.npz"))
    assert set(state) == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_the_readme_training_script_runs_on_two_ranks(tmp_path):
    import pathlib
    import re

    readme = pathlib.Path(__file__).resolve().parents[2] / "README.md"
    blocks = re.findall(r"^```py\n(.*?)^```", readme.read_text(), re.S | re.M)
    scripts = [b for b in blocks if "DistributedDataParallel" in b]
    assert len(scripts) == 1, "README: expected one data-parallel training script in a ```py block"
    script = tmp_path / "train.py"
    script.write_text(scripts[0])
    result = run_on_two_ranks(sys.executable, str(script), cwd=str(tmp_path))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    import fastgrad as fg

    assert set(fg.load(str(tmp_path / "model.npz"))) == {"0.weight", "0.bias", "2.weight", "2.bias"}


def test_demo_trains_the_cnn_data_parallel(tmp_path):
    from fastgrad.demo.model import describe_model

    result = run_on_two_ranks(sys.executable, "-m", "fastgrad", "demo", "--distributed", "--model", "cnn",
                              "--epochs", "1", "--optimizers", "adam", "--progress", "none", "--out", str(tmp_path),
                              cwd=str(tmp_path))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert describe_model("cnn", 64, 64, 10, "relu") in result.stdout, result.stdout
    assert result.stdout.count("final test acc") == 1, result.stdout


def test_demo_argument_errors_end_every_rank_with_one_message(tmp_path):
    result = run_on_two_ranks(sys.executable, "-m", "fastgrad", "demo", "--distributed", "--batch-size", "33",
                              "--out", str(tmp_path), cwd=str(tmp_path))
    assert result.returncode == 2, f"{result.stdout}\n{result.stderr}"
    assert result.stderr.count("--batch-size 33 must be a multiple of the 2 ranks") == 1, result.stderr
    result = run_on_two_ranks(sys.executable, "-m", "fastgrad", "demo", "--distributed", "--device", "cuda",
                              "--out", str(tmp_path), cwd=str(tmp_path))
    assert result.returncode == 2 and "--distributed trains NumPy arrays on the CPU only" in result.stderr, \
        result.stderr


def test_collectives_stage_arrays_of_other_libraries_through_host_memory():
    pytest.importorskip("array_api_strict")
    result = run_program("collectives_device_arrays.py")
    assert result.stdout.count("device-array collectives ok") == 2, result.stdout
