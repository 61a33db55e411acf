"""stft, istft, the window functions and the complex-number helpers (complex, polar,
view_as_real, view_as_complex, angle): values and gradients against PyTorch and numerical
gradients, round trips, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import gradcheck

rng = np.random.default_rng(11)
WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_windows_equal_pytorchs(name, periodic, dtype):
    torch = pytest.importorskip("torch")
    for n in (0, 1, 2, 7, 8, 64):
        ours = getattr(fg, name)(n, periodic, dtype=getattr(fg, dtype))
        theirs = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype))
        assert ours.dtype == np.dtype(dtype) and ours.shape == (n,)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6 if dtype == "float32" else 1e-12,
                                   atol=1e-7 if dtype == "float32" else 1e-14)


def test_window_parameters_and_errors():
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(fg.hamming_window(9, True, 0.5, 0.5, dtype=fg.float64).numpy(),
                               torch.hamming_window(9, True, 0.5, 0.5, dtype=torch.float64).numpy())
    np.testing.assert_allclose(fg.kaiser_window(9, False, 5.0, dtype=fg.float64).numpy(),
                               torch.kaiser_window(9, False, 5.0, dtype=torch.float64).numpy(), rtol=1e-12)
    assert fg.hann_window(4).dtype == fg.get_default_dtype()
    with pytest.raises(ValueError, match="hann_window: argument 'window_length'"):
        fg.hann_window(-1)
    with pytest.raises(ValueError, match="hann_window: expects a floating point dtype"):
        fg.hann_window(4, dtype=fg.int64)


STFT_OPTIONS = [dict(n_fft=16), dict(n_fft=16, hop_length=5, win_length=12, normalized=True),
                dict(n_fft=15, center=False), dict(n_fft=16, onesided=False), dict(n_fft=8, pad_mode="constant"),
                dict(n_fft=8, hop_length=3, pad_mode="replicate"), dict(n_fft=8, pad_mode="circular")]


def _stft_both(signal, options, window=True):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (fg, torch):
        x = lib.tensor(signal, requires_grad=True)
        w = lib.hann_window(options.get("win_length", options["n_fft"]), dtype=x.dtype) if window else None
        spec = lib.stft(x, window=w, return_complex=True, **options)
        (spec.abs() ** 2).sum().backward()
        results.append((spec.detach().numpy(), x.grad.numpy()))
    return results


@pytest.mark.parametrize("options", STFT_OPTIONS)
@pytest.mark.parametrize("shape", [(100,), (2, 100)])
def test_stft_and_its_gradient_equal_pytorchs(options, shape):
    (ours, our_grad), (theirs, their_grad) = _stft_both(rng.standard_normal(shape), options)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(our_grad, their_grad, atol=1e-11)


@pytest.mark.filterwarnings("ignore:A window was not provided")
def test_stft_float32_without_window_and_real_pairs():
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(64).astype(np.float32)
    with pytest.warns(UserWarning, match="stft: no window was given"):
        ours = fg.stft(fg.tensor(x), 16, return_complex=True)
    theirs = torch.stft(torch.tensor(x), 16, return_complex=True)
    assert ours.dtype == np.complex64
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), atol=1e-5)
    pairs = fg.stft(fg.tensor(x), 16, window=fg.ones(16), return_complex=False)
    assert pairs.shape == tuple(theirs.shape) + (2,)
    np.testing.assert_allclose(pairs.numpy(), torch.view_as_real(theirs).numpy(), atol=1e-5)


def test_stft_gradient_equals_numerical_one():
    w = fg.hann_window(8, dtype=fg.float64)
    assert gradcheck(lambda x: fg.stft(x, 8, hop_length=3, window=w, return_complex=True).abs(),
                     (fg.tensor(rng.standard_normal(20), requires_grad=True),))


@pytest.mark.filterwarnings("ignore:The length of signal is shorter")
@pytest.mark.filterwarnings("ignore:istft. the frames cover")
@pytest.mark.parametrize("options", [o for o in STFT_OPTIONS if o.get("center", True) and "pad_mode" not in o])
@pytest.mark.parametrize("length", [None, 90, 110])
def test_istft_equals_pytorchs_and_inverts_stft(options, length):
    torch = pytest.importorskip("torch")
    signal = rng.standard_normal((2, 100))
    spec = torch.stft(torch.tensor(signal), window=torch.hann_window(options.get("win_length", options["n_fft"]),
                                                                     dtype=torch.float64),
                      return_complex=True, **options).numpy()
    keywords = {k: v for k, v in options.items() if k != "n_fft"}
    if length == 110 and "win_length" in options:
        # The last frame's window ends in zeros, so samples past it cannot be recovered: both refuse.
        for lib, message in ((fg, "NOLA"), (torch, "window overlap add min")):
            w = lib.hann_window(options["win_length"], dtype=lib.float64)
            with pytest.raises(RuntimeError, match=message):
                lib.istft(lib.tensor(spec), options["n_fft"], window=w, length=length, **keywords)
        return
    outputs = []
    for lib in (fg, torch):
        s = lib.tensor(spec, requires_grad=True)
        w = lib.hann_window(options.get("win_length", options["n_fft"]), dtype=lib.float64)
        y = lib.istft(s, options["n_fft"], window=w, length=length, **keywords)
        (y ** 2).sum().backward()
        outputs.append((y.detach().numpy(), s.grad.numpy()))
    (ours, our_grad), (theirs, their_grad) = outputs
    np.testing.assert_allclose(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(our_grad.real, their_grad.real, atol=1e-12)  # the real parts: one convention
    kept = min(ours.shape[1], 100)
    np.testing.assert_allclose(ours[:, :kept], signal[:, :kept], atol=1e-12)   # the round trip
    if length == 110:   # frames cover the signal and its reflected end, then zeros
        covered = options["n_fft"] + options.get("hop_length", options["n_fft"] // 4) * (spec.shape[-1] - 1)
        np.testing.assert_array_equal(ours[:, covered - options["n_fft"] // 2:], 0.0)


def test_stft_and_istft_errors_are_named():
    x = fg.randn(50)
    w8 = fg.hann_window(8)
    with pytest.raises(RuntimeError, match="stft: the return_complex parameter must be given"):
        fg.stft(x, 8)
    with pytest.raises(ValueError, match="stft: argument 'n_fft'"):
        fg.stft(x, 0, window=w8, return_complex=True)
    with pytest.raises(ValueError, match="stft: argument 'win_length'"):
        fg.stft(x, 8, win_length=9, window=w8, return_complex=True)
    with pytest.raises(RuntimeError, match="stft: expected a 1-d window of win_length = 8"):
        fg.stft(x, 8, window=fg.ones(7), return_complex=True)
    with pytest.raises(ValueError, match="stft: expected a 1-d"):
        fg.stft(fg.randn(2, 2, 50), 8, window=w8, return_complex=True)
    with pytest.raises(ValueError, match="stft: argument 'pad_mode'"):
        fg.stft(x, 8, window=w8, pad_mode="wrap", return_complex=True)
    with pytest.raises(RuntimeError, match="istft: expected a complex input"):
        fg.istft(fg.randn(5, 7), 8)
    with pytest.raises(RuntimeError, match="istft: expected 5 frequencies"):
        fg.istft(fg.stft(x, 16, window=fg.hann_window(16), return_complex=True), 8)
    spec = fg.stft(x, 8, window=w8, return_complex=True)
    with pytest.warns(UserWarning, match="istft: the frames cover 54 samples, fewer than length = 60"):
        assert fg.istft(spec, 8, window=w8, length=60).shape == (60,)
    with pytest.raises(RuntimeError, match="NOLA"):
        fg.istft(fg.stft(x, 8, hop_length=8, window=fg.hann_window(8, periodic=False), return_complex=True), 8,
                 hop_length=8, window=fg.hann_window(8, periodic=False))


def test_complex_helpers_equal_pytorchs():
    torch = pytest.importorskip("torch")
    re, im = rng.standard_normal(5), rng.standard_normal(5)
    weights = rng.standard_normal((5, 2))
    outputs = []
    for lib in (fg, torch):
        a, b = lib.tensor(re, requires_grad=True), lib.tensor(im, requires_grad=True)
        z = lib.complex(a, b)
        p = lib.polar(a.abs(), b)
        pairs = lib.view_as_real(z * p)
        back = lib.view_as_complex(pairs)
        loss = (pairs * lib.tensor(weights)).sum() + lib.angle(back).sum() + back.angle().sum()
        loss.backward()
        outputs.append([t.detach().numpy() for t in (z, p, pairs, back, lib.angle(a))] + [a.grad.numpy(),
                                                                                          b.grad.numpy()])
    for ours, theirs in zip(*outputs):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    assert fg.complex(fg.ones(2), fg.ones(2)).dtype == np.complex64


def test_complex_helpers_refuse_bad_arguments():
    with pytest.raises(RuntimeError, match="complex: expected 'real' and 'imag' of one dtype"):
        fg.complex(fg.ones(2), fg.ones(2, dtype=fg.float64))
    with pytest.raises(RuntimeError, match="polar: expected float32 or float64"):
        fg.polar(fg.ones(2, dtype=fg.int64), fg.ones(2, dtype=fg.int64))
    with pytest.raises(RuntimeError, match="view_as_real: expected a complex tensor"):
        fg.view_as_real(fg.ones(2))
    with pytest.raises(RuntimeError, match="view_as_complex: the last dimension must have size 2"):
        fg.view_as_complex(fg.ones(2, 3))
