"""T7: sigmoid and relu forward + backward on 10M float32.

Each group times, on the same arrays and thread count:
- fastgrad: y = fg.sigmoid(x); y.backward(g) (x requires grad, so x.grad is the
  backward's fresh output), the way a training step runs it;
- PyTorch: the same through torch.sigmoid and autograd;
- NumPy: the same arithmetic written with NumPy ufuncs (fresh outputs);
- the bandwidth floor: a plain copy x -> y and a plain add (y, g) -> gx into
  preallocated arrays, split over the same number of threads: the bytes that
  a forward and a backward must move (16 bytes read or written per element
  and pass pair: x, y | y, g, gx), with no arithmetic and no page faults.

Targets: fastgrad <= 0.5x PyTorch and within 1.5x of the floor.

Run:  pytest bench/bench_activations.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastgrad as fg
from conftest import THREADS
from peers import torch_or_skip

N = 10_000_000


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(N, dtype=np.float32) * 3
    g = rng.standard_normal(N, dtype=np.float32)
    return x, g


def group(op):
    return f"T7 {op} forward+backward, 10M float32"


def run_fastgrad(benchmark, fn, x, g):
    t = fg.tensor(x, requires_grad=True)

    def step():
        fn(t).backward(g)
        t.grad = None

    benchmark(step)


def run_torch(benchmark, fn_name, x, g):
    torch = torch_or_skip()
    t = torch.from_numpy(x.copy()).requires_grad_()
    tg = torch.from_numpy(g)
    fn = getattr(torch, fn_name)

    def step():
        fn(t).backward(tg)
        t.grad = None

    benchmark(step)


def run_floor(benchmark, x, g):
    """copy x -> y, then y + g -> gx, each split over THREADS threads, preallocated."""
    y, gx = np.empty_like(x), np.empty_like(x)
    bounds = np.linspace(0, N, THREADS + 1).astype(int)
    parts = list(zip(bounds[:-1], bounds[1:]))
    pool = ThreadPoolExecutor(THREADS)

    def copy(part):
        lo, hi = part
        np.copyto(y[lo:hi], x[lo:hi])

    def add(part):
        lo, hi = part
        np.add(y[lo:hi], g[lo:hi], out=gx[lo:hi])

    def step():
        list(pool.map(copy, parts))
        list(pool.map(add, parts))

    benchmark(step)
    pool.shutdown()


def test_sigmoid_fastgrad(benchmark, arrays):
    benchmark.group = group("sigmoid")
    run_fastgrad(benchmark, fg.sigmoid, *arrays)


def test_sigmoid_torch(benchmark, arrays):
    benchmark.group = group("sigmoid")
    run_torch(benchmark, "sigmoid", *arrays)


def test_sigmoid_numpy(benchmark, arrays):
    benchmark.group = group("sigmoid")
    x, g = arrays

    def step():
        y = 1 / (1 + np.exp(-x))
        return g * y * (1 - y)

    benchmark(step)


def test_sigmoid_bandwidth_floor(benchmark, arrays):
    benchmark.group = group("sigmoid")
    run_floor(benchmark, *arrays)


def test_relu_fastgrad(benchmark, arrays):
    benchmark.group = group("relu")
    run_fastgrad(benchmark, fg.relu, *arrays)


def test_relu_torch(benchmark, arrays):
    benchmark.group = group("relu")
    run_torch(benchmark, "relu", *arrays)


def test_relu_numpy(benchmark, arrays):
    benchmark.group = group("relu")
    x, g = arrays

    def step():
        y = np.maximum(x, 0)
        return np.where(y > 0, g, 0)

    benchmark(step)


def test_relu_bandwidth_floor(benchmark, arrays):
    benchmark.group = group("relu")
    run_floor(benchmark, *arrays)
