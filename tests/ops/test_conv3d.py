"""conv3d: values and input, weight and bias gradients against PyTorch (float64), central
differences, second derivatives, float32, empty batches and argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.nn import functional as F

# (input shape, weight shape, keyword arguments)
CASES = [
    ((2, 3, 5, 6, 7), (4, 3, 3, 3, 3), dict()),
    ((2, 3, 5, 6, 7), (4, 3, 3, 2, 3), dict(stride=(2, 1, 2), padding=(1, 0, 2))),
    ((1, 4, 6, 5, 6), (6, 2, 2, 3, 2), dict(groups=2, dilation=(2, 1, 2), padding=1)),
    ((2, 2, 4, 5, 5), (3, 2, 2, 3, 1), dict(padding="same", dilation=(3, 1, 1))),   # odd and even totals
    ((2, 2, 4, 5, 5), (3, 2, 3, 3, 3), dict(padding="valid", stride=2)),
    ((4, 3, 5, 5), (2, 4, 3, 3, 3), dict(padding=1)),                                  # unbatched
    ((1, 6, 3, 4, 4), (6, 1, 1, 3, 3), dict(groups=6, stride=(1, 2, 2))),              # depthwise
    ((2, 3, 1, 1, 1), (5, 3, 1, 1, 1), dict()),
]


def _run(x, w, b, kwargs, seed_grad=None, rng=None):
    torch = pytest.importorskip("torch")
    mine = [None if a is None else fg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [None if a is None else torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv3d(*mine, **kwargs)
    expected = torch.nn.functional.conv3d(*theirs, **kwargs)
    assert out.shape == tuple(expected.shape) and out.dtype == x.dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = rng.standard_normal(out.shape)
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for m, t, name in zip(mine, theirs, ("input", "weight", "bias")):
        if m is not None:
            np.testing.assert_allclose(m.grad.data, t.grad.numpy(), rtol=1e-11, atol=1e-12, err_msg=name)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CASES, ids=str)
def test_matches_torch(x_shape, w_shape, kwargs, bias, rng):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    _run(x, w, rng.standard_normal(w_shape[0]) if bias else None, kwargs, rng=rng)


@pytest.mark.parametrize("kwargs, w_shape", [(dict(), (2, 3, 2, 2, 2)),
                                             (dict(stride=2, padding=(1, 0, 1), dilation=(1, 2, 1), groups=3),
                                              (3, 1, 2, 2, 2)),
                                             (dict(padding="same"), (2, 3, 2, 3, 2))])
def test_passes_gradcheck(kwargs, w_shape, rng):
    x = fg.tensor(rng.standard_normal((2, 3, 4, 5, 4)), requires_grad=True)
    w = fg.tensor(rng.standard_normal(w_shape), requires_grad=True)
    b = fg.tensor(rng.standard_normal(w_shape[0]), requires_grad=True)
    assert fg.gradcheck(lambda x, w, b: F.conv3d(x, w, b, **kwargs), (x, w, b))


def test_second_derivatives_match_torch(rng):
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((2, 4, 4, 5, 4)), rng.standard_normal((2, 2, 2, 3, 2)), rng.standard_normal(2)
    kwargs = dict(stride=(1, 2, 1), padding=1, groups=2)
    X, W, B = (fg.tensor(a, requires_grad=True) for a in (x, w, b))
    gx, gw = fg.autograd.grad((F.conv3d(X, W, B, **kwargs) ** 2).sum(), [X, W], create_graph=True)
    ((gx * gx).sum() + (gw ** 3).sum()).backward()
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tgx, tgw = torch.autograd.grad((torch.nn.functional.conv3d(tx, tw, tb, **kwargs) ** 2).sum(), [tx, tw],
                                   create_graph=True)
    ((tgx * tgx).sum() + (tgw ** 3).sum()).backward()
    for mine, theirs in ((X, tx), (W, tw), (B, tb)):
        np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_float32_stays_float32_and_matches_torch(rng):
    torch = pytest.importorskip("torch")
    x, w, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 6, 7, 8), (5, 3, 3, 3, 3), (5,)))
    out = F.conv3d(fg.tensor(x), fg.tensor(w), fg.tensor(b), padding=1, stride=(1, 2, 1))
    assert out.dtype == np.float32
    expected = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=1,
                                          stride=(1, 2, 1))
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-4, atol=1e-4)


def test_non_contiguous_input_and_arrays(rng):
    base = rng.standard_normal((2, 3, 5, 6, 12))
    w, b = rng.standard_normal((4, 3, 2, 2, 3)), rng.standard_normal(4)
    strided = F.conv3d(fg.tensor(base[..., ::2]), fg.tensor(w), fg.tensor(b))
    packed = F.conv3d(fg.tensor(np.ascontiguousarray(base[..., ::2])), fg.tensor(w), fg.tensor(b))
    np.testing.assert_array_equal(strided.data, packed.data)
    np.testing.assert_array_equal(F.conv3d(base[..., ::2], w, b).data, packed.data)   # plain arrays


def test_only_requested_gradients_are_computed(rng):
    x = fg.tensor(rng.standard_normal((1, 2, 3, 4, 4)))
    w = fg.tensor(rng.standard_normal((3, 2, 2, 2, 2)), requires_grad=True)
    F.conv3d(x, w).sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2, 2, 2, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_empty_batch_gives_an_empty_output_and_zero_weight_gradients(dtype):
    x = fg.tensor(np.zeros((0, 2, 4, 4, 4), dtype), requires_grad=True)
    w = fg.tensor(np.ones((3, 2, 3, 3, 3), dtype), requires_grad=True)
    b = fg.tensor(np.ones(3, dtype), requires_grad=True)
    out = F.conv3d(x, w, b, padding=1)
    assert out.shape == (0, 3, 4, 4, 4) and out.dtype == dtype
    out.sum().backward()
    assert x.grad.shape == (0, 2, 4, 4, 4)
    np.testing.assert_array_equal(w.grad.data, np.zeros((3, 2, 3, 3, 3)))
    np.testing.assert_array_equal(b.grad.data, np.zeros(3))


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3))), ValueError,
     "weight must be 5-d (out_channels, in_channels / groups, kD, kH, kW)"),
    (lambda: F.conv3d(fg.ones((3, 5, 5)), fg.ones((2, 3, 3, 3, 3))), ValueError, "input must be"),
    (lambda: F.conv3d(fg.ones((1, 4, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3))), ValueError, "expects 3"),
    (lambda: F.conv3d(fg.ones((1, 4, 5, 5, 5)), fg.ones((3, 2, 3, 3, 3)), groups=2), ValueError,
     "divisible by groups"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), groups=0), ValueError, "groups"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), fg.ones(3)), ValueError,
     "bias has shape"),
    (lambda: F.conv3d(fg.ones((1, 3, 2, 5, 5)), fg.ones((2, 3, 3, 3, 3))), ValueError, "output would be empty"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), stride=0), ValueError, "'stride'"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), stride=(1, 1)), TypeError, "'stride'"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), padding=-1), ValueError, "'padding'"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), padding="full"), ValueError,
     "'padding'"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), padding="same", stride=2), ValueError,
     "strided"),
    (lambda: F.conv3d(fg.ones((1, 3, 5, 5, 5)), fg.ones((2, 3, 3, 3, 3)), dilation=(1, 0, 1)), ValueError,
     "'dilation'"),
])
def test_bad_arguments_raise_clear_errors(call, error, fragment):
    with pytest.raises(error, match="^conv3d: ") as info:
        call()
    assert fragment in str(info.value)
