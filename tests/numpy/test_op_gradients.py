"""The differentiable NumPy functions against central differences (float64),
to first and second order (the second through create_graph=True)."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

# name: (function of Tensors written with fnp, input shapes, domain (low, high) or None)
UNARY = {
    "exp2": (fnp.exp2, None), "expm1": (fnp.expm1, None),
    "log2": (fnp.log2, (0.5, 2.0)), "log10": (fnp.log10, (0.5, 2.0)),
    "cbrt": (fnp.cbrt, (0.5, 2.0)), "square": (fnp.square, None),
    "reciprocal": (fnp.reciprocal, (0.5, 2.0)), "tan": (fnp.tan, (-1.0, 1.0)),
    "arcsin": (fnp.arcsin, (-0.8, 0.8)), "arccos": (fnp.arccos, (-0.8, 0.8)),
    "arctan": (fnp.arctan, None), "sinh": (fnp.sinh, None), "cosh": (fnp.cosh, None),
    "arcsinh": (fnp.arcsinh, None), "arccosh": (fnp.arccosh, (1.5, 3.0)),
    "arctanh": (fnp.arctanh, (-0.8, 0.8)),
    "positive": (fnp.positive, None), "fabs": (fnp.fabs, None),
    "float_power": (lambda x: fnp.float_power(x, 3), None),
    "deg2rad": (fnp.deg2rad, None), "rad2deg": (fnp.rad2deg, None),
    "cumsum": (lambda x: fnp.cumsum(x, axis=0), None),
    "cumsum_flat": (fnp.cumsum, None),
    "cumprod": (lambda x: fnp.cumprod(x, axis=-1), None),
    "flip": (fnp.flip, None), "flip_axis": (lambda x: fnp.flip(x, axis=0), None),
    "roll": (lambda x: fnp.roll(x, 2), None), "roll_axis": (lambda x: fnp.roll(x, -1, axis=0), None),
    "pad_constant": (lambda x: fnp.pad(x, 1, constant_values=2.0), None),
    "pad_reflect": (lambda x: fnp.pad(x, 2, mode="reflect"), None),
    "pad_edge": (lambda x: fnp.pad(x, ((1, 0),) + ((0, 2),) * (x.ndim - 1), mode="edge"), None),
    "pad_wrap": (lambda x: fnp.pad(x, 1, mode="wrap"), None),
    "repeat": (lambda x: fnp.repeat(x, 2, axis=0), None),
    "repeat_counts": (lambda x: fnp.repeat(x, [1, 0, 3], axis=0), None),
    "repeat_flat": (lambda x: fnp.repeat(x, 3), None),
    "tile": (lambda x: fnp.tile(x, (2, 1, 2)), None),
    "take": (lambda x: fnp.take(x, [0, 2, 2]), None),
    "take_axis": (lambda x: fnp.take(x, [1, 1, 0], axis=0), None),
    "sort": (lambda x: fnp.sort(x, axis=0), None),
    "sort_flat": (lambda x: fnp.sort(x, axis=None), None),
    "diff": (lambda x: fnp.diff(x, n=2, axis=0), None),
    "ptp": (lambda x: fnp.ptp(x, axis=0), None),
    "var": (lambda x: fnp.var(x, axis=0), None), "std": (lambda x: fnp.std(x), None),
    "average": (lambda x: fnp.average(x, axis=0, weights=np.arange(1.0, 4.0)), None),
    "nansum": (fnp.nansum, None), "nanmean": (lambda x: fnp.nanmean(x, axis=0), None),
    "moveaxis": (lambda x: fnp.moveaxis(x, 0, -1), None),
    "ravel": (fnp.ravel, None), "rot90": (fnp.rot90, None),
    "tril": (fnp.tril, None), "triu": (lambda x: fnp.triu(x, 1), None),
    "split": (lambda x: fnp.split(x, 3)[1], None),
    "array_split": (lambda x: fnp.array_split(x, 2, axis=1)[0], None),
    "logaddexp_reduce": (lambda x: fnp.logaddexp.reduce(x, axis=0), None),
    "add_accumulate": (lambda x: fnp.add.accumulate(x, axis=1), None),
    "norm": (fnp.linalg.norm, None),
    "norm_1": (lambda x: fnp.linalg.norm(x, ord=1, axis=0), None),
    "norm_3": (lambda x: fnp.linalg.norm(x, ord=3, axis=1), None),
    "norm_inf": (lambda x: fnp.linalg.norm(x, ord=np.inf, axis=1), None),
    "vector_norm": (lambda x: fnp.linalg.vector_norm(x), None),
}

BINARY = {
    "arctan2": (fnp.arctan2, None), "hypot": (fnp.hypot, None),
    "logaddexp": (fnp.logaddexp, None), "logaddexp2": (fnp.logaddexp2, None),
    "fmax": (fnp.fmax, None), "fmin": (fnp.fmin, None),
    "remainder": (lambda x, y: fnp.remainder(x, y + 3.0), None),
    "fmod": (lambda x, y: fnp.fmod(x, y + 3.0), None),
    "add_outer": (lambda x, y: fnp.multiply.outer(x, y), None),
}

SQUARE = {
    "inv": fnp.linalg.inv, "det": fnp.linalg.det, "slogdet": lambda a: fnp.linalg.slogdet(a)[1],
    "solve_vec": lambda a: fnp.linalg.solve(a, fnp.arange(1.0, 5.0)),
    "solve_mat": lambda a: fnp.linalg.solve(a, a[:, :2] * 2.0),
    "cholesky": lambda a: fnp.linalg.cholesky(fnp.matmul(a, a.T) + 4.0 * fnp.eye(4)),
    "cholesky_upper": lambda a: fnp.linalg.cholesky(a @ fnp.transpose(a) + 4.0 * fnp.eye(4), upper=True),
    "trace": fnp.trace, "trace_offset": lambda a: fnp.trace(a, offset=1),
    "diagonal": lambda a: fnp.diagonal(a, -1), "diag": fnp.diag,
    "diag_of_vector": lambda a: fnp.diag(a[0], k=1),
    "matrix_power": lambda a: fnp.linalg.matrix_power(a, 3),
    "matrix_power_neg": lambda a: fnp.linalg.matrix_power(a, -2),
    "multi_dot": lambda a: fnp.linalg.multi_dot([a, a.T, a]),
    "norm_fro": lambda a: fnp.linalg.norm(a, "fro"),
    "norm_matrix_1": lambda a: fnp.linalg.norm(a, 1),
    "norm_matrix_inf": lambda a: fnp.linalg.norm(a, -np.inf),
    "einsum_matmul": lambda a: fnp.einsum("ij,jk->ik", a, a),
    "einsum_trace": lambda a: fnp.einsum("ii", a),
    "einsum_diag": lambda a: fnp.einsum("ii->i", a),
    "einsum_implicit": lambda a: fnp.einsum("ij,kj", a, a * a),
    "einsum_sum_only_one": lambda a: fnp.einsum("ij,k->i", a, a[0]),
    "einsum_ellipsis": lambda a: fnp.einsum("...j,j->...", a, a[1]),
    "einsum_sublists": lambda a: fnp.einsum(a, [0, 1], a, [1, 2], [0, 2]),
    "tensordot": lambda a: fnp.tensordot(a, a, axes=([0], [1])),
    "tensordot_2": lambda a: fnp.tensordot(fnp.reshape(a, (2, 2, 4)), fnp.reshape(a, (2, 4, 2)), 2),
    "dot": lambda a: fnp.dot(a, a[0]), "vdot": lambda a: fnp.vdot(a, a * a),
    "inner": lambda a: fnp.inner(a, a), "outer": lambda a: fnp.outer(a[0], a[1]),
    "kron": lambda a: fnp.kron(a[:2, :2], a), "cross": lambda a: fnp.cross(a[:, :3], a[:, 1:]),
    "dot_nd": lambda a: fnp.dot(fnp.reshape(a, (2, 2, 4)), fnp.reshape(a, (2, 4, 2))),
}


def _leaf(rng, shape, domain):
    data = rng.standard_normal(shape) if domain is None else rng.uniform(*domain, shape)
    return fg.tensor(data, requires_grad=True)


def _second_order(fn):
    """x -> d/dx sum(fn(x) * v): gradcheck of it checks second derivatives."""
    def grad_of(*xs):
        out = fn(*xs)
        v = np.random.default_rng(7).standard_normal(out.shape)
        grads = fg.autograd.grad((out * v).sum(), xs, create_graph=True, allow_unused=True)
        total = None
        for g in grads:
            if g is not None and g.requires_grad:
                total = g.sum() * 1.0 if total is None else total + g.sum()
        return total if total is not None else out.sum() * 0.0
    return grad_of


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name, rng):
    fn, domain = UNARY[name]
    x = _leaf(rng, (3, 4), domain)
    assert fg.gradcheck(fn, (x,))
    assert fg.gradcheck(_second_order(fn), (x,))


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1), (1, 3))])
def test_binary(name, shapes, rng):
    fn, domain = BINARY[name]
    x, y = _leaf(rng, shapes[0], domain), _leaf(rng, shapes[1], domain)
    assert fg.gradcheck(fn, (x, y))
    assert fg.gradcheck(_second_order(fn), (x, y))


@pytest.mark.parametrize("name", sorted(SQUARE))
def test_square_matrix(name, rng):
    fn = SQUARE[name]
    x = fg.tensor(rng.standard_normal((4, 4)) + 3 * np.eye(4), requires_grad=True)
    assert fg.gradcheck(fn, (x,))
    assert fg.gradcheck(_second_order(fn), (x,))


def test_values_match_numpy(rng):
    """Forward values on Tensors equal NumPy's on the plain arrays."""
    for name, (fn, domain) in UNARY.items():
        data = rng.uniform(*(domain or (0.5, 0.9)), (3, 4))
        np.testing.assert_allclose(fn(fg.tensor(data)).data, fn(data), rtol=1e-12, err_msg=name)
    for name, (fn, domain) in BINARY.items():
        x, y = rng.uniform(*(domain or (0.5, 0.9)), (2, 3, 4))
        np.testing.assert_allclose(fn(fg.tensor(x), fg.tensor(y)).data, fn(x, y), rtol=1e-12, err_msg=name)
    for name, fn in SQUARE.items():
        a = rng.standard_normal((4, 4)) + 3 * np.eye(4)
        np.testing.assert_allclose(fn(fg.tensor(a)).data, fn(a), rtol=1e-10, err_msg=name)
