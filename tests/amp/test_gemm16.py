"""16-bit GEMMs (backend/gemm16.py): operands rounded to 16 bits, float32 accumulation, float32
result; oneDNN's bf16 matmul and the emulation agree; how the bf16 GEMM is chosen."""
import os
import subprocess
import sys

import numpy as np
import pytest

from fastgrad.backend import gemm16 as gemm16_module
from fastgrad.backend import onednn
from fastgrad.backend.gemm import gemm
from fastgrad.backend.gemm16 import gemm16

from .conftest import round16

SHAPES = [((4, 3), (3, 5)), ((64, 32), (32, 64)), ((1, 9), (9, 1)), ((257, 130), (130, 67)),
          ((0, 4), (4, 3)), ((3, 0), (0, 4)), ((3, 4), (4, 0)), ((7,), (7,)), ((7,), (7, 2)), ((2, 7), (7,)),
          ((3, 4, 5), (5, 2)), ((2, 1, 4, 5), (3, 5, 6))]


def reference(a, b, dtype):
    """The exact product of the rounded operands (float64 sums)."""
    return np.matmul(round16(a, dtype), round16(b, dtype))


def check(got, a, b, dtype):
    want = reference(a, b, dtype)
    assert got.dtype == np.float32 and got.shape == want.shape
    # Only the float32 sums differ from the exact product: error <= k * eps32 * sum |a||b|.
    k = a.shape[-1]
    bound = (k + 2) * 2.0 ** -23 * np.matmul(np.abs(round16(a, dtype)), np.abs(round16(b, dtype)))
    assert np.all(np.abs(got - want) <= bound + 1e-30)


@pytest.mark.parametrize("shape_a, shape_b", SHAPES)
@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_product_of_rounded_operands(rng, bf16_gemm, shape_a, shape_b, dtype):
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    check(gemm16(a, b, dtype), a, b, dtype)


@pytest.mark.parametrize("layout", ["NN", "NT", "TN", "TT", "strided"])
def test_transposed_and_strided_operands(rng, bf16_gemm, layout):
    a = rng.standard_normal((33, 20)).astype(np.float32)
    b = rng.standard_normal((20, 17)).astype(np.float32)
    if layout == "strided":
        a = rng.standard_normal((66, 40)).astype(np.float32)[::2, ::2]
        b = rng.standard_normal((20, 51)).astype(np.float32)[:, ::3]
    if layout[0] == "T":
        a = np.ascontiguousarray(a.T).T
    if layout[1:] == "T":
        b = np.ascontiguousarray(b.T).T
    check(gemm16(a, b, "bfloat16"), a, b, "bfloat16")


def test_differs_from_float32_within_bf16_rounding(rng, bf16_gemm):
    a = rng.standard_normal((128, 256)).astype(np.float32)
    b = rng.standard_normal((256, 64)).astype(np.float32)
    got = gemm16(a, b, "bfloat16")
    exact = np.matmul(a.astype(np.float64), b.astype(np.float64))
    # each operand is off by at most 2^-9 relative: |error| <= (2^-8 + 2^-18 + k eps32) sum |a||b|
    bound = (2.0 ** -8 + 2.0 ** -18 + 256 * 2.0 ** -23) * np.matmul(np.abs(a), np.abs(b)).astype(np.float64)
    assert np.all(np.abs(got - exact) <= bound)
    assert not np.allclose(got, exact, rtol=1e-6, atol=0), "the operands were not rounded to bfloat16"


def test_overflow_and_nan_propagate(bf16_gemm):
    a = np.array([[1e38, 1e38], [np.nan, 1.0]], dtype=np.float32)
    b = np.array([[10.0], [1.0]], dtype=np.float32)
    got = gemm16(a, b, "bfloat16")
    assert np.isinf(got[0, 0]) and np.isnan(got[1, 0])
    half = gemm16(np.array([[70000.0]], np.float32), np.array([[1.0]], np.float32), "float16")
    assert np.isinf(half[0, 0]), "70000 is past float16's largest value"


def test_other_dtypes_are_not_rounded(rng):
    a = rng.standard_normal((5, 4))
    b = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(gemm16(a, b, "bfloat16"), gemm(a, b))  # float64 untouched
    got = gemm16(a.astype(np.float32), b, "bfloat16")                    # mixed: promoted, not rounded
    np.testing.assert_array_equal(got, gemm(a.astype(np.float32), b))


def test_bad_arguments_are_named(rng):
    a = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="dtype"):
        gemm16(a, a.T, "int8")
    with pytest.raises(ValueError, match="align"):
        gemm16(a, a, "bfloat16")


def test_onednn_runs_a_bf16_kernel_on_a_bf16_cpu(rng):
    if not onednn.cpu_bf16_flags() or onednn.find_onednn_library() is None:
        pytest.skip("needs oneDNN (fastgrad[onednn]) and a CPU with avx512_bf16 or amx_bf16")
    saved = dict(onednn._state)
    onednn.set_bf16_gemm("onednn")
    try:
        gemm16(rng.standard_normal((64, 64)).astype(np.float32), rng.standard_normal((64, 64)).astype(np.float32),
               "bfloat16")
    finally:
        onednn._state.update(saved)
    name = gemm16_module.last_onednn_implementation[0]
    assert "bf16" in name or "amx" in name, name


def test_auto_chooses_onednn_exactly_when_it_can():
    saved = dict(onednn._state)
    try:
        chosen = onednn.set_bf16_gemm("auto")
        usable = bool(onednn.cpu_bf16_flags()) and onednn.find_onednn_library() is not None
        assert chosen == ("onednn" if usable else "emulate")
        assert chosen in onednn.bf16_gemm_description()
    finally:
        onednn._state.update(saved)


def test_onednn_missing_is_a_clear_error(monkeypatch):
    saved = dict(onednn._state)
    monkeypatch.setattr(onednn, "find_onednn_library", lambda: None)
    monkeypatch.setattr(onednn, "cpu_bf16_flags", lambda cpuinfo=None: ("avx512_bf16",))
    try:
        with pytest.raises(RuntimeError, match="onednn-cpu-gomp"):
            onednn.set_bf16_gemm("onednn")
        assert onednn.set_bf16_gemm("auto") == "emulate"
        assert "not installed" in onednn.bf16_gemm_description()
        with pytest.raises(ValueError, match="one of"):
            onednn.set_bf16_gemm("mkl")
    finally:
        onednn._state.update(saved)


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu avx512f avx512_bf16 sse\n")
    assert onednn.cpu_bf16_flags(str(info)) == ("avx512_bf16",)
    info.write_text("processor : 0\nflags : fpu avx2\n")
    assert onednn.cpu_bf16_flags(str(info)) == ()
    assert onednn.cpu_bf16_flags(str(tmp_path / "absent")) == ()


def test_environment_variable_chooses(tmp_path):
    code = ("import warnings, fastgrad\n"
            "with warnings.catch_warnings(record=True) as w:\n"
            "    warnings.simplefilter('always')\n"
            "    print(fastgrad.amp.get_bf16_gemm(), len(w))\n")
    env = dict(os.environ, FASTGRAD_BF16_GEMM="emulate")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["emulate", "0"], out.stderr
    env["FASTGRAD_BF16_GEMM"] = "fastest"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.split()[1] == "1", out.stderr  # warned, then 'auto'


def test_fastgrad_info_names_the_bf16_gemm():
    from fastgrad.info import collect

    line = collect()["bf16_gemm"]
    assert line.startswith(onednn.get_bf16_gemm().replace("emulate", "emulated"))


def test_small_products_are_emulated_even_with_onednn(rng, monkeypatch):
    if not onednn.cpu_bf16_flags() or onednn.find_onednn_library() is None:
        pytest.skip("needs oneDNN (fastgrad[onednn]) and a CPU with avx512_bf16 or amx_bf16")
    saved = dict(onednn._state)
    onednn.set_bf16_gemm("onednn")
    monkeypatch.setattr(gemm16_module, "last_onednn_implementation", ["none yet"])
    try:
        a, b = rng.standard_normal((32, 64)).astype(np.float32), rng.standard_normal((64, 64)).astype(np.float32)
        check(gemm16(a, b, "bfloat16"), a, b, "bfloat16")
        assert gemm16_module.last_onednn_implementation == ["none yet"]
        a = rng.standard_normal((64, 64)).astype(np.float32)
        gemm16(a, b, "bfloat16")
        assert gemm16_module.last_onednn_implementation != ["none yet"]
    finally:
        onednn._state.update(saved)
