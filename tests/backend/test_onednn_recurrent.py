"""The recurrent layers' float32 products through oneDNN's matmul (csrc/onednn_gemm.c,
fastgrad.backend.onednn_gemm): the GEMM against np.matmul over layouts, empty sizes and
accumulation, with bad input refused by name; the LSTM, GRU and RNN sequence kernels with
onednn=True against their reference twins; the layers on that path against the GEMM layer's
path and PyTorch; and the choice itself.  What needs oneDNN is skipped where it is not
installed; what must fail without it runs everywhere."""
import os
import subprocess
import sys

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C
from fastgrad.backend import onednn_gemm, reference

from onednn_choice import onednn_for_one_test
from refusals import refusal_test

# (steps, rows, hidden); w_hh is drawn at PyTorch's scale 1 / sqrt(hidden): float32 rounding is then not
# amplified step after step beyond the tolerance
SHAPES = [(0, 3, 4), (1, 3, 4), (6, 3, 4), (4, 0, 5), (5, 7, 33), (32, 32, 128)]
F32_TOL = dict(rtol=1e-4, atol=2e-5)


@pytest.fixture
def onednn():
    """oneDNN runs the recurrent products for one test (skipped where it cannot), then the choice before."""
    yield from onednn_for_one_test(onednn_gemm.set_recurrent_gemm, onednn_gemm._state)


def f32(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


# ---- the GEMM ---------------------------------------------------------------------------------------

def _operand(rng, rows, cols, layout):
    """A rows x cols float32 matrix: row-major, a transposed view (column-major) or a strided slice."""
    if layout == "rows":
        return f32(rng, rows, cols)
    if layout == "transposed":
        return f32(rng, cols, rows).T
    return f32(rng, rows, 2 * cols)[:, ::2]


@pytest.mark.parametrize("m, k, n", [(32, 128, 512), (32, 512, 128), (1, 1, 1), (5, 7, 3), (0, 4, 3), (4, 0, 3),
                                     (4, 3, 0), (1024, 64, 512)], ids=str)
@pytest.mark.parametrize("layout_a", ["rows", "transposed", "strided"])
@pytest.mark.parametrize("layout_b", ["rows", "transposed"])
@pytest.mark.parametrize("accumulate", [False, True], ids=["assign", "accumulate"])
def test_the_gemm_matches_numpy(onednn, m, k, n, layout_a, layout_b, accumulate, rng):
    a, b = _operand(rng, m, k, layout_a), _operand(rng, k, n, layout_b)
    before = f32(rng, m, n)
    out = before.copy()
    got = _C.onednn_gemm(a, b, out, accumulate=accumulate)
    assert got is out
    expected = a.astype(np.float64) @ b.astype(np.float64) + (before if accumulate else 0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-4 * max(k, 1) ** 0.5)


def test_the_gemm_makes_its_output(onednn, rng):
    a, b = f32(rng, 6, 4), f32(rng, 4, 5)
    out = _C.onednn_gemm(a, b)
    assert out.shape == (6, 5) and out.dtype == np.float32
    np.testing.assert_allclose(out, a @ b, rtol=1e-5, atol=1e-5)


def test_the_gemm_runs_at_any_thread_count(onednn, rng):
    a, b = f32(rng, 64, 256), f32(rng, 256, 128)
    before = fg.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 1):
            fg.set_num_threads(threads)
            results.append(_C.onednn_gemm(a, b))
            assert fg.get_num_threads() == threads  # the thread count is put back after the call
    finally:
        fg.set_num_threads(before)
    for r in results[1:]:
        np.testing.assert_allclose(r, results[0], rtol=1e-6, atol=1e-5)


def _gemm(**changes):
    args = dict(a=np.ones((2, 3), np.float32), b=np.ones((3, 4), np.float32), out=None, accumulate=False)
    args.update(changes)
    return lambda: _C.onednn_gemm(args.pop("a"), args.pop("b"), args.pop("out"), **args)


_SHARED = np.ones((3, 3), np.float32)
BAD_GEMM = [
    (_gemm(a=np.ones((2, 3))), TypeError, "argument 'a' has dtype float64"),
    (_gemm(b=[[1.0]]), TypeError, "argument 'b' must be a numpy.ndarray"),
    (_gemm(a=np.ones(3, np.float32)), ValueError, "argument 'a' must be 2-d"),
    (_gemm(b=np.ones((4, 4), np.float32)), ValueError, "do not align"),
    (_gemm(out=np.ones((2, 5), np.float32)), ValueError, "'out' has shape (2, 5), expected (2, 4)"),
    (_gemm(out=np.ones((2, 4))), TypeError, "'out' has dtype float64"),
    (_gemm(out=np.ones((4, 2), np.float32).T), ValueError, "'out' must be C-contiguous"),
    (_gemm(accumulate=True), ValueError, "accumulate=True adds to 'out'"),
    (_gemm(a=_SHARED, b=_SHARED, out=_SHARED), ValueError, "'out' overlaps argument 'a'"),
]


test_bad_gemm_input_is_refused_by_name = refusal_test(BAD_GEMM, "^onednn_gemm: ")


def _run_without_onednn(code):
    """Runs code in a fresh process, where oneDNN was never loaded; returns what it printed."""
    script = ("import numpy as np\nfrom fastgrad import _C\ntry:\n    " + code
              + "\nexcept RuntimeError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, FASTGRAD_RECURRENT_GEMM="blas"))
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_without_onednn_loaded_the_gemm_says_so():
    printed = _run_without_onednn("_C.onednn_gemm(np.ones((2, 3), np.float32), np.ones((3, 4), np.float32))")
    assert printed.startswith("onednn_gemm: oneDNN is not loaded")


def test_without_onednn_loaded_the_sequence_kernels_say_so():
    f = "np.float32"
    printed = _run_without_onednn(f"_C.lstm_seq_fwd(np.ones((2, 3, 8), {f}), w_hh=np.ones((8, 2), {f}), "
                                  f"h0=np.ones((3, 2), {f}), c0=np.ones((3, 2), {f}), onednn=True)")
    assert printed.startswith("lstm_sequence: oneDNN's matmul is not loaded")
    printed = _run_without_onednn(f"_C.gru_seq_bwd(np.ones((2, 3, 6), {f}), np.ones((2, 3, 6), {f}), "
                                  f"w_hh=np.ones((6, 2), {f}), h=np.ones((3, 3, 2), {f}), "
                                  f"grad=np.ones((3, 3, 2), {f}), onednn=True)")
    assert printed.startswith("gru_sequence_backward: oneDNN's matmul is not loaded")


def test_the_sequence_kernels_refuse_float64_on_onednn():
    with pytest.raises(ValueError, match="^lstm_sequence: onednn=True runs float32 products only, got float64"):
        _C.lstm_seq_fwd(np.ones((2, 3, 8)), w_hh=np.ones((8, 2)), h0=np.ones((3, 2)), c0=np.ones((3, 2)),
                        onednn=True)
    with pytest.raises(ValueError, match="^gru_sequence_backward: onednn=True runs float32 products only"):
        _C.gru_seq_bwd(np.ones((2, 3, 6)), np.ones((2, 3, 6)), w_hh=np.ones((6, 2)), h=np.ones((3, 3, 2)),
                       grad=np.ones((3, 3, 2)), onednn=True)


# ---- the sequence kernels ---------------------------------------------------------------------------

def twin(name, *args, **kwargs):
    as64 = [None if a is None else np.asarray(a, np.float64) for a in args]
    kw64 = {k: None if a is None else np.asarray(a, np.float64) for k, a in kwargs.items()}
    return reference.TWINS[name](np, *as64, **kw64)


def close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual, np.float64), expected, **F32_TOL)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_lstm_sequence_kernels_on_onednn_match_the_twins(onednn, shape, bias, rng):
    steps, rows, hidden = shape
    x, w_hh = f32(rng, steps, rows, 4 * hidden, scale=2.0), f32(rng, 4 * hidden, hidden, scale=hidden ** -0.5)
    h0, c0, b = f32(rng, rows, hidden), f32(rng, rows, hidden), f32(rng, 4 * hidden) if bias else None
    hc, act = _C.lstm_seq_fwd(x, w_hh=w_hh, h0=h0, c0=c0, bias=b, onednn=True)
    expected_hc, expected_act = twin("lstm_seq_fwd", x, w_hh, h0, c0, bias=b)
    close(hc, expected_hc)
    close(act, expected_act)
    grad = f32(rng, *hc.shape)
    for got, expected in zip(_C.lstm_seq_bwd(act, w_hh=w_hh, hc=hc, grad=grad, onednn=True),
                             twin("lstm_seq_bwd", act, w_hh, hc, grad)):
        close(got, expected)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_gru_sequence_kernels_on_onednn_match_the_twins(onednn, shape, bias, rng):
    steps, rows, hidden = shape
    gi, w_hh = f32(rng, steps, rows, 3 * hidden, scale=2.0), f32(rng, 3 * hidden, hidden, scale=hidden ** -0.5)
    h0, b = f32(rng, rows, hidden), f32(rng, 3 * hidden) if bias else None
    h, gh, act = _C.gru_seq_fwd(gi, w_hh=w_hh, h0=h0, bias=b, onednn=True)
    for got, expected in zip((h, gh, act), twin("gru_seq_fwd", gi, w_hh, h0, bias=b)):
        close(got, expected)
    grad = f32(rng, *h.shape)
    for got, expected in zip(_C.gru_seq_bwd(act, gh, w_hh=w_hh, h=h, grad=grad, onednn=True),
                             twin("gru_seq_bwd", act, gh, w_hh, h, grad)):
        close(got, expected)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("relu", [False, True], ids=["tanh", "relu"])
def test_rnn_sequence_kernels_on_onednn_match_the_twins(onednn, shape, relu, rng):
    steps, rows, hidden = shape
    gi, w_hh = f32(rng, steps, rows, hidden, scale=2.0), f32(rng, hidden, hidden, scale=hidden ** -0.5)
    h0 = f32(rng, rows, hidden)
    h = _C.rnn_seq_fwd(gi, w_hh=w_hh, h0=h0, relu=relu, onednn=True)
    close(h, twin("rnn_seq_fwd", gi, w_hh, h0, relu=relu))
    grad = f32(rng, *h.shape)
    for got, expected in zip(_C.rnn_seq_bwd(h, w_hh=w_hh, grad=grad, relu=relu, onednn=True),
                             twin("rnn_seq_bwd", h, w_hh, grad, relu=relu)):
        close(got, expected)


# ---- the layers -------------------------------------------------------------------------------------

def _layer_step(kind, weights, x, seed):
    """Output and every gradient (input and parameters) of a float32 fastgrad layer."""
    layer = getattr(fg.nn, kind)(5, 8, num_layers=2, bidirectional=True)
    layer.load_state_dict({k: fg.tensor(v) for k, v in weights.items()})
    xt = fg.tensor(x, requires_grad=True)
    out = layer(xt)[0]
    (out * fg.tensor(seed)).sum().backward()
    return [out.numpy(), xt.grad.numpy()] + [p.grad.numpy() for p in layer.parameters()]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_layers_on_onednn_match_the_gemm_layer_path_and_pytorch(onednn, kind, rng):
    torch = pytest.importorskip("torch")
    fg.manual_seed(0)
    weights = {k: v.numpy().copy() for k, v in getattr(fg.nn, kind)(5, 8, num_layers=2,
                                                                    bidirectional=True).state_dict().items()}
    x, seed = f32(rng, 6, 3, 5), f32(rng, 6, 3, 16)
    on_onednn = _layer_step(kind, weights, x, seed)
    onednn("blas")
    on_blas = _layer_step(kind, weights, x, seed)
    peer = getattr(torch.nn, kind)(5, 8, num_layers=2, bidirectional=True).double()
    peer.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in weights.items()})
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = peer(xt)[0]
    (out * torch.tensor(seed, dtype=torch.float64)).sum().backward()
    expected = [out.detach().numpy(), xt.grad.numpy()] + [p.grad.numpy() for p in peer.parameters()]
    assert len(on_onednn) == len(expected)
    for mine, other, wanted in zip(on_onednn, on_blas, expected):
        assert mine.dtype == np.float32
        np.testing.assert_allclose(mine, wanted, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(mine, other, rtol=1e-4, atol=1e-5)


# ---- the choice -------------------------------------------------------------------------------------

def test_the_choice_is_checked_and_named(monkeypatch):
    saved = dict(onednn_gemm._state)
    try:
        with pytest.raises(ValueError, match="^set_recurrent_gemm: argument 'name' must be one of"):
            onednn_gemm.set_recurrent_gemm("mkl")
        assert onednn_gemm.set_recurrent_gemm("blas") == "blas"
        assert onednn_gemm.get_recurrent_gemm() == "blas"
        assert onednn_gemm.recurrent_gemm_description().startswith("the GEMM layer")
        assert not onednn_gemm.runs_on_onednn([np.ones(2, np.float32)])
        onednn_gemm._state["active"] = None
        monkeypatch.setenv("FASTGRAD_RECURRENT_GEMM", "bogus")
        with pytest.warns(RuntimeWarning, match="FASTGRAD_RECURRENT_GEMM='bogus'"):
            assert onednn_gemm.get_recurrent_gemm() in ("onednn", "blas")
    finally:
        onednn_gemm._state.update(saved)


def test_only_float32_numpy_arrays_go_to_onednn(onednn):
    assert onednn_gemm.runs_on_onednn([np.ones(2, np.float32), None])
    assert not onednn_gemm.runs_on_onednn([np.ones(2, np.float32), np.ones(2)])
    assert onednn_gemm.recurrent_gemm_description().startswith("onednn ")
