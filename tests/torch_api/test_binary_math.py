"""atan2, hypot, logaddexp(2), fmax, fmin, fmod, remainder, floor_divide and the operators // and %
(torch_functions/binary_math.py): PyTorch's result dtypes and values, gradients, in-place forms."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

FUNCTIONS = ["atan2", "hypot", "logaddexp", "logaddexp2", "fmax", "fmin", "fmod", "remainder", "floor_divide"]
DTYPES = {"f32": np.float32, "f64": np.float64, "i32": np.int32, "i64": np.int64}
PAIRS = [("f32", "i64"), ("i64", "f32"), ("f32", "f64"), ("i32", "i64"), ("i64", "i64"), ("f32", 2.5),
         ("i64", 2.5), ("i32", 3), (7, "i32"), (2.5, "i64")]
LEFT, RIGHT = [[1, -2, 5], [3, 4, -7]], [[2, 1, -3], [-1, 3, 2]]


def _operand(kind, values):
    return kind if not isinstance(kind, str) else fg.tensor(np.array(values, dtype=DTYPES[kind]))


def _torch_operand(torch, kind, values):
    return kind if not isinstance(kind, str) else torch.tensor(np.array(values, dtype=DTYPES[kind]))


def _is_integer(kind):
    return kind in ("i32", "i64") or type(kind) is int


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("left, right", PAIRS)
def test_result_dtype_and_values_match_pytorch(name, left, right):
    torch = pytest.importorskip("torch")
    got = getattr(fg, name)(_operand(left, LEFT), _operand(right, RIGHT))
    try:
        expected = getattr(torch, name)(_torch_operand(torch, left, LEFT), _torch_operand(torch, right, RIGHT))
    except (TypeError, RuntimeError, NotImplementedError):
        # PyTorch refuses these operands (a number for both-tensor functions, integer hypot, ...);
        # fastgrad accepts them and computes NumPy's values
        numpy_name = "arctan2" if name == "atan2" else name
        plain = [np.array(v, dtype=np.float64) if isinstance(k, str) else k
                 for k, v in ((left, LEFT), (right, RIGHT))]
        np.testing.assert_allclose(got.numpy(), getattr(np, numpy_name)(*plain), rtol=1e-6)
        return
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


def test_arithmetic_on_integer_tensors_keeps_integers():
    x = fg.arange(-5, 6)
    assert (x // 3).dtype == fg.int64
    np.testing.assert_array_equal((x // 3).numpy(), np.arange(-5, 6) // 3)
    np.testing.assert_array_equal((x % 3).numpy(), np.arange(-5, 6) % 3)
    np.testing.assert_array_equal((7 // fg.arange(1, 5)).numpy(), 7 // np.arange(1, 5))
    np.testing.assert_array_equal((7 % fg.arange(1, 5)).numpy(), 7 % np.arange(1, 5))
    np.testing.assert_array_equal(fg.fmod(x, 3).numpy(), np.fmod(np.arange(-5, 6), 3))
    assert fg.fmod(fg.arange(4, dtype=fg.int32), 3).dtype == fg.int32


def test_operators_with_floats_promote_like_pytorch():
    assert (fg.arange(6) // 2.5).dtype == fg.float32
    assert (fg.arange(6) % 2.5).dtype == fg.float32
    assert (2.5 // fg.arange(1, 4)).dtype == fg.float32
    np.testing.assert_allclose((fg.arange(6) % 2.5).numpy(), np.arange(6) % 2.5)
    np.testing.assert_allclose((fg.arange(1.0, 5.0) // 0).numpy(), [np.inf] * 4)


def test_integer_division_by_zero_raises():
    for call in (lambda: fg.arange(3) // 0, lambda: fg.arange(3) % 0, lambda: fg.fmod(fg.arange(3), 0),
                 lambda: fg.remainder(fg.arange(3), fg.tensor([1, 0, 2]))):
        with pytest.raises(ZeroDivisionError, match="division by zero"):
            call()


def test_in_place_operators():
    x = fg.arange(6)
    x //= 4
    np.testing.assert_array_equal(x.numpy(), [0, 0, 0, 0, 1, 1])
    y = fg.arange(6.0)
    y %= 4
    np.testing.assert_array_equal(y.numpy(), [0, 1, 2, 3, 0, 1])
    z = fg.arange(6)
    with pytest.raises(RuntimeError, match="can't be cast"):
        z %= 2.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        z.floor_divide_(1.5)
    np.testing.assert_array_equal(z.numpy(), np.arange(6))


@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "logaddexp2", "fmax", "fmin", "fmod", "remainder"])
def test_gradients_pass_gradcheck(name):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 3.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))
    b = rng.uniform(0.7, 2.0, (3, 4))
    x, y = fg.tensor(a, requires_grad=True), fg.tensor(b, requires_grad=True)
    assert fg.gradcheck(getattr(fg, name), (x, y))


@pytest.mark.parametrize("name", ["atan2", "hypot", "logaddexp", "fmod", "remainder"])
def test_gradients_match_pytorch(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a, b = rng.uniform(-3.0, 3.0, (5,)), rng.uniform(0.5, 2.0, (5,))
    x, y = fg.tensor(a, requires_grad=True), fg.tensor(b, requires_grad=True)
    getattr(fg, name)(x, y).sum().backward()
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    getattr(torch, name)(tx, ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_floor_divide_has_no_gradient():
    x = fg.tensor([1.5, -2.5], requires_grad=True)
    assert not (x // 2).requires_grad


def test_methods_are_the_functions():
    x, y = fg.tensor([1.0, -4.0]), fg.tensor([2.0, 3.0])
    for name in ("atan2", "hypot", "fmod", "remainder", "fmax", "fmin", "logaddexp"):
        np.testing.assert_array_equal(getattr(x, name)(y).numpy(), getattr(fg, name)(x, y).numpy())


def test_numpy_style_code_keeps_numpy_rules():
    a = np.arange(1.0, 5.0)                      # float64 array with a float32 tensor: NumPy's rule
    assert fg.remainder(a, fg.tensor(np.arange(1, 5, dtype=np.float32))).dtype == fg.float64

    def f(x):
        return fnp.sum(x % 3.0 + x // 2)

    np.testing.assert_allclose(fg.grad(f)(np.array([1.0, 4.5, 7.0])), [1.0, 1.0, 1.0])
