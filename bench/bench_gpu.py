"""The GPU path: fastgrad on CuPy beside PyTorch CUDA on the same GPU.

Groups (float32):
- GPU T3: MLP 784-512-256-10, batch 128, one training step (forward,
  cross-entropy, backward, Adam), with the floor: the step's GEMMs alone;
- GPU T4: MLP 784-1024-1024-10, batch 1024, the same step;
- GPU Adam: one step over one tensor of 100M parameters, with the
  bandwidth floor: a device copy moving the same 28 bytes per parameter.
- GPU jit: the small MLP step (64-32-10, batch 32, Adam), where launches and
  Python bookkeeping are the cost: fastgrad.jit (replayed step by step through
  the CuPy kernels), fastgrad eager and PyTorch CUDA eager.

Every timed call ends with a device synchronisation, so the time is the
GPU's work, not the launch.  Skipped (with the reason) without CuPy, without
a GPU, or, for the PyTorch members, without a CUDA build of PyTorch.

The workloads are those of the CPU suites and `fastgrad bench --device cuda`
(fastgrad/demo/workloads.py), run with device="cuda".

Run on a GPU machine:
    pytest bench/bench_gpu.py --benchmark-only --benchmark-group-by=group \
        --benchmark-columns=median,iqr,rounds
"""

import pytest

from fastgrad.demo import jit_workloads, workloads
from peers import torch_or_skip

MLPS = {f"GPU {tid}": workloads.MLPS[tid] for tid in ("T3", "T4")}
ADAM_GROUP = "GPU Adam step, 1 x 100M float32"
ADAM_SIZES = [100_000_000]
JIT_GROUP = "GPU jit: MLP step 64-32-10, batch 32, Adam, float32"
JIT_MLP = ([64, 32, 10], 32)


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
    return f"{gid} training step: {workloads.mlp_name(*MLPS[gid])}"


@pytest.mark.parametrize("gid", list(MLPS))
def test_fastgrad_cupy_step(benchmark, cp, gid):
    benchmark.group = group_name(gid)
    benchmark.name = "fastgrad on CuPy"
    benchmark(workloads.mlp_fastgrad(*MLPS[gid], device="cuda"))


@pytest.mark.parametrize("gid", list(MLPS))
@pytest.mark.parametrize("adam", ["default", "fused"])
def test_torch_cuda_step(benchmark, gid, adam):
    torch = torch_cuda_or_skip()
    benchmark.group = group_name(gid)
    benchmark.name = f"torch CUDA (Adam {adam})"
    benchmark(workloads.mlp_torch(torch, *MLPS[gid], adam=adam, device="cuda"))


@pytest.mark.parametrize("gid", list(MLPS))
def test_gemm_floor_on_gpu(benchmark, cp, gid):
    benchmark.group = group_name(gid)
    benchmark.name = "floor: the step's GEMMs alone (cupy.matmul, cuBLAS)"
    benchmark(workloads.mlp_gemm_floor(*MLPS[gid], device="cuda"))


def test_fastgrad_cupy_adam(benchmark, cp):
    benchmark.group = ADAM_GROUP
    benchmark.name = "fastgrad Adam on CuPy (one fused kernel)"
    benchmark(workloads.adam_fastgrad(ADAM_SIZES, device="cuda"))


@pytest.mark.parametrize("mode", ["fused", "foreach"])
def test_torch_cuda_adam(benchmark, mode):
    torch = torch_cuda_or_skip()
    benchmark.group = ADAM_GROUP
    benchmark.name = f"torch CUDA Adam ({mode})"
    benchmark(workloads.adam_torch(torch, ADAM_SIZES, mode, device="cuda"))


def test_bandwidth_floor(benchmark, cp):
    # Adam reads p, g, m, v and writes p, m, v: 28 bytes per parameter, the bytes
    # a device copy of 3.5 float32 per parameter moves.
    benchmark.group = ADAM_GROUP
    benchmark.name = "floor: device copy of the same bytes"
    benchmark(workloads.adam_floor(ADAM_SIZES, device="cuda"))


@pytest.mark.parametrize("jit", [True, False], ids=["jit", "eager"])
def test_fastgrad_cupy_small_step(benchmark, cp, jit):
    benchmark.group = JIT_GROUP
    benchmark.name = f"fastgrad on CuPy, {'jit' if jit else 'eager'}"
    benchmark(jit_workloads.mlp_step_fastgrad(*JIT_MLP, jit=jit, device="cuda"))


def test_torch_cuda_small_step(benchmark):
    torch = torch_cuda_or_skip()
    benchmark.group = JIT_GROUP
    benchmark.name = "torch CUDA eager"
    benchmark(workloads.mlp_torch(torch, *JIT_MLP, device="cuda"))
