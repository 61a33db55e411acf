"""Plain NumPy calls on Tensors: __array_ufunc__ and __array_function__."""
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def leaf(data):
    return fg.tensor(np.asarray(data, dtype=np.float64), requires_grad=True)


DIFFERENTIABLE_UFUNCS = ["add", "subtract", "multiply", "divide", "true_divide", "power", "float_power",
                         "negative", "positive", "absolute", "exp", "exp2", "expm1", "log", "log2", "log10",
                         "log1p", "sqrt", "cbrt", "square", "reciprocal", "sin", "cos", "tan", "arcsin",
                         "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
                         "arctanh", "maximum", "minimum", "fmax", "fmin", "hypot", "logaddexp", "logaddexp2",
                         "matmul"]


@pytest.mark.parametrize("name", DIFFERENTIABLE_UFUNCS)
def test_every_listed_ufunc_is_differentiable(name, rng):
    ufunc = getattr(np, name)
    lo, hi = (1.2, 1.8) if name == "arccosh" else (0.2, 0.8)
    args = [leaf(rng.uniform(lo, hi, (3, 3))) for _ in range(ufunc.nin)]
    out = ufunc(*args)
    assert isinstance(out, fg.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, ufunc(*[a.data for a in args]), rtol=1e-14)
    assert fg.gradcheck(lambda *xs: ufunc(*xs), args)


def test_ndarray_on_the_left_gives_a_differentiable_tensor():
    x = leaf([1.0, 2.0])
    a = np.array([3.0, 4.0])
    for y in (a * x, a + x, a - x, a / x, a ** x, np.float64(2.0) * x, a @ x, a > x):
        assert isinstance(y, fg.Tensor)
    (a * x + a @ x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * a)  # a @ x is added to both elements


def test_comparisons_and_tests_give_tensors_without_gradient():
    x = leaf([1.0, np.nan, -2.0])
    for y in (np.greater(x, 0), np.isnan(x), np.floor(x), np.sign(x), np.isfinite(x)):
        assert isinstance(y, fg.Tensor) and not y.requires_grad
    np.testing.assert_array_equal(np.isnan(x).data, [False, True, False])


def test_unregistered_ufunc_on_a_tensor_requiring_grad_names_it():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="numpy.ldexp has no registered gradient"):
        np.ldexp(x, 2)
    y = np.ldexp(x.detach(), 2)  # without gradients it computes
    np.testing.assert_array_equal(y.data, [4.0, 8.0])


def test_out_argument():
    x = leaf([1.0, 2.0])
    buf = np.zeros(2)
    with pytest.raises(TypeError, match="out="):
        np.exp(x, out=buf)
    with pytest.raises(TypeError, match="out="):
        buf += x
    # no gradient involved: written in place, as NumPy does
    plain = fg.tensor([1.0, 2.0])
    result = np.multiply(plain, 2.0, out=plain)
    assert result is plain
    np.testing.assert_array_equal(plain.data, [2.0, 4.0])
    buf += plain
    np.testing.assert_array_equal(buf, [2.0, 4.0])
    with pytest.raises(TypeError, match="out="):
        np.sum(x, out=np.zeros(()))


def test_where_and_dtype_options():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="where="):
        np.exp(x, where=np.array([True, False]))
    y = np.multiply(x, 2.0, dtype=np.float32)
    assert y.dtype == np.float32 and y.requires_grad
    y.sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_ufunc_methods(rng):
    x = leaf(rng.standard_normal((3, 4)))
    checks = [
        (np.add.reduce(x, axis=1), np.add.reduce(x.data, axis=1)),
        (np.multiply.reduce(x), np.multiply.reduce(x.data)),
        (np.maximum.reduce(x, axis=None), np.maximum.reduce(x.data, axis=None)),
        (np.minimum.reduce(x, axis=0, keepdims=True), np.minimum.reduce(x.data, axis=0, keepdims=True)),
        (np.logaddexp.reduce(x, axis=1), np.logaddexp.reduce(x.data, axis=1)),
        (np.add.accumulate(x, axis=1), np.add.accumulate(x.data, axis=1)),
        (np.multiply.accumulate(x), np.multiply.accumulate(x.data)),
        (np.subtract.outer(x[0], x[1]), np.subtract.outer(x.data[0], x.data[1])),
    ]
    for got, expected in checks:
        assert got.requires_grad
        np.testing.assert_allclose(got.data, expected, rtol=1e-12)
    assert fg.gradcheck(lambda t: np.add.reduce(t, axis=1), (x,))
    assert fg.gradcheck(lambda t: np.multiply.outer(t[0], t[2]), (x,))
    with pytest.raises(TypeError, match="numpy.add.at"):
        np.add.at(x, [0], 1.0)


DIFFERENTIABLE_FUNCTIONS = [
    lambda x: np.sum(x, axis=0), lambda x: np.mean(x, axis=1, keepdims=True), lambda x: np.prod(x),
    lambda x: np.max(x, axis=0), lambda x: np.min(x), lambda x: np.amax(x), lambda x: np.amin(x, axis=1),
    lambda x: np.var(x), lambda x: np.std(x, axis=0), lambda x: np.cumsum(x), lambda x: np.cumprod(x, axis=1),
    lambda x: np.dot(x, x.T), lambda x: np.vdot(x, x), lambda x: np.inner(x, x), lambda x: np.outer(x, x),
    lambda x: np.matmul(x, x.T), lambda x: np.tensordot(x, x, axes=([1], [1])),
    lambda x: np.einsum("ij,ij->i", x, x), lambda x: np.trace(x), lambda x: np.diag(x),
    lambda x: np.diagonal(x, 1), lambda x: np.reshape(x, (4, 3)), lambda x: np.ravel(x),
    lambda x: np.transpose(x), lambda x: np.moveaxis(x[None], 0, 2), lambda x: np.swapaxes(x, 0, 1),
    lambda x: np.squeeze(x[None]), lambda x: np.expand_dims(x, (0, 2)), lambda x: np.broadcast_to(x, (2, 3, 4)),
    lambda x: np.concatenate([x, x * 2], axis=1), lambda x: np.stack([x, x], axis=-1),
    lambda x: np.hstack([x, x]), lambda x: np.vstack([x, x]), lambda x: np.split(x, 2, axis=1)[1],
    lambda x: np.flip(x), lambda x: np.roll(x, 1, axis=1), lambda x: np.pad(x, ((1, 0), (0, 2))),
    lambda x: np.repeat(x, 2, axis=1), lambda x: np.tile(x, 2), lambda x: np.take(x, [0, 5, 5]),
    lambda x: np.take_along_axis(x, np.argsort(x, axis=1), axis=1), lambda x: np.where(x > 0, x, 0.0),
    lambda x: np.clip(x, -0.5, 0.5), lambda x: np.sort(x, axis=1),
    lambda x: np.linalg.norm(x), lambda x: np.linalg.norm(x, axis=1),
    lambda x: np.linalg.inv(x[:, :3]), lambda x: np.linalg.det(x[:, :3]),
    lambda x: np.linalg.slogdet(x[:, :3]).logabsdet, lambda x: np.linalg.solve(x[:, :3], x[:, 3]),
    lambda x: np.linalg.cholesky(x[:, :3] @ x[:, :3].T + 3 * np.eye(3)),
]


@pytest.mark.parametrize("k", range(len(DIFFERENTIABLE_FUNCTIONS)))
def test_numpy_functions_on_tensors_are_differentiable(k, rng):
    f = DIFFERENTIABLE_FUNCTIONS[k]
    x = leaf(rng.standard_normal((3, 4)) + np.eye(3, 4) * 3)
    out = f(x)
    assert isinstance(out, fg.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, f(x.data), rtol=1e-12, atol=1e-14)
    assert fg.gradcheck(f, (x,))


def test_numpy_conventions_not_pytorch_ones(rng):
    data = rng.standard_normal((4, 6))
    x = fg.tensor(data)
    np.testing.assert_allclose(np.var(x).data, np.var(data))  # ddof=0
    np.testing.assert_allclose(fnp.std(x, axis=0).data, np.std(data, axis=0))
    assert [p.shape for p in np.split(x, 3, axis=1)] == [(4, 2)] * 3  # sections, not chunk size
    assert np.transpose(fg.tensor(np.zeros((2, 3, 4))), (1, 0, 2)).shape == (3, 2, 4)
    with pytest.raises(ValueError, match="equal division"):
        np.split(x, 4, axis=1)
    assert np.max(x, axis=0).shape == (6,)  # values only


def test_shape_queries_just_work():
    x = leaf(np.zeros((2, 3)))
    assert np.shape(x) == (2, 3) and np.ndim(x) == 2 and np.size(x) == 6 and np.size(x, 1) == 3
    assert np.result_type(x, np.float32) == np.float64


def test_non_differentiable_functions_give_constants():
    x = leaf([3.0, 1.0, 2.0])
    assert int(np.argmax(x)) == 0
    assert not np.argsort(x).requires_grad
    z = np.zeros_like(x)
    assert isinstance(z, fg.Tensor) and not z.requires_grad
    z[0] = x[1] * 2  # writing into it keeps the graph
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 0.0])
    assert np.allclose(x, x) is True


def test_unregistered_function_names_itself():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="numpy.fft.hfft has no registered gradient"):
        np.fft.hfft(x)
    with pytest.raises(TypeError, match="numpy.convolve has no registered gradient"):
        np.convolve(x, np.ones(2))
    np.testing.assert_allclose(np.convolve(x.detach(), np.ones(2)).data, [1.0, 3.0, 5.0, 3.0])


def test_unsupported_options_are_rejected():
    x = leaf([1.0, 2.0])
    with pytest.raises(TypeError, match="where="):
        np.sum(x, where=np.array([True, False]))
    with pytest.raises(TypeError, match="mode='mean'"):
        np.pad(x, 1, mode="mean")


def test_fnp_on_plain_arrays_is_numpy():
    a = np.arange(6.0).reshape(2, 3)
    for got, expected in [(fnp.sum(a, axis=0), np.sum(a, axis=0)), (fnp.exp(a), np.exp(a)),
                          (fnp.concatenate([a, a]), np.concatenate([a, a])), (fnp.linalg.norm(a), np.linalg.norm(a))]:
        assert type(got) is type(expected)
        np.testing.assert_array_equal(got, expected)
    assert fnp.arange is np.arange and fnp.random is np.random and fnp.pi == np.pi


def test_fnp_array_stacks_tensors():
    x = leaf([1.0, 2.0])
    y = fnp.array([[x[0], 3.0], [x[1], x[0]]])
    assert y.shape == (2, 2) and y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 1.0])
    assert fnp.asarray(x) is x


def test_protocols_are_installed_on_import():
    code = ("import numpy as np, fastgrad as fg\n"
            "x = fg.tensor([1.0, 2.0], requires_grad=True)\n"
            "y = np.exp(x) * np.ones(2)\n"
            "assert y.requires_grad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_other_array_libraries_are_left_to_decide():
    class Foreign:
        def __array_function__(self, func, types, args, kwargs):
            return "foreign"

    assert np.concatenate([fg.tensor([1.0]), Foreign()]) == "foreign"


def test_linalg_functions_without_gradient_name_themselves():
    x = leaf(np.eye(2))
    with pytest.raises(TypeError, match="numpy.linalg.qr has no registered gradient"):
        fnp.linalg.qr(x)


def test_without_gradients_every_numpy_option_works():
    x = fg.tensor([1.0, 2.0, 3.0])
    total = np.sum(x, where=np.array([True, False, True]))
    assert isinstance(total, fg.Tensor) and float(total) == 4.0
    out = np.zeros(3)
    np.cumsum(x, out=out)
    np.testing.assert_array_equal(out, [1.0, 3.0, 6.0])
    with fg.no_grad():
        y = fg.tensor([1.0, 2.0], requires_grad=True)
        assert float(np.sum(y, where=np.array([False, True]))) == 2.0
    result = np.linalg.slogdet(fg.tensor(np.eye(2) * 2))
    assert isinstance(result.logabsdet, fg.Tensor) and float(result.logabsdet) == pytest.approx(np.log(4))


def test_fnp_functions_keep_tensors_inside_lists():
    x = leaf([1.0, 2.0])
    y = fnp.sum([x, x * 2])
    assert isinstance(y, fg.Tensor)
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    z = fnp.mean([[x[0], 1.0], [2.0, x[1]]], axis=0)
    np.testing.assert_allclose(z.data, [1.5, 1.5])
