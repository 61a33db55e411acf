"""The examples built on nn, optim and utils: the PyTorch-style loop and checkpointing."""
import math

import pytest


def test_pytorch_style_loop_learns_and_follows_the_schedule(example, capsys):
    out = example("pytorch_style_loop").main(epochs=10)
    assert out["final_loss"] < 0.5 * out["initial_loss"]
    lrs, total = out["lrs"], out["total_steps"]
    warmup = total // 10
    assert len(lrs) == total
    assert lrs[0] == 0.0                                          # warmup starts at 0
    assert lrs[warmup] == pytest.approx(1e-2)                     # peak after warmup
    assert all(a <= b for a, b in zip(lrs[:warmup], lrs[1:warmup + 1]))
    assert all(a >= b for a, b in zip(lrs[warmup:-1], lrs[warmup + 1:]))
    middle = warmup + (total - warmup) // 2
    expected = 1e-4 + (1e-2 - 1e-4) * (1 + math.cos(math.pi * (middle - warmup) / (total - warmup))) / 2
    assert lrs[middle] == pytest.approx(expected)
    assert all(n >= 0 for n in out["grad_norms"])
    assert "mean squared error" in capsys.readouterr().out


def test_checkpointing_keeps_fewer_activations_with_the_same_gradients(example, capsys):
    out = example("gradient_checkpointing").main(depth=12, width=64, batch=256, segments=4)
    assert out["gradients_equal"] is True
    assert out["checkpoint_activations"] * 2 < out["plain_activations"]
    assert out["checkpoint_peak"] < out["plain_peak"]
    text = capsys.readouterr().out
    assert "activations" in text and "smaller" in text
