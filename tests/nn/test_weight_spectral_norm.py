"""weight_norm and spectral_norm (hook and parametrization forms), nn.utils.parametrize, and
nn.init.sparse_ / dirac_: state_dict keys, outputs and parameter / input gradients against PyTorch
in float64 (PyTorch's state loaded, random u and v included), central differences, removal, and
bad arguments."""
import copy
import math
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from fastgrad.nn.utils import parametrizations, parametrize
from torch_parity import check_outputs_and_gradients, copy_weights

TOL = dict(rtol=1e-9, atol=1e-12)

LAYERS = {
    "Linear": (lambda m: m.Linear(5, 4), (3, 5)),
    "Conv2d": (lambda m: m.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    "Conv1d": (lambda m: m.Conv1d(3, 4, 2), (2, 3, 6)),
    "ConvTranspose2d": (lambda m: m.ConvTranspose2d(3, 2, 2), (1, 3, 3, 3)),
}


def _pair(torch, name):
    make, shape = LAYERS[name]
    torch.manual_seed(0)
    return make(nn).double(), make(torch.nn).double(), shape


def _compare(torch, mine, peer, shape, rng, steps=1):
    """Forward and backward on the same input `steps` times (each one a training step of the power
    iteration where there is one), comparing outputs and input / parameter gradients."""
    for _ in range(steps):
        x = rng.standard_normal(shape)
        xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        mine.zero_grad()
        peer.zero_grad()
        check_outputs_and_gradients(torch, mine, peer, [mine(xm)], [peer(xt)], [xm], [xt], rng, TOL)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("dim", [0, 1, None, -2])
def test_weight_norm_hook_matches_pytorch(name, dim, rng):
    torch = pytest.importorskip("torch")
    mine, peer, shape = _pair(torch, name)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        nn.utils.weight_norm(mine, dim=dim)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.nn.utils.weight_norm(peer, dim=dim)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    copy_weights(mine, peer)
    _compare(torch, mine, peer, shape, rng)
    nn.utils.remove_weight_norm(mine)
    torch.nn.utils.remove_weight_norm(peer)
    assert list(mine.state_dict()) == list(peer.state_dict())
    np.testing.assert_allclose(mine.weight.numpy(), peer.weight.detach().numpy(), **TOL)
    assert isinstance(mine.weight, nn.Parameter) and not mine._forward_pre_hooks


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization_matches_pytorch(name, dim, rng):
    torch = pytest.importorskip("torch")
    mine, peer, shape = _pair(torch, name)
    copy_weights(mine, peer)
    weight = mine.weight.numpy().copy()
    parametrizations.weight_norm(mine, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(peer, dim=dim)
    assert repr(mine) == repr(peer) and type(mine).__name__ == f"Parametrized{name}"
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    np.testing.assert_allclose(mine.weight.numpy(), weight, rtol=1e-12)   # g * v / ||v|| is the weight
    copy_weights(mine, peer)
    _compare(torch, mine, peer, shape, rng)
    parametrize.remove_parametrizations(mine, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(peer, "weight")
    assert type(mine) is getattr(nn, name)
    assert list(mine.state_dict()) == list(peer.state_dict())
    np.testing.assert_allclose(mine.weight.numpy(), peer.weight.detach().numpy(), **TOL)


def test_weight_norm_numerical_gradients(rng):
    from fastgrad.nn.utils.weight_norm import weight_from
    v = fg.tensor(rng.standard_normal((4, 3, 2)), requires_grad=True)
    for dim, g_shape in ((0, (4, 1, 1)), (1, (1, 3, 1)), (None, ())):
        g = fg.tensor(rng.uniform(0.5, 2.0, g_shape), requires_grad=True)
        assert fg.gradcheck(lambda a, b: weight_from(a, b, dim), [v, g])


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_spectral_norm_hook_matches_pytorch_over_training_and_eval_steps(name, rng):
    torch = pytest.importorskip("torch")
    mine, peer, shape = _pair(torch, name)
    nn.utils.spectral_norm(mine, n_power_iterations=2)
    torch.nn.utils.spectral_norm(peer, n_power_iterations=2)
    assert list(mine.state_dict()) == list(peer.state_dict())
    copy_weights(mine, peer)
    _compare(torch, mine, peer, shape, rng, steps=3)
    for key in ("weight_u", "weight_v"):
        np.testing.assert_allclose(mine.state_dict()[key].numpy(), peer.state_dict()[key].numpy(), **TOL)
    mine.eval()
    peer.eval()
    _compare(torch, mine, peer, shape, rng)
    nn.utils.remove_spectral_norm(mine)
    torch.nn.utils.remove_spectral_norm(peer)
    assert list(mine.state_dict()) == list(peer.state_dict())
    np.testing.assert_allclose(mine.weight.numpy(), peer.weight.detach().numpy(), **TOL)


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_spectral_norm_parametrization_matches_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    mine, peer, shape = _pair(torch, name)
    parametrizations.spectral_norm(mine)
    torch.nn.utils.parametrizations.spectral_norm(peer)
    assert repr(mine) == repr(peer)
    assert [(k, tuple(v.shape)) for k, v in mine.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in peer.state_dict().items()]
    copy_weights(mine, peer)
    _compare(torch, mine, peer, shape, rng, steps=3)
    mine.eval()
    peer.eval()
    _compare(torch, mine, peer, shape, rng)


def test_spectral_norm_divides_by_the_largest_singular_value(rng):
    fg.manual_seed(0)
    layer = parametrizations.spectral_norm(nn.Linear(6, 8).double(), n_power_iterations=100)
    hooked = nn.utils.spectral_norm(nn.Linear(6, 8).double(), n_power_iterations=100)
    for module in (layer, hooked):
        for _ in range(3):
            module(fg.tensor(rng.standard_normal((1, 6))))
        assert np.linalg.norm(module.weight.numpy(), 2) == pytest.approx(1.0, rel=1e-8)


def test_spectral_norm_of_a_vector_normalizes_it(rng):
    module = nn.Module()
    module.w = nn.Parameter(rng.standard_normal(5))
    parametrizations.spectral_norm(module, "w")
    np.testing.assert_allclose(np.linalg.norm(module.w.numpy()), 1.0, rtol=1e-12)


def test_spectral_norm_draws_follow_fastgrads_seed():
    fg.manual_seed(3)
    a = nn.utils.spectral_norm(nn.Linear(4, 3)).weight_u.numpy().copy()
    fg.manual_seed(3)
    b = nn.utils.spectral_norm(nn.Linear(4, 3)).weight_u.numpy()
    np.testing.assert_array_equal(a, b)


def test_default_dim_is_the_output_axis_of_transposed_convolutions():
    layer = parametrizations.spectral_norm(nn.ConvTranspose2d(3, 5, 2))
    assert layer.parametrizations.weight[0].dim == 1 and tuple(layer.parametrizations.weight[0]._u.shape) == (5,)
    assert tuple(nn.utils.spectral_norm(nn.ConvTranspose1d(3, 5, 2)).weight_u.shape) == (5,)


# ---- parametrize ----

class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(0, 1)

    def right_inverse(self, a):
        return a.triu()


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def test_parametrize_a_custom_tensor_like_pytorch(rng):
    torch = pytest.importorskip("torch")

    class TorchSymmetric(torch.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(0, 1)

        def right_inverse(self, a):
            return a.triu()

    mine, peer = nn.Linear(4, 4).double(), torch.nn.Linear(4, 4).double()
    copy_weights(mine, peer)
    parametrize.register_parametrization(mine, "weight", Symmetric())
    torch.nn.utils.parametrize.register_parametrization(peer, "weight", TorchSymmetric())
    assert list(mine.state_dict()) == list(peer.state_dict())
    w = mine.weight.numpy()
    np.testing.assert_array_equal(w, w.T)
    x = rng.standard_normal((3, 4))
    xm, xt = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    check_outputs_and_gradients(torch, mine, peer, [mine(xm)], [peer(xt)], [xm], [xt], rng, TOL)
    target = rng.standard_normal((4, 4))
    target = target + target.T
    mine.weight = fg.tensor(target)                   # through right_inverse
    np.testing.assert_allclose(mine.weight.numpy(), target, rtol=1e-12)
    assert parametrize.is_parametrized(mine) and parametrize.is_parametrized(mine, "weight")
    assert not parametrize.is_parametrized(mine, "bias")


def test_chained_parametrizations_cache_and_removal(rng):
    layer = nn.Linear(3, 3).double()
    original = layer.weight.numpy().copy()
    parametrize.register_parametrization(layer, "weight", Scale(2.0))
    parametrize.register_parametrization(layer, "weight", Scale(3.0))
    np.testing.assert_allclose(layer.weight.numpy(), 6 * original)
    with parametrize.cached():
        assert layer.weight is layer.weight
    assert layer.weight is not layer.weight
    twin = copy.deepcopy(layer)
    np.testing.assert_allclose(twin.weight.numpy(), 6 * original)
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=False)
    np.testing.assert_allclose(layer.weight.numpy(), original)
    assert type(layer) is nn.Linear and list(layer.state_dict()) == ["bias", "weight"]   # as PyTorch
    np.testing.assert_allclose(twin.weight.numpy(), 6 * original)        # the copy keeps its own
    parametrize.remove_parametrizations(twin, "weight")
    np.testing.assert_allclose(twin.weight.numpy(), 6 * original)
    assert isinstance(twin.weight, nn.Parameter) and type(twin) is nn.Linear


def test_parametrized_module_trains(rng):
    model = nn.Sequential(parametrizations.weight_norm(nn.Linear(4, 8)), nn.ReLU(),
                          parametrizations.spectral_norm(nn.Linear(8, 1)))
    opt = fg.optim.SGD(model.parameters(), lr=0.05)
    x, y = fg.tensor(rng.standard_normal((32, 4)).astype(np.float32)), fg.tensor(np.ones((32, 1), np.float32))
    losses = []
    for _ in range(30):
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    state = model.state_dict()
    assert "0.parametrizations.weight.original0" in state and "2.parametrizations.weight.0._u" in state


# ---- init.sparse_ and init.dirac_ ----

@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 3, 3, 3), 2), ((2, 5, 1, 3, 3), 1), ((8, 2, 4, 4), 4)])
def test_dirac_matches_pytorch(shape, groups):
    torch = pytest.importorskip("torch")
    mine, theirs = fg.tensor(np.ones(shape)), torch.ones(shape, dtype=torch.float64)
    assert nn.init.dirac_(mine, groups) is mine
    torch.nn.init.dirac_(theirs, groups)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_dirac_convolution_keeps_its_input(rng):
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False).double()
    nn.init.dirac_(conv.weight)
    x = rng.standard_normal((2, 3, 5, 5))
    np.testing.assert_allclose(conv(fg.tensor(x)).numpy(), x, rtol=1e-12)


@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.5, 1.0])
def test_sparse_zeroes_the_same_count_in_each_column(sparsity):
    w = fg.tensor(np.ones((40, 30)))
    fg.manual_seed(0)
    assert nn.init.sparse_(w, sparsity, std=0.5) is w
    zeros = (w.numpy() == 0).sum(axis=0)
    assert np.all(zeros == math.ceil(sparsity * 40))
    rest = w.numpy()[w.numpy() != 0]
    if rest.size > 100:
        assert abs(rest.std() - 0.5) < 0.05
    fg.manual_seed(0)
    again = nn.init.sparse_(fg.tensor(np.ones((40, 30))), sparsity, std=0.5)
    np.testing.assert_array_equal(again.numpy(), w.numpy())


BAD = [
    (lambda: nn.init.dirac_(fg.tensor(np.ones((3, 3)))), ValueError, "3, 4, or 5 dimensions"),
    (lambda: nn.init.dirac_(fg.tensor(np.ones((3, 3, 3))), 2), ValueError, "divisible by groups"),
    (lambda: nn.init.sparse_(fg.tensor(np.ones((3, 3, 3))), 0.1), ValueError, "2 dimensions"),
    (lambda: nn.init.sparse_(fg.tensor(np.ones((3, 3))), 1.5), ValueError, "sparsity"),
    (lambda: parametrizations.spectral_norm(nn.Linear(2, 2), n_power_iterations=0), ValueError, "positive"),
    (lambda: nn.utils.spectral_norm(nn.Linear(2, 2), dim=2), IndexError, "out of range"),
    (lambda: nn.utils.spectral_norm(nn.utils.spectral_norm(nn.Linear(2, 2))), RuntimeError, "two spectral_norm"),
    (lambda: nn.utils.spectral_norm(nn.Linear(2, 2), name="nothing"), ValueError, "no parameter"),
    (lambda: nn.utils.weight_norm(nn.utils.weight_norm(nn.Linear(2, 2))), RuntimeError, "two weight_norm"),
    (lambda: nn.utils.weight_norm(nn.Linear(2, 2), dim=3), IndexError, "out of range"),
    (lambda: nn.utils.remove_weight_norm(nn.Linear(2, 2)), ValueError, "not found"),
    (lambda: nn.utils.remove_spectral_norm(nn.Linear(2, 2)), ValueError, "not found"),
    (lambda: parametrize.register_parametrization(nn.Linear(2, 2), "nothing", Scale(2.0)), ValueError,
     "no parameter or buffer"),
    (lambda: parametrize.register_parametrization(nn.Linear(2, 3), "weight", Symmetric()), ValueError, "shape"),
    (lambda: parametrize.register_parametrization(nn.Linear(2, 2), "weight", lambda x: x), TypeError, "Module"),
    (lambda: parametrize.remove_parametrizations(nn.Linear(2, 2), "weight"), ValueError, "does not have"),
    (lambda: parametrize.remove_parametrizations(parametrizations.weight_norm(nn.Linear(2, 2)), "weight",
                                                 leave_parametrized=False), ValueError, "sequence of tensors"),
]


@pytest.mark.parametrize("case", range(len(BAD)))
def test_bad_arguments_raise_clear_errors(case):
    call, error, words = BAD[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(error, match=words):
            call()
