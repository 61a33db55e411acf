"""`fastgrad demo --model cnn`: the small CNN trains on the bundled digits and on MNIST IDX
files through the real entry point, and beats the MLP's test accuracy on the digits."""
import json
import subprocess
import sys

import numpy as np
import pytest

from fastgrad.demo import data
from fastgrad.demo.model import build_model, image_side
from fastgrad.demo.train import train_run


def run_demo(out_dir, *extra):
    args = ["demo", "--model", "cnn", "--epochs", "1", "--lr-sweep-steps", "3", "--eval-every", "5",
            "--progress", "none", "--no-plots", "--out", str(out_dir), *extra]
    return subprocess.run([sys.executable, "-m", "fastgrad", *args], capture_output=True, text=True, timeout=300)


def test_cnn_demo_writes_the_table_and_json(tmp_path):
    proc = run_demo(tmp_path / "out", "--optimizers", "adam")
    assert proc.returncode == 0, proc.stderr
    assert "CNN 8x8 -> conv3x3 16" in proc.stdout and "adam" in proc.stdout
    report = json.loads((tmp_path / "out" / "results.json").read_text())
    assert report["config"]["model"] == "cnn"
    assert report["runs"][0]["steps"] > 0


def test_cnn_demo_trains_on_mnist_idx_files(tmp_path, write_fake_mnist):
    write_fake_mnist(tmp_path, n_train=20, n_test=6, side=28)
    proc = run_demo(tmp_path / "out", "--data", "mnist", "--data-dir", str(tmp_path), "--optimizers", "sgd")
    assert proc.returncode == 0, proc.stderr
    assert "CNN 28x28" in proc.stdout


def test_cnn_beats_the_mlp_on_the_digits():
    split = data.load("digits", None, seed=0)
    for optimizer, lr in (("sgd", 0.1), ("adam", 1e-3)):
        mlp = train_run(split, optimizer, lr, model="mlp", progress="none")
        cnn = train_run(split, optimizer, lr, model="cnn", progress="none")
        assert cnn.test_accuracy[-1] > mlp.test_accuracy[-1], (optimizer, cnn.test_accuracy[-1],
                                                               mlp.test_accuracy[-1])


def test_evaluation_uses_the_running_statistics():
    split = data.load("digits", None, seed=0, limit=64)
    model = build_model("cnn", split.num_features, 16, split.num_classes)
    before = [b.data.copy() for b in model.buffers()]
    from fastgrad.demo.train import accuracy

    accuracy(model, split.x_test, split.y_test)
    assert model.training
    for old, new in zip(before, model.buffers()):
        np.testing.assert_array_equal(old, new.data)  # scoring the test set leaves the statistics alone


def test_the_cnn_needs_square_images():
    assert image_side(784) == 28
    with pytest.raises(ValueError, match="square images"):
        build_model("cnn", 10, 16, 3)
    with pytest.raises(ValueError, match="unknown model"):
        build_model("rnn", 64, 16, 10)
