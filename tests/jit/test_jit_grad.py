"""fastgrad.jit over the function transforms: replays equal eager results bit for bit."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp

from jit_models import regression_data, regression_loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, d", [(32, 3), (256, 64)])
def test_jit_of_grad_equals_eager_over_new_inputs(rng, dtype, n, d):
    eager = fg.grad(regression_loss)
    jitted = fg.jit(eager)
    for step in range(6):
        w, x, y = regression_data(rng, n, d, dtype)
        expected = eager(w, x, y)
        got = jitted(w, x, y)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        assert np.array_equal(got, expected), step
    assert jitted.recordings == 2  # recorded, recorded again to check, then replayed


def test_value_and_grad_with_several_argnums_equals_eager(rng):
    eager = fg.value_and_grad(regression_loss, argnums=(0, 1))
    jitted = fg.jit(eager)
    for _ in range(5):
        w, x, y = regression_data(rng, 16, 4)
        value, (gw, gx) = eager(w, x, y)
        jvalue, (jgw, jgx) = jitted(w, x, y)
        assert type(jvalue) is type(value) and jvalue == value
        assert np.array_equal(jgw, gw) and np.array_equal(jgx, gx)


def test_grad_of_a_python_number_input_is_part_of_the_signature():
    f = fg.jit(fg.grad(lambda a: a ** 3 + 2 * a))
    assert f(2.0) == 14.0
    assert f(2.0) == 14.0
    assert f(3.0) == 29.0      # another value: another recording, not a stale replay
    assert f.recordings == 3


def test_replay_returns_new_arrays_each_call(rng):
    jitted = fg.jit(fg.grad(regression_loss))
    w, x, y = regression_data(rng, 8, 2)
    first = [jitted(w, x, y) for _ in range(4)]
    expected = fg.grad(regression_loss)(w, x, y)
    first[2][...] = 0.0        # the caller owns what it got
    again = jitted(w, x, y)
    assert np.array_equal(again, expected)
    assert len({id(a) for a in first + [again]}) == 5


def test_unused_input_gets_zeros_that_the_caller_may_change(rng):
    jitted = fg.jit(fg.grad(lambda w, v: fnp.sum(w * w), argnums=(0, 1)))
    w = np.ones(3)
    for _ in range(3):
        gw, gv = jitted(w, np.ones(2))
        assert np.array_equal(gw, 2 * w) and np.array_equal(gv, np.zeros(2))
        gv += 1.0


def test_masks_and_comparisons_inside_follow_the_inputs(rng):
    def f(x):
        return fnp.sum(x * (x > 0)) + fnp.sum(fnp.where(x < -1, x, 0 * x))

    eager, jitted = fg.grad(f), fg.jit(fg.grad(f))
    for _ in range(5):
        x = rng.standard_normal(20)
        assert np.array_equal(jitted(x), eager(x))


def test_tensor_inputs_and_outputs(rng):
    w = fg.tensor(rng.standard_normal((3, 2)))

    @fg.jit
    def forward(x):
        return fg.tanh(x @ w).sum(dim=1)

    with fg.no_grad():
        for _ in range(4):
            x = fg.tensor(rng.standard_normal((5, 3)))
            out = forward(x)
            assert isinstance(out, fg.Tensor) and not out.requires_grad
            assert np.array_equal(out.data, fg.tanh(x @ w).sum(dim=1).data)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arithmetic_chain_with_backward_equals_eager(rng, dtype):
    """+ - * / and negation (the engine's compiled rules) inside a recorded backward."""
    def chain(x0, y):
        x = x0
        for _ in range(20):
            x = -(x * 1.01 + 0.1) / (y - 3.0) + 2 * x
        x.sum().backward()
        g = x0.grad
        x0.grad = None
        return g

    jitted = fg.jit(chain)
    y = fg.tensor(rng.standard_normal(16).astype(dtype))
    for _ in range(5):
        x0 = fg.tensor(rng.standard_normal(16).astype(dtype), requires_grad=True)
        x1 = fg.tensor(x0.data.copy(), requires_grad=True)
        assert np.array_equal(jitted(x0, y).data, chain(x1, y).data)


def test_powers_with_number_and_array_exponents_equal_eager(rng):
    def f(x, e):
        return fnp.sum(x ** 2 + x ** 3.0 + fnp.abs(x) ** e + fnp.sum(x) ** 2)

    eager = fg.grad(f, argnums=(0, 1))
    jitted = fg.jit(eager)
    for _ in range(5):
        x, e = rng.standard_normal(6), rng.uniform(1.0, 2.0, 6)
        for got, expected in zip(jitted(x, e), eager(x, e)):
            assert np.array_equal(got, expected)
