"""F.rrelu / nn.RReLU (random slopes while training, the mean slope in evaluation) and the
in-place activations F.relu_, elu_, celu_, selu_, leaky_relu_, hardtanh_, threshold_, rrelu_."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

torch = pytest.importorskip("torch")


def _values(dtype=np.float64, shape=(4, 5)):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_slopes_lie_in_the_range_and_drive_the_gradient(dtype):
    a = _values(dtype, (50, 40))
    x = fg.tensor(a, requires_grad=True)
    fg.manual_seed(1)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    assert y.dtype == x.dtype
    out = y.detach().numpy()
    np.testing.assert_array_equal(out[a > 0], a[a > 0])
    slopes = out[a < 0] / a[a < 0]
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() <= 0.3 + 1e-6
    assert slopes.std() > 0.03                         # one draw per element, not one for all
    y.backward(fg.ones_like(y))
    grad = x.grad.numpy()
    np.testing.assert_array_equal(grad[a > 0], 1.0)
    np.testing.assert_allclose(grad[a < 0], slopes, rtol=1e-5)
    fg.manual_seed(1)
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3, training=True).detach().numpy(), out)


def test_training_mean_slope_matches_torch_statistically():
    a = -np.ones(200000)
    ours = F.rrelu(fg.tensor(a), training=True).numpy()
    theirs = torch.nn.functional.rrelu(torch.tensor(a), training=True).numpy()
    assert abs(ours.mean() - theirs.mean()) < 2e-3
    assert abs(ours.std() - theirs.std()) < 2e-3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_evaluation_matches_torch(dtype):
    a = _values(dtype)
    a[0, 0] = 0.0
    x, t = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = F.rrelu(x, 0.2, 0.4), torch.nn.functional.rrelu(t, 0.2, 0.4)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6)
    g = _values(dtype) + 1
    y.backward(fg.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_gradient_at_zero_is_the_slope_as_in_torch():
    for training in (False, True):
        x = fg.zeros(6, dtype=fg.float64, requires_grad=True)
        F.rrelu(x, 0.25, 0.25, training=training).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), 0.25)


def test_gradcheck_with_fixed_draws():
    x = fg.tensor(_values(np.float64, (3, 4)), requires_grad=True)

    def fixed(a):
        fg.manual_seed(5)
        return F.rrelu(a, 0.1, 0.5, training=True)

    assert fg.gradcheck(fixed, [x])
    assert fg.gradcheck(lambda a: F.rrelu(a, 0.1, 0.5), [x])


def test_module_train_eval_and_repr():
    m = nn.RReLU(0.1, 0.3)
    assert repr(m) == repr(torch.nn.RReLU(0.1, 0.3))
    a = -np.ones((100, 100), np.float32)
    fg.manual_seed(0)
    train = m(fg.tensor(a)).numpy()
    assert len(np.unique(train)) > 100
    m.eval()
    np.testing.assert_allclose(m(fg.tensor(a)).numpy(), -0.2, rtol=1e-6)


def test_edge_cases_and_bad_arguments():
    assert F.rrelu(fg.zeros(0, 3), training=True).shape == (0, 3)
    assert F.rrelu(fg.tensor(-2.0), 0.5, 0.5, training=True).item() == -1.0
    strided = fg.tensor(_values(np.float64, (4, 6)))[:, ::2]
    np.testing.assert_allclose(F.rrelu(strided).numpy(),
                               torch.nn.functional.rrelu(torch.tensor(strided.numpy())).numpy())
    with pytest.raises(RuntimeError, match="lower bound"):
        F.rrelu(fg.ones(3), 0.5, 0.2, training=True)
    with pytest.raises(RuntimeError, match="lower bound"):
        nn.RReLU(0.5, 0.2)(fg.ones(3))
    with pytest.raises(TypeError, match="rrelu: argument 'input' must be a floating"):
        F.rrelu(fg.tensor([1, 2]), training=True)
    with pytest.raises(TypeError, match="rrelu: argument 'lower'"):
        F.rrelu(fg.ones(2), "a")


INPLACE = [
    ("relu_", (), {}),
    ("elu_", (0.7,), {}),
    ("celu_", (1.3,), {}),
    ("selu_", (), {}),
    ("leaky_relu_", (0.2,), {}),
    ("hardtanh_", (-0.5, 0.5), {}),
    ("threshold_", (0.1, -3.0), {}),
]


@pytest.mark.parametrize("name, args, kwargs", INPLACE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_inplace_functions_write_into_and_return_the_input(name, args, kwargs, dtype):
    a = _values(dtype)
    x, t = fg.tensor(a.copy()), torch.tensor(a.copy())
    out = getattr(F, name)(x, *args, **kwargs)
    expected = getattr(torch.nn.functional, name)(t, *args, **kwargs)
    assert out is x
    np.testing.assert_allclose(x.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, args, kwargs", INPLACE)
def test_inplace_functions_give_torchs_gradients(name, args, kwargs):
    a = _values()
    w, tw = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    h, th = w * 1.5, tw * 1.5                                 # a non-leaf to write into
    y, ty = getattr(F, name)(h, *args, **kwargs), getattr(torch.nn.functional, name)(th, *args, **kwargs)
    assert y is h
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-6, atol=1e-10)


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError):
        F.relu_(fg.ones(3, requires_grad=True))


def test_rrelu_inplace():
    a = -np.ones(6)
    x = fg.tensor(a.copy())
    assert F.rrelu_(x, 0.5, 0.5, training=True) is x
    np.testing.assert_array_equal(x.numpy(), -0.5)
    y = fg.tensor(a.copy())
    assert nn.RReLU(0.2, 0.4, inplace=True).eval()(y) is y
    np.testing.assert_allclose(y.numpy(), -0.3)


def test_training_on_another_array_library():
    xp = pytest.importorskip("array_api_strict")
    a = np.array([-1.0, 2.0, -3.0, -0.5])
    x = fg.tensor(xp.asarray(a), requires_grad=True)
    y = F.rrelu(x, 0.2, 0.4, training=True)
    y.sum().backward()
    out, grad = np.asarray(y.detach()._data), np.asarray(x.grad._data)
    slopes = out[a < 0] / a[a < 0]
    assert np.all((slopes >= 0.2) & (slopes <= 0.4))
    np.testing.assert_allclose(grad[a < 0], slopes)
    assert grad[1] == 1.0
