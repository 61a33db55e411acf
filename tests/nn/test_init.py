"""nn.init: gains, fans, distributions' bounds and moments, in place with a version bump."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.nn import init


def _param(shape, dtype=np.float64):
    return nn.Parameter(np.zeros(shape, dtype))


@pytest.mark.parametrize("name,param,expected", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("conv2d", None, 1.0), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("selu", None, 0.75),
])
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_matches_pytorch():
    torch = pytest.importorskip("torch")
    for name in ("linear", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    with pytest.raises(ValueError, match="unsupported"):
        init.calculate_gain("swish")


def test_in_place_returns_tensor_and_bumps_version():
    w = _param((30, 20))
    data = w._data
    v = w._version[0]
    assert init.xavier_uniform_(w) is w and w._data is data and w._version[0] == v + 1


@pytest.mark.parametrize("fn,bound", [
    (lambda w: init.xavier_uniform_(w, gain=2.0), 2.0 * math.sqrt(6 / (200 + 300))),
    (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), math.sqrt(2) * math.sqrt(3 / 300)),
    (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5)), 1 / math.sqrt(300)),
    (lambda w: init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"), math.sqrt(2) * math.sqrt(3 / 200)),
    (lambda w: init.uniform_(w, -0.3, 0.3), 0.3),
])
def test_uniform_bounds_and_spread(fn, bound):
    w = _param((200, 300))
    fn(w)
    assert np.abs(w._data).max() <= bound
    assert np.std(w._data) == pytest.approx(bound / math.sqrt(3), rel=0.03)


@pytest.mark.parametrize("fn,std", [
    (lambda w: init.xavier_normal_(w), math.sqrt(2 / 500)),
    (lambda w: init.kaiming_normal_(w, nonlinearity="relu"), math.sqrt(2 / 300)),
    (lambda w: init.normal_(w, 1.0, 0.5), 0.5),
    (lambda w: init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04), 0.02 * 0.88),
])
def test_normal_spread(fn, std):
    w = _param((200, 300))
    fn(w)
    assert np.std(w._data) == pytest.approx(std, rel=0.05)


def test_constants_and_eye():
    w = _param((3, 4), np.float32)
    init.ones_(w)
    assert w._data.dtype == np.float32 and np.all(w._data == 1)
    init.zeros_(w)
    assert not np.any(w._data)
    init.constant_(w, 2.5)
    assert np.all(w._data == 2.5)
    init.eye_(w)
    np.testing.assert_array_equal(w._data, np.eye(3, 4))


def test_seeded_and_generator_draws_repeat():
    a, b = _param((5, 5)), _param((5, 5))
    fg.manual_seed(3)
    init.normal_(a)
    fg.manual_seed(3)
    init.normal_(b)
    np.testing.assert_array_equal(a._data, b._data)
    init.uniform_(a, generator=np.random.default_rng(9))
    init.uniform_(b, generator=np.random.default_rng(9))
    np.testing.assert_array_equal(a._data, b._data)


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(_param((5,)))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(_param((5, 5)), mode="fan_avg")
