"""Cross entropy forward + backward at batch 1024 x 1000 classes, float32.

- fastgrad: F.cross_entropy(logits, labels) and backward (one fused pass each way);
- PyTorch: torch.nn.functional.cross_entropy and backward;
- NumPy: the stable log-softmax, the pick and the gradient written by hand.

Run:  pytest bench/bench_losses.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from peers import torch_or_skip

BATCH, CLASSES = 1024, 1000
GROUP = f"cross_entropy fwd+bwd, {BATCH} x {CLASSES} float32"


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((BATCH, CLASSES), dtype=np.float32) * 3,
            rng.integers(0, CLASSES, BATCH))


def test_fastgrad(benchmark, data):
    benchmark.group = GROUP
    x, labels = data
    logits = fg.tensor(x, requires_grad=True)

    def step():
        F.cross_entropy(logits, labels).backward()
        logits.grad = None

    benchmark(step)


def test_torch(benchmark, data):
    torch = torch_or_skip()
    benchmark.group = GROUP
    x, labels = data
    logits = torch.from_numpy(x.copy()).requires_grad_()
    target = torch.from_numpy(labels)

    def step():
        torch.nn.functional.cross_entropy(logits, target).backward()
        logits.grad = None

    benchmark(step)


def test_numpy(benchmark, data):
    benchmark.group = GROUP
    x, labels = data
    rows = np.arange(BATCH)

    def step():
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = (np.log(s[:, 0]) - shifted[rows, labels]).mean()
        grad = e / s
        grad[rows, labels] -= 1
        grad /= BATCH
        return loss, grad

    benchmark(step)
