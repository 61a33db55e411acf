"""torch.add / sub / mul / div / matmul with PyTorch's keywords (other=, alpha=, rounding_mode=)."""
import numpy as np
import pytest

import fastgrad as fg

torch = pytest.importorskip("torch")

A = [[7.0, -7.5, 0.5], [-3.0, 2.25, 9.0]]
B = [[2.0, 2.0, -0.75], [-2.0, 4.0, -3.5]]


def pair(values, requires_grad=True):
    return (fg.tensor(np.array(values), requires_grad=requires_grad),
            torch.tensor(values, dtype=torch.float64, requires_grad=requires_grad))


@pytest.mark.parametrize("call", [
    lambda m, a, b: m.add(a, b, alpha=2.5),
    lambda m, a, b: m.sub(a, other=b, alpha=-0.5),
    lambda m, a, b: m.subtract(a, b),
    lambda m, a, b: m.mul(a, other=b),
    lambda m, a, b: m.multiply(input=a, other=3.0),
    lambda m, a, b: m.div(a, b),
    lambda m, a, b: m.true_divide(a, b),
    lambda m, a, b: m.divide(a, other=b, rounding_mode="floor"),
    lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    lambda m, a, b: m.div(a, 0.7, rounding_mode="floor"),
    lambda m, a, b: m.matmul(input=a, other=b.T),
    lambda m, a, b: a.div(b, rounding_mode="floor") + a.mul(b) + a.matmul(b.T).sum(),
], ids=["add_alpha", "sub_alpha", "subtract", "mul", "multiply", "div", "true_divide", "divide_floor",
        "div_trunc", "div_floor_number", "matmul", "methods"])
def test_values_and_gradients_match_pytorch(call):
    (fa, ta), (fb, tb) = pair(A), pair(B)
    got, expected = call(fg, fa, fb), call(torch, ta, tb)
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    got.sum().backward()
    expected.sum().backward()
    for f, t in ((fa, ta), (fb, tb)):
        np.testing.assert_allclose(f.grad if f.grad is not None else 0.0,
                                   t.grad.numpy() if t.grad is not None else 0.0, rtol=1e-12)


@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_integer_division_rounds_as_pytorch(mode):
    a, b = [7, -7, 7, -7, 6, 0], [2, 2, -2, -2, -3, 5]
    got = fg.div(fg.tensor(a), fg.tensor(b), rounding_mode=mode)
    expected = torch.div(torch.tensor(a), torch.tensor(b), rounding_mode=mode)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()


def test_bad_rounding_mode_is_named():
    with pytest.raises(ValueError, match="div: argument 'rounding_mode' must be None, 'trunc' or 'floor'"):
        fg.div(fg.ones(2), 2, rounding_mode="round")


@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_integer_division_stays_in_the_arrays_library(mode):
    xp = pytest.importorskip("array_api_strict")
    a, b = [7, -7, 7, -7, 6, 0], [2, 2, -2, -2, -3, 5]
    got = fg.div(fg.tensor(xp.asarray(a)), fg.tensor(xp.asarray(b)), rounding_mode=mode)
    assert type(got._data) is type(xp.asarray(0)) and got._data.dtype == xp.int64
    assert np.asarray(got._data).tolist() == fg.div(fg.tensor(a), fg.tensor(b), rounding_mode=mode).tolist()
