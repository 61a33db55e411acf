"""numpy.fft with gradients: fft ifft fft2 ifft2 fftn ifftn, rfft irfft rfft2
irfft2 rfftn irfftn, fftshift ifftshift (the rest is NumPy's: fftfreq, ...).

Each transform resizes its input (n= / s=, zero padding or truncation, which
is differentiable) and then applies one of three primitives:

- complex to complex, F (any norm): F is symmetric, so g -> F g;
- real to complex (rfftn = first half of fftn): g -> real(fftn(g zero-padded));
- complex to real (irfftn): g -> conj(w * rfftn(g)) with the inverse's dual
  normalization, where w = 2 for the bins that stand for two (a bin and its
  mirror), 1 for bin 0 and the Nyquist bin.

Gradients follow the HIPS convention of fastgrad.numpy.complex.
"""
import numpy as onp

from ..autograd.tensor import Tensor
from ..extend import defvjp, primitive
from .complex import conjugate, real
from .registry import FUNCTIONS, plain
from .rearrange import pad, roll

__all__ = ["fft", "fft2", "fftn", "fftshift", "ifft", "ifft2", "ifftn", "ifftshift", "irfft", "irfft2",
           "irfftn", "rfft", "rfft2", "rfftn"]

_DUAL = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _shape(x):
    return onp.shape(plain(x))


def _resize(x, axis, n):
    """x zero-padded or truncated to length n along axis."""
    have = _shape(x)[axis]
    if n == have:
        return x
    if n < have:
        return x[(slice(None),) * (axis % len(_shape(x))) + (slice(0, n),)]
    width = [(0, 0)] * len(_shape(x))
    width[axis] = (0, n - have)
    return pad(x, width) if isinstance(x, Tensor) else onp.pad(x, width)


def _axes_and_sizes(x, s, axes):
    ndim = len(_shape(x))
    if axes is None:
        axes = list(range(ndim)) if s is None else list(range(ndim - len(s), ndim))
    axes = [a % ndim for a in axes]
    if s is not None and len(s) != len(axes):
        raise ValueError("fft: s and axes must have the same length")
    return axes, (list(s) if s is not None else None)


# ---- the three primitives ------------------------------------------------------------------

@primitive
def _c2c(x, axes, norm, inverse):
    return (onp.fft.ifftn if inverse else onp.fft.fftn)(x, axes=axes, norm=norm)


@primitive
def _r2c(x, axes, norm):
    return onp.fft.rfftn(x, axes=axes, norm=norm)


@primitive
def _c2r(x, axes, n_last, norm):
    sizes = [onp.shape(x)[a] for a in axes[:-1]] + [n_last]
    return onp.fft.irfftn(x, s=sizes, axes=axes, norm=norm)


def _c2c_vjp(ans, x, axes, norm, inverse):
    def gradient(g):
        out = _c2c(g, axes, norm, inverse)
        return out if onp.iscomplexobj(plain(x)) else real(out)
    return gradient


def _r2c_vjp(ans, x, axes, norm):
    def gradient(g):
        return real(_c2c(_resize(g, axes[-1], _shape(x)[axes[-1]]), axes, norm, False))
    return gradient


def _c2r_vjp(ans, x, axes, n_last, norm):
    m = _shape(x)[axes[-1]]
    weights = onp.full(m, 2.0)
    weights[0] = 1.0
    if n_last % 2 == 0:
        weights[-1] = 1.0
    weights = weights.reshape((m,) + (1,) * (len(_shape(x)) - 1 - axes[-1]))

    def gradient(g):
        return conjugate(_r2c(g, axes, _DUAL[norm]) * weights)
    return gradient


defvjp(_c2c, _c2c_vjp)
defvjp(_r2c, _r2c_vjp)
defvjp(_c2r, _c2r_vjp)


# ---- NumPy's functions ------------------------------------------------------------------------

def _complex_transform(a, s, axes, norm, inverse):
    axes, sizes = _axes_and_sizes(a, s, axes)
    if sizes is not None:
        for axis, n in zip(axes, sizes):
            a = _resize(a, axis, n)
    return _c2c(a, tuple(axes), norm, inverse)


def fftn(a, s=None, axes=None, norm=None):
    """The n-dimensional discrete Fourier transform."""
    return _complex_transform(a, s, axes, norm, False)


def ifftn(a, s=None, axes=None, norm=None):
    """The n-dimensional inverse discrete Fourier transform."""
    return _complex_transform(a, s, axes, norm, True)


def rfftn(a, s=None, axes=None, norm=None):
    """The n-dimensional transform of a real input (the last axis halved)."""
    axes, sizes = _axes_and_sizes(a, s, axes)
    if sizes is not None:
        for axis, n in zip(axes, sizes):
            a = _resize(a, axis, n)
    return _r2c(a, tuple(axes), norm)


def irfftn(a, s=None, axes=None, norm=None):
    """The inverse of rfftn: a real output, of length s[-1] (2 (m - 1) by default) on the last axis."""
    axes, sizes = _axes_and_sizes(a, s, axes)
    n_last = sizes[-1] if sizes is not None else 2 * (_shape(a)[axes[-1]] - 1)
    if sizes is not None:
        for axis, n in zip(axes[:-1], sizes[:-1]):
            a = _resize(a, axis, n)
    a = _resize(a, axes[-1], n_last // 2 + 1)
    return _c2r(a, tuple(axes), n_last, norm)


def _along(nd_transform, axes_count):
    """numpy.fft's one-axis (fft: a, n, axis, norm) or two-axes (fft2: a, s, axes, norm) form of
    an n-dimensional transform (fftn)."""
    if axes_count == 1:
        def transform(a, n=None, axis=-1, norm=None):
            return nd_transform(a, None if n is None else [n], [axis], norm)
    else:
        def transform(a, s=None, axes=(-2, -1), norm=None):
            return nd_transform(a, s, axes, norm)
    name = nd_transform.__name__[:-1] + ("" if axes_count == 1 else "2")
    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = f"{nd_transform.__name__} along {'one axis' if axes_count == 1 else 'two axes'}."
    return transform


fft, ifft, rfft, irfft = (_along(nd_transform, 1) for nd_transform in (fftn, ifftn, rfftn, irfftn))
fft2, ifft2, rfft2, irfft2 = (_along(nd_transform, 2) for nd_transform in (fftn, ifftn, rfftn, irfftn))


def _shift(x, axes, sign):
    shape = _shape(x)
    axes = list(range(len(shape))) if axes is None else [axes] if isinstance(axes, int) else list(axes)
    shifts = [sign * (shape[a] // 2) for a in axes]
    return roll(x, shifts, axes) if isinstance(x, Tensor) else onp.roll(x, shifts, axes)


def fftshift(x, axes=None):
    """The zero-frequency term moved to the centre."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift."""
    return _shift(x, axes, -1)


def __getattr__(name):
    return getattr(onp.fft, name)


# numpy.fft.<name>(tensor) comes here too (Tensor.__array_function__).
for _name in __all__:
    FUNCTIONS[getattr(onp.fft, _name)] = globals()[_name]
