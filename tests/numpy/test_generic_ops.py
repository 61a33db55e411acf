"""The new primitives on array-api-strict arrays (the generic path): same values
and gradients as on NumPy arrays."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import ops

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")

SQUARE = 3 * np.eye(3, 4)

# name: (function of tensors, number of inputs, offset added to the (3, 4) inputs)
CASES = {
    "exp2": (ops.exp2, 1, 0), "expm1": (ops.expm1, 1, 0), "log2": (lambda x: ops.log2(x * x + 1), 1, 0),
    "log10": (lambda x: ops.log10(x * x + 1), 1, 0), "cbrt": (lambda x: ops.cbrt(x * x + 1), 1, 0),
    "square": (ops.square, 1, 0), "reciprocal": (lambda x: ops.reciprocal(x * x + 1), 1, 0),
    "tan": (ops.tan, 1, 0), "arcsin": (lambda x: ops.arcsin(x / 4), 1, 0),
    "arccos": (lambda x: ops.arccos(x / 4), 1, 0), "arctan": (ops.arctan, 1, 0),
    "sinh_cosh": (lambda x: ops.sinh(x) * ops.cosh(x), 1, 0), "arcsinh": (ops.arcsinh, 1, 0),
    "arccosh": (lambda x: ops.arccosh(x * x + 2), 1, 0), "arctanh": (lambda x: ops.arctanh(x / 4), 1, 0),
    "arctan2": (ops.arctan2, 2, 0), "hypot": (ops.hypot, 2, 0), "logaddexp": (ops.logaddexp, 2, 0),
    "logaddexp2": (ops.logaddexp2, 2, 0), "fmax": (ops.fmax, 2, 0), "fmin": (ops.fmin, 2, 0),
    "cumsum": (lambda x: ops.cumsum(x, 1), 1, 0), "cumprod": (lambda x: ops.cumprod(x, 0), 1, 0),
    "cumprod_with_zeros": (lambda x: ops.cumprod(x, 1), 1, 0),
    "flip": (lambda x: ops.flip(x, 1), 1, 0), "roll": (lambda x: ops.roll(x, 1, 1), 1, 0),
    "pad": (lambda x: ops.pad_constant(x, ((1, 0), (0, 2)), 1.0), 1, 0), "copy": (ops.copy, 1, 0),
    "tensordot": (lambda x, y: ops.tensordot(x, y, ([1], [1])), 2, 0),
    "inv": (lambda x: ops.inv(x[:, :3]), 1, SQUARE), "det": (lambda x: ops.det(x[:, :3]), 1, SQUARE),
    "logabsdet": (lambda x: ops.logabsdet(x[:, :3]), 1, SQUARE),
    "solve": (lambda x: ops.solve(x[:, :3], x[:, 3]), 1, SQUARE),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_values_and_gradients_as_numpy(name, rng):
    fn, n, offset = CASES[name]
    arrays = [rng.standard_normal((3, 4)) + offset for _ in range(n)]
    if name.endswith("with_zeros"):
        arrays[0][:, 1] = 0.0
    on_numpy = [fg.tensor(a.copy(), requires_grad=True) for a in arrays]
    generic = [fg.tensor(xp.asarray(a.copy()), requires_grad=True) for a in arrays]
    expected, got = fn(*on_numpy), fn(*generic)
    assert not isinstance(got.data, np.ndarray)
    np.testing.assert_allclose(np.asarray(got.data), expected.data, rtol=1e-12, atol=1e-14)
    expected.sum().backward()
    got.sum().backward()
    for a, b in zip(on_numpy, generic):
        np.testing.assert_allclose(np.asarray(b.grad), a.grad, rtol=1e-10, atol=1e-14)


def test_einsum_names_the_missing_function():
    x = fg.tensor(xp.asarray([1.0, 2.0]), requires_grad=True)
    with pytest.raises(TypeError, match="einsum: .* has no einsum"):
        ops.einsum("i,i->", x, x)


@pytest.mark.parametrize("name", ["exp2", "tan", "arctan2", "logaddexp", "cumsum", "cumprod", "flip", "roll",
                                  "inv", "det", "solve", "sinh_cosh", "cumprod_with_zeros", "fmax"])
def test_second_derivatives_as_on_numpy(name, rng):
    # create_graph runs the backward rules through fastgrad.numpy on the same arrays.
    fn, n, offset = CASES[name]
    arrays = [rng.standard_normal((3, 4)) + offset for _ in range(n)]
    if name.endswith("with_zeros"):
        arrays[0][:, 1] = 0.0
    results = []
    for wrap in (lambda a: a, xp.asarray):
        xs = [fg.tensor(wrap(a.copy()), requires_grad=True) for a in arrays]
        grads = fg.autograd.grad((fn(*xs) ** 2).sum(), xs, create_graph=True)
        sum(g.sum() for g in grads).backward()
        results.append([np.asarray(x.grad) for x in xs])
    for expected, got in zip(*results):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
