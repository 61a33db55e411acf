"""F.fractional_max_pool2d/3d (and *_with_indices) and nn.FractionalMaxPool2d/3d against PyTorch with
the same random samples: values, indices, gradients; fresh windows per call; argument checks."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [(2, (10, 11), 3, dict(output_size=(4, 5))), (2, (9, 9), (2, 3), dict(output_ratio=(0.5, 0.6))),
         (2, (6, 7), 2, dict(output_size=(5, 6))), (2, (5, 5), 2, dict(output_size=1)),
         (3, (7, 8, 9), 3, dict(output_size=(3, 4, 5))), (3, (6, 6, 6), (2, 1, 3), dict(output_ratio=(0.5, 0.5, 0.5)))]


@pytest.mark.parametrize("dims, spatial, kernel, sizes", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batched", [True, False])
def test_matches_torch_with_the_same_samples(dims, spatial, kernel, sizes, dtype, batched):
    rng = np.random.default_rng(0)
    lead = (2, 3) if batched else (3,)
    a = rng.standard_normal(lead + spatial).astype(dtype)
    samples = rng.random((2 if batched else 1, 3, dims)).astype(dtype)
    name = f"fractional_max_pool{dims}d"
    x, t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, i = getattr(F, name)(x, kernel, return_indices=True, _random_samples=fg.tensor(samples), **sizes)
    ty, ti = getattr(TF, name)(t, kernel, return_indices=True, _random_samples=torch.tensor(samples), **sizes)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == fg.int64 and y.dtype == x.dtype
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(fg.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    y2, i2 = getattr(F, name + "_with_indices")(fg.tensor(a), kernel, _random_samples=fg.tensor(samples), **sizes)
    np.testing.assert_array_equal(i2.numpy(), i.numpy())


def test_gradcheck_with_fixed_samples():
    rng = np.random.default_rng(1)
    x = fg.tensor(rng.standard_normal((1, 2, 7, 6)), requires_grad=True)
    samples = fg.tensor(rng.random((1, 2, 2)))
    assert fg.gradcheck(lambda a: F.fractional_max_pool2d(a, 2, output_size=(3, 3), _random_samples=samples), [x])
    v = fg.tensor(rng.standard_normal((1, 1, 5, 5, 6)), requires_grad=True)
    samples3 = fg.tensor(rng.random((1, 1, 3)))
    assert fg.gradcheck(lambda a: F.fractional_max_pool3d(a, 2, output_ratio=0.5, _random_samples=samples3), [v])


def test_windows_are_drawn_per_call_from_fastgrads_generator():
    x = fg.tensor(np.random.default_rng(2).standard_normal((4, 8, 20, 20)))
    fg.manual_seed(0)
    _, first = F.fractional_max_pool2d(x, 2, output_size=6, return_indices=True)
    _, second = F.fractional_max_pool2d(x, 2, output_size=6, return_indices=True)
    fg.manual_seed(0)
    _, again = F.fractional_max_pool2d(x, 2, output_size=6, return_indices=True)
    assert not np.array_equal(first.numpy(), second.numpy())
    np.testing.assert_array_equal(first.numpy(), again.numpy())


def test_modules():
    for dims in (2, 3):
        name = f"FractionalMaxPool{dims}d"
        m, tm = getattr(nn, name)(2, output_ratio=0.5), getattr(torch.nn, name)(2, output_ratio=0.5)
        assert repr(m) == repr(tm)
        a = np.random.default_rng(3).standard_normal((2, 3) + (8,) * dims)
        assert m(fg.tensor(a)).shape == tuple(tm(torch.tensor(a)).shape)
        samples = np.random.default_rng(4).random((2, 3, dims))
        fixed = getattr(nn, name)(3, output_size=4, return_indices=True, _random_samples=fg.tensor(samples))
        tfixed = getattr(torch.nn, name)(3, output_size=4, return_indices=True,
                                         _random_samples=torch.tensor(samples))
        (y, i), (ty, ti) = fixed(fg.tensor(a)), tfixed(torch.tensor(a))
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        assert list(fixed.state_dict()) == list(tfixed.state_dict())


def test_bad_arguments():
    x = fg.ones(1, 1, 5, 5)
    with pytest.raises(ValueError, match="FractionalMaxPool2d requires specifying either"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(ValueError, match="fractional_max_pool2d requires specifying either"):
        F.fractional_max_pool2d(x, 2)
    with pytest.raises(RuntimeError, match="fractional_max_pool2d: pool size 2 of axis 0 is too large"):
        F.fractional_max_pool2d(x, 2, output_size=5)
    with pytest.raises(ValueError, match="_random_samples must have shape"):
        F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=fg.ones(1, 1, 3))
    with pytest.raises(ValueError, match="fractional_max_pool3d: input must be 5-d"):
        F.fractional_max_pool3d(x[0, 0], 2, output_size=2)
    with pytest.raises(TypeError, match="floating"):
        F.fractional_max_pool2d(fg.ones(1, 1, 5, 5, dtype=fg.int64), 2, output_size=2)
