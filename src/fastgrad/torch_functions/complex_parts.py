"""Tensor.real and Tensor.imag as PyTorch has them: the real and imaginary parts of a complex
tensor (differentiable); for a real tensor .real is the tensor itself and .imag an error.

    z.real, z.imag
    x.real is x          # True for a real x
"""
from ..ops import methods as _methods


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


_methods.bind({"real": property(_real, doc=_real.__doc__), "imag": property(_imag, doc=_imag.__doc__)})
