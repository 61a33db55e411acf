"""Mixed precision: an MLP training step under bfloat16 autocast, and its GEMMs alone.

Groups, same thread count for every peer:
- "amp step: MLP ...": fastgrad's float32 step, fastgrad under fastgrad.autocast(bfloat16),
  PyTorch under torch.autocast("cpu", dtype=torch.bfloat16), PyTorch float32.
- "amp GEMMs: MLP ...": the step's GEMMs alone: float32 through fastgrad's gemm (its BLAS),
  bfloat16 through fastgrad's gemm16 (rounding of the float32 operands included), oneDNN's
  bf16 matmul on operands already in bfloat16 (the floor), PyTorch's bf16 matmul.
The bfloat16 GEMM runs on oneDNN where it is installed (fastgrad[onednn]) and the CPU has
AVX512-BF16 or AMX; otherwise it is emulated at float32 speed (the group says which).

Targets (CPU with AVX512-BF16, oneDNN installed): the 784-1024-1024-10 step under autocast
<= 0.6x fastgrad's float32 step and <= 1.0x PyTorch's autocast step.

Run:  pytest bench/bench_amp.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import pytest

from fastgrad.backend import onednn
from fastgrad.demo import amp_workloads, workloads
from peers import torch_or_skip

MLPS = {"medium": workloads.MLPS["T3"], "large": workloads.MLPS["T4"]}


def step_group(size):
    return f"amp step: {workloads.mlp_name(*MLPS[size])} vs bf16 autocast ({onednn.get_bf16_gemm()} bf16 GEMM)"


def gemm_group(size):
    sizes, batch = MLPS[size]
    return f"amp GEMMs: MLP {'-'.join(map(str, sizes))}, batch {batch} ({onednn.get_bf16_gemm()} bf16 GEMM)"


def _needs_onednn():
    if onednn.get_bf16_gemm() != "onednn":
        pytest.skip("oneDNN's bf16 GEMM is not in use here (fastgrad[onednn] and a CPU with AVX512-BF16)")


# (group, peer name, needs: None / "torch" / "onednn", workload(torch, sizes, batch))
PEERS = [
    (step_group, "fastgrad float32", None, lambda torch, *mlp: workloads.mlp_fastgrad(*mlp)),
    (step_group, "fastgrad autocast bf16", None, lambda torch, *mlp: amp_workloads.mlp_fastgrad_autocast(*mlp)),
    (step_group, "torch autocast bf16", "torch", amp_workloads.mlp_torch_autocast),
    (step_group, "torch float32", "torch", workloads.mlp_torch),
    (gemm_group, "float32: fastgrad gemm", None, lambda torch, *mlp: workloads.mlp_gemm_floor(*mlp)),
    (gemm_group, "bf16: fastgrad gemm16 (with rounding)", None,
     lambda torch, *mlp: amp_workloads.mlp_gemm16_floor(*mlp)),
    (gemm_group, "bf16 floor: oneDNN matmul on bf16 operands", "onednn",
     lambda torch, *mlp: amp_workloads.mlp_onednn_bf16_floor(*mlp)),
    (gemm_group, "bf16: torch matmul", "torch", amp_workloads.mlp_torch_bf16_floor),
]


@pytest.mark.parametrize("size", list(MLPS))
@pytest.mark.parametrize("group, name, needs, workload", PEERS, ids=[p[1] for p in PEERS])
def test_amp(benchmark, size, group, name, needs, workload):
    torch = torch_or_skip() if needs == "torch" else None
    if needs == "onednn":
        _needs_onednn()
    benchmark.group = group(size)
    benchmark.name = name
    benchmark(workload(torch, *MLPS[size]))
