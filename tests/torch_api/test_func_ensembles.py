"""fastgrad.func.stack_module_state (stacked parameters and buffers, an ensemble run by vmap over
functional_call, its gradients) and fastgrad.func.linearize against torch.func (float64 values
and gradients), and their errors."""
import copy

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import func as ffunc
from fastgrad import nn


def _models(lib, weights):
    """Three copies of Linear(3, 4) -> BatchNorm1d -> Tanh -> Linear(4, 2) in float64 with the given weights."""
    models = []
    for w in weights:
        m = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Tanh(), lib.nn.Linear(4, 2)).double()
        for (name, p), value in zip(m.named_parameters(), w):
            p.data = lib.tensor(value)
        m[1].running_mean.data = lib.tensor(w[-1])
        models.append(m.eval())
    return models


def _weights(rng):
    shapes = [(4, 3), (4,), (4,), (4,), (2, 4), (2,), (4,)]
    return [[rng.standard_normal(s) for s in shapes] for _ in range(3)]


def test_stacked_ensemble_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    weights = _weights(rng)
    mine, theirs = _models(fg, weights), _models(torch, weights)
    params, buffers = ffunc.stack_module_state(mine)
    their_params, their_buffers = torch.func.stack_module_state(theirs)
    assert list(params) == list(their_params) and list(buffers) == list(their_buffers)
    for name in params:
        assert params[name].is_leaf and params[name].requires_grad
        np.testing.assert_array_equal(params[name].detach().numpy(), their_params[name].detach().numpy())
    base, their_base = copy.deepcopy(mine[0]), copy.deepcopy(theirs[0])
    x = rng.standard_normal((5, 3))
    out = ffunc.vmap(lambda p, b, v: ffunc.functional_call(base, (p, b), (v,)), in_dims=(0, 0, None))(
        params, buffers, fg.tensor(x))
    expected = torch.func.vmap(lambda p, b, v: torch.func.functional_call(their_base, (p, b), (v,)),
                               in_dims=(0, 0, None))(their_params, their_buffers, torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(out.detach().numpy(), np.stack([m(fg.tensor(x)).detach().numpy() for m in mine]),
                               rtol=1e-12, atol=1e-14)
    seed = rng.standard_normal(tuple(out.shape))
    (out * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for name in params:
        np.testing.assert_allclose(params[name].grad.numpy(), their_params[name].grad.numpy(), rtol=1e-10, atol=1e-12)
    assert all(p.grad is None for m in mine for p in m.parameters())      # the stacked leaves are new
    fg.optim.SGD(params.values(), lr=0.1).step()                            # and optimizable


def test_stack_module_state_keeps_requires_grad_and_refuses_mixed_models():
    frozen = [nn.Linear(2, 2) for _ in range(2)]
    for m in frozen:
        m.bias.requires_grad_(False)
    params, buffers = ffunc.stack_module_state(frozen)
    assert params["weight"].requires_grad and not params["bias"].requires_grad and buffers == {}
    with pytest.raises(RuntimeError, match="at least one model"):
        ffunc.stack_module_state([])
    with pytest.raises(RuntimeError, match="same class"):
        ffunc.stack_module_state([nn.Linear(2, 2), nn.Tanh()])
    with pytest.raises(RuntimeError, match="training/eval mode"):
        ffunc.stack_module_state([nn.Linear(2, 2), nn.Linear(2, 2).eval()])
    with pytest.raises(RuntimeError, match="'weight' has different shapes"):
        ffunc.stack_module_state([nn.Linear(2, 2), nn.Linear(3, 2)])


def test_linearize_matches_pytorch(rng):
    torch = pytest.importorskip("torch")

    def f(lib):
        return lambda a, b: (lib.sin(a) * b.exp()).sum(-1) + (a @ b.T).diagonal()
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    output, push = ffunc.linearize(f(fg), fg.tensor(a), fg.tensor(b))
    their_output, their_push = torch.func.linearize(f(torch), torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(output.detach().numpy(), their_output.detach().numpy(), rtol=1e-12)
    for _ in range(2):                                   # the same jvp_fn, several tangents
        u, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
        np.testing.assert_allclose(push(fg.tensor(u), fg.tensor(v)).numpy(),
                                   their_push(torch.tensor(u), torch.tensor(v)).numpy(), rtol=1e-12, atol=1e-14)


def test_linearize_is_linear_and_checks_tangents(rng):
    x = fg.tensor(rng.standard_normal(4))
    _, push = ffunc.linearize(lambda t: t ** 3, x)
    u, v = fg.tensor(rng.standard_normal(4)), fg.tensor(rng.standard_normal(4))
    np.testing.assert_allclose(push(2 * u + v).numpy(), (2 * push(u) + push(v)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(push(u).numpy(), 3 * x.numpy() ** 2 * u.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="linearize: tangent 0 must be a Tensor of the primal's shape"):
        push(fg.ones(3, dtype=fg.float64))
    with pytest.raises(RuntimeError, match="linearize: jvp_fn expected 1 tangents, got 2"):
        push(u, v)
    with pytest.raises(TypeError, match="linearize: the primals"):
        ffunc.linearize(fg.sin, 1.0)
