"""Bad input gets a clear error naming the op; dtypes and edge shapes behave as NumPy's."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def leaf(shape, dtype=np.float64, seed=0):
    return fg.tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda: fnp.einsum("ij,jk->ik", leaf((2, 3))), ValueError, "einsum: 'ij,jk->ik' names 2 operands"),
    (lambda: fnp.einsum("ijk->i", leaf((2, 3))), ValueError, "einsum: term 'ijk' has 3 letters"),
    (lambda: fg.einsum(3, leaf((2,))), TypeError, "einsum: subscripts must be a string"),
    (lambda: fnp.linalg.inv(leaf((2, 3))), ValueError, "inv: expected a square matrix"),
    (lambda: fnp.linalg.solve(leaf((3,)), leaf((3,))), ValueError, "solve: expected a square matrix"),
    (lambda: fnp.linalg.det(leaf((4,))), ValueError, "det: expected a square matrix"),
    (lambda: fnp.linalg.cholesky(leaf((2, 3))), ValueError, "cholesky: expected a square matrix"),
    (lambda: fg.cumsum(leaf(()), 0), ValueError, "cumsum: a 0-d tensor has no axis"),
    (lambda: fnp.cumprod(leaf((2, 3)), axis=2), ValueError, "cumprod: axis 2 is out of bounds"),
    (lambda: fnp.pad(leaf((3,)), -1), ValueError, "pad: pad widths must be non-negative"),
    (lambda: fnp.pad(leaf((3,)), 1, mode="linear_ramp"), TypeError, "pad: mode='linear_ramp' is not supported"),
    (lambda: fnp.tensordot(leaf((2, 3)), leaf((4, 2)), ([1], [0])), ValueError, "tensordot: axis 1 of a"),
    (lambda: fnp.linalg.norm(leaf((3, 3)), "bad"), ValueError, "norm: invalid norm order 'bad' for matrices"),
    (lambda: fnp.split(leaf((5,)), 2), ValueError, "split: array split does not result in an equal division"),
    (lambda: fnp.moveaxis(leaf((2, 3)), 0, 5), ValueError, "moveaxis: axis 5 is out of bounds"),
    (lambda: fnp.reshape(leaf((2, 3)), (3, 2), order="F"), TypeError, "reshape: order='F' is not supported"),
    (lambda: fnp.sort(leaf((3,)), order="x"), TypeError, "sort: order="),
    (lambda: fnp.where(leaf((3,)) > 0, leaf((3,))), ValueError, "where: either both or neither"),
    (lambda: fg.grad(lambda x: x * 2)(np.ones(3)), TypeError, "grad: the function must return a scalar"),
    (lambda: fg.vjp(fnp.sin, np.ones(2))[1](np.ones(3)), ValueError, "vjp: cotangent has shape"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace("[", r"\[")):
        call()


def test_singular_matrix_raises_numpys_error():
    with pytest.raises(np.linalg.LinAlgError):
        fnp.linalg.inv(fg.tensor(np.zeros((2, 2)), requires_grad=True))


UNARY = [fnp.exp2, fnp.expm1, fnp.tan, fnp.arctan, fnp.sinh, fnp.cosh, fnp.arcsinh, fnp.square, fnp.cbrt,
         lambda x: fnp.logaddexp(x, 0.5), lambda x: fnp.hypot(x, 2.0), fnp.flip, lambda x: fnp.roll(x, 1)]


@pytest.mark.parametrize("k", range(len(UNARY)))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_in_value_and_gradient(k, dtype):
    x = leaf((3, 2), dtype, seed=k)
    y = UNARY[k](x)
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype and x.grad.shape == x.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linalg_keeps_float32(dtype):
    a = fg.tensor((np.eye(3) * 3 + np.ones((3, 3))).astype(dtype), requires_grad=True)
    for f in (fnp.linalg.inv, fnp.linalg.det, lambda m: fnp.linalg.slogdet(m)[1], fnp.linalg.cholesky,
              lambda m: fnp.linalg.solve(m, np.ones(3, dtype))):
        out = f(a)
        assert out.dtype == dtype
        out.sum().backward()
        assert a.grad.dtype == dtype
        a.grad = None


@pytest.mark.parametrize("shape", [(), (0,), (1,), (5,), (2, 0, 3), (2, 3, 4)])
def test_elementwise_ops_on_edge_shapes(shape):
    x = leaf(shape)
    for f in UNARY[:10]:
        out = f(x)
        assert out.shape == shape
        np.testing.assert_allclose(out.data, f(x.data), rtol=1e-12)
        out.sum().backward()
        assert x.grad.shape == shape
        x.grad = None


@pytest.mark.parametrize("shape", [(0,), (1,), (5,), (2, 0, 3), (2, 3, 4)])
def test_axis_ops_on_edge_shapes(shape):
    x = leaf(shape)
    for f in (lambda t: fnp.cumsum(t, axis=0), lambda t: fnp.cumprod(t, axis=-1), lambda t: fnp.flip(t, 0),
              lambda t: fnp.roll(t, 2, axis=0), lambda t: fnp.sort(t, axis=0), lambda t: fnp.pad(t, 1),
              lambda t: fnp.repeat(t, 2, axis=0), lambda t: fnp.tile(t, 2),
              lambda t: fnp.einsum("i...->...", t)):
        out = f(x)
        np.testing.assert_allclose(out.data, f(x.data), rtol=1e-12)
        out.sum().backward()
        assert x.grad.shape == shape
        x.grad = None


def test_cumprod_gradient_with_zeros():
    for data in ([2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 2.0], [1.5, 2.0, 0.0], [0.0, 3.0, 5.0]):
        x = fg.tensor(np.array(data), requires_grad=True)
        assert fg.gradcheck(lambda t: fnp.cumprod(t), (x,))
        (g,) = fg.autograd.grad(fnp.cumprod(x).sum(), x, create_graph=True)
        assert fg.gradcheck(lambda t: fg.autograd.grad(fnp.cumprod(t).sum(), t, create_graph=True)[0], (x,))
        assert g.shape == x.shape


@pytest.mark.parametrize("axis", [0, 1])
def test_cumprod_gradient_with_zeros_along_an_axis(axis):
    x = fg.tensor(np.array([[1.5, 0.0, 2.0], [3.0, -1.0, 0.0], [0.0, 0.5, 2.0]]), requires_grad=True)
    assert fg.gradcheck(lambda t: fnp.cumprod(t, axis=axis), (x,))
    assert fg.gradcheck(lambda t: fg.autograd.grad((fnp.cumprod(t, axis=axis) ** 2).sum(), t,
                                                   create_graph=True)[0], (x,))
