"""autograd.forward_ad: dual tensors and their tangents (J @ tangent) against PyTorch's forward
mode in float64, several duals at once, the duals' reverse-mode graph, and the level rules."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import forward_ad as fwAD

FUNCTIONS = {
    "elementwise": lambda lib, x, w: (x.sin() * x.exp()).tanh(),
    "matmul and softmax": lambda lib, x, w: lib.softmax(w @ x, dim=0),
    "reduction": lambda lib, x, w: (x * x).sum() + (w ** 3).mean(),
    "broadcast": lambda lib, x, w: w * x.reshape(1, 3),
    "constant of x": lambda lib, x, w: w * 2.0,
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_tangents_match_pytorch_forward_mode(name, rng):
    torch = pytest.importorskip("torch")
    x, tx, w, tw = (rng.standard_normal(s) for s in ((3,), (3,), (2, 3), (2, 3)))
    fn = FUNCTIONS[name]
    with torch.autograd.forward_ad.dual_level():
        out = fn(torch, torch.autograd.forward_ad.make_dual(torch.tensor(x), torch.tensor(tx)), torch.tensor(w))
        expected = torch.autograd.forward_ad.unpack_dual(out).tangent
    with fwAD.dual_level():
        got = fwAD.unpack_dual(fn(fg, fwAD.make_dual(fg.tensor(x), fg.tensor(tx)), fg.tensor(w))).tangent
    if expected is None:
        assert got is None or not got.numpy().any()
    else:
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-14)


def test_two_duals_add_their_directions(rng):
    x, tx, w, tw = (rng.standard_normal(s) for s in ((3,), (3,), (2, 3), (2, 3)))
    with fwAD.dual_level():
        out = FUNCTIONS["matmul and softmax"](fg, fwAD.make_dual(fg.tensor(x), fg.tensor(tx)),
                                              fwAD.make_dual(fg.tensor(w), fg.tensor(tw)))
        both = fwAD.unpack_dual(out).tangent.numpy()
    eps = 1e-6
    shifted = [FUNCTIONS["matmul and softmax"](fg, fg.tensor(x + s * eps * tx), fg.tensor(w + s * eps * tw)).numpy()
               for s in (1, -1)]
    np.testing.assert_allclose(both, (shifted[0] - shifted[1]) / (2 * eps), rtol=1e-6, atol=1e-9)


def test_duals_keep_the_reverse_mode_graph():
    w = fg.tensor([1.0, 2.0], dtype=fg.float64, requires_grad=True)
    with fwAD.dual_level():
        dual = fwAD.make_dual(w, fg.tensor([1.0, 0.0], dtype=fg.float64))
        loss = (dual ** 2).sum()
        assert fwAD.unpack_dual(loss).tangent.item() == 2.0
        loss.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 4.0])


def test_primal_and_level_rules():
    x, t = fg.ones(2, dtype=fg.float64), fg.tensor([3.0, 4.0], dtype=fg.float64)
    with pytest.raises(RuntimeError, match="make_dual: no dual level exists"):
        fwAD.make_dual(x, t)
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, t)
        primal, tangent = fwAD.unpack_dual(dual)
        assert tangent is t or np.array_equal(tangent.numpy(), [3.0, 4.0])
        assert fwAD.unpack_dual(fg.ones(2)).tangent is None  # not computed from a dual
        with pytest.raises(RuntimeError, match="make_dual: the tangent has shape \\(3,\\), the tensor \\(2,\\)"):
            fwAD.make_dual(x, fg.ones(3))
        with pytest.raises(RuntimeError, match="nested forward mode AD is not supported"):
            fwAD.enter_dual_level()
        out = dual * 3
    assert fwAD.unpack_dual(out).tangent is None  # the level is closed
    with pytest.raises(RuntimeError, match="exit_dual_level: no dual level is open"):
        fwAD.exit_dual_level()
