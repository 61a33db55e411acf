"""torch.lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell, torch.convolution and
norm_except_dim against PyTorch (values and gradients in float64) and central differences;
Tensor.map2_, const_data_ptr and nonzero_static; refusals."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test
from torch_parity import check_against_torch

TOL = dict(rtol=1e-9, atol=1e-11)
B, I, H = 3, 4, 5


def _lstm(t, x, h, c, w_ih, w_hh, b_ih, b_hh):
    hy, cy = t.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh)
    return t.cat([hy, 2 * cy], 1)


CASES = [
    ("lstm_cell", _lstm, [(B, I), (B, H), (B, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,)]),
    ("lstm_cell no bias", lambda t, x, h, c, wi, wh: t.cat(list(t.lstm_cell(x, (h, c), wi, wh)), 1),
     [(B, I), (B, H), (B, H), (4 * H, I), (4 * H, H)]),
    ("gru_cell", lambda t, x, h, wi, wh, bi, bh: t.gru_cell(x, h, wi, wh, bi, bh),
     [(B, I), (B, H), (3 * H, I), (3 * H, H), (3 * H,), (3 * H,)]),
    ("gru_cell batch of one", lambda t, x, h, wi, wh: t.gru_cell(x, h, wi, wh),
     [(1, I), (1, H), (3 * H, I), (3 * H, H)]),
    ("rnn_tanh_cell", lambda t, x, h, wi, wh, bi, bh: t.rnn_tanh_cell(x, h, wi, wh, bi, bh),
     [(B, I), (B, H), (H, I), (H, H), (H,), (H,)]),
    ("rnn_relu_cell", lambda t, x, h, wi, wh: t.rnn_relu_cell(x, h, wi, wh), [(B, I), (B, H), (H, I), (H, H)]),
    ("convolution 1-D", lambda t, x, w, b: t.convolution(x, w, b, [2], [1], [1], False, [0], 1),
     [(2, 3, 9), (4, 3, 3), (4,)]),
    ("convolution 2-D groups", lambda t, x, w: t.convolution(x, w, None, [1, 1], [1, 0], [1, 1], False, [0, 0], 2),
     [(1, 4, 5, 5), (2, 2, 3, 3)]),
    ("convolution 3-D", lambda t, x, w: t.convolution(x, w, None, [1, 1, 1], [0, 0, 0], [1, 1, 1], False,
                                                      [0, 0, 0], 1), [(1, 2, 3, 4, 3), (2, 2, 2, 2, 2)]),
    ("convolution transposed 2-D", lambda t, x, w, b: t.convolution(x, w, b, [2, 2], [1, 1], [1, 1], True, [1, 1],
                                                                    1), [(1, 2, 3, 3), (2, 3, 3, 3), (3,)]),
    ("norm_except_dim", lambda t, v: t.norm_except_dim(v, 2, 0), [(3, 4, 2)]),
    ("norm_except_dim last", lambda t, v: t.norm_except_dim(v, 3, 2), [(3, 4, 2)]),
    ("norm_except_dim all", lambda t, v: t.norm_except_dim(v, 2, -1), [(3, 4)]),
]


@pytest.mark.parametrize("name, call, shapes", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(name, call, shapes, rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s) * 0.7 for s in shapes]
    check_against_torch(torch, lambda *x: call(fg, *x), lambda *x: call(torch, *x), arrays, rng, TOL)


@pytest.mark.parametrize("name, call, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(name, call, shapes, rng):
    leaves = [fg.tensor(rng.standard_normal(s) * 0.7, requires_grad=True) for s in shapes]
    assert fg.gradcheck(lambda *x: call(fg, *x), leaves)


def test_float32_cells_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    arrays = [rng.standard_normal(s).astype(np.float32) for s in CASES[0][2]]
    got = _lstm(fg, *(fg.tensor(a) for a in arrays))
    expected = _lstm(torch, *(torch.tensor(a) for a in arrays))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_map2_const_data_ptr_and_nonzero_static_method():
    torch = pytest.importorskip("torch")
    mine, theirs = fg.ones(2, 3), torch.ones(2, 3)
    a, b = np.arange(6.0).reshape(2, 3), np.array([2.0, -1.0, 0.5])
    assert mine.map2_(fg.tensor(a, dtype=fg.float32), fg.tensor(b, dtype=fg.float32), lambda e, x, y: e + x * y) is mine
    theirs.map2_(torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32), lambda e, x, y: e + x * y)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert mine.const_data_ptr() == mine.data_ptr()
    np.testing.assert_array_equal(fg.tensor([[0, 2], [3, 0]]).nonzero_static(size=3, fill_value=9).numpy(),
                                  torch.tensor([[0, 2], [3, 0]]).nonzero_static(size=3, fill_value=9).numpy())


test_refusals = refusal_test([
    (lambda: fg.lstm_cell(fg.ones(2, 3), fg.ones(2, 4), fg.ones(16, 3), fg.ones(16, 4)), TypeError, "pair (h, c)"),
    (lambda: fg.gru_cell(fg.ones(2, 3), fg.ones(2, 4), fg.ones(12, 3), fg.ones(8, 4)), RuntimeError, "w_hh"),
    (lambda: fg.rnn_tanh_cell(fg.ones(2, 5), fg.ones(2, 4), fg.ones(4, 3), fg.ones(4, 4)), RuntimeError,
     "5 features"),
    (lambda: fg.rnn_relu_cell(fg.ones(3, 3), fg.ones(2, 4), fg.ones(4, 3), fg.ones(4, 4)), RuntimeError,
     "batch sizes"),
    (lambda: fg.convolution(fg.ones(1, 1, 3, 3, 3), fg.ones(1, 1, 2, 2, 2), None, 1, 0, 1, True, 0, 1),
     NotImplementedError, "transposed convolution over 3"),
    (lambda: fg.convolution(fg.ones(1, 1, 5), fg.ones(1, 1, 2), None, [1], [0], [1], False, [1], 1), RuntimeError,
     "output_padding"),
    (lambda: fg.ones(2).map2_(fg.ones(3), fg.ones(2), lambda a, b, c: a), RuntimeError, "does not broadcast"),
    (lambda: fg.ones(2).map2_(fg.ones(2), [1.0, 2.0], lambda a, b, c: a), TypeError, "argument 'y'"),
], "^(lstm_cell|gru_cell|rnn_tanh_cell|rnn_relu_cell|convolution|map2_)")
