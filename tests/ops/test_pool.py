"""Pooling functions: values and input gradients against PyTorch (float64), against
central differences, return_indices, and the argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F
from torch_parity import check_second_derivative_against_torch

# (function name, input shape, keyword arguments)
CASES = [
    ("max_pool2d", (2, 3, 8, 8), dict(kernel_size=2)),
    ("max_pool2d", (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool2d", (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", (1, 2, 9, 10), dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1))),
    ("max_pool2d", (3, 6, 6), dict(kernel_size=2, stride=1)),  # unbatched
    ("max_pool1d", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1)),
    ("max_pool1d", (2, 3, 11), dict(kernel_size=2, dilation=3, ceil_mode=True)),
    ("avg_pool2d", (2, 3, 8, 8), dict(kernel_size=2)),
    ("avg_pool2d", (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ("avg_pool2d", (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("avg_pool2d", (2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d", (2, 3, 7, 9), dict(kernel_size=(3, 2), stride=(2, 1), divisor_override=4)),
    ("avg_pool1d", (2, 3, 11), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("adaptive_avg_pool2d", (2, 3, 7, 9), dict(output_size=(3, 4))),
    ("adaptive_avg_pool2d", (2, 3, 5, 5), dict(output_size=1)),
    ("adaptive_avg_pool2d", (2, 3, 5, 6), dict(output_size=(None, 4))),
    ("adaptive_max_pool2d", (2, 3, 7, 9), dict(output_size=(3, 4))),
    ("adaptive_max_pool2d", (2, 3, 4, 4), dict(output_size=(6, 5))),  # more outputs than inputs
]


@pytest.mark.parametrize("name, shape, kwargs", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_pooling_matches_torch(name, shape, kwargs, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    mine = fg.tensor(x, requires_grad=True)
    out = getattr(F, name)(mine, **kwargs)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    theirs = torch.tensor(x, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(theirs, **kwargs)
    (expected * torch.tensor(seed)).sum().backward()
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name, kwargs", [("max_pool2d", dict(kernel_size=3, stride=2, padding=1)),
                                          ("adaptive_max_pool2d", dict(output_size=(3, 2))),
                                          ("max_pool1d", dict(kernel_size=3, stride=2))])
def test_return_indices_match_torch(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((2, 3, 7, 6) if name != "max_pool1d" else (2, 3, 9))
    out, index = getattr(F, name)(fg.tensor(x), return_indices=True, **kwargs)
    expected, expected_index = getattr(torch.nn.functional, name)(torch.tensor(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(out.data, expected.numpy())
    assert index.dtype == np.int64
    np.testing.assert_array_equal(index.data, expected_index.numpy())


@pytest.mark.parametrize("name, kwargs", [("max_pool2d", dict(kernel_size=2, stride=1, padding=1)),
                                          ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
                                          ("adaptive_avg_pool2d", dict(output_size=(2, 3))),
                                          ("adaptive_max_pool2d", dict(output_size=(3, 2)))])
def test_pooling_passes_gradcheck(name, kwargs, rng):
    x = fg.tensor(rng.permutation(60).reshape(1, 2, 5, 6) / 7.0, requires_grad=True)  # distinct values: no ties
    assert fg.gradcheck(lambda t: getattr(F, name)(t, **kwargs), (x,))


def test_float32_stays_float32(rng):
    x = fg.tensor(rng.standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    out = F.max_pool2d(x, 2) + F.avg_pool2d(x, 2)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: F.max_pool2d(fg.ones((4, 4)), 2), ValueError, "input must be 3-d or 4-d"),
    (lambda: F.max_pool1d(fg.ones((1, 2, 4, 4)), 2), ValueError, "input must be 2-d or 3-d"),
    (lambda: F.max_pool2d(fg.ones((1, 1, 4, 4)), 0), ValueError, "kernel_size"),
    (lambda: F.max_pool2d(fg.ones((1, 1, 4, 4)), 2, stride=0), ValueError, "stride"),
    (lambda: F.max_pool2d(fg.ones((1, 1, 4, 4)), 2, padding=2), ValueError, "at most half"),
    (lambda: F.max_pool2d(fg.ones((1, 1, 2, 2)), 3), ValueError, "output would be empty"),
    (lambda: F.max_pool2d(fg.ones((1, 1, 4, 4)), (2, 2, 2)), TypeError, "kernel_size"),
    (lambda: F.avg_pool2d(fg.ones((1, 1, 4, 4)), 2, divisor_override=0), ValueError, "divisor_override"),
    (lambda: F.adaptive_avg_pool2d(fg.ones((1, 1, 4, 4)), 0), ValueError, "output_size"),
    (lambda: F.adaptive_max_pool2d(fg.ones((1, 1, 4, 4)), (1, 2, 3)), TypeError, "output_size"),
    (lambda: F.adaptive_avg_pool2d(fg.ones((1, 1, 0, 4)), 1), ValueError, "empty spatial axis"),
])
def test_bad_arguments_raise_clear_errors(call, error, fragment):
    with pytest.raises(error, match="^(adaptive_)?(max|avg)_pool[12]d: ") as info:
        call()
    assert fragment in str(info.value)


@pytest.mark.parametrize("name, kwargs", [("max_pool2d", dict(kernel_size=2)),
                                          ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
                                          ("adaptive_avg_pool2d", dict(output_size=(2, 3)))])
def test_second_derivatives_match_torch(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    check_second_derivative_against_torch(torch, name, rng.standard_normal((2, 3, 6, 5)), kwargs,
                                          dict(rtol=1e-10, atol=1e-12))
