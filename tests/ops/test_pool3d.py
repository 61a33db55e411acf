"""max_pool3d, avg_pool3d, adaptive_avg_pool3d and adaptive_max_pool3d: values, indices and
input gradients against PyTorch (float64), central differences, second derivatives and
argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F
from torch_parity import check_second_derivative_against_torch

CASES = [
    ("max_pool3d", (2, 3, 6, 7, 8), dict(kernel_size=2)),
    ("max_pool3d", (2, 3, 7, 8, 9), dict(kernel_size=3, stride=2, padding=1, dilation=(1, 2, 1), ceil_mode=True)),
    ("max_pool3d", (3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0))),
    ("max_pool3d", (1, 2, 5, 5, 5), dict(kernel_size=3, stride=1, padding=1)),
    ("avg_pool3d", (2, 3, 6, 7, 8), dict(kernel_size=2)),
    ("avg_pool3d", (2, 3, 7, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool3d", (2, 3, 7, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                                         count_include_pad=False)),
    ("avg_pool3d", (3, 5, 6, 7), dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=(1, 1, 0),
                                      divisor_override=5)),
    ("adaptive_avg_pool3d", (2, 3, 7, 8, 9), dict(output_size=(3, 5, 4))),
    ("adaptive_avg_pool3d", (2, 3, 5, 4, 3), dict(output_size=1)),
    ("adaptive_avg_pool3d", (3, 5, 6, 7), dict(output_size=(None, 2, 9))),
    ("adaptive_max_pool3d", (2, 3, 7, 8, 9), dict(output_size=(3, 5, 4))),
    ("adaptive_max_pool3d", (2, 3, 5, 4, 3), dict(output_size=(2, None, 1))),
]


def _compare(name, x, kwargs, rng, indices=False):
    torch = pytest.importorskip("torch")
    mine, theirs = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    extra = dict(return_indices=True) if indices else {}
    out = getattr(F, name)(mine, **kwargs, **extra)
    expected = getattr(torch.nn.functional, name)(theirs, **kwargs, **extra)
    if indices:
        (out, index), (expected, expected_index) = out, expected
        assert index.dtype == np.int64
        np.testing.assert_array_equal(index.data, expected_index.numpy())
    assert out.shape == tuple(expected.shape) and out.dtype == x.dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name, shape, kwargs", CASES, ids=str)
def test_pooling_matches_torch(name, shape, kwargs, rng):
    _compare(name, rng.standard_normal(shape), kwargs, rng)


@pytest.mark.parametrize("name, shape, kwargs", [c for c in CASES if "max" in c[0]], ids=str)
def test_indices_and_ties_match_torch(name, shape, kwargs, rng):
    """Rounded values tie often inside a window: the first maximum in (depth, height, width)
    order is the one chosen, and the one the gradient reaches, as in PyTorch."""
    _compare(name, np.round(rng.standard_normal(shape)), kwargs, rng, indices=True)


@pytest.mark.parametrize("name, kwargs", [("max_pool3d", dict(kernel_size=2, stride=1, padding=1)),
                                          ("avg_pool3d", dict(kernel_size=3, stride=2, padding=1,
                                                              count_include_pad=False)),
                                          ("adaptive_avg_pool3d", dict(output_size=(2, 3, 2))),
                                          ("adaptive_max_pool3d", dict(output_size=(3, 2, 2)))])
def test_pooling_passes_gradcheck(name, kwargs, rng):
    x = fg.tensor(rng.permutation(120).reshape(1, 2, 4, 3, 5) / 7.0, requires_grad=True)  # no ties
    assert fg.gradcheck(lambda t: getattr(F, name)(t, **kwargs), (x,))


@pytest.mark.parametrize("name, kwargs", [("max_pool3d", dict(kernel_size=2)),
                                          ("avg_pool3d", dict(kernel_size=3, stride=2, padding=1)),
                                          ("adaptive_avg_pool3d", dict(output_size=(2, 3, 2)))])
def test_second_derivatives_match_torch(name, kwargs, rng):
    torch = pytest.importorskip("torch")
    check_second_derivative_against_torch(torch, name, rng.standard_normal((2, 3, 4, 6, 5)), kwargs,
                                          dict(rtol=1e-10, atol=1e-12))


def test_float32_stays_float32_and_strided_input_reads_as_its_values(rng):
    base = rng.standard_normal((2, 3, 6, 6, 12)).astype(np.float32)
    x = fg.tensor(base[..., ::2], requires_grad=True)
    out = F.max_pool3d(x, 2) + F.avg_pool3d(x, 2) + F.adaptive_avg_pool3d(x, 3)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    packed = fg.tensor(np.ascontiguousarray(base[..., ::2]))
    np.testing.assert_array_equal(out.data, (F.max_pool3d(packed, 2) + F.avg_pool3d(packed, 2)
                                             + F.adaptive_avg_pool3d(packed, 3)).data)


def test_an_empty_batch_gives_an_empty_output(rng):
    x = fg.tensor(np.zeros((0, 2, 4, 4, 4)), requires_grad=True)
    out = F.max_pool3d(x, 2) + F.avg_pool3d(x, 2)
    assert out.shape == (0, 2, 2, 2, 2)
    out.sum().backward()
    assert x.grad.shape == (0, 2, 4, 4, 4)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: F.max_pool3d(fg.ones((4, 4, 4)), 2), ValueError, "input must be 4-d (C, D, H, W) or 5-d"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 4, 4, 4)), 0), ValueError, "kernel_size"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 4, 4, 4)), 2, stride=(1, 0, 1)), ValueError, "stride"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 4, 4, 4)), 2, padding=2), ValueError, "at most half"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 2, 4, 4)), 3), ValueError, "output would be empty"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 4, 4, 4)), (2, 2)), TypeError, "kernel_size"),
    (lambda: F.max_pool3d(fg.ones((1, 1, 4, 4, 4)), 2, dilation=0), ValueError, "dilation"),
    (lambda: F.avg_pool3d(fg.ones((1, 1, 4, 4, 4)), 2, divisor_override=0), ValueError, "divisor_override"),
    (lambda: F.avg_pool3d(fg.ones((1, 1, 4, 4, 4)), 2, padding=-1), ValueError, "padding"),
    (lambda: F.adaptive_avg_pool3d(fg.ones((1, 1, 4, 4, 4)), 0), ValueError, "output_size"),
    (lambda: F.adaptive_max_pool3d(fg.ones((1, 1, 4, 4, 4)), (1, 2)), TypeError, "output_size"),
    (lambda: F.adaptive_avg_pool3d(fg.ones((1, 1, 0, 4, 4)), 1), ValueError, "empty spatial axis"),
])
def test_bad_arguments_raise_clear_errors(call, error, fragment):
    with pytest.raises(error, match="^(adaptive_)?(max|avg)_pool3d: ") as info:
        call()
    assert fragment in str(info.value)
