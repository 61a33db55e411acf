"""The GEMM floor of the MLP training steps (T3, T4), per BLAS, beside PyTorch.

Each layer of a step (x: batch x in, W: out x in as in nn.Linear) does three
GEMMs: y = x W^T, gx = gy W, gW = gy^T x.  One group per MLP times all of them
with fastgrad's gemm under MKL and under NumPy's BLAS, with PyTorch's mm, and
with bare np.matmul, all writing into preallocated outputs, same threads.
Plus a batched product (one call over the batch).

Run:  pytest bench/bench_gemm.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend import blas
from fastgrad.backend.gemm import gemm
from fastgrad.demo import workloads
from peers import torch_or_skip

MLPS = {"medium": workloads.MLPS["T3"], "large": workloads.MLPS["T4"]}


def layers(name, dtype=np.float32):
    """Per layer: x, W, gy and the three outputs (y, gx, gW)."""
    sizes, batch = MLPS[name]
    rng = np.random.default_rng(0)
    out = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        x = rng.standard_normal((batch, fan_in)).astype(dtype)
        w = (rng.standard_normal((fan_out, fan_in)) / np.sqrt(fan_in)).astype(dtype)
        gy = rng.standard_normal((batch, fan_out)).astype(dtype)
        out.append((x, w, gy, np.empty((batch, fan_out), dtype), np.empty((batch, fan_in), dtype),
                    np.empty((fan_out, fan_in), dtype)))
    return out


def group_name(name):
    sizes, batch = MLPS[name]
    return f"GEMMs of a step: MLP {'-'.join(map(str, sizes))}, batch {batch}, float32"


@pytest.fixture
def use_blas(request):
    """Switch fastgrad's GEMM to a BLAS for one benchmark, then back."""
    before = fg.get_blas()

    def switch(name):
        if name == "mkl" and blas.find_mkl_library() is None:
            pytest.skip("the mkl package is not installed: MKL's column is skipped")
        fg.set_blas(name)

    yield switch
    fg.set_blas(before)


@pytest.mark.parametrize("mlp", list(MLPS))
@pytest.mark.parametrize("backend", ["mkl", "numpy"])
def test_fastgrad_gemm(benchmark, use_blas, mlp, backend):
    use_blas(backend)
    benchmark.group = group_name(mlp)
    benchmark.name = f"fastgrad gemm ({backend})"
    work = layers(mlp)

    def step():
        for x, w, gy, y, gx, gw in work:
            gemm(x, w, out=y, trans_b=True)
            gemm(gy, w, out=gx)
            gemm(gy, x, out=gw, trans_a=True)

    benchmark(step)


@pytest.mark.parametrize("mlp", list(MLPS))
def test_numpy_matmul(benchmark, mlp):
    benchmark.group = group_name(mlp)
    benchmark.name = "np.matmul"
    work = layers(mlp)

    def step():
        for x, w, gy, y, gx, gw in work:
            np.matmul(x, w.T, out=y)
            np.matmul(gy, w, out=gx)
            np.matmul(gy.T, x, out=gw)

    benchmark(step)


@pytest.mark.parametrize("mlp", list(MLPS))
def test_torch_mm(benchmark, mlp):
    torch = torch_or_skip()
    benchmark.group = group_name(mlp)
    benchmark.name = "torch.mm"
    work = [tuple(torch.from_numpy(a) for a in layer) for layer in layers(mlp)]

    def step():
        for x, w, gy, y, gx, gw in work:
            torch.mm(x, w.t(), out=y)
            torch.mm(gy, w, out=gx)
            torch.mm(gy.t(), x, out=gw)

    benchmark(step)


BATCHED = "batched matmul: (64, 32, 64) @ (64, 64, 32), float32"


def batched_operands():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 32, 64)).astype(np.float32)
    b = rng.standard_normal((64, 64, 32)).astype(np.float32)
    return a, b, np.empty((64, 32, 32), np.float32)


@pytest.mark.parametrize("backend", ["mkl", "numpy"])
def test_fastgrad_batched(benchmark, use_blas, backend):
    use_blas(backend)
    benchmark.group = BATCHED
    benchmark.name = f"fastgrad gemm ({backend})"
    a, b, c = batched_operands()
    benchmark(gemm, a, b, c)


def test_torch_batched(benchmark):
    torch = torch_or_skip()
    benchmark.group = BATCHED
    benchmark.name = "torch.bmm"
    a, b, c = (torch.from_numpy(x) for x in batched_operands())
    benchmark(torch.bmm, a, b, out=c)
