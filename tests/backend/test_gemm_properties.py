"""gemm() equals np.matmul for random shapes, broadcasts, transposes and strides (hypothesis)."""
import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fastgrad.backend.gemm import gemm  # noqa: E402

size = st.integers(0, 9)


@st.composite
def operands(draw):
    """Two operands in any of np.matmul's shape cases, each maybe transposed or strided."""
    m, k, n = draw(size), draw(size), draw(size)
    batch = draw(st.lists(st.integers(1, 3), max_size=2))
    a_1d, b_1d = draw(st.booleans()), draw(st.booleans())
    a_batch = draw(st.sampled_from([batch, batch[-1:], [1] * len(batch), []]))
    b_batch = draw(st.sampled_from([batch, batch[-1:], [1] * len(batch), []]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))

    def operand(shape, one_d, vector_len):
        if one_d:
            return rng.standard_normal(vector_len).astype(dtype)[:: draw(st.sampled_from([1, -1]))]
        layout = draw(st.sampled_from(["C", "T", "step"]))
        shape = tuple(shape)
        if layout == "T":
            return np.swapaxes(rng.standard_normal(shape[:-2] + shape[:-3:-1]).astype(dtype), -1, -2)
        if layout == "step":
            return rng.standard_normal(shape[:-1] + (2 * shape[-1],)).astype(dtype)[..., ::2]
        return rng.standard_normal(shape).astype(dtype)

    a = operand(a_batch + [m, k], a_1d, k)
    b = operand(b_batch + [k, n], b_1d, k)
    return a, b, dtype


@pytest.mark.parametrize("with_out", [False, True])
# blas_name only switches the BLAS for the whole test; nothing in it is per example
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=operands())
def test_random_cases_equal_matmul(blas_name, with_out, case):
    a, b, dtype = case
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    out = np.full(expected.shape, np.nan, dtype) if with_out else None
    result = gemm(a, b, out=out)
    assert result.shape == expected.shape and result.dtype == dtype
    if with_out:
        assert result is out
    scale = np.matmul(np.abs(a.astype(np.float64)), np.abs(b.astype(np.float64)))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.all(np.abs(result - expected) <= rtol * scale + np.finfo(dtype).tiny)
