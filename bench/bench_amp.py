"""Mixed precision: an MLP training step under bfloat16 autocast, and its GEMMs alone.

Groups, same thread count for every peer:
- "amp step: MLP ...": fastgrad's float32 step, fastgrad under fastgrad.autocast(bfloat16),
  PyTorch under torch.autocast("cpu", dtype=torch.bfloat16), PyTorch float32.
- "amp GEMMs: MLP ...": the step's GEMMs alone: float32 through fastgrad's gemm (its BLAS,
  named: MKL's float32 floor where MKL is in use), bfloat16 through fastgrad's gemm16 (each
  product rounding its float32 operands), as the linear layer runs them (each operand
  rounded once), oneDNN's bf16 matmul on operands already in bfloat16 (the floor), MKL's
  cblas_gemm_bf16bf16f32 likewise (where the mkl package is installed), PyTorch's bf16 matmul.
The bfloat16 GEMM runs on oneDNN where it is installed (fastgrad[onednn]) and the CPU has
AVX512-BF16 or AMX; otherwise it is emulated at float32 speed (the group says which).

Targets (CPU with AVX512-BF16, oneDNN installed): the 784-1024-1024-10 step under autocast
<= 0.6x fastgrad's float32 step and <= 1.0x PyTorch's autocast step.

The ratios of the autocast step to its peers (medians) are printed at the end of the run.

Run:  pytest bench/bench_amp.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import pytest

from fastgrad.backend import blas, onednn
from fastgrad.demo import amp_workloads, workloads
from peers import torch_or_skip

MLPS = {"medium": workloads.MLPS["T3"], "large": workloads.MLPS["T4"]}


def step_group(size):
    return f"amp step: {workloads.mlp_name(*MLPS[size])} vs bf16 autocast ({onednn.get_bf16_gemm()} bf16 GEMM)"


def mlp_label(size):
    sizes, batch = MLPS[size]
    return f"MLP {'-'.join(map(str, sizes))}, batch {batch}"


def gemm_group(size):
    return f"amp GEMMs: {mlp_label(size)} ({onednn.get_bf16_gemm()} bf16 GEMM)"


def _needs_onednn():
    if onednn.get_bf16_gemm() != "onednn":
        pytest.skip("oneDNN's bf16 GEMM is not in use here (fastgrad[onednn] and a CPU with AVX512-BF16)")


def _mkl_bf16_floor(sizes, batch):
    product = amp_workloads.mkl_bf16_gemm()
    if product is None:
        pytest.skip("MKL's cblas_gemm_bf16bf16f32 is not available (pip install mkl)")
    return amp_workloads.mlp_mkl_bf16_floor(sizes, batch, product)


# (group, peer name, needs: None / "torch" / "onednn", workload(torch, sizes, batch))
PEERS = [
    (step_group, "fastgrad float32", None, lambda torch, *mlp: workloads.mlp_fastgrad(*mlp)),
    (step_group, "fastgrad autocast bf16", None, lambda torch, *mlp: amp_workloads.mlp_fastgrad_autocast(*mlp)),
    (step_group, "torch autocast bf16", "torch", amp_workloads.mlp_torch_autocast),
    (step_group, "torch float32", "torch", workloads.mlp_torch),
    (gemm_group, f"float32: fastgrad gemm ({blas.get_blas()})", None,
     lambda torch, *mlp: workloads.mlp_gemm_floor(*mlp)),
    (gemm_group, "bf16: fastgrad gemm16 (rounding per product)", None,
     lambda torch, *mlp: amp_workloads.mlp_gemm16_floor(*mlp)),
    (gemm_group, "bf16: fastgrad linear's GEMMs (each operand rounded once)", None,
     lambda torch, *mlp: amp_workloads.mlp_linear_bf16_gemms(*mlp)),
    (gemm_group, "bf16 floor: oneDNN matmul on bf16 operands", "onednn",
     lambda torch, *mlp: amp_workloads.mlp_onednn_bf16_floor(*mlp)),
    (gemm_group, "bf16 floor: MKL cblas_gemm_bf16bf16f32 on bf16 operands", None,
     lambda torch, *mlp: _mkl_bf16_floor(*mlp)),
    (gemm_group, "bf16: torch matmul", "torch", amp_workloads.mlp_torch_bf16_floor),
]

AUTOCAST = "fastgrad autocast bf16"
RATIOS = [("fastgrad float32", "target <= 0.6"), ("torch autocast bf16", "target <= 1.0")]
_medians = {}  # (size, peer name) -> median seconds


@pytest.fixture(scope="module", autouse=True)
def print_ratios(request):
    """After the run: the autocast step's median over its peers' (not in smoke mode)."""
    yield
    lines = [f"amp step, {mlp_label(size)}: {AUTOCAST} / {peer} = "
             f"{_medians[size, AUTOCAST] / _medians[size, peer]:.2f}x ({target})"
             for size in MLPS for peer, target in RATIOS if (size, AUTOCAST) in _medians and (size, peer) in _medians]
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if lines and reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


@pytest.mark.parametrize("size", list(MLPS))
@pytest.mark.parametrize("group, name, needs, workload", PEERS, ids=[p[1] for p in PEERS])
def test_amp(benchmark, size, group, name, needs, workload):
    torch = torch_or_skip() if needs == "torch" else None
    if needs == "onednn":
        _needs_onednn()
    benchmark.group = group(size)
    benchmark.name = name
    benchmark(workload(torch, *MLPS[size]))
    if benchmark.stats is not None and group is step_group:
        _medians[size, name] = benchmark.stats.stats.median


# The linear epilogue under bf16 autocast with oneDNN: bias + relu writing float32 y, then y's bfloat16
# bits for the next GEMM, in one pass over each cache-sized block (_C.bias_act_fwd_bf16) or in two
# passes (the epilogue, then _C.bf16_bits over y from memory).
EPILOGUE_SHAPE = (4096, 1024)


def _epilogue(fused):
    import numpy as np

    from fastgrad import _C

    rng = np.random.default_rng(0)
    z0 = rng.standard_normal(EPILOGUE_SHAPE).astype(np.float32)
    bias = rng.standard_normal(EPILOGUE_SHAPE[1]).astype(np.float32)
    z = z0.copy()

    def run():
        np.copyto(z, z0)
        if fused:
            _C.bias_act_fwd_bf16(z, bias=bias, activation="relu", inplace=True)
        else:
            y, _ = _C.bias_act_fwd(z, bias=bias, activation="relu", inplace=True)
            _C.bf16_bits(y)

    return run


@pytest.mark.parametrize("fused", [True, False], ids=["one pass", "two passes"])
def test_bf16_epilogue(benchmark, fused):
    benchmark.group = f"amp epilogue: bias + relu + bf16 bits of y, {EPILOGUE_SHAPE[0]}x{EPILOGUE_SHAPE[1]} float32"
    benchmark.name = ("one pass: bias_act_fwd_bf16" if fused
                      else "two passes: bias_act_fwd, then bf16_bits")
    benchmark(_epilogue(fused))
