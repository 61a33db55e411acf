import numpy as np
import pytest

from fastgrad.backend import gemm16, onednn


@pytest.fixture(params=["onednn", "emulate"])
def bf16_gemm(request, monkeypatch):
    """Each test once with oneDNN's bf16 GEMM (skipped where it cannot be used; for products of
    every size, however small) and once emulated; the choice in effect before is put back afterwards."""
    saved = dict(onednn._state)
    try:
        if request.param == "onednn":
            if not onednn.cpu_bf16_flags():
                pytest.skip("the CPU has no bfloat16 dot-product instructions (avx512_bf16 / amx_bf16)")
            monkeypatch.setattr(gemm16, "ONEDNN_MIN_WORK", 1)
            try:
                onednn.set_bf16_gemm("onednn")
            except RuntimeError as e:
                pytest.skip(f"oneDNN cannot be used here: {e}")
        else:
            onednn.set_bf16_gemm("emulate")
        yield request.param
    finally:
        onednn._state.update(saved)


def bf16_round_reference(x):
    """Plain-NumPy twin of the bfloat16 rounding: round to nearest, ties to even, on the bits."""
    x = np.asarray(x, dtype=np.float32)
    u = x.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    out = (rounded & 0xFFFFFFFF).astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), np.float32(np.nan), out).astype(np.float32)


def round16(x, dtype):
    """float32 x rounded to the 16-bit dtype ("bfloat16" or "float16"), kept as float64 values."""
    x = np.asarray(x, dtype=np.float32)
    if dtype == "float16":
        return x.astype(np.float16).astype(np.float64)
    return bf16_round_reference(x).astype(np.float64)
