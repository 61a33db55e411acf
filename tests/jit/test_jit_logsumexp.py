"""fastgrad.jit over torch.logsumexp and scipy.special.logsumexp (one core): replays equal eager
results bit for bit, also when a slice of only -inf first appears after the recording."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.numpy as fnp


def _inputs(rng, dtype, calls=6):
    """(3, 4) inputs around 0 and around 1000; from the fourth on, row 1 is all -inf."""
    for step in range(calls):
        x = (rng.standard_normal((3, 4)) + (1000.0 if step % 2 else 0.0)).astype(dtype)
        if step >= 3:
            x[1] = -np.inf
        yield x


def _same(got, expected):
    got, expected = (np.asarray(a.numpy() if isinstance(a, fg.Tensor) else a) for a in (got, expected))
    return got.dtype == expected.dtype and got.shape == expected.shape and \
        np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_logsumexp_values_and_gradients_replay_as_eager(rng, dtype):
    value = lambda x: fg.logsumexp(x, 1)
    gradient = fg.grad(lambda x: (fg.logsumexp(x, (0, 1), keepdim=True) + fg.logsumexp(x, -1).sum()).sum())
    jitted_value, jitted_gradient = fg.jit(value), fg.jit(gradient)
    with np.errstate(divide="ignore", invalid="ignore"):
        for x in _inputs(rng, dtype):
            assert _same(jitted_value(fg.tensor(x)).numpy(), value(fg.tensor(x)).numpy())
            expected = gradient(x)
            assert _same(jitted_gradient(x), expected)
    assert np.isnan(expected[1]).all()    # PyTorch's rule: a row of only -inf has a NaN gradient
    assert jitted_value.recordings == jitted_gradient.recordings == 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scipy_logsumexp_values_signs_and_gradients_replay_as_eager(rng, dtype):
    special = pytest.importorskip("fastgrad.scipy.special")
    weights = np.linspace(-1.0, 2.0, 12).reshape(3, 4).astype(dtype)

    def value(x):
        return special.logsumexp(x, axis=1, b=weights, return_sign=True)

    def loss(x):
        return fnp.sum(special.logsumexp(x, axis=1) * 2.0) + special.logsumexp(x, axis=None, b=np.abs(weights))

    gradient = fg.grad(loss)
    jitted_value, jitted_gradient = fg.jit(value), fg.jit(gradient)
    for x in _inputs(rng, dtype):
        for got, expected in zip(jitted_value(fg.tensor(x)), value(fg.tensor(x))):
            assert _same(got, expected)
        expected = gradient(x)
        assert _same(jitted_gradient(x), expected)
    assert np.all(expected[1] == 0)        # SciPy's rule here: a row of only -inf has a 0 gradient
    assert jitted_value.recordings == jitted_gradient.recordings == 2
