"""The demo's training step under fastgrad.jit gives the numbers of the eager run."""
import argparse
import json
import subprocess
import sys

import pytest

from fastgrad.demo import data
from fastgrad.demo.cli import JSON_NAME, add_arguments, check_arguments
from fastgrad.demo.train import train_run

TIMING_KEYS = {"train_time_s", "wall_time_s", "time_per_step_s"}


def without_timings(runs):
    return [{k: v for k, v in run.items() if k not in TIMING_KEYS} for run in runs]


@pytest.mark.parametrize("optimizer, lr", [("adam", 1e-3), ("momentum", 0.05)])
def test_jitted_training_run_equals_eager(optimizer, lr):
    split = data.load("digits", limit=300)
    assert len(split.x_train) % 32 != 0       # each epoch ends with a smaller batch: a second signature
    kwargs = dict(epochs=2, batch_size=32, hidden=32, seed=3, eval_every=4, progress="none")
    eager = train_run(split, optimizer, lr, **kwargs)
    jitted = train_run(split, optimizer, lr, jit=True, **kwargs)
    assert jitted.steps == eager.steps > 10
    assert jitted.losses == eager.losses
    assert jitted.test_accuracy == eager.test_accuracy


def _demo(out_dir, *extra):
    args = ["demo", "--epochs", "1", "--limit", "200", "--optimizers", "adam,sgd", "--lr-sweep-steps", "0",
            "--no-plots", "--progress", "none", "--out", str(out_dir), *extra]
    return subprocess.run([sys.executable, "-m", "fastgrad", *args], capture_output=True, text=True, timeout=300)


def test_demo_jit_flag_gives_the_numbers_of_the_eager_run(tmp_path):
    eager = _demo(tmp_path / "eager")
    jitted = _demo(tmp_path / "jit", "--jit")
    assert eager.returncode == 0, eager.stderr
    assert jitted.returncode == 0, jitted.stderr
    first = json.loads((tmp_path / "eager" / JSON_NAME).read_text())
    second = json.loads((tmp_path / "jit" / JSON_NAME).read_text())
    assert second["config"]["jit"] is True
    assert without_timings(first["runs"]) == without_timings(second["runs"])


@pytest.mark.parametrize("flags, message", [
    (["--distributed"], "--jit does not combine with --distributed"),
    (["--model", "cnn"], "--jit runs --model mlp only"),
])
def test_jit_with_what_it_cannot_record_is_refused_naming_the_flags(tmp_path, flags, message):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--jit", *flags, "--out", str(tmp_path / "out")])
    with pytest.raises(ValueError, match=message):
        check_arguments(args)


def test_batch_norm_in_training_is_refused_by_the_second_recording(rng):
    """Its running statistics are updated outside the recorded ops: the check between two
    recordings refuses the function instead of replaying without the update."""
    import numpy as np

    import fastgrad as fg

    bn = fg.nn.BatchNorm1d(4)
    step = fg.jit(lambda x: bn(x).sum())
    with fg.no_grad():
        step(fg.tensor(rng.standard_normal((8, 4))))
        with pytest.raises(fg.jit.CaptureError, match="BatchNorm forward, its keyword argument 'stats'"):
            step(fg.tensor(rng.standard_normal((8, 4))))
