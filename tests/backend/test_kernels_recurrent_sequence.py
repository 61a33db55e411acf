"""The LSTM and GRU sequence kernels (csrc/recurrent.c: lstm_seq_* and gru_seq_*, the time loop
in C with MKL's GEMM) against their reference twins over dtypes, sequence lengths 0, 1 and many,
no rows, non-contiguous inputs, given biases and states; the same bits at any thread count; bad
input; and the lstm_sequence / gru_sequence primitives on both of their paths against central
differences, each other and, through second derivatives, PyTorch."""
import os
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import onednn_gemm, reference
from fastgrad.ops.recurrent import gru_sequence, lstm_sequence, rnn_sequence
from refusals import refusal_test

# float32 runs many steps of rounding against a float64 twin
TOL = {np.float32: dict(rtol=1e-4, atol=2e-5), np.float64: dict(rtol=1e-11, atol=1e-12)}
SHAPES = [(0, 3, 4), (1, 3, 4), (6, 3, 4), (4, 0, 5), (5, 7, 33), (3, 300, 16)]  # (steps, rows, hidden)


def close(actual, expected, dtype):
    np.testing.assert_allclose(np.asarray(actual, np.float64), np.asarray(expected, np.float64), **TOL[dtype])


def problem(rng, dtype, steps, rows, hidden, bias=True, gates=4):
    """x: the input projections (steps, rows, gates * hidden); w_hh, the states h0, c0 and bias."""
    def draw(*shape, scale=1.0):
        return np.asarray(rng.standard_normal(shape) * scale, dtype=dtype)
    return dict(x=draw(steps, rows, gates * hidden, scale=2.0), w_hh=draw(gates * hidden, hidden, scale=0.5),
                h0=draw(rows, hidden), c0=draw(rows, hidden), bias=draw(gates * hidden) if bias else None)


def twin(name, *args, **kwargs):
    as64 = [None if a is None else np.asarray(a, np.float64) for a in args]
    kw64 = {k: None if a is None else np.asarray(a, np.float64) for k, a in kwargs.items()}
    return reference.TWINS[name](np, *as64, **kw64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_sequence_kernels_match_the_twins(mkl, shape, dtype, bias, rng):
    steps, rows, hidden = shape
    p = problem(rng, dtype, steps, rows, hidden, bias)
    hc, act = _C.lstm_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"], c0=p["c0"], bias=p["bias"])
    assert hc.dtype == dtype and hc.shape == (2, steps + 1, rows, hidden) and act.shape == p["x"].shape
    expected_hc, expected_act = twin("lstm_seq_fwd", p["x"], p["w_hh"], p["h0"], p["c0"], bias=p["bias"])
    close(hc, expected_hc, dtype)
    close(act, expected_act, dtype)
    grad = np.asarray(rng.standard_normal(hc.shape), dtype=dtype)
    ggates, grad0 = _C.lstm_seq_bwd(act, w_hh=p["w_hh"], hc=hc, grad=grad)
    assert ggates.shape == act.shape and grad0.shape == (2, rows, hidden)
    expected = twin("lstm_seq_bwd", act, p["w_hh"], hc, grad)
    close(ggates, expected[0], dtype)
    close(grad0, expected[1], dtype)


def test_non_contiguous_inputs(mkl, rng):
    steps, rows, hidden = 4, 5, 3
    gates = rng.standard_normal((steps, 2 * rows, 4 * hidden))[:, ::2]
    w_hh = rng.standard_normal((hidden, 4 * hidden)).T
    h0, c0 = rng.standard_normal((hidden, rows)).T, rng.standard_normal((rows, 2 * hidden))[:, ::2]
    bias = rng.standard_normal(8 * hidden)[::2]
    hc, act = _C.lstm_seq_fwd(gates, w_hh=w_hh, h0=h0, c0=c0, bias=bias)
    for got, expected in zip((hc, act), twin("lstm_seq_fwd", gates, w_hh, h0, c0, bias=bias)):
        close(got, expected, np.float64)
    grad = np.swapaxes(rng.standard_normal((2, steps + 1, hidden, rows)), 2, 3)
    act_strided = np.concatenate([act, act], axis=2)[:, :, :4 * hidden]
    for got, expected in zip(_C.lstm_seq_bwd(act_strided, w_hh=w_hh, hc=hc, grad=grad),
                             twin("lstm_seq_bwd", act, w_hh, hc, grad)):
        close(got, expected, np.float64)


def assert_the_same_bits_at_any_thread_count(run):
    """run() (a tuple of arrays) at 1, 2 and again 1 thread gives the same bits each time."""
    before = fg.get_num_threads()
    results = []
    try:
        for n in (1, 2, 1):
            fg.set_num_threads(n)
            results.append(run())
    finally:
        fg.set_num_threads(before)
    for other in results[1:]:
        for a, b in zip(results[0], other):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_gru_sequence_kernels_match_the_twins(mkl, shape, dtype, bias, rng):
    steps, rows, hidden = shape
    p = problem(rng, dtype, steps, rows, hidden, bias, gates=3)
    h, gh, act = _C.gru_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"], bias=p["bias"])
    assert h.dtype == dtype and h.shape == (steps + 1, rows, hidden) and gh.shape == act.shape == p["x"].shape
    for got, expected in zip((h, gh, act), twin("gru_seq_fwd", p["x"], p["w_hh"], p["h0"], bias=p["bias"])):
        close(got, expected, dtype)
    grad = np.asarray(rng.standard_normal(h.shape), dtype=dtype)
    grads = _C.gru_seq_bwd(act, gh, w_hh=p["w_hh"], h=h, grad=grad)
    assert [g.shape for g in grads] == [act.shape, act.shape, (rows, hidden)]
    for got, expected in zip(grads, twin("gru_seq_bwd", act, gh, p["w_hh"], h, grad)):
        close(got, expected, dtype)


def test_gru_non_contiguous_inputs(mkl, rng):
    steps, rows, hidden = 4, 5, 3
    gi = rng.standard_normal((steps, 2 * rows, 3 * hidden))[:, ::2]
    w_hh = rng.standard_normal((hidden, 3 * hidden)).T
    h0, bias = rng.standard_normal((hidden, rows)).T, rng.standard_normal(6 * hidden)[::2]
    h, gh, act = _C.gru_seq_fwd(gi, w_hh=w_hh, h0=h0, bias=bias)
    for got, expected in zip((h, gh, act), twin("gru_seq_fwd", gi, w_hh, h0, bias=bias)):
        close(got, expected, np.float64)
    grad = np.swapaxes(rng.standard_normal((steps + 1, hidden, rows)), 1, 2)
    for got, expected in zip(_C.gru_seq_bwd(act[:, ::-1][:, ::-1], gh, w_hh=w_hh, h=h, grad=grad),
                             twin("gru_seq_bwd", act, gh, w_hh, h, grad)):
        close(got, expected, np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("relu", [False, True], ids=["tanh", "relu"])
def test_rnn_sequence_kernels_match_the_twins(mkl, shape, dtype, relu, rng):
    steps, rows, hidden = shape
    p = problem(rng, dtype, steps, rows, hidden, gates=1)
    h = _C.rnn_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"], relu=relu)
    assert h.dtype == dtype and h.shape == (steps + 1, rows, hidden)
    close(h, twin("rnn_seq_fwd", p["x"], p["w_hh"], p["h0"], relu=relu), dtype)
    grad = np.asarray(rng.standard_normal(h.shape), dtype=dtype)
    gpre, grad0 = _C.rnn_seq_bwd(h, w_hh=p["w_hh"], grad=grad, relu=relu)
    assert gpre.shape == p["x"].shape and grad0.shape == (rows, hidden)
    for got, expected in zip((gpre, grad0), twin("rnn_seq_bwd", h, p["w_hh"], grad, relu=relu)):
        close(got, expected, dtype)


def test_rnn_non_contiguous_inputs(mkl, rng):
    steps, rows, hidden = 4, 5, 3
    gi = rng.standard_normal((steps, 2 * rows, hidden))[:, ::2]
    w_hh, h0 = rng.standard_normal((hidden, hidden)).T, rng.standard_normal((hidden, rows)).T
    h = _C.rnn_seq_fwd(gi, w_hh=w_hh, h0=h0)
    close(h, twin("rnn_seq_fwd", gi, w_hh, h0), np.float64)
    grad = np.swapaxes(rng.standard_normal((steps + 1, hidden, rows)), 1, 2)
    for got, expected in zip(_C.rnn_seq_bwd(h[:, ::-1][:, ::-1], w_hh=w_hh, grad=grad),
                             twin("rnn_seq_bwd", h, w_hh, grad)):
        close(got, expected, np.float64)


def test_rnn_relu_gradient_at_zero_is_zero(mkl):
    """relu'(0) = 0, decided from the output, as relu_bwd does."""
    gi = np.array([[[-1.0, 2.0]]])
    h = _C.rnn_seq_fwd(gi, w_hh=np.zeros((2, 2)), h0=np.zeros((1, 2)), relu=True)
    np.testing.assert_array_equal(h[1], [[0.0, 2.0]])
    gpre, _ = _C.rnn_seq_bwd(h, w_hh=np.zeros((2, 2)), grad=np.ones((2, 1, 2)), relu=True)
    np.testing.assert_array_equal(gpre[0], [[0.0, 1.0]])


def _lstm_passes(p, grad):
    hc, act = _C.lstm_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"], c0=p["c0"], bias=p["bias"])
    return (hc, act) + _C.lstm_seq_bwd(act, w_hh=p["w_hh"], hc=hc, grad=grad)


def _gru_passes(p, grad):
    h, gh, act = _C.gru_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"], bias=p["bias"])
    return (h, gh, act) + _C.gru_seq_bwd(act, gh, w_hh=p["w_hh"], h=h, grad=grad)


def _rnn_passes(p, grad):
    h = _C.rnn_seq_fwd(p["x"], w_hh=p["w_hh"], h0=p["h0"])
    return (h,) + _C.rnn_seq_bwd(h, w_hh=p["w_hh"], grad=grad)


# cell -> (gates, the gradient's shape, forward and backward passes over 5 steps of (300, 64))
PASSES = {"lstm": (4, (2, 6, 300, 64), _lstm_passes), "gru": (3, (6, 300, 64), _gru_passes),
          "rnn": (1, (6, 300, 64), _rnn_passes)}


@pytest.mark.parametrize("cell", list(PASSES))
def test_the_same_bits_at_any_thread_count(mkl, cell, rng):
    gates, grad_shape, passes = PASSES[cell]
    p = problem(rng, np.float32, 5, 300, 64, gates=gates)
    grad = rng.standard_normal(grad_shape).astype(np.float32)
    assert_the_same_bits_at_any_thread_count(lambda: passes(p, grad))


def _ok():
    return dict(gates=np.ones((2, 3, 8)), w_hh=np.ones((8, 2)), h0=np.ones((3, 2)), c0=np.ones((3, 2)))


def _fwd(**changes):
    args = {**_ok(), **changes}
    return lambda: _C.lstm_seq_fwd(args.pop("gates"), **args)


def _bwd(**changes):
    args = dict(act=np.ones((2, 3, 8)), w_hh=np.ones((8, 2)), hc=np.ones((2, 3, 3, 2)), grad=np.ones((2, 3, 3, 2)))
    args.update(changes)
    return lambda: _C.lstm_seq_bwd(args.pop("act"), **args)


BAD = [
    (_fwd(gates=np.ones((3, 8))), ValueError, "'gates' must be 3-d (steps, rows, 4 * hidden)"),
    (_fwd(gates=np.ones((2, 3, 6))), ValueError, "'gates' must be 3-d"),
    (_fwd(gates=np.ones((2, 3, 8), np.int64)), TypeError, "'gates' has dtype int64"),
    (_fwd(w_hh=np.ones((2, 8))), ValueError, "'w_hh' has shape (2, 8), expected (8, 2)"),
    (_fwd(h0=np.ones((3, 2), np.float32)), TypeError, "'h0' has dtype float32, expected float64"),
    (_fwd(c0=np.ones((2, 2))), ValueError, "'c0' has shape (2, 2), expected (3, 2)"),
    (_fwd(bias=np.ones(4)), ValueError, "'bias' has shape (4,), expected (8,)"),
    (_fwd(h0=[[1.0, 1.0]] * 3), TypeError, "'h0' must be a numpy.ndarray"),
    (_bwd(grad=np.ones((2, 2, 3, 2))), ValueError, "'grad' has shape (2, 2, 3, 2), expected (2, 3, 3, 2)"),
    (_bwd(hc=None), TypeError, "'hc' must be a numpy.ndarray"),
    (_bwd(act=np.ones((2, 3, 7))), ValueError, "'act' must be 3-d"),
    (lambda: _C.gru_seq_fwd(np.ones((2, 3, 8)), w_hh=np.ones((6, 2)), h0=np.ones((3, 2))), ValueError,
     "'gi' must be 3-d (steps, rows, 3 * hidden)"),
    (lambda: _C.gru_seq_fwd(np.ones((2, 3, 6)), w_hh=np.ones((6, 3)), h0=np.ones((3, 2))), ValueError,
     "'w_hh' has shape (6, 3), expected (6, 2)"),
    (lambda: _C.gru_seq_fwd(np.ones((2, 3, 6)), w_hh=np.ones((6, 2)), h0=np.ones((3, 2)), bias=np.ones(6, np.float32)),
     TypeError, "'bias' has dtype float32, expected float64"),
    (lambda: _C.gru_seq_bwd(np.ones((2, 3, 6)), np.ones((2, 3, 3)), w_hh=np.ones((6, 2)), h=np.ones((3, 3, 2)),
                            grad=np.ones((3, 3, 2))), ValueError, "'gh' has shape (2, 3, 3), expected (2, 3, 6)"),
    (lambda: _C.gru_seq_bwd(np.ones((2, 3, 6)), np.ones((2, 3, 6)), w_hh=np.ones((6, 2)), h=np.ones((2, 3, 2)),
                            grad=np.ones((3, 3, 2))), ValueError, "'h' has shape (2, 3, 2), expected (3, 3, 2)"),
    (lambda: _C.rnn_seq_fwd(np.ones((2, 3)), w_hh=np.ones((2, 2)), h0=np.ones((3, 2))), ValueError,
     "'gi' must be 3-d"),
    (lambda: _C.rnn_seq_fwd(np.ones((2, 3, 2)), w_hh=np.ones((2, 3)), h0=np.ones((3, 2))), ValueError,
     "'w_hh' has shape (2, 3), expected (2, 2)"),
    (lambda: _C.rnn_seq_fwd(np.ones((2, 3, 2)), w_hh=np.ones((2, 2)), h0=np.ones((2, 2))), ValueError,
     "'h0' has shape (2, 2), expected (3, 2)"),
    (lambda: _C.rnn_seq_fwd(np.ones((2, 3, 2), np.float32), w_hh=np.ones((2, 2)), h0=np.ones((3, 2))), TypeError,
     "'w_hh' has dtype float64, expected float32"),
    (lambda: _C.rnn_seq_bwd(np.ones((0, 3, 2)), w_hh=np.ones((2, 2)), grad=np.ones((0, 3, 2))), ValueError,
     "'h' must hold h_0 .. h_T"),
    (lambda: _C.rnn_seq_bwd(np.ones((3, 3, 2)), w_hh=np.ones((2, 2)), grad=np.ones((2, 3, 2))), ValueError,
     "'grad' has shape (2, 3, 2), expected (3, 3, 2)"),
]


test_bad_input_is_refused_by_name = refusal_test(BAD, "^(lstm|gru|rnn)_sequence")


def test_without_mkl_the_kernel_says_what_it_needs():
    code = ("import numpy as np\nfrom fastgrad import _C\n"
            "try:\n    _C.lstm_seq_fwd(np.ones((2, 3, 8)), w_hh=np.ones((8, 2)), h0=np.ones((3, 2)), "
            "c0=np.ones((3, 2)))\nexcept RuntimeError as e:\n    print(e)\n")
    env = dict(os.environ, FASTGRAD_BLAS="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("lstm_sequence: the sequence kernel runs its products through MKL")


def test_without_mkl_the_gru_kernel_says_so_too():
    code = ("import numpy as np\nfrom fastgrad import _C\n"
            "try:\n    _C.gru_seq_bwd(np.ones((2, 3, 6)), np.ones((2, 3, 6)), w_hh=np.ones((6, 2)), "
            "h=np.ones((3, 3, 2)), grad=np.ones((3, 3, 2)))\nexcept RuntimeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, FASTGRAD_BLAS="numpy"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("gru_sequence_backward: the sequence kernel runs its products through MKL")


# ---- the primitive, on the C path (MKL) and on the per-step path (NumPy's BLAS) --------------------------

def _torch_lstm(torch, x, w_ih, w_hh, b_ih, b_hh, h, c):
    hs, cs = [h], [c]
    for t in range(x.shape[0]):
        i, f, g, o = (x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        hs.append(h)
        cs.append(c)
    return torch.stack([torch.stack(hs), torch.stack(cs)])


def _torch_gru(torch, x, w_ih, w_hh, b_ih, b_hh, h):
    hs = [h]
    for t in range(x.shape[0]):
        x_r, x_z, x_n = (x[t] @ w_ih.T + b_ih).chunk(3, dim=-1)
        h_r, h_z, h_n = (h @ w_hh.T + b_hh).chunk(3, dim=-1)
        r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
        n = torch.tanh(x_n + r * h_n)
        h = n + z * (h - n)
        hs.append(h)
    return torch.stack(hs)


def _torch_rnn(nonlinearity):
    def run(torch, x, w_ih, w_hh, b_ih, b_hh, h):
        act = torch.tanh if nonlinearity == "tanh" else torch.relu
        hs = [h]
        for t in range(x.shape[0]):
            h = act(x[t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
            hs.append(h)
        return torch.stack(hs)
    return run


def _rnn(nonlinearity):
    def run(x, w_ih, w_hh, b_ih, b_hh, h0):
        return rnn_sequence(x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity)
    return run


# (primitive, gates per unit, initial states, PyTorch's composition, the output's shape for steps, batch, hidden)
KINDS = {
    "lstm": (lstm_sequence, 4, 2, _torch_lstm, lambda s, b, h: (2, s + 1, b, h)),
    "gru": (gru_sequence, 3, 1, _torch_gru, lambda s, b, h: (s + 1, b, h)),
    "rnn_tanh": (_rnn("tanh"), 1, 1, _torch_rnn("tanh"), lambda s, b, h: (s + 1, b, h)),
    "rnn_relu": (_rnn("relu"), 1, 1, _torch_rnn("relu"), lambda s, b, h: (s + 1, b, h)),
}


def _inputs(kind, rng, steps=4, batch=3, features=5, hidden=2, bias=True):
    _, gates, states = KINDS[kind][:3]
    shapes = [(steps, batch, features), (gates * hidden, features), (gates * hidden, hidden)]
    shapes += [(gates * hidden,), (gates * hidden,)] if bias else []
    shapes += [(batch, hidden)] * states
    arrays = [rng.standard_normal(s) for s in shapes]
    if not bias:
        arrays[3:3] = [None, None]
    return arrays


def _tensors(arrays):
    return [None if a is None else fg.tensor(a, requires_grad=True) for a in arrays]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_the_primitive_matches_central_differences(kind, blas_name, bias, rng):
    arrays = _inputs(kind, rng, bias=bias)
    given = [t for t in _tensors(arrays) if t is not None]

    def fn(*ts):
        ts = list(ts)
        if not bias:
            ts[3:3] = [None, None]
        return KINDS[kind][0](*ts)
    assert fg.gradcheck(fn, given)


def _run(kind, arrays, seed):
    ts = _tensors(arrays)
    out = KINDS[kind][0](*ts)
    (out * fg.tensor(seed)).sum().backward()
    return [out.data] + [t.grad.data for t in ts if t is not None]


@pytest.fixture
def gemm_layer():
    """The recurrent products on the GEMM layer (not oneDNN) for one test, then the choice before."""
    saved = dict(onednn_gemm._state)
    onednn_gemm.set_recurrent_gemm("blas")
    yield
    onednn_gemm._state.update(saved)


@pytest.mark.parametrize("kind", list(KINDS))
def test_both_paths_agree(kind, mkl, gemm_layer, rng):
    """The time loop in C (MKL) and the loop over the step kernels (NumPy's BLAS), float32."""
    arrays = [None if a is None else a.astype(np.float32)
              for a in _inputs(kind, rng, steps=7, batch=4, hidden=8)]
    seed = rng.standard_normal(KINDS[kind][4](7, 4, 8)).astype(np.float32)
    in_c = _run(kind, arrays, seed)
    fg.set_blas("numpy")
    per_step = _run(kind, arrays, seed)
    for a, b in zip(in_c, per_step):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", list(KINDS))
def test_gradients_and_second_derivatives_match_pytorch(kind, blas_name, rng):
    """Every entry of the output (intermediate cell states and the initial states too) carries gradient."""
    torch = pytest.importorskip("torch")
    primitive, composed = KINDS[kind][0], KINDS[kind][3]
    arrays = _inputs(kind, rng, steps=3)
    mine = _tensors(arrays)
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_m, out_t = primitive(*mine), composed(torch, *theirs)
    np.testing.assert_allclose(out_m.data, out_t.detach().numpy(), rtol=1e-12, atol=1e-12)
    grads_m = fg.autograd.grad((out_m ** 3).sum(), mine, create_graph=True)
    grads_t = torch.autograd.grad((out_t ** 3).sum(), theirs, create_graph=True)
    for g_m, g_t in zip(grads_m, grads_t):
        np.testing.assert_allclose(np.asarray(g_m.data), g_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    direction = [rng.standard_normal(a.shape) for a in arrays]
    second_m = fg.autograd.grad(sum((g * fg.tensor(d)).sum() for g, d in zip(grads_m, direction)), mine)
    second_t = torch.autograd.grad(sum((g * torch.tensor(d)).sum() for g, d in zip(grads_t, direction)), theirs)
    for m, t in zip(second_m, second_t):
        np.testing.assert_allclose(np.asarray(m.data), t.numpy(), rtol=1e-9, atol=1e-11)


def test_mismatched_shapes_are_refused_by_name(rng):
    x, w_ih, w_hh, b_ih, b_hh, h0, c0 = _inputs("lstm", rng)
    with pytest.raises(ValueError, match="^lstm_sequence: argument 'h0' has shape"):
        lstm_sequence(x, w_ih, w_hh, b_ih, b_hh, h0[:2], c0)
    with pytest.raises(ValueError, match="^lstm_sequence: argument 'w_ih' has shape"):
        lstm_sequence(x[:, :, :4], w_ih, w_hh, b_ih, b_hh, h0, c0)
    with pytest.raises(ValueError, match="^lstm_sequence: b_ih and b_hh must both be given"):
        lstm_sequence(x, w_ih, w_hh, b_ih, None, h0, c0)
    with pytest.raises(ValueError, match="^lstm_sequence: argument 'x' must be 3-d"):
        lstm_sequence(x[0], w_ih, w_hh, b_ih, b_hh, h0, c0)
    x, w_ih, w_hh, b_ih, b_hh, h0 = _inputs("gru", rng)
    with pytest.raises(ValueError, match="^gru_sequence: argument 'w_hh' has shape"):
        gru_sequence(x, w_ih, w_hh[:4], b_ih, b_hh, h0)
    with pytest.raises(ValueError, match="^gru_sequence: argument 'b_hh' has shape"):
        gru_sequence(x, w_ih, w_hh, b_ih, b_hh[:3], h0)
    x, w_ih, w_hh, b_ih, b_hh, h0 = _inputs("rnn_tanh", rng)
    with pytest.raises(ValueError, match="^rnn_sequence: argument 'w_hh' has shape"):
        rnn_sequence(x, w_ih, w_hh[:1], b_ih, b_hh, h0)
    with pytest.raises(ValueError, match="^rnn_sequence: argument 'nonlinearity' must be 'tanh' or 'relu'"):
        rnn_sequence(x, w_ih, w_hh, b_ih, b_hh, h0, "sigmoid")


@pytest.mark.parametrize("kind", list(KINDS))
def test_under_autocast_the_products_run_in_bfloat16(kind, rng):
    """As F.linear does: the per-step path with the 16-bit products, float32 results close to
    float32's and gradients for every input."""
    arrays = [None if a is None else a.astype(np.float32) for a in _inputs(kind, rng, steps=5, hidden=8)]
    exact = KINDS[kind][0](*_tensors(arrays)).data
    ts = _tensors(arrays)
    with fg.autocast("cpu", dtype="bfloat16"):
        out = KINDS[kind][0](*ts)
    out.sum().backward()
    assert out.dtype == np.float32
    assert not np.array_equal(out.data, exact)  # the products were rounded
    np.testing.assert_allclose(out.data, exact, rtol=0.05, atol=0.05)
    assert all(t.grad is not None and np.isfinite(t.grad.data).all() for t in ts if t is not None)
