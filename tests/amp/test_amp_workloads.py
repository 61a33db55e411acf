"""The bf16 GEMM peers of bench/bench_amp.py compute the products they stand for."""
import numpy as np
import pytest

from fastgrad import _C
from fastgrad.backend.gemm16 import gemm16
from fastgrad.demo import amp_workloads


def _bits(m):
    """bfloat16 bits of m, a transposed view staying a transposed view."""
    return _C.bf16_bits(m) if m.flags.c_contiguous else _C.bf16_bits(np.ascontiguousarray(m.T)).T


@pytest.mark.parametrize("layout", ["x @ W.T", "gy @ W", "gy.T @ x"])
def test_mkl_bf16_gemm_is_the_bf16_product(rng, layout):
    product = amp_workloads.mkl_bf16_gemm()
    if product is None:
        pytest.skip("MKL's cblas_gemm_bf16bf16f32 is not available (pip install mkl)")
    x, w, gy = (rng.standard_normal(s).astype(np.float32) for s in ((64, 30), (20, 30), (64, 20)))
    a, b = {"x @ W.T": (x, w.T), "gy @ W": (gy, w), "gy.T @ x": (gy.T, x)}[layout]
    out = np.full((a.shape[0], b.shape[1]), np.nan, np.float32)
    product(_bits(a), _bits(b), out)
    want = gemm16(a, b, "bfloat16")
    np.testing.assert_allclose(out, want, rtol=0, atol=(a.shape[1] + 2) * 2.0 ** -23 * 4 * np.abs(want).max())


def test_the_linear_gemms_workload_runs(bf16_gemm):
    amp_workloads.mlp_linear_bf16_gemms((12, 8, 3), 5)()
