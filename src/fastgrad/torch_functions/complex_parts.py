"""Complex tensors as PyTorch builds and takes them apart, all differentiable: Tensor.real and
Tensor.imag (for a real tensor .real is the tensor itself and .imag an error), complex,
polar, view_as_real, view_as_complex and angle.

    z.real, z.imag
    x.real is x          # True for a real x
    z = torch.complex(re, im); pairs = torch.view_as_real(z)   # (..., 2)

view_as_real and view_as_complex return new tensors, not views of the same memory: writing
into one does not change the other.  Gradients of complex tensors follow fastgrad's
convention (HIPS autograd's, dL/dx - i dL/dy); for real inputs they are PyTorch's.
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..ops import methods as _methods

__all__ = ["angle", "complex", "polar", "view_as_complex", "view_as_real"]


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _real(self):
    """The real part (the tensor itself when it is real)."""
    return _fnp().real(self) if self.dtype.kind == "c" else self


def _imag(self):
    """The imaginary part of a complex tensor; a real tensor has none (RuntimeError, as PyTorch)."""
    if self.dtype.kind != "c":
        raise RuntimeError(f"imag: is not implemented for tensors with non-complex dtypes (this tensor is "
                           f"{self.dtype})")
    return _fnp().imag(self)


def _floating_pair(op, a, b, names):
    for t, name in zip((a, b), names):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: argument '{name}' must be a Tensor, got {type(t).__name__}")
        if t.dtype.kind != "f" or t.dtype not in (np.float32, np.float64):
            raise RuntimeError(f"{op}: expected float32 or float64 tensors, got '{name}' of dtype {t.dtype}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: expected '{names[0]}' and '{names[1]}' of one dtype, got {a.dtype} and {b.dtype}")


def complex(real, imag):
    """real + i imag (float32 -> complex64, float64 -> complex128), broadcast."""
    _floating_pair("complex", real, imag, ("real", "imag"))
    return real + imag * 1j


def polar(abs, angle):
    """abs (cos angle + i sin angle), broadcast."""
    _floating_pair("polar", abs, angle, ("abs", "angle"))
    return abs * angle.cos() + abs * angle.sin() * 1j


def view_as_real(input):
    """A complex tensor's (real, imaginary) pairs as a real tensor with a last axis of 2 (a new
    tensor, not a view)."""
    if not isinstance(input, Tensor) or input.dtype.kind != "c":
        raise RuntimeError(f"view_as_real: expected a complex tensor, got {getattr(input, 'dtype', type(input))}")
    fnp = _fnp()
    return fnp.stack([fnp.real(input), fnp.imag(input)], axis=-1)


def view_as_complex(input):
    """The complex tensor of a real tensor's last axis of 2 (real, imaginary) pairs (a new
    tensor, not a view)."""
    if not isinstance(input, Tensor) or input.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex: expected a float32 or float64 tensor, got "
                           f"{getattr(input, 'dtype', type(input))}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError(f"view_as_complex: the last dimension must have size 2, got shape {tuple(input.shape)}")
    return input[..., 0] + input[..., 1] * 1j


def angle(input):
    """The argument of each element (atan2(imag, real)); 0 or pi for real tensors, as PyTorch."""
    return _fnp().angle(input)


_methods.bind({"real": property(_real, doc=_real.__doc__), "imag": property(_imag, doc=_imag.__doc__),
               "angle": angle})
