"""Short-time Fourier transforms and window functions with PyTorch's names and meanings:
stft, istft, hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window.

stft and istft are composed of differentiable ops (padding, gathering frames, the FFTs of
fastgrad.fft, index_add for the overlap-add), so a loss on a spectrogram differentiates back
to the signal:

    import fastgrad as torch
    spec = torch.stft(audio, n_fft=512, hop_length=128, window=torch.hann_window(512), return_complex=True)
    loss = (spec.abs() - target_magnitude).abs().mean()
"""
import math
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..creation import _leaf, _dtype
from .. import fft as _fft
from ..ops import shape as _shape

__all__ = ["bartlett_window", "blackman_window", "hamming_window", "hann_window", "kaiser_window", "istft", "stft"]


# ---- window functions ----------------------------------------------------------------------

def _window(op, window_length, periodic, dtype, device, requires_grad, values):
    """A window of `window_length` points from values(n, N) (n = 0..N-1 over the symmetric
    window of N points); periodic: the symmetric window one longer, its last point dropped."""
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)) or window_length < 0:
        raise ValueError(f"{op}: argument 'window_length' must be a non-negative int, got {window_length!r}")
    dtype = _dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"{op}: expects a floating point dtype, got {dtype}")
    if window_length <= 1:
        return _leaf(np.ones(window_length, dtype), requires_grad, device)
    n = window_length + 1 if periodic else window_length
    w = values(np.arange(n, dtype=np.float64), n)[:window_length]
    return _leaf(w.astype(dtype), requires_grad, device)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """0.5 - 0.5 cos(2 pi n / (N - 1)); periodic (the default) for spectral analysis."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.5 - 0.5 * np.cos(2 * math.pi * n / (N - 1)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """alpha - beta cos(2 pi n / (N - 1))."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: alpha - beta * np.cos(2 * math.pi * n / (N - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 0.42 - 0.5 * np.cos(2 * math.pi * n / (N - 1)) + 0.08 * np.cos(4 * math.pi * n / (N - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False):
    """1 - |2 n / (N - 1) - 1| (a triangle)."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: 1 - np.abs(2 * n / (N - 1) - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):
    """I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta), I0 the modified Bessel function."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, N: np.i0(beta * np.sqrt(np.clip(1 - (2 * n / (N - 1) - 1) ** 2, 0, None))) / np.i0(beta))


# ---- stft and istft -------------------------------------------------------------------------

def _lengths(op, n_fft, hop_length, win_length):
    if isinstance(n_fft, bool) or not isinstance(n_fft, (int, np.integer)) or n_fft <= 0:
        raise ValueError(f"{op}: argument 'n_fft' must be a positive int, got {n_fft!r}")
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length
    if hop_length <= 0:
        raise ValueError(f"{op}: argument 'hop_length' must be positive, got {hop_length}")
    if not 0 < win_length <= n_fft:
        raise ValueError(f"{op}: argument 'win_length' must be in (0, n_fft = {n_fft}], got {win_length}")
    return int(n_fft), int(hop_length), int(win_length)


def _full_window(op, window, n_fft, win_length, dtype):
    """The window as an (n_fft,) array of `dtype` (its complex form for a complex window): ones
    when None, centred between zeros when shorter than n_fft.  It is a constant (no gradient)."""
    if window is None:
        if op == "stft":
            warnings.warn("stft: no window was given, so a rectangular one is used (it leaks spectrum); pass "
                          "window=hann_window(n_fft) or window=ones(n_fft) explicitly", UserWarning, stacklevel=3)
        w = np.ones(win_length, dtype)
    else:
        w = np.asarray(window._data if isinstance(window, Tensor) else window)
        if w.shape != (win_length,):
            raise RuntimeError(f"{op}: expected a 1-d window of win_length = {win_length} points, got shape "
                               f"{tuple(w.shape)}")
    left = (n_fft - win_length) // 2
    w = np.pad(w, (left, n_fft - win_length - left))
    return w.astype(np.result_type(dtype, np.complex64) if w.dtype.kind == "c" else dtype)


def _real_dtype(dtype):
    return np.float32 if dtype in (np.float32, np.complex64) else np.float64


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None):
    """The short-time Fourier transform of a signal (L,) or batch (B, L): (B?, n_freq, n_frames)
    complex values of frames n_fft long taken every hop_length samples, each times the window.

    center pads the signal by n_fft // 2 on both sides (pad_mode 'reflect', 'constant',
    'replicate' or 'circular'); normalized multiplies by n_fft ** -0.5; onesided (the default
    for real input and window) keeps the n_fft // 2 + 1 non-negative frequencies.  For real
    input, return_complex must be given, as in PyTorch; False returns (..., 2) real pairs."""
    from ..nn import functional as F

    op = "stft"
    x = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if x.ndim not in (1, 2):
        raise ValueError(f"stft: expected a 1-d (L,) or 2-d (B, L) input, got shape {tuple(x.shape)}")
    complex_input = x.dtype.kind == "c"
    if return_complex is None:
        if not complex_input and not (isinstance(window, Tensor) and window.dtype.kind == "c"):
            raise RuntimeError("stft: the return_complex parameter must be given for real inputs "
                               "(return_complex=True returns complex values)")
        return_complex = True
    n_fft, hop_length, win_length = _lengths(op, n_fft, hop_length, win_length)
    batched = x.ndim == 2
    signal = x if batched else x.unsqueeze(0)
    if center:
        pad = n_fft // 2
        if pad_mode not in ("reflect", "constant", "replicate", "circular"):
            raise ValueError(f"stft: argument 'pad_mode' must be 'reflect', 'constant', 'replicate' or 'circular', "
                             f"got {pad_mode!r}")
        signal = F.pad(signal.unsqueeze(1), (pad, pad), mode=pad_mode).squeeze(1)
    length = signal.shape[-1]
    if length < n_fft:
        raise RuntimeError(f"stft: the (padded) signal has {length} samples, fewer than n_fft = {n_fft}")
    frames_count = 1 + (length - n_fft) // hop_length
    starts = np.arange(frames_count) * hop_length
    frames = signal[:, starts[:, None] + np.arange(n_fft)]          # (B, frames, n_fft)
    w = _full_window(op, window, n_fft, win_length, _real_dtype(signal.dtype))
    frames = frames * Tensor(w)
    if onesided is None:
        onesided = not complex_input and w.dtype.kind != "c"
    if onesided and (complex_input or w.dtype.kind == "c"):
        raise RuntimeError("stft: onesided=True needs a real input and a real window")
    spectrum = _fft.rfft(frames, dim=-1) if onesided else _fft.fft(frames, dim=-1)
    if normalized:
        spectrum = spectrum * (1.0 / math.sqrt(n_fft))
    spectrum = _shape.swapaxes(spectrum, -1, -2)                      # (B, n_freq, frames)
    if not batched:
        spectrum = spectrum.squeeze(0)
    if return_complex:
        return spectrum
    from .complex_parts import view_as_real

    return view_as_real(spectrum)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """The signal whose stft (with the same arguments) is `input` (B?, n_freq, n_frames): the
    inverse FFT of each frame, times the window, overlap-added and divided by the sum of the
    squared windows at each sample (which must not vanish: the NOLA condition)."""
    op = "istft"
    spec = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if spec.dtype.kind != "c":
        raise RuntimeError(f"istft: expected a complex input (as stft(..., return_complex=True) gives), got dtype "
                           f"{spec.dtype}")
    if spec.ndim not in (2, 3):
        raise ValueError(f"istft: expected a 2-d (n_freq, n_frames) or 3-d (B, n_freq, n_frames) input, got shape "
                         f"{tuple(spec.shape)}")
    n_fft, hop_length, win_length = _lengths(op, n_fft, hop_length, win_length)
    batched = spec.ndim == 3
    spec = spec if batched else spec.unsqueeze(0)
    n_freq, frames_count = spec.shape[1], spec.shape[2]
    if onesided is None:
        onesided = n_freq != n_fft
    expected = n_fft // 2 + 1 if onesided else n_fft
    if n_freq != expected:
        raise RuntimeError(f"istft: expected {expected} frequencies for n_fft = {n_fft} "
                           f"({'onesided' if onesided else 'two-sided'}), got {n_freq}")
    if onesided and return_complex:
        raise RuntimeError("istft: return_complex=True needs a two-sided input (onesided=False)")
    real_dtype = _real_dtype(spec.dtype)
    w = _full_window(op, window, n_fft, win_length, real_dtype)
    if w.dtype.kind == "c":
        raise RuntimeError("istft: the window must be real")
    rows = _shape.swapaxes(spec, -1, -2)                               # (B, frames, n_freq)
    if normalized:
        rows = rows * math.sqrt(n_fft)
    if return_complex:
        frames = _fft.ifft(rows, n=n_fft, dim=-1)
    else:   # a real signal: its spectrum's non-negative half (of a two-sided one too, as PyTorch)
        frames = _fft.irfft(rows if onesided else rows[..., :n_fft // 2 + 1], n=n_fft, dim=-1)
    frames = frames * Tensor(w)
    total = n_fft + hop_length * (frames_count - 1)
    positions = (np.arange(frames_count)[:, None] * hop_length + np.arange(n_fft)).reshape(-1)
    from .accumulation import index_add

    batch = frames.shape[0]
    signal = index_add(Tensor(np.zeros((batch, total), frames.dtype)), 1, Tensor(positions),
                       frames.reshape(batch, -1))
    envelope = np.zeros(total, real_dtype)
    np.add.at(envelope, positions, np.tile(w * w, frames_count))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + length
    kept = envelope[start:min(end, total)]
    if kept.size and np.abs(kept).min() < 1e-11:
        raise RuntimeError("istft: the window's overlap-add has zeros (the NOLA condition fails): choose a window "
                           "and hop_length whose squared windows overlap everywhere")
    signal = signal[:, start:min(end, total)] / Tensor(kept)
    if end > total:   # a length longer than the frames cover: zeros after them, as PyTorch
        warnings.warn(f"istft: the frames cover {total - start} samples, fewer than length = {length}; the rest "
                      "is zeros (check center and hop_length)", UserWarning, stacklevel=2)
        signal = _shape.concatenate([signal, Tensor(np.zeros((batch, end - total), signal.dtype))], axis=1)
    return signal if batched else signal.squeeze(0)
