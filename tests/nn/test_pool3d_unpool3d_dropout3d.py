"""F.lp_pool3d / nn.LPPool3d, F.max_unpool3d / nn.MaxUnpool3d, F.dropout3d / nn.Dropout3d and the
max-pooling functions that always return their indices, against PyTorch."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _pair(a):
    return fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check_both(y, ty, x, t, dtype, rng):
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(fg.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("args", [(2.0, 2), (3, (2, 1, 3), (1, 2, 2)), (1.5, 2, 1, True), (2, 3, 2, True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lp_pool3d_matches_torch(args, dtype):
    rng = np.random.default_rng(0)
    a = np.abs(rng.standard_normal((2, 3, 5, 6, 7))).astype(dtype) + 0.1
    x, t = _pair(a)
    _check_both(F.lp_pool3d(x, *args), TF.lp_pool3d(t, *args), x, t, dtype, rng)
    m, tm = nn.LPPool3d(*args), torch.nn.LPPool3d(*args)
    assert repr(m) == repr(tm)
    np.testing.assert_allclose(m(fg.tensor(a[0])).numpy(), tm(torch.tensor(a[0])).numpy(), rtol=1e-4)


def test_lp_pool3d_gradcheck_and_bad_arguments():
    x = fg.tensor(np.abs(np.random.default_rng(1).standard_normal((1, 2, 3, 4, 4))) + 0.5, requires_grad=True)
    assert fg.gradcheck(lambda a: F.lp_pool3d(a, 3, (2, 2, 2), 1), [x])
    with pytest.raises(ValueError, match="lp_pool3d: argument 'norm_type'"):
        F.lp_pool3d(x, 0, 2)
    with pytest.raises(ValueError, match="max|avg_pool3d|lp_pool3d"):
        F.lp_pool3d(fg.ones(2, 2, 2), 2, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), ((2, 3, 2), (1, 2, 2), (1, 1, 0))])
def test_max_unpool3d_matches_torch(dtype, kernel, stride, padding):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2, 3, 4, 6, 5)).astype(dtype)
    pooled, index = TF.max_pool3d(torch.tensor(a), kernel, stride, padding, return_indices=True)
    ours_pooled, ours_index = F.max_pool3d(fg.tensor(a), kernel, stride, padding, return_indices=True)
    np.testing.assert_array_equal(ours_index.numpy(), index.numpy())
    x, t = _pair(pooled.numpy())
    _check_both(F.max_unpool3d(x, ours_index, kernel, stride, padding, output_size=a.shape[-3:]),
                TF.max_unpool3d(t, index, kernel, stride, padding, output_size=a.shape[-3:]), x, t, dtype, rng)
    m, tm = nn.MaxUnpool3d(kernel, stride, padding), torch.nn.MaxUnpool3d(kernel, stride, padding)
    assert repr(m) == repr(tm)
    np.testing.assert_array_equal(m(ours_pooled[0], ours_index[0], a.shape[-3:]).numpy(),
                                  tm(pooled[0], index[0], a.shape[-3:]).numpy())


def test_max_unpool3d_gradcheck_and_bad_indices():
    y, i = F.max_pool3d(fg.tensor(np.random.default_rng(3).standard_normal((1, 2, 4, 4, 4))), 2,
                        return_indices=True)
    x = fg.tensor(y.numpy(), requires_grad=True)
    assert fg.gradcheck(lambda a: F.max_unpool3d(a, i, 2), [x])
    with pytest.raises(IndexError, match="max_unpool3d: found an invalid max index"):
        F.max_unpool3d(x, i * 100, 2)
    with pytest.raises(ValueError, match="max_unpool3d: indices of shape"):
        F.max_unpool3d(x, i[..., :1], 2)


@pytest.mark.parametrize("name, args", [("max_pool1d_with_indices", (3, 2, 1)),
                                        ("max_pool2d_with_indices", ((2, 3), 1, (1, 1))),
                                        ("max_pool3d_with_indices", (2, (1, 2, 2))),
                                        ("adaptive_max_pool1d_with_indices", (4,)),
                                        ("adaptive_max_pool2d_with_indices", ((3, 2),)),
                                        ("adaptive_max_pool3d_with_indices", ((2, 3, 2),))])
def test_with_indices_functions_return_both(name, args):
    dims = int(name.split("pool")[1][0])
    a = np.random.default_rng(4).standard_normal((2, 3) + (6, 7, 5)[:dims])
    x, t = _pair(a)
    (y, i), (ty, ti) = getattr(F, name)(x, *args), getattr(TF, name)(t, *args)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == fg.int64
    _check_both(y, ty, x, t, np.float64, np.random.default_rng(5))
    (y2, i2) = getattr(F, name)(x, *args, return_indices=False) if "adaptive" in name else (y, i)
    np.testing.assert_array_equal(i2.numpy(), ti.numpy())


def test_dropout3d_drops_whole_channels():
    x = fg.tensor(np.ones((30, 20, 2, 3, 2)), requires_grad=True)
    fg.manual_seed(4)
    y = F.dropout3d(x, p=0.3)
    per_channel = y.detach().numpy().reshape(30, 20, -1)
    assert np.all(per_channel == per_channel[:, :, :1])
    assert set(np.unique(per_channel)) == {0.0, 1 / 0.7}
    assert abs((per_channel[:, :, 0] != 0).mean() - 0.7) < 0.06
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


def test_dropout3d_unbatched_and_other_ranks_as_in_torch():
    fg.manual_seed(0)
    y = F.dropout3d(fg.ones(50, 2, 2, 2), p=0.5).numpy().reshape(50, -1)
    assert np.all(y == y[:, :1]) and (y == 0).any() and (y == 2).any()
    with pytest.warns(UserWarning, match="dropout3d"):
        y = F.dropout3d(fg.ones(40, 3, 3), p=0.5).numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_shape = TF.dropout3d(torch.ones(40, 3, 3), p=0.5).shape
    assert y.shape == tuple(expected_shape)
    assert np.all(y.reshape(40, -1) == y.reshape(40, -1)[:, :1])


def test_dropout3d_gradcheck_module_and_edge_cases():
    x = fg.tensor(np.random.default_rng(6).standard_normal((2, 4, 2, 2, 2)), requires_grad=True)

    def fixed(a):
        fg.manual_seed(7)
        return F.dropout3d(a, p=0.5)

    assert fg.gradcheck(fixed, [x])
    m = nn.Dropout3d(0.25)
    assert repr(m) == repr(torch.nn.Dropout3d(0.25))
    assert m.eval()(x) is x
    assert F.dropout3d(x, training=False) is x
    np.testing.assert_array_equal(F.dropout3d(x.detach(), p=1.0).numpy(), 0.0)
    assert F.dropout3d(fg.ones(0, 3, 2, 2, 2)).shape == (0, 3, 2, 2, 2)
    with pytest.raises(ValueError, match="dropout3d: probability"):
        F.dropout3d(x, p=1.5)
    inplace = fg.ones(2, 3, 2, 2, 2)
    fg.manual_seed(1)
    assert F.dropout3d(inplace, 0.5, inplace=True) is inplace
