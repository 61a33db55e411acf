"""Older Tensor methods that scripts still call, and factories whose memory layout fastgrad does
not keep: Tensor.new(*sizes) / new(data), Tensor.resize_ and resize_as_, Tensor.new_empty_strided;
torch.empty_strided, torch.empty_permuted, torch.nonzero_static and torch.cond.

fastgrad's tensors have NumPy's layout, so the strides and the physical order asked of
empty_strided / empty_permuted shape nothing but the tensor's size (their values are unset
either way).

    import fastgrad as torch
    h = x.new(4, 3).zero_()           # same dtype and device as x
    x.resize_(2, 3)                   # the first 6 values kept, as PyTorch does
"""
import operator

import numpy as np

from .. import creation
from ..autograd.tensor import Tensor
from ..ops import methods as _methods
from ..ops.methods import Size

__all__ = ["cond", "empty_permuted", "empty_strided", "nonzero_static"]


def _sizes(op, sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    try:
        sizes = tuple(operator.index(s) for s in sizes)
    except TypeError:
        raise TypeError(f"{op}: sizes must be integers, got {sizes!r}") from None
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{op}: sizes must be non-negative, got {sizes}")
    return sizes


def _new(self, *args, **kwargs):
    """x.new(*sizes) or x.new(torch.Size): an uninitialized (here zero) tensor of those sizes;
    x.new(data): a tensor of data; x.new(): an empty one; each with x's dtype and device."""
    if kwargs.get("dtype") is not None or kwargs.get("device") is not None:
        raise TypeError("new: takes no dtype or device (the tensor's are used); use new_tensor or new_empty")
    if not args:
        return self.new_zeros((0,))
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != self.dtype:
                raise TypeError(f"new: a tensor argument must have the tensor's dtype {self.dtype}, got {data.dtype}")
            return data.detach()
        return self.new_tensor(data)
    return self.new_zeros(_sizes("new", args))


def _resized(self, sizes):
    """self's values in row-major order cut or padded with zeros to the new sizes."""
    flat = self._data.reshape(-1)
    count = int(np.prod(sizes, dtype=np.int64))
    if count <= flat.size:
        return flat[:count].reshape(sizes)
    grown = np.zeros(count, dtype=flat.dtype)
    grown[:flat.size] = flat
    return grown.reshape(sizes)


def _resize_(self, *sizes, memory_format=None):
    """Give the tensor new sizes in place, keeping its first values in row-major order (new
    elements are zero here, unset in PyTorch).  Refused for tensors that require grad."""
    sizes = _sizes("resize_", sizes)
    if self.requires_grad:
        raise RuntimeError("resize_: cannot resize a tensor that requires grad")
    self._data = _resized(self, sizes)
    self._version[0] += 1
    return self


def _resize_as_(self, the_template, memory_format=None):
    """resize_ to the_template's sizes."""
    return _resize_(self, tuple(the_template.shape))


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, **_):
    """new_empty(size): the strides are not kept (fastgrad's tensors have NumPy's layout)."""
    return self.new_empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """empty(size): an uninitialized tensor; the strides are not kept."""
    size = _sizes("empty_strided", (tuple(size),))
    if len(tuple(stride)) != len(size):
        raise RuntimeError(f"empty_strided: {len(tuple(stride))} strides for {len(size)} sizes")
    return creation.empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
    """empty(size): an uninitialized tensor; the physical order of the dimensions is not kept."""
    size = _sizes("empty_permuted", (tuple(size),))
    if sorted(physical_layout) != list(range(len(size))):
        raise RuntimeError(f"empty_permuted: physical_layout {tuple(physical_layout)} is not a permutation of the "
                           f"{len(size)} dimensions")
    return creation.empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


def nonzero_static(input, *, size, fill_value=-1):
    """The indices of the first `size` non-zero elements (as nonzero: one row each, int64),
    padded with rows of fill_value when there are fewer."""
    x = input if isinstance(input, Tensor) else creation.tensor(input)
    size = operator.index(size)
    if size < 0:
        raise RuntimeError(f"nonzero_static: size must be non-negative, got {size}")
    found = np.argwhere(np.asarray(x._data)).astype(np.int64)[:size]
    padded = np.full((size, x.ndim), fill_value, dtype=np.int64)
    padded[:found.shape[0]] = found.reshape(found.shape[0], padded.shape[1])
    return Tensor(padded)


def cond(pred, true_fn, false_fn, operands=()):
    """true_fn(*operands) when pred holds (a bool or a one-element tensor), else false_fn(*operands)."""
    if isinstance(pred, Tensor):
        if pred.numel() != 1:
            raise RuntimeError(f"cond: pred must have one element, got shape {tuple(pred.shape)}")
        pred = bool(pred.item())
    return (true_fn if pred else false_fn)(*tuple(operands))


def _nonzero_static(self, *, size, fill_value=-1):
    return nonzero_static(self, size=size, fill_value=fill_value)


_methods.bind({"nonzero_static": _nonzero_static, "new": _new, "resize_": _resize_, "resize_as_": _resize_as_,
               "new_empty_strided": _new_empty_strided})
