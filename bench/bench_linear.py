"""Linear + relu layers forward and backward, against the bare GEMMs they run.

An MLP of fused linear layers (relu on the hidden ones), forward and
backward, at the medium (784-512-256-10, batch 128) and large
(784-1024-1024-10, batch 1024) sizes of PERFORMANCE.md, float32:
- fastgrad: fg.linear(x, W, b, activation="relu") per layer, then backward;
- PyTorch: F.linear + relu, then backward;
- NumPy: the same forward and backward written by hand;
- the floor: the step's GEMMs alone (3 per layer, 2 for the first, whose input
  needs no gradient) through fastgrad's gemm() into preallocated outputs,
  i.e. in the same BLAS as fastgrad.

Target: fastgrad within 1.1x of the GEMM floor.

Run:  pytest bench/bench_linear.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend.gemm import gemm
from fastgrad.demo import workloads
from peers import torch_or_skip

MLPS = {"medium": workloads.MLPS["T3"], "large": workloads.MLPS["T4"]}


def setup(name):
    sizes, batch = MLPS[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = (rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)).astype(np.float32)
        b = (rng.standard_normal(fan_out) * 0.1).astype(np.float32)
        params.append((w, b))
    g = rng.standard_normal((batch, sizes[-1]), dtype=np.float32)
    return x, params, g


def group(name):
    sizes, batch = MLPS[name]
    return f"linear+relu fwd+bwd: MLP {'-'.join(map(str, sizes))}, batch {batch}, float32"


def layers_step(layer, ws, x, g):
    """step(): h = layer(h, w, b, last) through the layers, backward of g, gradients cleared."""
    def step():
        h = x
        for i, (w, b) in enumerate(ws):
            h = layer(h, w, b, i == len(ws) - 1)
        h.backward(g)
        for w, b in ws:
            w.grad = b.grad = None

    return step


def leaves(lib, params):
    return [(lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)) for w, b in params]


@pytest.mark.parametrize("mlp", list(MLPS))
def test_fastgrad(benchmark, mlp):
    benchmark.group = group(mlp)
    x, params, g = setup(mlp)

    def layer(h, w, b, last):
        return fg.linear(h, w, b, activation=None if last else "relu")

    benchmark(layers_step(layer, leaves(fg, params), fg.tensor(x), g))


@pytest.mark.parametrize("mlp", list(MLPS))
def test_torch(benchmark, mlp):
    torch = torch_or_skip()
    benchmark.group = group(mlp)
    x, params, g = setup(mlp)

    def layer(h, w, b, last):
        h = torch.nn.functional.linear(h, w, b)
        return h if last else torch.relu(h)

    benchmark(layers_step(layer, leaves(torch, params), torch.from_numpy(x), torch.from_numpy(g)))


@pytest.mark.parametrize("mlp", list(MLPS))
def test_numpy(benchmark, mlp):
    benchmark.group = group(mlp)
    x, params, g = setup(mlp)

    def step():
        inputs, h = [], x
        for i, (w, b) in enumerate(params):
            inputs.append(h)
            h = h @ w.T + b
            if i < len(params) - 1:
                h = np.maximum(h, 0)
            inputs.append(h)
        grads, gy = [], g
        for i in reversed(range(len(params))):
            w, _ = params[i]
            if i < len(params) - 1:
                gy = gy * (inputs[2 * i + 1] > 0)
            grads.append((gy.T @ inputs[2 * i], gy.sum(axis=0)))
            if i:
                gy = gy @ w
        return grads

    benchmark(step)


@pytest.mark.parametrize("mlp", list(MLPS))
def test_bare_gemms(benchmark, mlp):
    benchmark.group = group(mlp)
    x, params, g = setup(mlp)
    batch = x.shape[0]
    hs = [x] + [np.empty((batch, w.shape[0]), np.float32) for w, _ in params]
    gws = [np.empty_like(w) for w, _ in params]
    gys = [np.empty((batch, w.shape[0]), np.float32) for w, _ in params[:-1]] + [g]

    def step():
        for i, (w, _) in enumerate(params):
            gemm(hs[i], w, out=hs[i + 1], trans_b=True)
        for i in reversed(range(len(params))):
            gemm(gys[i], hs[i], out=gws[i], trans_a=True)
            if i:
                gemm(gys[i], params[i][0], out=gys[i - 1])

    benchmark(step)
