"""The demo under `--amp bf16` / `--amp fp16` trains as well as in float32 (short runs)."""
import json
import subprocess
import sys

import pytest


def final_accuracy(tmp_path, *flags):
    out = tmp_path / "_".join(flags or ("f32",)).replace("-", "")
    cmd = [sys.executable, "-m", "fastgrad", "demo", "--epochs", "4", "--optimizers", "adam", "--lr-sweep-steps",
           "0", "--no-plots", "--progress", "none", "--out", str(out), *flags]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(out / "results.json") as f:
        report = json.load(f)
    assert report["config"]["amp"] == (flags[1] if flags else None)
    assert report["config"]["jit"] == ("--jit" in flags)
    return report["runs"][0]["final_test_accuracy"], proc.stdout


@pytest.mark.parametrize("amp", ["bf16", "fp16"])
def test_amp_trains_to_the_float32_accuracy(tmp_path, amp):
    baseline, _ = final_accuracy(tmp_path)
    mixed, stdout = final_accuracy(tmp_path, "--amp", amp)
    assert f"amp {amp}" in stdout
    # 359 test images: one image is 0.28 points; a short run is allowed 2 points either way
    assert abs(mixed - baseline) <= 0.02, (mixed, baseline)
    assert mixed > 0.85


def test_amp_refuses_a_gpu_device(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fastgrad", "demo", "--amp", "bf16", "--device", "cuda",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--amp runs the products of NumPy arrays" in proc.stderr


def test_amp_bf16_under_jit_gives_the_same_run(tmp_path):
    plain, _ = final_accuracy(tmp_path, "--amp", "bf16")
    replayed, _ = final_accuracy(tmp_path, "--amp", "bf16", "--jit")
    assert replayed == plain


def test_amp_fp16_refuses_jit(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fastgrad", "demo", "--amp", "fp16", "--jit", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--amp fp16" in proc.stderr
