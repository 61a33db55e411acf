"""`fastgrad demo` through the real entry point on a tiny setting (one epoch)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from fastgrad.demo.cli import JSON_NAME
from fastgrad.demo.plots import PLOT_FILES

TINY = ["--epochs", "1", "--lr-sweep-steps", "4", "--eval-every", "5", "--progress", "plain"]
TIMING_KEYS = {"train_time_s", "wall_time_s", "time_per_step_s"}


def run_demo(out_dir, *extra, blocked=()):
    """python -m fastgrad demo ... ; `blocked` modules fail to import, as if not installed."""
    args = ["demo", *TINY, "--out", str(out_dir), *extra]
    code = (f"import sys\nfor name in {list(blocked)!r}: sys.modules[name] = None\n"
            f"from fastgrad.__main__ import main\nsys.exit(main({args!r}))")
    command = [sys.executable, "-c", code] if blocked else [sys.executable, "-m", "fastgrad", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def without_timings(runs):
    return [{k: v for k, v in run.items() if k not in TIMING_KEYS} for run in runs]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = run_demo(out, "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_summary_table_lists_each_optimizer(tiny_run):
    _, proc = tiny_run
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("optimizer"))
    for column in ("lr", "steps to 95%", "final test acc", "wall time", "time/step"):
        assert column in lines[header]
    rows = [line.split()[0] for line in lines[header + 2: header + 5]]
    assert rows == ["sgd", "momentum", "adam"]
    assert "1438 train / 359 test" in proc.stdout


def test_json_holds_the_numbers_behind_the_table(tiny_run):
    out, proc = tiny_run
    report = json.loads((out / JSON_NAME).read_text())
    assert [r["optimizer"] for r in report["runs"]] == ["sgd", "momentum", "adam"]
    for run in report["runs"]:
        steps_per_epoch = -(-1438 // 32)
        assert run["steps"] == steps_per_epoch and len(run["losses"]) == steps_per_epoch
        assert run["eval_steps"][0] == 0 and run["eval_steps"][-1] == steps_per_epoch
        assert 0 <= run["final_test_accuracy"] <= 1
        assert f"{run['final_test_accuracy']:.1%}" in proc.stdout
        assert run["wall_time_s"] > 0 and run["time_per_step_s"] > 0
    assert report["runs"][2]["losses"][-1] < report["runs"][2]["losses"][0]
    sweep = report["lr_sensitivity"]
    assert sweep["labels"] == ["too small", "good", "too large", "diverging"]
    assert [len(r["losses"]) <= 4 for r in sweep["runs"]] == [True] * 4
    assert report["config"]["seed"] == 7


def test_plots_are_png_files(tiny_run):
    pytest.importorskip("matplotlib")
    out, proc = tiny_run
    for name in PLOT_FILES.values():
        with open(out / name, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
        assert name in proc.stdout


def test_same_seed_gives_the_same_numbers(tiny_run, tmp_path):
    out, _ = tiny_run
    proc = run_demo(tmp_path / "again", "--seed", "7")
    assert proc.returncode == 0, proc.stderr
    first = json.loads((out / JSON_NAME).read_text())
    second = json.loads((tmp_path / "again" / JSON_NAME).read_text())
    assert without_timings(first["runs"]) == without_timings(second["runs"])
    assert without_timings(first["lr_sensitivity"]["runs"]) == without_timings(second["lr_sensitivity"]["runs"])


def test_missing_optional_packages_give_one_line_and_the_run_goes_on(tmp_path):
    proc = run_demo(tmp_path / "out", "--progress", "auto", "--optimizers", "adam",
                    blocked=("matplotlib", "tqdm"))
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if "fastgrad[examples]" in line]
    assert notes == ['note: not installed: matplotlib (plots skipped), tqdm (plain progress); '
                     'for them: pip install "fastgrad[examples]"']
    assert "Traceback" not in proc.stderr
    assert os.listdir(tmp_path / "out") == [JSON_NAME]


def test_asking_for_tqdm_without_it_is_one_clear_error(tmp_path):
    proc = run_demo(tmp_path / "out", "--progress", "tqdm", blocked=("tqdm",))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        'fastgrad demo: error: tqdm is needed for --progress tqdm: pip install "fastgrad[examples]"']


@pytest.mark.parametrize("args, message", [
    (["--optimizers", "sgd,lbfgs"], "--optimizers 'sgd,lbfgs': choose from"),
    (["--lr", "adam=fast"], "--lr 'adam=fast'"),
    (["--epochs", "0"], "--epochs must be >= 1"),
    (["--data", "mnist"], "--data mnist needs --data-dir"),
    (["--out", "/dev/null/out"], "/dev/null/out"),
    (["--lr", "-0.1"], "the learning rate of sgd must be a positive number, got -0.1"),
    (["--lr", "adam=0"], "the learning rate of adam must be a positive number"),
    (["--threads", "-1"], "--threads must be >= 1, got -1"),
    (["--seed", "-1"], "--seed must be between 0 and 4294967295, got -1"),
    (["--target", "2"], "--target is a test accuracy between 0 and 1"),
    (["--data-dir", "/tmp"], "--data-dir is read only with --data mnist"),
    (["--device", "gpu"], "--device gpu: expected cpu, cuda or cuda:N"),
])
def test_bad_arguments_are_one_clear_line(tmp_path, args, message):
    proc = run_demo(tmp_path / "out", *args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastgrad demo: error: ") and message in lines[0]


def test_out_pointing_at_a_file_names_the_flag(tmp_path):
    existing = tmp_path / "results.txt"
    existing.write_text("keep me")
    proc = run_demo(existing)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"fastgrad demo: error: --out {str(existing)!r} is a file; give a folder (it is created if missing)"]
    assert existing.read_text() == "keep me"


def test_cuda_without_cupy_is_one_clear_line(tmp_path):
    proc = run_demo(tmp_path / "out", "--device", "cuda", blocked=("cupy",))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fastgrad demo: error: --device cuda: ")
    assert "CuPy" in lines[0] and "not installed" in lines[0]


def test_help_shows_each_optimizers_default_learning_rate():
    proc = subprocess.run([sys.executable, "-m", "fastgrad", "demo", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "sgd=0.1, momentum=0.05, nesterov=0.05, adam=0.001, adamw=0.001" in text


def test_demo_trains_on_mnist_idx_files(tmp_path, write_fake_mnist):
    write_fake_mnist(tmp_path, n_train=40, n_test=10, side=6)
    proc = run_demo(tmp_path / "out", "--data", "mnist", "--data-dir", str(tmp_path), "--no-plots",
                    "--optimizers", "adam", "--lr-sweep-steps", "0")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "out" / JSON_NAME).read_text())
    assert report["config"]["train_size"] == 40 and report["config"]["test_size"] == 10
    assert report["lr_sensitivity"]["runs"] == []


def test_console_script_is_declared():
    script = shutil.which("fastgrad")
    if script is None:
        pytest.skip("the fastgrad console script is not on PATH in this environment")
    proc = subprocess.run([script, "demo", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--optimizers" in proc.stdout


def test_version_flag_prints_the_version():
    import fastgrad

    proc = subprocess.run([sys.executable, "-m", "fastgrad", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"fastgrad {fastgrad.__version__}"
