"""Cross entropy forward + backward at batch 1024 x 1000 classes, float32, and softmax /
log_softmax forward + backward on short and long rows.

- fastgrad: F.cross_entropy(logits, labels) and backward (one fused pass each way);
- PyTorch: torch.nn.functional.cross_entropy and backward;
- NumPy: the stable log-softmax, the pick and the gradient written by hand;
- softmax family: F.softmax / F.log_softmax(x, dim=-1).sum().backward() at (4096, 16),
  (1024, 10) and (256, 1000), fastgrad beside PyTorch, the ratio printed after the run.

Run:  pytest bench/bench_losses.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
import ratios
from peers import library, torch_or_skip

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


# ---- softmax and log_softmax forward + backward, short and long rows ----------------------------
# F.softmax(x, dim=-1).sum().backward() on float32 logits, fastgrad beside PyTorch; rows of fewer
# than 32 classes take fastgrad's short-row kernels, (256, 1000) the plain ones.  At the end of a
# timed run each group prints fastgrad's median over PyTorch's.

SOFTMAX_SHAPES = [(4096, 16), (1024, 10), (256, 1000)]
SOFTMAX_OPS = ["softmax", "log_softmax"]


def softmax_group(op, shape):
    return f"{op} fwd+bwd, {shape[0]} x {shape[1]} float32"


@pytest.fixture(scope="module", autouse=True)
def print_softmax_ratios(request):
    yield
    wanted = [(softmax_group(op, shape), "fastgrad", "torch", "")
              for op in SOFTMAX_OPS for shape in SOFTMAX_SHAPES]
    ratios.print_after(request, "softmax family ratios (medians of this run):", wanted)


def softmax_step(lib, op, x):
    """One forward + backward through `lib`'s autograd (lib: fastgrad or torch)."""
    if lib.__name__ == "torch":
        leaf = lib.from_numpy(x.copy()).requires_grad_()
        fn = getattr(lib.nn.functional, op)
    else:
        leaf = lib.tensor(x, requires_grad=True)
        fn = getattr(F, op)

    def step():
        fn(leaf, dim=-1).sum().backward()
        leaf.grad = None

    return step


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
@pytest.mark.parametrize("shape", SOFTMAX_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("op", SOFTMAX_OPS)
def test_softmax_family(benchmark, op, shape, peer):
    x = np.random.default_rng(0).standard_normal(shape, dtype=np.float32) * 3
    benchmark.group = softmax_group(op, shape)
    benchmark.name = peer
    benchmark(softmax_step(library(peer), op, x))
    ratios.record(benchmark)
