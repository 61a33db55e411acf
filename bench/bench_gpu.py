"""The GPU path: fastgrad on CuPy beside PyTorch CUDA on the same GPU.

Groups (float32):
- GPU T3: MLP 784-512-256-10, batch 128, one training step (forward,
  cross-entropy, backward, Adam), with the floor: the step's GEMMs alone;
- GPU T4: MLP 784-1024-1024-10, batch 1024, the same step;
- GPU Adam: one step over one tensor of 100M parameters, with the
  bandwidth floor: a device copy moving the same 28 bytes per parameter.

Every timed call ends with a device synchronisation, so the time is the
GPU's work, not the launch.  Skipped (with the reason) without CuPy, without
a GPU, or, for the PyTorch members, without a CUDA build of PyTorch.

Run on a GPU machine:
    pytest bench/bench_gpu.py --benchmark-only --benchmark-group-by=group \
        --benchmark-columns=median,iqr,rounds
"""
import pytest

import fastgrad as fg
from fastgrad import optim
from fastgrad.device import move_tensor_
from fastgrad.nn import functional as F
import mlp_problem
from peers import torch_or_skip

MLPS = {"GPU T3": ((784, 512, 256, 10), 128), "GPU T4": ((784, 1024, 1024, 10), 1024)}
ADAM_GROUP = "GPU Adam step, 1 x 100M float32"
ADAM_SIZE = 100_000_000


@pytest.fixture(scope="module")
def cp():
    try:
        import cupy
    except ImportError:
        pytest.skip("CuPy is not installed: the GPU benchmarks need it and a GPU")
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            pytest.skip("CuPy finds no CUDA GPU")
    except Exception as e:
        pytest.skip(f"CuPy is installed but no CUDA GPU can be used ({e})")
    return cupy


def torch_cuda_or_skip():
    torch = torch_or_skip()
    if not torch.cuda.is_available():
        pytest.skip("this PyTorch build has no CUDA (or sees no GPU): its column is skipped")
    return torch


def group_name(gid):
    return mlp_problem.group_name(gid, *MLPS[gid])


def problem(gid):
    return mlp_problem.problem(*MLPS[gid])


def fastgrad_model_on_gpu(weights):
    model = mlp_problem.fastgrad_model(weights)
    for p in model.parameters():
        move_tensor_(p, "cuda")
    return model


@pytest.mark.parametrize("gid", list(MLPS))
def test_fastgrad_cupy_step(benchmark, cp, gid):
    benchmark.group = group_name(gid)
    benchmark.name = "fastgrad on CuPy"
    x, y, weights = problem(gid)
    model = fastgrad_model_on_gpu(weights)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    xt, yt = fg.tensor(x, device="cuda"), cp.asarray(y)
    sync = cp.cuda.Device().synchronize

    def step():
        loss = F.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync()
        return loss

    step()
    assert isinstance(model[0].weight.data, cp.ndarray)
    benchmark(step)


@pytest.mark.parametrize("gid", list(MLPS))
@pytest.mark.parametrize("adam", ["default", "fused"])
def test_torch_cuda_step(benchmark, gid, adam):
    torch = torch_cuda_or_skip()
    benchmark.group = group_name(gid)
    benchmark.name = f"torch CUDA (Adam {adam})"
    x, y, weights = problem(gid)
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w))
            lin.bias.copy_(torch.tensor(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers).cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if adam == "fused" else {}))
    xt, yt = torch.tensor(x).cuda(), torch.tensor(y).cuda()

    def step():
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        torch.cuda.synchronize()
        return loss

    step()
    benchmark(step)


@pytest.mark.parametrize("gid", list(MLPS))
def test_gemm_floor_on_gpu(benchmark, cp, gid):
    benchmark.group = group_name(gid)
    benchmark.name = "floor: the step's GEMMs alone (cupy.matmul, cuBLAS)"
    sizes, batch = MLPS[gid]
    normal = cp.random.standard_normal
    work = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        work.append((normal((batch, fan_in), dtype=cp.float32), normal((fan_out, fan_in), dtype=cp.float32),
                     normal((batch, fan_out), dtype=cp.float32)))
    sync = cp.cuda.Device().synchronize

    def gemms():
        for i, (x, w, gy) in enumerate(work):
            cp.matmul(x, w.T)
            if i > 0:                      # the first layer's input needs no gradient
                cp.matmul(gy, w)
            cp.matmul(gy.T, x)
        sync()

    gemms()
    benchmark(gemms)


def test_fastgrad_cupy_adam(benchmark, cp):
    benchmark.group = ADAM_GROUP
    benchmark.name = "fastgrad Adam on CuPy (one fused kernel)"
    p = fg.tensor(cp.random.standard_normal(ADAM_SIZE, dtype=cp.float32), requires_grad=True)
    p.grad = cp.random.standard_normal(ADAM_SIZE, dtype=cp.float32)
    opt = optim.Adam([p], lr=1e-3)
    sync = cp.cuda.Device().synchronize
    opt.step()  # state allocated outside the timing, as for the peers
    sync()

    def step():
        opt.step()
        sync()

    benchmark(step)


@pytest.mark.parametrize("mode", ["fused", "foreach"])
def test_torch_cuda_adam(benchmark, mode):
    torch = torch_cuda_or_skip()
    benchmark.group = ADAM_GROUP
    benchmark.name = f"torch CUDA Adam ({mode})"
    p = torch.randn(ADAM_SIZE, device="cuda", requires_grad=True)
    p.grad = torch.randn(ADAM_SIZE, device="cuda")
    opt = torch.optim.Adam([p], lr=1e-3, **{mode: True})
    opt.step()
    torch.cuda.synchronize()

    def step():
        opt.step()
        torch.cuda.synchronize()

    benchmark(step)


def test_bandwidth_floor(benchmark, cp):
    # Adam reads p, g, m, v and writes p, m, v: 28 bytes per parameter.  A copy of
    # 3.5 float32 per parameter moves the same 28 bytes (read 4 + write 4 each).
    benchmark.group = ADAM_GROUP
    benchmark.name = "floor: device copy of the same bytes"
    n = ADAM_SIZE * 7 // 2
    src = cp.ones(n, dtype=cp.float32)
    dst = cp.empty_like(src)
    sync = cp.cuda.Device().synchronize

    def copy():
        cp.copyto(dst, src)
        sync()

    copy()
    benchmark(copy)
