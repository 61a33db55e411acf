"""fastgrad.testing.make_tensor (ranges, dtypes, shapes, exclude_zero, noncontiguous, requires_grad,
seeding and errors, against torch.testing.make_tensor's documented behaviour) and the deprecated
assert_allclose (its warning and tolerances, compared with PyTorch's on the same inputs)."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.testing import assert_allclose, make_tensor

DTYPES = [fg.bool, fg.uint8, fg.int8, fg.int16, fg.int32, fg.int64, fg.float16, fg.float32, fg.float64,
          fg.complex64, fg.complex128]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_default_ranges_and_dtypes(dtype):
    fg.manual_seed(0)
    t = make_tensor(200, 3, dtype=dtype, device="cpu")
    values = t.numpy()
    assert t.dtype == dtype and tuple(t.shape) == (200, 3) and t.is_contiguous()
    kind = np.dtype(dtype).kind
    if kind == "b":
        assert set(np.unique(values)) == {False, True}
    elif kind == "u":
        assert values.min() >= 0 and values.max() <= 9
    elif kind == "i":
        assert values.min() >= -9 and values.max() <= 9
    else:
        parts = [values.real, values.imag] if kind == "c" else [values]
        for part in parts:
            assert part.min() >= -9 and part.max() <= 9 and np.unique(part).size > 100


@pytest.mark.parametrize("dtype", [fg.int64, fg.float32, fg.float64, fg.complex128], ids=lambda d: np.dtype(d).name)
def test_low_high_and_exclude_zero(dtype):
    fg.manual_seed(1)
    values = make_tensor((1000,), dtype=dtype, device="cpu", low=-1, high=2, exclude_zero=True).numpy()
    parts = [values.real, values.imag] if np.dtype(dtype).kind == "c" else [values]
    for part in parts:
        assert part.min() >= -1 and part.max() < 2
    assert np.all(values != 0)
    if np.dtype(dtype).kind == "i":
        assert set(np.unique(values)) == {-1, 1}                 # zeros became ones, high exclusive
    fg.manual_seed(1)
    zeros = make_tensor(5, dtype=dtype, device="cpu", low=0, high=0 if np.dtype(dtype).kind != "i" else 1,
                        exclude_zero=True).numpy()
    tiny = np.finfo(dtype).tiny if np.dtype(dtype).kind != "i" else 1
    np.testing.assert_array_equal(zeros.real, tiny)


def test_clamping_to_the_dtype_and_shapes():
    values = make_tensor(300, dtype=fg.uint8, device="cpu", low=-100, high=3).numpy()
    assert values.min() >= 0 and values.max() <= 2
    values = make_tensor(300, dtype=fg.int8, device="cpu", low=-1000, high=1000).numpy()
    assert values.min() < -100 and values.max() > 100
    assert tuple(make_tensor(dtype=fg.float32, device="cpu").shape) == ()
    assert tuple(make_tensor([2, 0, 3], dtype=fg.float32, device="cpu").shape) == (2, 0, 3)
    assert tuple(make_tensor((4,), dtype=fg.float32, device="cpu", noncontiguous=True).shape) == (4,)


def test_noncontiguous_requires_grad_and_seeding():
    fg.manual_seed(3)
    t = make_tensor(4, 5, dtype=fg.float64, device="cpu", noncontiguous=True, requires_grad=True)
    assert not t.is_contiguous() and t.requires_grad and t.is_leaf and tuple(t.shape) == (4, 5)
    (t * 2).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), 2.0)
    assert make_tensor(1, dtype=fg.float32, device="cpu", noncontiguous=True).is_contiguous()   # one element
    fg.manual_seed(3)
    again = make_tensor(4, 5, dtype=fg.float64, device="cpu", noncontiguous=True)
    np.testing.assert_array_equal(again.numpy(), t.detach().numpy())


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(dtype=fg.int64, requires_grad=True), ValueError, "requires_grad=True` is not supported"),
    (dict(dtype=fg.float32, low=3, high=2), ValueError, "`low` must be less than `high`"),
    (dict(dtype=fg.int32, low=2, high=2), ValueError, "`low` must be less than `high`"),
    (dict(dtype=fg.float32, low=float("nan")), ValueError, "cannot be NaN"),
    (dict(dtype=fg.float32, low="a"), TypeError, "make_tensor: `low`"),
])
def test_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        make_tensor(3, device="cpu", **kwargs)
    with pytest.raises(ValueError, match="make_tensor: the shape"):
        make_tensor(-1, dtype=fg.float32, device="cpu")


def test_same_errors_as_pytorch():
    torch = pytest.importorskip("torch")
    for kwargs in [dict(low=3, high=2), dict(low=float("nan"))]:
        with pytest.raises(ValueError):
            torch.testing.make_tensor(3, dtype=torch.float32, device="cpu", **kwargs)
        with pytest.raises(ValueError):
            make_tensor(3, dtype=fg.float32, device="cpu", **kwargs)


@pytest.mark.parametrize("actual, expected, kwargs", [
    ([1.0, 2.0], [1.0, 2.0 + 1e-5], {}),            # within float32's rtol 1e-4 (assert_close would fail)
    ([1.0, 2.0], [1.0, 2.0 + 1e-3], {}),
    (np.array([1.0, 2.0]), [1.0, 2.0 + 1e-6], {}),   # float64: rtol 1e-5
    (np.array([1.0, np.nan]), [1.0, np.nan], {}),   # NaNs equal by default
    (np.array([1.0, np.nan]), [1.0, np.nan], dict(equal_nan=False)),
    ([1, 2], [1, 3], {}),                            # integers: exact
    ([1.0, 2.0], [1.1, 2.0], dict(rtol=0.2, atol=0.0)),
])
def test_assert_allclose_agrees_with_pytorch(actual, expected, kwargs):
    torch = pytest.importorskip("torch")
    to_torch = torch.tensor(np.asarray(actual)) if isinstance(actual, np.ndarray) else torch.tensor(actual)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            torch.testing.assert_allclose(to_torch, expected, **kwargs)
            passes = True
        except AssertionError:
            passes = False
    mine = fg.tensor(np.asarray(actual)) if isinstance(actual, np.ndarray) else fg.tensor(actual)
    with pytest.warns(FutureWarning, match="assert_allclose.*deprecated.*assert_close"):
        if passes:
            assert_allclose(mine, expected, **kwargs)
        else:
            with pytest.raises(AssertionError):
                assert_allclose(mine, expected, **kwargs)
