"""nn.Bilinear / F.bilinear against PyTorch (float64, the same weights), numerical gradients,
PyTorch's initialisation and state_dict keys, and errors."""
import math

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("features, bias, lead", [((4, 3, 5), True, (6,)), ((2, 7, 3), False, (2, 3)),
                                                   ((3, 3, 1), True, ()), ((4, 2, 3), True, (0,))])
def test_bilinear_matches_torch(features, bias, lead, rng):
    torch = pytest.importorskip("torch")
    peer = torch.nn.Bilinear(*features, bias=bias).double()
    mine = nn.Bilinear(*features, bias=bias, dtype=np.float64)
    copy_weights(mine, peer)
    x1, x2 = rng.standard_normal(lead + features[:1]), rng.standard_normal(lead + features[1:2])
    a, b = fg.tensor(x1, requires_grad=True), fg.tensor(x2, requires_grad=True)
    ta, tb = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    check_outputs_and_gradients(torch, mine, peer, [mine(a, b)], [peer(ta, tb)], [a, b], [ta, tb], rng, TOL)


def test_bilinear_initialisation_and_keys_are_pytorchs():
    fg.manual_seed(0)
    layer = nn.Bilinear(16, 3, 40)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.shape == (40, 16, 3) and layer.bias.shape == (40,) and layer.weight.dtype == np.float32
    bound = 1 / math.sqrt(16)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.2 * bound / math.sqrt(3)
    assert list(nn.Bilinear(2, 3, 4, bias=False).state_dict()) == ["weight"]


def test_bilinear_numerical_gradients(rng):
    args = [fg.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 2, 4), (3, 2, 3), (5, 4, 3), (5,))]
    assert fg.gradcheck(F.bilinear, args)


@pytest.mark.parametrize("call, error, message", [
    (lambda: F.bilinear(fg.ones(2, 3), fg.ones(2, 4), fg.ones(5, 3)), ValueError, "bilinear: argument 'weight'"),
    (lambda: F.bilinear(fg.ones(2, 2), fg.ones(2, 4), fg.ones(5, 3, 4)), ValueError, "bilinear: argument 'input1'"),
    (lambda: F.bilinear(fg.ones(2, 3), fg.ones(2, 5), fg.ones(5, 3, 4)), ValueError, "bilinear: argument 'input2'"),
    (lambda: F.bilinear(fg.ones(2, 3), fg.ones(3, 4), fg.ones(5, 3, 4)), ValueError, "must agree in all axes"),
    (lambda: F.bilinear(fg.ones(2, 3), fg.ones(2, 4), fg.ones(5, 3, 4), fg.ones(4)), ValueError,
     "bilinear: argument 'bias'"),
    (lambda: F.bilinear(None, fg.ones(2, 4), fg.ones(5, 3, 4)), TypeError, "bilinear: argument 'input1'"),
])
def test_bilinear_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
