"""Every differentiable op of the foundation against central differences (float64).

Each case: a function of tensors, and how to make each input for a shape.
Shapes cover 0-d, empty, odd sizes and broadcast pairs.
"""
import numpy as np
import pytest

import fastgrad as fg

UNARY = {
    "neg": (lambda x: -x, None),
    "abs": (lambda x: abs(x), None),
    "exp": (fg.exp, None),
    "log": (fg.log, (0.5, 2.0)),
    "log1p": (fg.log1p, (-0.5, 2.0)),
    "sqrt": (fg.sqrt, (0.5, 2.0)),
    "sin": (fg.sin, None),
    "cos": (fg.cos, None),
    "tanh": (fg.tanh, None),
    "sigmoid": (fg.sigmoid, None),
    "relu": (fg.relu, None),
    "clip": (lambda x: fg.clip(x, -0.5, 0.7), None),
    "pow_scalar": (lambda x: x ** 3, None),
    "pow_half": (lambda x: x ** 0.5, (0.5, 2.0)),
    "rpow": (lambda x: 2.0 ** x, None),
    "square_sum": (lambda x: (x * x).sum(), None),
    "mean": (lambda x: x.mean(), None),
    "radd_rsub_rmul_rdiv": (lambda x: 1.0 - (2.0 + 3.0 * x) / 4.0, None),
    "rdiv": (lambda x: 1.0 / x, (0.5, 2.0)),
}

UNARY_SHAPES = [(), (0,), (1,), (5,), (3, 4), (2, 0, 3), (2, 3, 4)]

BINARY = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / (y * y + 1.0),
    "pow": lambda x, y: (x * x + 1.0) ** y,
    "maximum": fg.maximum,
    "minimum": fg.minimum,
    "where": lambda x, y: fg.where(x.data > 0, x, y),
}

BROADCAST_PAIRS = [((), ()), ((3,), ()), ((), (3,)), ((3, 4), (4,)), ((3, 1), (1, 4)),
                   ((2, 3, 4), (3, 1)), ((0, 4), (4,)), ((5,), (5,))]


def make(rng, shape, domain):
    data = rng.standard_normal(shape) if domain is None else rng.uniform(*domain, shape)
    return fg.tensor(np.asarray(data, dtype=np.float64), requires_grad=True)


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck(name, shape, rng):
    fn, domain = UNARY[name]
    x = make(rng, shape, domain)
    assert fg.gradcheck(fn, (x,))


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradcheck(name, shapes, rng):
    x, y = make(rng, shapes[0], None), make(rng, shapes[1], None)
    out = BINARY[name](x, y)
    assert out.shape == np.broadcast_shapes(shapes[0], shapes[1])
    assert fg.gradcheck(BINARY[name], (x, y))


REDUCTIONS = {
    "sum": lambda x, a, k: x.sum(axis=a, keepdims=k),
    "mean": lambda x, a, k: x.mean(axis=a, keepdims=k),
    "prod": lambda x, a, k: x.prod(axis=a, keepdims=k),
    "max": lambda x, a, k: x.max(axis=a, keepdims=k),
    "min": lambda x, a, k: x.min(axis=a, keepdims=k),
    "var": lambda x, a, k: x.var(axis=a, keepdims=k),
    "std": lambda x, a, k: x.std(axis=a, ddof=0, keepdims=k),
}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)], ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_gradcheck(name, axis, keepdims, rng):
    x = make(rng, (2, 3, 4), None)
    fn = REDUCTIONS[name]
    assert fg.gradcheck(lambda t: fn(t, axis, keepdims), (x,))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "var"])
def test_reduction_of_0d(name, rng):
    x = make(rng, (), None)
    if name == "var":
        assert fg.gradcheck(lambda t: t.var(ddof=0), (x,))
    else:
        assert fg.gradcheck(lambda t: REDUCTIONS[name](t, None, False), (x,))


def test_sum_of_empty_is_zero_with_zero_grad(rng):
    x = make(rng, (0, 3), None)
    s = x.sum()
    s.backward()
    assert s.item() == 0.0 and x.grad.shape == (0, 3)


def test_prod_with_zeros():
    x = fg.tensor(np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [1.0, 2.0, 3.0]]), requires_grad=True)
    assert fg.gradcheck(lambda t: t.prod(axis=1), (x,))
    x.prod(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]])


def test_max_ties_share_gradient():
    x = fg.tensor(np.array([1.0, 3.0, 3.0]), requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
                 ((0, 3), (3, 2)), ((2, 0), (0, 3))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_gradcheck(shapes, rng):
    a, b = make(rng, shapes[0], None), make(rng, shapes[1], None)
    out = a @ b
    np.testing.assert_allclose(out.data, np.matmul(a.data, b.data))
    assert fg.gradcheck(lambda x, y: x @ y, (a, b))


SHAPE_OPS = {
    "reshape": ((2, 3, 4), lambda x: x.reshape(4, -1)),
    "view": ((2, 3, 4), lambda x: x.view((6, 4))),
    "flatten": ((2, 3, 4), lambda x: x.flatten(1)),
    "transpose_swap": ((2, 3, 4), lambda x: x.transpose(0, 2)),
    "transpose_rev": ((2, 3, 4), lambda x: x.transpose()),
    "T": ((2, 3), lambda x: x.T),
    "permute": ((2, 3, 4), lambda x: x.permute(1, 2, 0)),
    "swapaxes": ((2, 3, 4), lambda x: x.swapaxes(0, 1)),
    "squeeze": ((1, 3, 1), lambda x: x.squeeze()),
    "squeeze_axis": ((1, 3, 1), lambda x: x.squeeze(2)),
    "unsqueeze": ((3, 4), lambda x: x.unsqueeze(1)),
    "expand": ((3, 1), lambda x: x.expand(2, 3, 5)),
    "broadcast_to": ((4,), lambda x: fg.broadcast_to(x, (3, 4))),
    "basic_index": ((4, 5), lambda x: x[1:3, ::2]),
    "int_index": ((4, 5), lambda x: x[2]),
    "newaxis_ellipsis": ((4, 5), lambda x: x[None, ..., 1]),
    "advanced_repeat": ((4, 3), lambda x: x[[0, 2, 0, 0]]),
    "bool_mask": ((4, 3), lambda x: x[x.data > 0]),
    "mixed_index": ((4, 3, 2), lambda x: x[[1, 1], :, 0]),
    "split": ((5, 2), lambda x: fg.stack([p.sum(0) for p in x.split(2)])),
    "split_sizes": ((5, 2), lambda x: x.split([1, 4])[1] * 2),
    "iterate": ((3, 2), lambda x: fg.stack(list(x)[::-1])),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_shape_op_gradcheck(name, rng):
    shape, fn = SHAPE_OPS[name]
    x = make(rng, shape, None)
    assert fg.gradcheck(fn, (x,))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concatenate_and_stack(axis, rng):
    a, b = make(rng, (2, 3), None), make(rng, (2, 3), None)
    assert fg.gradcheck(lambda x, y: fg.concatenate([x, y], axis=axis), (a, b))
    assert fg.gradcheck(lambda x, y: fg.stack([x, y], axis=axis), (a, b))


def test_repeated_index_accumulates():
    x = fg.tensor(np.zeros(3), requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_setitem_is_differentiable(rng):
    def fn(x, v):
        y = x * 1.0
        y[1] = v * 3
        return y

    assert fg.gradcheck(fn, (make(rng, (3, 2), None), make(rng, (2,), None)))


def test_inplace_arithmetic_is_differentiable(rng):
    def fn(x, y):
        z = x * 1.0
        z += y
        z *= y
        z -= 1.0
        z /= 2.0
        return z

    assert fg.gradcheck(fn, (make(rng, (3,), None), make(rng, (3,), None)))


def test_comparisons_carry_no_gradient(rng):
    x = make(rng, (3,), None)
    for r in (x > 0, x >= 0, x < 0, x <= 0, x == x, x != 0):
        assert r.dtype == np.bool_ and not r.requires_grad
    assert ((x > 0) & (x < 1)).dtype == np.bool_


def test_astype_casts_gradient_back(rng):
    x = make(rng, (3,), None)
    y = x.astype(np.float32)
    assert y.dtype == np.float32
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
