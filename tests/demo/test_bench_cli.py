"""`fastgrad bench` through the real entry point, at tiny sizes (--quick)."""
import json
import signal
import subprocess
import sys

import pytest

from fastgrad.demo.bench import CASE_KEYS, format_table


def run_bench(*args):
    return subprocess.run([sys.executable, "-m", "fastgrad", "bench", "--quick", "--budget", "0.005", *args],
                          capture_output=True, text=True, timeout=300)


def test_json_has_one_row_per_case_with_times_and_ratios():
    proc = run_bench("--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert len(result["rows"]) == len(CASE_KEYS)
    assert result["threads"] >= 1 and result["machine"]["numpy"]
    for row in result["rows"]:
        assert row["fastgrad"] > 0 and row["numpy"] > 0
        assert row["fastgrad/numpy"] == row["fastgrad"] / row["numpy"]
    floors = [row for row in result["rows"] if row["floor"] is not None]
    assert {r["case"].split()[0] for r in floors} >= {"sigmoid", "relu", "Adam", "MLP"}
    try:
        import torch  # noqa: F401
    except ImportError:
        assert all(row["torch"] is None for row in result["rows"])
    else:
        assert all(row["torch"] > 0 and row["fastgrad/torch"] > 0 for row in result["rows"])


def test_table_names_the_peers_and_the_floor():
    proc = run_bench("--only", "overhead,relu")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:5] == ["case", "fastgrad", "NumPy", "PyTorch", "floor"]
    assert lines[2].startswith("per-op overhead") and lines[3].startswith("relu fwd+bwd")
    assert "floor: activations: one pass moving the same 20 B/element" in proc.stdout


def test_unknown_case_is_one_clear_line():
    proc = run_bench("--only", "nope")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"fastgrad bench: error: --only: unknown case(s) nope; choose from {', '.join(CASE_KEYS)}"]


@pytest.mark.parametrize("args, message", [
    (["--threads", "-1"], "--threads must be >= 1, got -1"),
    (["--threads", "0"], "--threads must be >= 1, got 0"),
    (["--budget", "-1"], "--budget is seconds of timing per measurement and must be > 0, got -1"),
    (["--device", "tpu"], "--device tpu: expected cpu, cuda or cuda:N"),
    (["--device", "cuda", "--only", "overhead"], "--only: unknown case(s) overhead; choose from sigmoid, relu, "
                                                 "adam, mlp-medium, mlp-large"),
])
def test_bad_arguments_are_one_clear_line(args, message):
    proc = run_bench(*args)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"fastgrad bench: error: {message}"]


def test_cuda_without_cupy_is_one_clear_line():
    code = ("import sys\nsys.modules['cupy'] = None\nfrom fastgrad.__main__ import main\n"
            "sys.exit(main(['bench', '--quick', '--device', 'cuda']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastgrad bench: error: --device cuda: ") and "CuPy" in lines[0]


def test_ctrl_c_stops_the_run_with_one_line():
    # The child gets SIGINT's default disposition back: a suite started in the background by a
    # shell inherits SIGINT ignored, and Python started with it ignored never raises KeyboardInterrupt.
    proc = subprocess.Popen([sys.executable, "-m", "fastgrad", "bench", "--budget", "0.5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # "  measured ..." once the first case is done
        assert "measured" in first, first
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["fastgrad bench: interrupted"]


def test_format_table_marks_missing_peers_with_a_dash():
    row = {"case": "x", "fastgrad": 2e-3, "numpy": 1e-3, "torch": None, "floor": None,
           "fastgrad/numpy": 2.0, "fastgrad/torch": None, "fastgrad/floor": None}
    body = format_table([row]).splitlines()[2].split()
    assert body == ["x", "2", "ms", "1", "ms", "-", "-", "2.00x", "-", "-"]
