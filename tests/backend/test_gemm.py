"""gemm() equals np.matmul under every BLAS, over shapes, layouts, dtypes and alpha/beta."""
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fastgrad.backend.gemm import gemm

RTOL = {np.float32: 1e-5, np.float64: 1e-12}


def make(rng, shape, dtype, layout="C"):
    """An array of the given logical shape whose memory layout is `layout`:
    C contiguous, T a transposed view (column-major), F Fortran order,
    step every other column, rev rows reversed, bcast a stride-0 leading axis."""
    shape = tuple(shape)
    if layout == "C":
        return rng.standard_normal(shape).astype(dtype)
    if layout == "T":
        return np.swapaxes(rng.standard_normal(shape[:-2] + shape[::-1][:2]).astype(dtype), -1, -2)
    if layout == "F":
        return np.asfortranarray(rng.standard_normal(shape).astype(dtype))
    if layout == "step":
        return rng.standard_normal(shape[:-1] + (2 * shape[-1],)).astype(dtype)[..., ::2]
    if layout == "rev":
        return rng.standard_normal(shape).astype(dtype)[..., ::-1, :]
    if layout == "bcast":
        return np.broadcast_to(rng.standard_normal((1,) + shape[1:]).astype(dtype), shape)
    raise AssertionError(layout)


def assert_matches_matmul(result, a, b, dtype, alpha=1.0, beta=0.0, before=None):
    """|result - expected| <= rtol * (|alpha| |a| @ |b| + |beta| |before|), the GEMM error scale."""
    a64, b64 = np.asarray(a, np.float64), np.asarray(b, np.float64)
    expected = alpha * np.matmul(a64, b64)
    scale = abs(alpha) * np.matmul(np.abs(a64), np.abs(b64))
    if beta != 0:
        expected = expected + beta * np.asarray(before, np.float64)
        scale = scale + abs(beta) * np.abs(np.asarray(before, np.float64))
    assert isinstance(result, np.ndarray)
    assert result.shape == expected.shape
    assert result.dtype == dtype
    tiny = np.finfo(dtype).tiny
    assert np.all(np.abs(result - expected) <= RTOL[dtype] * scale + tiny), np.max(np.abs(result - expected))


# (shape of a, shape of b, layout of a, layout of b)
CASES = {
    "square": ((4, 4), (4, 4), "C", "C"),
    "rect": ((3, 5), (5, 7), "C", "C"),
    "a transposed view": ((6, 5), (5, 4), "T", "C"),
    "b transposed view": ((6, 5), (5, 4), "C", "T"),
    "both transposed": ((6, 5), (5, 4), "T", "T"),
    "fortran order": ((7, 3), (3, 2), "F", "F"),
    "strided columns": ((5, 6), (6, 3), "step", "step"),
    "reversed rows": ((5, 6), (6, 3), "rev", "rev"),
    "vector @ matrix": ((5,), (5, 3), "C", "C"),
    "matrix @ vector": ((4, 5), (5,), "C", "C"),
    "vector @ vector": ((5,), (5,), "C", "C"),
    "strided vector": ((4, 5), (5,), "C", "step"),
    "row @ column": ((1, 5), (5, 1), "C", "C"),
    "column @ row": ((5, 1), (1, 5), "C", "C"),
    "batched": ((3, 4, 5), (3, 5, 2), "C", "C"),
    "batched @ matrix": ((3, 4, 5), (5, 2), "C", "C"),
    "matrix @ batched": ((4, 5), (3, 5, 2), "C", "C"),
    "batch broadcast": ((2, 1, 4, 5), (3, 5, 2), "C", "C"),
    "batch stride 0": ((3, 4, 5), (3, 5, 2), "bcast", "C"),
    "batched transposed": ((3, 4, 5), (3, 5, 2), "T", "T"),
    "batched strided": ((2, 3, 4, 5), (5, 3), "step", "C"),
    "vector @ batched": ((5,), (2, 3, 5, 4), "C", "C"),
    "batched @ vector": ((2, 3, 4, 5), (5,), "C", "C"),
    "empty rows": ((0, 5), (5, 3), "C", "C"),
    "empty columns": ((4, 5), (5, 0), "C", "C"),
    "empty inner": ((4, 0), (0, 3), "C", "C"),
    "empty batch": ((0, 4, 5), (5, 3), "C", "C"),
    "odd sizes": ((33, 129), (129, 67), "C", "T"),
    "mlp layer": ((128, 784), (784, 512), "C", "C"),
    "around the omp threshold": ((181, 181), (181, 181), "T", "C"),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
def test_gemm_equals_matmul(blas_name, case, dtype, rng):
    shape_a, shape_b, layout_a, layout_b = CASES[case]
    a, b = make(rng, shape_a, dtype, layout_a), make(rng, shape_b, dtype, layout_b)
    assert_matches_matmul(gemm(a, b), a, b, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("trans_a,trans_b", [(False, True), (True, False), (True, True)])
def test_trans_flags_use_the_transposes(blas_name, trans_a, trans_b, dtype, rng):
    a = make(rng, (5, 4) if trans_a else (4, 5), dtype)
    b = make(rng, (3, 5) if trans_b else (5, 3), dtype)
    result = gemm(a, b, trans_a=trans_a, trans_b=trans_b)
    assert_matches_matmul(result, a.T if trans_a else a, b.T if trans_b else b, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_trans_on_batches_swaps_the_last_two_axes(blas_name, dtype, rng):
    a, b = make(rng, (2, 5, 4), dtype), make(rng, (2, 3, 5), dtype)
    result = gemm(a, b, trans_a=True, trans_b=True)
    assert_matches_matmul(result, np.swapaxes(a, 1, 2), np.swapaxes(b, 1, 2), dtype)


@pytest.mark.parametrize("out_layout", ["C", "F", "step"])
@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (0.5, 0.0), (1.0, 1.0), (-2.0, 0.25)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_alpha_beta(blas_name, out_layout, alpha, beta, dtype, rng):
    a, b = make(rng, (6, 5), dtype), make(rng, (5, 4), dtype)
    out = make(rng, (6, 4), dtype, out_layout)
    before = out.copy()
    result = gemm(a, b, out=out, alpha=alpha, beta=beta)
    assert result is out
    assert_matches_matmul(out, a, b, dtype, alpha, beta, before)


@pytest.mark.parametrize("shapes", [((5,), (5, 3)), ((4, 5), (5,)), ((5,), (5,)), ((2, 3, 4, 5), (5,)),
                                    ((5,), (2, 3, 5, 4))], ids=str)
@pytest.mark.parametrize("beta", [0.0, 1.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vector_operands_write_into_a_strided_out(blas_name, shapes, beta, dtype, rng):
    a, b = make(rng, shapes[0], dtype), make(rng, shapes[1], dtype)
    shape = np.matmul(a, b).shape
    buffer = rng.standard_normal(shape[:-1] + (2 * shape[-1],) if shape else (2,)).astype(dtype)
    out = buffer[..., ::2] if shape else buffer[0, ...]
    before, untouched = out.copy(), buffer[..., 1::2].copy() if shape else buffer[1]
    assert gemm(a, b, out=out, beta=beta) is out
    assert_matches_matmul(out, a, b, dtype, 1.0, beta, before)
    assert np.array_equal(buffer[..., 1::2] if shape else buffer[1], untouched)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_beta_zero_ignores_nan_in_out(blas_name, dtype, rng):
    a, b = make(rng, (3, 4), dtype), make(rng, (4, 2), dtype)
    out = np.full((3, 2), np.nan, dtype)
    gemm(a, b, out=out)
    assert_matches_matmul(out, a, b, dtype)


@pytest.mark.parametrize("out_layout", ["C", "T", "F", "step"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batched_out_and_accumulate(blas_name, out_layout, dtype, rng):
    a, b = make(rng, (3, 4, 5), dtype, "T"), make(rng, (5, 2), dtype)
    out = make(rng, (3, 4, 2), dtype, out_layout)
    before = out.copy()
    gemm(a, b, out=out, beta=1.0)
    assert_matches_matmul(out, a, b, dtype, 1.0, 1.0, before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_inner_axis_scales_out_by_beta(blas_name, dtype, rng):
    a, b = make(rng, (3, 0), dtype), make(rng, (0, 2), dtype)
    out = make(rng, (3, 2), dtype)
    before = out.copy()
    gemm(a, b, out=out, beta=0.5)
    np.testing.assert_array_equal(out, 0.5 * before)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_that_is_an_input(blas_name, dtype, rng):
    a, b = make(rng, (4, 4), dtype), make(rng, (4, 4), dtype)
    a0 = a.copy()
    gemm(a, b, out=a)
    assert_matches_matmul(a, a0, b, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_overlapping_an_input(blas_name, dtype, rng):
    buf = make(rng, (8, 4), dtype)
    a, b = buf[:4].copy(), buf[4:]
    b0 = b.copy()
    gemm(a, b0, out=b)          # writes over b's memory while b0 is the operand
    assert_matches_matmul(b, a, b0, dtype)
    buf = make(rng, (8, 4), dtype)
    operand, d = buf[2:6].copy(), make(rng, (4, 4), dtype)
    gemm(buf[2:6], d, out=buf[:4])   # the operand straddles the output
    assert_matches_matmul(buf[:4], operand, d, dtype)


@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.int64, np.int64), (np.int32, np.float32),
                                    (np.complex128, np.complex128)])
def test_other_dtypes_follow_numpy(blas_name, dtypes, rng):
    a = (rng.standard_normal((3, 4)) * 10).astype(dtypes[0])
    b = (rng.standard_normal((4, 2)) * 10).astype(dtypes[1])
    result = gemm(a, b)
    expected = np.matmul(a, b)
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result, expected, rtol=1e-6)


def test_float32_into_float64_out_casts_like_numpy(blas_name, rng):
    a, b = make(rng, (3, 4), np.float32), make(rng, (4, 2), np.float32)
    out = np.empty((3, 2), np.float64)
    assert gemm(a, b, out=out) is out
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-6)


BAD_CALLS = {
    "inner axes differ": (lambda: (np.ones((3, 4)), np.ones((5, 2)), {}), ValueError, "gemm: shapes .* do not align"),
    "0-d a": (lambda: (np.float64(2.0) * np.ones(()), np.ones((2, 2)), {}), ValueError, "argument 'a' is 0-d"),
    "0-d b": (lambda: (np.ones((2, 2)), np.ones(()), {}), ValueError, "argument 'b' is 0-d"),
    "batch axes clash": (lambda: (np.ones((2, 3, 4)), np.ones((3, 4, 2)), {}), ValueError, "do not broadcast"),
    "out shape": (lambda: (np.ones((3, 4)), np.ones((4, 2)), {"out": np.empty((2, 3))}), ValueError,
                  "argument 'out' has shape"),
    "out read-only": (lambda: (np.ones((3, 4)), np.ones((4, 2)), {"out": np.broadcast_to(np.empty(2), (3, 2))}),
                      ValueError, "'out' is read-only"),
    "out not an array": (lambda: (np.ones((3, 4)), np.ones((4, 2)), {"out": [[0.0] * 2] * 3}), TypeError,
                         "argument 'out' must be a numpy.ndarray"),
    "beta without out": (lambda: (np.ones((3, 4)), np.ones((4, 2)), {"beta": 1.0}), ValueError,
                         "'out' must be given"),
    "trans of a vector": (lambda: (np.ones(4), np.ones((4, 2)), {"trans_a": True}), ValueError,
                          "trans_a=True needs at least 2 axes"),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_arguments_raise_clear_errors(blas_name, case, dtype):
    make_args, error, message = BAD_CALLS[case]
    a, b, kwargs = make_args()
    a, b = a.astype(dtype), b.astype(dtype)
    if isinstance(kwargs.get("out"), np.ndarray):
        kwargs["out"] = kwargs["out"].astype(dtype) if kwargs["out"].flags.writeable else kwargs["out"]
    with pytest.raises(error, match=message):
        gemm(a, b, **kwargs)


def test_odd_layouts_never_crash_in_a_subprocess():
    """Every layout BLAS cannot read directly, through the C path, in a child process."""
    code = textwrap.dedent("""
        import numpy as np, fastgrad as fg
        from fastgrad.backend.gemm import gemm
        from fastgrad.backend.blas import find_mkl_library
        fg.set_blas("mkl" if find_mkl_library() else "numpy")
        rng = np.random.default_rng(0)
        base = rng.standard_normal((4, 6, 8, 10))
        views = [base[:, ::2, 1::3, ::-2], base[::-1, :, :, 3], base.transpose(2, 0, 3, 1)[..., :6],
                 np.broadcast_to(base[0, 0, :, :6], (3, 4, 8, 6)), base[..., :1, :6], base[1, 2, 3:4, :6]]
        for dtype in (np.float32, np.float64):
            for x in views:
                x = x.astype(dtype, copy=False) if dtype == np.float64 else x.astype(dtype)
                y = rng.standard_normal(x.shape[-1:] + (3,)).astype(dtype)
                got = gemm(x, y)
                want = np.matmul(x.astype(np.float64), y.astype(np.float64))
                assert np.allclose(got, want, rtol=1e-4, atol=1e-4), (x.shape, x.strides)
                got = gemm(np.swapaxes(x, -1, -2), np.swapaxes(x, -1, -2), trans_b=True)
                want = np.matmul(np.swapaxes(x, -1, -2).astype(np.float64), x.astype(np.float64))
                assert np.allclose(got, want, rtol=1e-4, atol=1e-4)
        print("ok", fg.get_blas())
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok")


def test_float_products_reach_mkl(mkl, monkeypatch, rng):
    """Under MKL every float32/float64 case above runs in MKL, not np.matmul."""
    from fastgrad.backend import gemm as gemm_module

    calls = []
    real = gemm_module._blas_gemm

    def counting(*args):
        calls.append(args[0].shape)
        result = real(*args)
        assert result is not NotImplemented
        return result

    monkeypatch.setattr(gemm_module, "_blas_gemm", counting)
    for dtype in (np.float32, np.float64):
        for shape_a, shape_b, layout_a, layout_b in CASES.values():
            gemm(make(rng, shape_a, dtype, layout_a), make(rng, shape_b, dtype, layout_b))
    assert len(calls) == 2 * len(CASES)


@pytest.mark.parametrize("a,b,message", [
    ([[1.0]], np.ones((1, 1)), "argument 'a' must be a numpy.ndarray"),
    (np.ones((1, 1), np.int64), np.ones((1, 1), np.int64), "the C kernel takes float32 or float64"),
    (np.ones((1, 1), np.float32), np.ones((1, 1)), "argument 'b' has dtype float64, expected float32"),
])
def test_blas_wrapper_validates_its_arguments(mkl, a, b, message):
    from fastgrad import _C

    with pytest.raises(TypeError, match=message):
        _C.blas_gemm(a, b)


def test_32bit_integer_entry_points_in_a_subprocess(mkl):
    """Older MKL has only cblas_sgemm with 32-bit integers: that path gives the same products."""
    code = textwrap.dedent("""
        import numpy as np, fastgrad as fg
        from fastgrad import _C
        from fastgrad.backend import blas
        from fastgrad.backend.gemm import gemm
        _C.blas_load(blas.find_mkl_library(), use_32bit_integers=True)
        assert fg.set_blas("mkl") == "mkl"
        assert _C.blas_info()["integers"] == "32-bit", _C.blas_info()
        rng = np.random.default_rng(0)
        for dtype in (np.float32, np.float64):
            for sa, sb in [((33, 17), (17, 9)), ((3, 4, 5), (5, 2)), ((5,), (2, 5, 3))]:
                a = rng.standard_normal(sa).astype(dtype)
                b = rng.standard_normal(sb).astype(dtype)
                assert np.allclose(gemm(a, b), np.matmul(a, b), rtol=1e-5, atol=1e-5)
            a = rng.standard_normal((40, 30)).astype(dtype)
            b = rng.standard_normal((20, 30)).astype(dtype)
            assert np.allclose(gemm(a, b, trans_b=True), a @ b.T, rtol=1e-5, atol=1e-5)
            assert np.allclose(gemm(a, a, trans_a=True), a.T @ a, rtol=1e-5, atol=1e-5)
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
