"""fastgrad.testing.assert_close: PyTorch's default tolerances per dtype, equal_nan,
check_dtype, sequences and mappings, and messages that list the mismatches; the same
verdict as torch.testing.assert_close on the same data."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.testing import assert_close

NAN = float("nan")

# (actual, expected, keyword arguments): pairs near each dtype's default tolerance and edges.
PAIRS = [
    (np.float32([1.0, 2.0]), np.float32([1.0, 2.0 + 2e-6]), {}),
    (np.float32([1.0, 2.0]), np.float32([1.0, 2.0 + 5e-5]), {}),
    (np.float64([1.0, 1e-9]), np.float64([1.0 + 5e-8, 1e-9 + 5e-8]), {}),
    (np.float64([1.0, 1e-9]), np.float64([1.0 + 3e-7, 0.0]), {}),
    (np.float64([1.0]), np.float64([1.001]), dict(rtol=1e-2, atol=0.0)),
    (np.float64([1.0, NAN]), np.float64([1.0, NAN]), {}),
    (np.float64([1.0, NAN]), np.float64([1.0, NAN]), dict(equal_nan=True)),
    (np.float64([np.inf, -np.inf]), np.float64([np.inf, -np.inf]), {}),
    (np.float64([np.inf]), np.float64([-np.inf]), {}),
    (np.int64([1, 2]), np.int64([1, 3]), {}),
    (np.int64([1, 2]), np.int64([1, 2]), {}),
    (np.bool_([True]), np.bool_([False]), {}),
    (np.float32([1.0]), np.float64([1.0]), {}),
    (np.float32([1.0]), np.float64([1.0 + 1e-6]), dict(check_dtype=False)),
    (np.float64([[1.0, 2.0]]), np.float64([1.0, 2.0]), {}),
    (np.complex128([1 + 1j]), np.complex128([1 + 1.0000001j]), {}),
    (np.float64(3.0), np.float64(3.5), {}),
]


def _verdict(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("actual, expected, kwargs", PAIRS)
def test_verdict_matches_pytorch(actual, expected, kwargs):
    torch = pytest.importorskip("torch")
    mine = _verdict(assert_close, fg.tensor(actual), fg.tensor(expected), **kwargs)
    theirs = _verdict(torch.testing.assert_close, torch.tensor(actual), torch.tensor(expected), **kwargs)
    assert mine == theirs


def test_message_lists_the_mismatches():
    with pytest.raises(AssertionError) as failure:
        assert_close(fg.tensor([1.0, 2.0, 3.0, 4.0]), fg.tensor([1.0, 2.5, NAN, 4.0]))
    text = str(failure.value)
    assert "Tensor-likes are not close!" in text
    assert "Mismatched elements: 2 / 4 (50.0%)" in text
    assert "Greatest absolute difference: nan at index (2,) (up to 1e-05 allowed)" in text
    assert "(1,): 2.0 vs 2.5, (2,): 3.0 vs nan" in text


def test_numbers_sequences_and_mappings():
    assert_close([fg.ones(2), 1.0], (fg.ones(2), 1.0))
    assert_close({"w": fg.zeros(3), "n": 2}, {"w": fg.zeros(3), "n": 2})
    with pytest.raises(AssertionError, match=r"Scalars are not equal!(.|\n)*item \[1\]"):
        assert_close([fg.ones(2), 2], [fg.ones(2), 3])
    with pytest.raises(AssertionError, match="The keys of the mappings do not match"):
        assert_close({"a": 1}, {"b": 1})
    with pytest.raises(AssertionError, match="The length of the sequences do not match: 1 != 2"):
        assert_close([1], [1, 2])
    with pytest.raises(AssertionError, match=r"The \(d\)types do not match"):
        assert_close(1, 1.0)
    assert_close(1, 1.0, check_dtype=False)


def test_checks_shape_dtype_stride_and_custom_message():
    with pytest.raises(AssertionError, match=r"attribute 'shape' do not match: \(2,\) != \(3,\)"):
        assert_close(fg.ones(2), fg.ones(3))
    with pytest.raises(AssertionError, match="attribute 'dtype' do not match: float32 != float64"):
        assert_close(fg.ones(2), fg.ones(2, dtype=fg.float64))
    x = fg.tensor(np.arange(6.0).reshape(2, 3))
    assert_close(x.t(), x.t().contiguous())
    with pytest.raises(AssertionError, match="attribute 'stride'"):
        assert_close(x.t(), x.t().contiguous(), check_stride=True)
    with pytest.raises(AssertionError, match="^custom$"):
        assert_close(fg.ones(1), fg.zeros(1), msg="custom")
    with pytest.raises(AssertionError, match="^wrapped: Tensor-likes"):
        assert_close(fg.ones(1), fg.zeros(1), msg=lambda generated: "wrapped: " + generated)


def test_bad_arguments():
    with pytest.raises(ValueError, match="assert_close: both 'rtol' and 'atol' must be given"):
        assert_close(fg.ones(1), fg.ones(1), rtol=1e-3)
    with pytest.raises(TypeError, match="assert_close: no comparison for inputs of type Tensor and list"):
        assert_close(fg.ones(2), [1.0, 1.0])
