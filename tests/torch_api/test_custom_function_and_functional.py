"""fastgrad.autograd.Function with PyTorch's protocol, inference_mode, and
fastgrad.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) against PyTorch."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import functional as AF
from grad_modes import assert_decorators_record_nothing

from torch_parity import needs_torch, torch


def _functions(T):
    class Cube(T.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * ctx.scale * x ** 2, None

    class SplitSigns(T.autograd.Function):
        """Two outputs (positive and negative parts) and an integer index that gets no gradient."""

        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            index = (x > 0).long()
            ctx.mark_non_differentiable(index)
            return x.clamp(min=0) * y, x.clamp(max=0) * y, index

        @staticmethod
        def backward(ctx, g_pos, g_neg, g_index):
            x, y = ctx.saved_tensors
            pos = (x > 0).to(x.dtype)
            gx = (g_pos * pos + g_neg * (1 - pos)) * y
            gy = g_pos * x.clamp(min=0) + g_neg * x.clamp(max=0)
            return gx, gy

    return Cube, SplitSigns


def _leaf(T, a):
    return T.tensor(a, requires_grad=True) if T is fg else torch.tensor(a, requires_grad=True)


@needs_torch
def test_single_output_function_matches_pytorch_and_gradcheck():
    a = np.array([0.5, -1.5, 2.0])
    results = []
    for T in (fg, torch):
        Cube, _ = _functions(T)
        x = _leaf(T, a)
        y = Cube.apply(x, 2.0)
        assert y.grad_fn is not None
        (y * y).sum().backward()
        results.append((np.asarray(y.detach().numpy()), np.asarray(x.grad.numpy())))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    Cube, _ = _functions(fg)
    assert fg.gradcheck(lambda t: Cube.apply(t, 2.0), (_leaf(fg, a),))
    assert "CubeBackward" in repr(Cube.apply(_leaf(fg, a), 1.0))


@needs_torch
def test_several_outputs_and_non_differentiable_ones_match_pytorch():
    a, b = np.array([1.0, -2.0, 3.0, -0.5]), np.array([0.5, 1.5, -1.0, 2.0])
    results = []
    for T in (fg, torch):
        _, SplitSigns = _functions(T)
        x, y = _leaf(T, a), _leaf(T, b)
        pos, neg, index = SplitSigns.apply(x, y)
        assert not index.requires_grad and pos.requires_grad
        (pos * 2 + neg * neg).sum().backward()
        results.append([np.asarray(t.detach().numpy()) for t in (pos, neg, index, x.grad, y.grad)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_an_unused_output_gets_zeros_or_none_as_asked():
    seen = []

    class Two(fg.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append(g2)
            return g1 * 2 + (0 if g2 is None else g2 * 3), None

    for materialize in (True, False):
        x = fg.tensor([1.0, 2.0], requires_grad=True)
        first, _ = Two.apply(x, materialize)
        first.sum().backward()
        np.testing.assert_array_equal(np.asarray(x.grad), [2.0, 2.0])
    assert np.array_equal(seen[0].data, [0.0, 0.0]) and seen[1] is None


def test_needs_input_grad_and_non_tensor_arguments():
    flags = []

    class Record(fg.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            flags.append(ctx.needs_input_grad)
            return x * y * k

        @staticmethod
        def backward(ctx, g):
            return g, g, None

    Record.apply(fg.tensor([1.0], requires_grad=True), fg.tensor([2.0]), 3)
    with fg.no_grad():
        Record.apply(fg.tensor([1.0], requires_grad=True), fg.tensor([2.0]), 3)
    assert flags == [(True, False, False), (False, False, False)]


def test_saved_tensors_stay_exact_or_raise_after_in_place_changes():
    Cube, _ = _functions(fg)
    x = fg.tensor([1.0, 2.0], requires_grad=True, dtype=fg.float64)
    h = x * 1
    y = Cube.apply(h, 1.0)
    h.add_(1)                    # recorded: h now points at a new array; the saved one is intact
    y.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), 3 * x.data ** 2)

    class Scale(fg.autograd.Function):
        @staticmethod
        def forward(ctx, t, factor):
            ctx.save_for_backward(factor)
            return t * factor

        @staticmethod
        def backward(ctx, g):
            (factor,) = ctx.saved_tensors
            return g * factor, None

    factor = fg.tensor([1.0, 2.0], dtype=fg.float64)
    w = Scale.apply(x, factor)
    factor.add_(1)               # not recorded: written in place, the version goes up
    with pytest.raises(RuntimeError, match="saved_tensors: one of the variables needed for gradient computation"):
        w.sum().backward()


def test_wrong_number_of_gradients_is_named():
    class Bad(fg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="Bad.backward: returned 2 gradients, expected 1"):
        Bad.apply(fg.tensor([1.0], requires_grad=True)).sum().backward()


def test_double_backward_through_a_custom_function():
    Cube, _ = _functions(fg)
    x = fg.tensor([1.5, -0.5], requires_grad=True, dtype=fg.float64)
    (g,) = fg.autograd.grad(Cube.apply(x, 1.0).sum(), x, create_graph=True)
    (h,) = fg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_inference_mode_records_nothing():
    x = fg.tensor([1.0], requires_grad=True)
    with fg.inference_mode():
        assert fg.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad and not fg.is_inference_mode_enabled()
    with fg.inference_mode(False):
        assert (x * 2).requires_grad

    assert_decorators_record_nothing(fg.inference_mode, x)


# ---- autograd.functional ------------------------------------------------------------------

def _f(T):
    return lambda x, y: (x.sin() * y).sum(dim=0) + x.exp().sum()


def _scalar(T):
    return lambda x, y: (x ** 3).sum() * y.sum() + (x * y).sum()


def _inputs(T):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    if T is torch:
        return torch.tensor(a), torch.tensor(b)
    return fg.tensor(a), fg.tensor(b)


def _np(t):
    if isinstance(t, tuple):
        return tuple(_np(x) for x in t)
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


def _close(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t)
        return
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("what", ["jacobian_tuple", "jacobian_single", "hessian_tuple", "hessian_single",
                                  "vjp", "jvp", "hvp", "vhp"])
def test_functional_matches_pytorch(what):
    results = []
    for T, F in ((fg, AF), (torch, torch.autograd.functional)):
        x, y = _inputs(T)
        v_out = T.ones(3, dtype=T.float64)
        v_in = (x * 0 + 0.5, y * 0 - 1.0)
        calls = {
            "jacobian_tuple": lambda: F.jacobian(_f(T), (x, y)),
            "jacobian_single": lambda: F.jacobian(lambda a: a.sin() * 2, x),
            "hessian_tuple": lambda: F.hessian(_scalar(T), (x, y)),
            "hessian_single": lambda: F.hessian(lambda a: (a ** 3).sum(), x),
            "vjp": lambda: F.vjp(_f(T), (x, y), v_out),
            "jvp": lambda: F.jvp(_f(T), (x, y), v_in),
            "hvp": lambda: F.hvp(_scalar(T), (x, y), v_in),
            "vhp": lambda: F.vhp(_scalar(T), (x, y), v_in),
        }
        results.append(_np(calls[what]()))
    _close(*results)


def test_functional_create_graph_gives_differentiable_results():
    x = fg.tensor([0.3, -0.7], requires_grad=True, dtype=fg.float64)
    jac = AF.jacobian(lambda a: a ** 3, x, create_graph=True)
    jac.sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), 6 * x.data)


def test_functional_refuses_strict_and_asks_for_v():
    x = fg.tensor([1.0, 2.0])
    with pytest.raises(NotImplementedError, match="jacobian: strict=True"):
        AF.jacobian(lambda a: a, x, strict=True)
    with pytest.raises(RuntimeError, match="vjp: v can be omitted only when"):
        AF.vjp(lambda a: a * 2, x)


def test_a_one_tuple_output_stays_a_tuple_with_its_gradient():
    class Pair(fg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2,)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = fg.tensor([1.0, 3.0], requires_grad=True)
    (y,) = Pair.apply(x)
    (y * 5).sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [10.0, 10.0])
