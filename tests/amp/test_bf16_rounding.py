"""The bfloat16 conversion kernels against their NumPy twin and against ml_dtypes."""
import numpy as np
import pytest

from fastgrad import _C

from .conftest import bf16_round_reference

SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 3.3895314e38, 3.4028235e38, -3.4028235e38,
                    1e-40, -1e-45, 1.17549435e-38, 1.0 + 2.0 ** -8, 1.0 + 3 * 2.0 ** -8, 1.0 + 2.0 ** -8 + 2.0 ** -20,
                    65504.0, 1e-8], dtype=np.float32)


def sample(rng, shape):
    return np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-30, 30, shape), dtype=np.float32)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (7,), (5, 3), (40000,), (3, 70001)])
def test_round_matches_the_twin(rng, shape):
    x = sample(rng, shape)
    np.testing.assert_array_equal(_C.bf16_round(x), bf16_round_reference(x))
    assert _C.bf16_bits(x).shape == x.shape


def test_special_values_round_like_the_twin():
    got = _C.bf16_round(SPECIAL)
    want = bf16_round_reference(SPECIAL)
    np.testing.assert_array_equal(got, want)  # NaN == NaN for assert_array_equal
    assert np.isinf(got[8]) and got[8] > 0, "past the largest bfloat16 rounds to infinity"
    assert got[13] == 1.0, "a tie rounds to even (down)"
    assert got[14] == np.float32(1.0 + 4 * 2.0 ** -8), "a tie rounds to even (up)"
    assert got[15] == np.float32(1.0 + 2 * 2.0 ** -8), "above a tie rounds up"


def test_bits_are_the_upper_half_of_the_rounded_value(rng):
    x = np.concatenate([sample(rng, 1000), SPECIAL])
    bits = _C.bf16_bits(x)
    assert bits.dtype == np.uint16
    widened = (bits.astype(np.uint32) << 16).view(np.float32)
    np.testing.assert_array_equal(widened, _C.bf16_round(x))


def test_nan_stays_nan_with_its_sign():
    x = np.array([np.nan, -np.nan], dtype=np.float32)
    x.view(np.uint32)[0] = 0x7F800001  # a signalling NaN whose payload would round into infinity
    r = _C.bf16_round(x)
    assert np.isnan(r).all()
    assert not np.signbit(r[0]) and np.signbit(r[1])


def test_non_contiguous_input_is_read_correctly(rng):
    x = sample(rng, (30, 40))[::2, ::3]
    np.testing.assert_array_equal(_C.bf16_round(x), bf16_round_reference(np.ascontiguousarray(x)))


def test_matches_ml_dtypes(rng):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = np.concatenate([sample(rng, 20000), SPECIAL])
    want = x.astype(ml_dtypes.bfloat16)
    finite = ~np.isnan(x)
    np.testing.assert_array_equal(_C.bf16_bits(x)[finite], want.view(np.uint16)[finite])
    np.testing.assert_array_equal(_C.bf16_round(x), want.astype(np.float32))


@pytest.mark.parametrize("fn", [_C.bf16_round, _C.bf16_bits])
def test_bad_input_is_refused_by_name(fn):
    with pytest.raises(TypeError, match="float32"):
        fn(np.ones(3, dtype=np.float64))
    with pytest.raises(TypeError, match="numpy.ndarray"):
        fn([1.0, 2.0])
