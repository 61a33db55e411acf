"""Linear.forward uses what `self.weight` and `self.bias` name, however they are set."""
import numpy as np

import fastgrad as fg
from fastgrad import nn


def test_registered_parameters_are_used(rng):
    layer = nn.Linear(3, 2)
    x = fg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    expected = x.data @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-6)
    no_bias = nn.Linear(3, 2, bias=False)
    np.testing.assert_allclose(no_bias(x).data, x.data @ no_bias.weight.data.T, rtol=1e-6)


def test_a_weight_set_as_a_plain_attribute_is_used(rng):
    layer = nn.Linear(3, 2)
    del layer.weight
    w = fg.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)
    layer.weight = w * 2.0  # a computed weight, as reparametrizations set it
    x = fg.tensor(rng.standard_normal((4, 3)).astype(np.float32))
    layer(x).sum().backward()
    np.testing.assert_allclose(w.grad.data, 2.0 * np.ones((4, 2), np.float32).T @ x.data, rtol=1e-6)


def test_a_subclass_property_is_used(rng):
    class Doubled(nn.Linear):
        @property
        def bias(self):
            return self._parameters["bias"] * 2.0

    layer = Doubled(3, 2)
    x = fg.tensor(np.zeros((1, 3), np.float32))
    np.testing.assert_allclose(layer(x).data[0], 2.0 * layer._parameters["bias"].data, rtol=1e-6)
