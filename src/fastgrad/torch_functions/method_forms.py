"""Module-level forms of Tensor methods and properties that PyTorch also has as functions:
torch.real(x), torch.imag(x), torch.adjoint(x), torch.masked_scatter(x, mask, source),
torch.put(x, index, source), torch.get_device(x), torch.is_inference(x) and the "unsafe"
splits (unsafe_chunk, unsafe_split, unsafe_split_with_sizes: PyTorch's versions without its
view checks, the same pieces here).  Tensor.adjoint and the unsafe splits are bound as methods.

    import fastgrad as torch
    torch.adjoint(A)          # A.mH: the last two dimensions swapped, conjugated
"""
from ..autograd.tensor import Tensor
from ..ops import methods as _methods
from .slice_scatters import split_with_sizes

_METHODS = "adjoint masked_scatter put get_device is_inference unsafe_chunk unsafe_split unsafe_split_with_sizes"
__all__ = _METHODS.split() + ["imag", "real"]


def _tensor(op, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, got {type(input).__name__}")
    return input


def _module_level(name):
    def function(input, *args, **kwargs):
        return getattr(_tensor(name, input), name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"input.{name}(...)."
    return function


def real(input):
    """The real part of input (input itself for real tensors); differentiable."""
    return _tensor("real", input).real


def imag(input):
    """The imaginary part of a complex input; differentiable.  Real tensors are refused, as in PyTorch."""
    x = _tensor("imag", input)
    if x.dtype.kind != "c":
        raise RuntimeError(f"imag: argument 'input' must be complex, got {x.dtype}")
    return x.imag


def _adjoint(self):
    """The conjugate transpose of the last two dimensions (x.mH)."""
    if self.ndim < 2:
        raise RuntimeError(f"adjoint: the tensor must have at least 2 dimensions, got {self.ndim}")
    return self.mH


_methods.bind({"adjoint": _adjoint, "unsafe_chunk": lambda self, chunks, dim=0: self.chunk(chunks, dim),
               "unsafe_split": lambda self, split_size, dim=0: self.split(split_size, dim),
               "unsafe_split_with_sizes": lambda self, split_sizes, dim=0: split_with_sizes(self, split_sizes, dim)})
globals().update({name: _module_level(name) for name in _METHODS.split()})
