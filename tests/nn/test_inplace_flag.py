"""inplace=True on activations and dropout: the result is written into the input Tensor
(returned, version counter bumped), with the rules of fastgrad's in-place methods."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import needs_torch, torch

FUNCTIONS = {
    "relu": (lambda x, inplace: F.relu(x, inplace=inplace), lambda T, x: T.relu(x)),
    "leaky_relu": (lambda x, inplace: F.leaky_relu(x, 0.2, inplace=inplace),
                   lambda T, x: T.nn.functional.leaky_relu(x, 0.2)),
    "silu": (lambda x, inplace: F.silu(x, inplace=inplace), lambda T, x: T.nn.functional.silu(x)),
}
MODULES = {"relu": lambda lib, inplace: lib.nn.ReLU(inplace=inplace),
           "leaky_relu": lambda lib, inplace: lib.nn.LeakyReLU(0.2, inplace=inplace),
           "silu": lambda lib, inplace: lib.nn.SiLU(inplace=inplace)}


def _values(dtype, shape=(3, 4)):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 4), (0, 2), ()])
def test_without_a_graph_the_array_is_written(name, dtype, shape):
    fn = FUNCTIONS[name][0]
    data = _values(dtype, shape)
    x = fg.tensor(data.copy())
    array = x._data
    expected = fn(fg.tensor(data.copy()), False).data
    y = fn(x, True)
    assert y is x and x._version[0] == 1
    assert x._data is array          # the same array, overwritten
    np.testing.assert_array_equal(array, expected)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_on_a_recorded_tensor_values_and_gradients_are_those_of_the_out_of_place_op(name):
    fn = FUNCTIONS[name][0]
    data = _values(np.float64)
    grads = []
    for inplace in (False, True):
        w = fg.tensor(data.copy(), requires_grad=True)
        h = w * 2.0
        version = h._version[0]
        y = fn(h, inplace)
        assert (y is h) == inplace
        if inplace:
            assert h._version[0] == version + 1
        (y * y).sum().backward()
        grads.append((y.data.copy(), w.grad.data.copy()))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-14)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_leaf_that_requires_grad_is_refused(name):
    x = fg.tensor(_values(np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}\(inplace=True\): a leaf tensor that requires grad"):
        FUNCTIONS[name][0](x, True)
    with fg.no_grad():    # as in PyTorch, allowed where no graph is recorded
        FUNCTIONS[name][0](x, True)
    assert x._version[0] == 1


def test_overwriting_a_value_saved_for_backward_raises_at_backward():
    w = fg.tensor(_values(np.float64), requires_grad=True)
    h = w * 1.0
    loss = (h * h).sum()          # saves h
    with fg.no_grad():
        F.relu(h, inplace=True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_a_value_saved_before_a_recorded_in_place_op_keeps_its_gradient_exact():
    # Recorded in-place ops leave the saved array intact (fastgrad/ops/inplace.py), so
    # exp's saved output still gives d/dx sum(relu(exp(x))) = exp(x).
    data = _values(np.float64)
    x = fg.tensor(data, requires_grad=True)
    a = fg.exp(x)
    F.relu(a, inplace=True)
    a.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.exp(data), rtol=1e-15)


@pytest.mark.parametrize("fn", [lambda x: F.relu(x, inplace=True), lambda x: F.silu(x, inplace=True),
                                lambda x: F.leaky_relu(x, inplace=True), lambda x: F.dropout(x, 0.5, inplace=True)])
def test_inplace_needs_a_tensor(fn):
    with pytest.raises(TypeError, match=r"inplace=True needs a Tensor to write into, got ndarray"):
        fn(np.ones(3))


@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_dropout_in_place_draws_the_same_mask_and_writes_it(p):
    data = _values(np.float32)
    fg.manual_seed(7)
    expected = F.dropout(fg.tensor(data.copy()), p).data
    fg.manual_seed(7)
    x = fg.tensor(data.copy())
    array = x._data
    y = nn.Dropout(p, inplace=True)(x)
    assert y is x and x._data is array
    np.testing.assert_array_equal(array, expected)
    assert x._version[0] == (1 if p > 0 else 0)


def test_dropout_in_place_in_eval_mode_returns_the_input_untouched():
    data = _values(np.float32)
    x = fg.tensor(data.copy())
    layer = nn.Dropout(0.5, inplace=True).eval()
    assert layer(x) is x and x._version[0] == 0
    np.testing.assert_array_equal(x.data, data)


def test_dropout_in_place_gradient_is_the_kept_mask():
    data = _values(np.float64)
    w = fg.tensor(data, requires_grad=True)
    h = w * 1.0
    fg.manual_seed(3)
    y = F.dropout(h, 0.5, inplace=True)
    assert y is h
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.where(y.data != 0, 2.0, 0.0))


@needs_torch
@pytest.mark.parametrize("name", MODULES)
def test_a_network_with_an_in_place_activation_matches_pytorch(name):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3))
    nets = []
    for lib in (fg, torch):
        lib.manual_seed(0)
        nets.append(lib.nn.Sequential(lib.nn.Linear(3, 4), MODULES[name](lib, True), lib.nn.Linear(4, 2)).double())
    ours, theirs = nets
    ours.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    xm = fg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ym, yt = ours(xm), theirs(xt)
    np.testing.assert_allclose(ym.data, yt.detach().numpy(), rtol=1e-12)
    (ym ** 2).sum().backward()
    (yt ** 2).sum().backward()
    np.testing.assert_allclose(xm.grad.data, xt.grad.numpy(), rtol=1e-10)
    for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, err_msg=k)


@needs_torch
@pytest.mark.parametrize("name", FUNCTIONS)
def test_in_place_values_match_pytorch_without_a_graph(name):
    ours, theirs = FUNCTIONS[name]
    data = _values(np.float64)
    x = fg.tensor(data.copy())
    ours(x, True)
    np.testing.assert_allclose(x.data, theirs(torch, torch.tensor(data)).numpy(), rtol=1e-14)


def test_reprs_show_the_flag():
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.SiLU(inplace=True)) == "SiLU(inplace=True)"
    assert repr(nn.Dropout(0.2, inplace=True)) == "Dropout(p=0.2, inplace=True)"
