"""LSTM and GRU gate kernels (csrc/recurrent.c) against their reference twins over dtypes,
shapes (no rows, one unit, the threading threshold), large pre-activations, non-contiguous
inputs and bad input; the ops on them against central differences, PyTorch's composed
cells and second derivatives."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import reference
from fastgrad.ops.recurrent import gru_cell, lstm_cell
from refusals import refusal_test

TOL = {np.float32: (1e-5, 1e-5), np.float64: (1e-13, 1e-14)}
SHAPES = [(3, 4), (1, 1), (0, 5), (7, 33), (300, 128)]  # (rows, hidden); the last above the threshold


def close(actual, expected, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64), rtol=rtol,
                               atol=atol)


def twin(name, *args):
    return reference.TWINS[name](np, *(a.astype(np.float64) for a in args))


def arrays(rng, dtype, *shapes, scale=3.0):
    return [np.asarray(rng.standard_normal(s) * scale, dtype=dtype) for s in shapes]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_lstm_kernels_match_the_twins(shape, dtype, rng):
    rows, hidden = shape
    gates, c_prev, grad = arrays(rng, dtype, (rows, 4 * hidden), (rows, hidden), (rows, 2 * hidden))
    hc, act = _C.lstm_cell_fwd(gates, c_prev=c_prev)
    assert hc.dtype == dtype and hc.shape == (rows, 2 * hidden) and act.shape == gates.shape
    for got, expected in zip((hc, act), twin("lstm_cell_fwd", gates, c_prev)):
        close(got, expected, dtype)
    grads = _C.lstm_cell_bwd(act, c_prev=c_prev, hc=hc, grad=grad)
    for got, expected in zip(grads, twin("lstm_cell_bwd", act, c_prev, hc, grad)):
        close(got, expected, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_gru_kernels_match_the_twins(shape, dtype, rng):
    rows, hidden = shape
    gi, gh, h_prev, grad = arrays(rng, dtype, (rows, 3 * hidden), (rows, 3 * hidden), (rows, hidden),
                                  (rows, hidden))
    h, act = _C.gru_cell_fwd(gi, gh, h_prev=h_prev)
    assert h.dtype == dtype and h.shape == (rows, hidden)
    for got, expected in zip((h, act), twin("gru_cell_fwd", gi, gh, h_prev)):
        close(got, expected, dtype)
    grads = _C.gru_cell_bwd(act, gh, h_prev=h_prev, grad=grad)
    for got, expected in zip(grads, twin("gru_cell_bwd", act, gh, h_prev, grad)):
        close(got, expected, dtype)


def test_saturated_gates_stay_finite(rng):
    gates = rng.standard_normal((4, 12)) * 1e3
    hc, act = _C.lstm_cell_fwd(gates.astype(np.float32), c_prev=np.ones((4, 3), np.float32))
    assert np.isfinite(hc).all() and np.isfinite(act).all()
    h, act = _C.gru_cell_fwd(gates[:, :9], gates[:, 3:], h_prev=np.ones((4, 3)))
    assert np.isfinite(h).all()


def test_non_contiguous_inputs(rng):
    gates = rng.standard_normal((5, 16))[:, ::2]  # strided (5, 8): hidden 2
    c_prev = rng.standard_normal((2, 5)).T
    hc, act = _C.lstm_cell_fwd(gates, c_prev=c_prev)
    for got, expected in zip((hc, act), twin("lstm_cell_fwd", gates, c_prev)):
        close(got, expected, np.float64)
    gi = rng.standard_normal((6, 4))[:, ::-1][:, :3]  # reversed columns: hidden 1
    gh = rng.standard_normal((3, 6)).T
    h_prev = rng.standard_normal((6, 2))[:, 1:]
    h, act = _C.gru_cell_fwd(gi, gh, h_prev=h_prev)
    for got, expected in zip((h, act), twin("gru_cell_fwd", gi, gh, h_prev)):
        close(got, expected, np.float64)


BAD = [
    (lambda: _C.lstm_cell_fwd(np.ones((2, 6)), c_prev=np.ones((2, 1))), ValueError, "(rows, 4 * hidden)"),
    (lambda: _C.lstm_cell_fwd(np.ones((2, 8)), c_prev=np.ones((2, 3))), ValueError,
     "'c_prev' has shape (2, 3), expected (2, 2)"),
    (lambda: _C.lstm_cell_fwd(np.ones((2, 8)), c_prev=np.ones((2, 2), np.float32)), TypeError,
     "'c_prev' has dtype float32"),
    (lambda: _C.lstm_cell_fwd(np.ones(8), c_prev=np.ones(2)), ValueError, "must be 2-d"),
    (lambda: _C.lstm_cell_fwd(np.ones((2, 8), np.int32), c_prev=np.ones((2, 2))), TypeError, "dtype int32"),
    (lambda: _C.lstm_cell_bwd(np.ones((2, 8)), c_prev=np.ones((2, 2)), hc=np.ones((2, 4)), grad=np.ones((2, 2))),
     ValueError, "'grad' has shape (2, 2), expected (2, 4)"),
    (lambda: _C.lstm_cell_bwd(np.ones((2, 8)), c_prev=np.ones((2, 2)), hc=None, grad=np.ones((2, 4))), TypeError,
     "'hc' must be a numpy.ndarray"),
    (lambda: _C.gru_cell_fwd(np.ones((2, 6)), np.ones((2, 3)), h_prev=np.ones((2, 2))), ValueError,
     "'gh' has shape (2, 3)"),
    (lambda: _C.gru_cell_fwd(np.ones((2, 6)), np.ones((2, 6)), h_prev=np.ones((3, 2))), ValueError,
     "'h_prev' has shape (3, 2), expected (2, 2)"),
    (lambda: _C.gru_cell_bwd(np.ones((2, 6)), np.ones((2, 6)), h_prev=np.ones((2, 2)), grad=[[1.0, 1.0]] * 2),
     TypeError, "'grad' must be a numpy.ndarray"),
]


test_bad_input_is_refused_by_name = refusal_test(BAD, "^(lstm|gru)_cell")


# ---- the ops on the kernels -------------------------------------------------------------------------

def test_lstm_and_gru_cells_match_central_differences(rng):
    gates, c_prev = rng.standard_normal((3, 8)), rng.standard_normal((3, 2))
    assert fg.gradcheck(lambda a, c: fg.concatenate(lstm_cell(a, c), axis=-1),
                        [fg.tensor(gates, requires_grad=True), fg.tensor(c_prev, requires_grad=True)])
    gi, gh, h = rng.standard_normal((3, 6)), rng.standard_normal((3, 6)), rng.standard_normal((3, 2))
    assert fg.gradcheck(gru_cell, [fg.tensor(a, requires_grad=True) for a in (gi, gh, h)])
    unbatched = lstm_cell(fg.tensor(gates[0]), fg.tensor(c_prev[0]))
    assert [t.shape for t in unbatched] == [(2,), (2,)]


def _torch_lstm(torch, gates, c):
    i, f, g, o = gates.chunk(4, dim=-1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def _torch_gru(torch, gi, gh, h):
    x_r, x_z, x_n = gi.chunk(3, dim=-1)
    h_r, h_z, h_n = gh.chunk(3, dim=-1)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return n + z * (h - n)


def test_second_derivatives_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    cases = [(lambda *a: lstm_cell(*a), lambda *a: _torch_lstm(torch, *a), [(3, 8), (3, 2)]),
             (lambda *a: (gru_cell(*a),), lambda *a: (_torch_gru(torch, *a),), [(3, 6), (3, 6), (3, 2)])]
    for mine_fn, torch_fn, shapes in cases:
        arrays = [rng.standard_normal(s) for s in shapes]
        mine = [fg.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        loss_m = sum((o ** 3).sum() for o in mine_fn(*mine))
        loss_t = sum((o ** 3).sum() for o in torch_fn(*theirs))
        grads_m = fg.autograd.grad(loss_m, mine, create_graph=True)
        grads_t = torch.autograd.grad(loss_t, theirs, create_graph=True)
        for g_m, g_t in zip(grads_m, grads_t):
            np.testing.assert_allclose(np.asarray(g_m.data), g_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        direction = [rng.standard_normal(s) for s in shapes]
        second_m = fg.autograd.grad(sum((g * fg.tensor(d)).sum() for g, d in zip(grads_m, direction)), mine)
        second_t = torch.autograd.grad(sum((g * torch.tensor(d)).sum() for g, d in zip(grads_t, direction)), theirs)
        for m, t in zip(second_m, second_t):
            np.testing.assert_allclose(np.asarray(m.data), t.numpy(), rtol=1e-9, atol=1e-11)
