"""fastgrad.fft: PyTorch's torch.fft, differentiable, over fastgrad.numpy.fft's transforms.

    import fastgrad as torch
    spectrum = torch.fft.rfft(signal, dim=-1, norm="ortho")
    freqs = torch.fft.rfftfreq(signal.shape[-1], d=1 / rate)

PyTorch's argument names (dim=, s=, n=, norm=) on NumPy's transforms; a float32 input gives
complex64, a float64 one complex128, as in PyTorch.  Gradients of complex inputs follow
fastgrad's convention (fastgrad.numpy.complex: the conjugates of PyTorch's); through a real
input to a real loss they are PyTorch's.
"""
import numpy as np

from .autograd.primitive import Primitive
from .autograd.tensor import Tensor
from .creation import _dtype, _leaf, tensor as _new_tensor
from .numpy import fft as _fft
from .numpy.complex import conjugate as _conjugate

__all__ = ["fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "hfft2", "hfftn", "ifft", "ifft2", "ifftn",
           "ifftshift", "ihfft", "ihfft2", "ihfftn", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn"]

_NORMS = (None, "backward", "ortho", "forward")


def _input(op, x, real=False):
    x = x if isinstance(x, Tensor) else _new_tensor(x)
    kind = x.dtype.kind
    if kind in "biu":
        from .dtypes import get_default_dtype

        x = x.to(get_default_dtype())
    elif kind == "c" and real:
        raise TypeError(f"fft.{op}: expects a real input, got {x.dtype} (use fft.{op[1:]} for complex input)")
    elif kind not in "fc":
        raise TypeError(f"fft.{op}: expects a numeric tensor, got {x.dtype}")
    return x


def _norm(op, norm):
    if norm not in _NORMS:
        raise ValueError(f"fft.{op}: argument 'norm' must be 'forward', 'backward' or 'ortho', got {norm!r}")
    return norm


def _dim(op, x, dim):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"fft.{op}: argument 'dim' must be an int, got {dim!r}")
    if not -max(x.ndim, 1) <= dim < max(x.ndim, 1) or x.ndim == 0:
        raise IndexError(f"fft.{op}: dim {dim} is out of range for a tensor of {x.ndim} dimensions")
    return int(dim)


def _length(op, n):
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"fft.{op}: argument 'n' must be a positive int, got {n!r}")
    return n


def _dims_and_sizes(op, x, s, dim, default_all):
    """(dims, sizes) as lists: dim defaults to the last len(s) dimensions, or all of them
    (default_all) or the last two."""
    if dim is None:
        count = len(s) if s is not None else (x.ndim if default_all else 2)
        dim = list(range(x.ndim - count, x.ndim))
    dims = [dim] if isinstance(dim, int) else list(dim)
    for d in dims:
        _dim(op, x, d)
    if len({d % x.ndim for d in dims}) != len(dims):
        raise ValueError(f"fft.{op}: repeated dimension in dim {dim!r}")
    if s is not None:
        s = list(s)
        if len(s) != len(dims):
            raise ValueError(f"fft.{op}: s {tuple(s)} and dim {tuple(dims)} must have the same length")
        for n in s:
            if n != -1:
                _length(op, n)
        s = [x.shape[d] if n == -1 else n for n, d in zip(s, dims)]
    return dims, s


def _one_dim(name, doc, real_input=False):
    def transform(input, n=None, dim=-1, norm=None):
        x = _input(name, input, real_input)
        return getattr(_fft, name)(x, _length(name, n), _dim(name, x, dim), _norm(name, norm))

    transform.__name__ = name
    transform.__doc__ = doc
    return transform


def _many_dims(name, numpy_name, default_all, doc, real_input=False):
    def transform(input, s=None, dim=None, norm=None):
        x = _input(name, input, real_input)
        dims, sizes = _dims_and_sizes(name, x, s, dim, default_all)
        return getattr(_fft, numpy_name)(x, sizes, dims, _norm(name, norm))

    transform.__name__ = name
    transform.__doc__ = doc
    return transform


fft = _one_dim("fft", "The discrete Fourier transform along `dim`, input zero-padded or cut to n.")
ifft = _one_dim("ifft", "The inverse discrete Fourier transform along `dim`.")
rfft = _one_dim("rfft", "The transform of a real input along `dim`: the n // 2 + 1 non-negative frequencies.",
                real_input=True)
irfft = _one_dim("irfft", "The inverse of rfft: a real output of length n (2 (m - 1) by default) along `dim`.")
fft2 = _many_dims("fft2", "fftn", False, "The 2-d transform over `dim` (the last two dimensions by default).")
ifft2 = _many_dims("ifft2", "ifftn", False, "The inverse 2-d transform.")
fftn = _many_dims("fftn", "fftn", True,
                  "The n-d transform over `dim` (all dimensions, or the last len(s), by default).")
ifftn = _many_dims("ifftn", "ifftn", True, "The inverse n-d transform.")
rfft2 = _many_dims("rfft2", "rfftn", False, "The 2-d transform of a real input (the last dimension halved).",
                   real_input=True)
irfft2 = _many_dims("irfft2", "irfftn", False, "The inverse of rfft2.")
rfftn = _many_dims("rfftn", "rfftn", True, "The n-d transform of a real input (the last dimension halved).",
                   real_input=True)
irfftn = _many_dims("irfftn", "irfftn", True, "The inverse of rfftn.")


# hfft / ihfft are irfft / rfft of the conjugate with the normalization moved to the other direction
_OTHER_DIRECTION = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


class _RealAsComplex(Primitive):
    """A real array as a complex one (imaginary part 0); the gradient is the real part of the
    complex gradient (which the engine would otherwise cast with NumPy's ComplexWarning)."""

    @staticmethod
    def forward(ctx, b, x):
        return x.astype(np.complex64 if x.dtype == np.float32 else np.complex128)

    @staticmethod
    def backward(ctx, b, g):
        return b.xp.real(g)


def _as_complex(x):
    return x if x.dtype.kind == "c" else _RealAsComplex.apply(x)


def hfft(input, n=None, dim=-1, norm=None):
    """The transform of a Hermitian-symmetric signal given by its first half (m = n // 2 + 1 values
    along `dim`; n = 2 (m - 1) by default): a real output of length n,

        hfft(x, n)[k] = sum_j X[j] exp(-2 pi i j k / n),  X the full signal (X[n - j] = conj(x[j])),

    unscaled with norm="backward" (the default), scaled by 1/n with "forward" and 1/sqrt(n) with
    "ortho"; it equals irfft(conj(x), n) with the normalization of the opposite direction.
    Differentiable (complex gradients in fastgrad's convention, the conjugates of PyTorch's).

    >>> fastgrad.fft.hfft(fastgrad.tensor([1.0, 0.0, 0.0])).tolist()      # a constant signal of length 4
    [1.0, 1.0, 1.0, 1.0]
    """
    x = _input("hfft", input)
    n, dim, norm = _length("hfft", n), _dim("hfft", x, dim), _norm("hfft", norm)
    return _fft.irfft(_conjugate(_as_complex(x)), n, dim, _OTHER_DIRECTION[norm])


def ihfft(input, n=None, dim=-1, norm=None):
    """The inverse of hfft for a real input: the first n // 2 + 1 values of its inverse transform
    (the rest are their conjugates), conj(rfft(x, n)) with the normalization of the opposite
    direction (scaled by 1/n with norm="backward", the default). Differentiable.

    >>> fastgrad.fft.ihfft(fastgrad.tensor([1.0, 1.0, 1.0, 1.0]))     # 1, 0, 0 (complex64)
    """
    x = _input("ihfft", input)
    if x.dtype.kind == "c":
        raise TypeError(f"fft.ihfft: expects a real input, got {x.dtype} (use fft.ifft for complex input)")
    n, dim, norm = _length("ihfft", n), _dim("ihfft", x, dim), _norm("ihfft", norm)
    return _conjugate(_fft.rfft(x, n, dim, _OTHER_DIRECTION[norm]))


def _hermitian_many_dims(name, default_all, inverse):
    def transform(input, s=None, dim=None, norm=None):
        x = _input(name, input)
        if inverse and x.dtype.kind == "c":
            raise TypeError(f"fft.{name}: expects a real input, got {x.dtype} (use fft.ifftn for complex input)")
        dims, sizes = _dims_and_sizes(name, x, s, dim, default_all)
        other = _OTHER_DIRECTION[_norm(name, norm)]
        if inverse:
            return _conjugate(_fft.rfftn(x, sizes, dims, other))
        return _fft.irfftn(_conjugate(_as_complex(x)), sizes, dims, other)

    transform.__name__ = name
    return transform


hfftn = _hermitian_many_dims("hfftn", True, inverse=False)
hfftn.__doc__ = """hfft over several dimensions (all, or the last len(s), by default): the last of `dim` holds
    the first half of a Hermitian-symmetric signal, the output is real; irfftn(conj(x)) with the
    normalization of the opposite direction. Differentiable."""
hfft2 = _hermitian_many_dims("hfft2", False, inverse=False)
hfft2.__doc__ = "hfftn over two dimensions (the last two by default)."
ihfftn = _hermitian_many_dims("ihfftn", True, inverse=True)
ihfftn.__doc__ = """The inverse of hfftn for a real input: conj(rfftn(x)) with the normalization of the opposite
    direction (the last of `dim` halved). Differentiable."""
ihfft2 = _hermitian_many_dims("ihfft2", False, inverse=True)
ihfft2.__doc__ = "ihfftn over two dimensions (the last two by default)."


def _frequencies(op, numpy_function, n, d, dtype, device, requires_grad):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"fft.{op}: argument 'n' must be a non-negative int, got {n!r}")
    if n == 0:   # as PyTorch: no frequencies, or rfft's one bin at 0 / 0
        return _leaf(np.full((0,) if op == "fftfreq" else (1,), np.nan, dtype=_dtype(dtype)), requires_grad, device)
    return _leaf(numpy_function(int(n), d=float(d)).astype(_dtype(dtype)), requires_grad, device)


def fftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False):
    """The sample frequencies of an n-point transform with sample spacing d:
    [0, 1, ..., n/2 - 1, -n/2, ..., -1] / (d n) (in the default dtype)."""
    return _frequencies("fftfreq", np.fft.fftfreq, n, d, dtype, device, requires_grad)


def rfftfreq(n, d=1.0, *, dtype=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of rfft: [0, 1, ..., n // 2] / (d n)."""
    return _frequencies("rfftfreq", np.fft.rfftfreq, n, d, dtype, device, requires_grad)


def _shift(name, input, dim):
    x = input if isinstance(input, Tensor) else _new_tensor(input)
    if dim is not None:
        for d in ([dim] if isinstance(dim, int) else list(dim)):
            _dim(name, x, d)
    if x.ndim == 0:
        return x
    return getattr(_fft, name)(x, dim if dim is None or isinstance(dim, int) else tuple(dim))


def fftshift(input, dim=None):
    """The zero frequency moved to the middle of `dim` (all dimensions when None)."""
    return _shift("fftshift", input, dim)


def ifftshift(input, dim=None):
    """The inverse of fftshift."""
    return _shift("ifftshift", input, dim)
