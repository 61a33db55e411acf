"""Tensor.apply_, Tensor.map_ and Tensor.map2_, PyTorch's in-place element-by-element Python
callbacks: each element (a Python number) is replaced by callable(element), callable(element,
other's element) or callable(element, x's element, y's element).  As in PyTorch they work on
CPU tensors outside autograd only, and are slow (one Python call per element).

    x.apply_(lambda v: v * 2)
    x.map_(y, lambda a, b: max(a, b))
    x.map2_(y, z, lambda a, b, c: a + b * c)
"""
import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor
from ..ops import methods as _methods


def _host_data(op, t, name):
    if t.requires_grad:
        raise RuntimeError(f"{op}: cannot be called on a tensor that requires grad ({name}); call it on "
                           f"{name}.detach() instead")
    if not isinstance(t._data, np.ndarray):
        raise TypeError(f"{op}: works on CPU tensors only, {name} holds {type(t._data).__name__} data")
    return t._data


def _check_callable(op, fn):
    if not callable(fn):
        raise TypeError(f"{op}: argument 'callable' must be callable, got {type(fn).__name__}")


def _write_mapped(data, fn, *others):
    values = [fn(*(v.item() for v in items)) for items in zip(data.flat, *(o.flat for o in others))]
    data[...] = np.asarray(values, dtype=data.dtype).reshape(data.shape)


def _apply_(self, callable):
    """In place: each element x replaced by callable(x); returns self."""
    _check_callable("apply_", callable)
    data = _host_data("apply_", self, "self")
    capture.run(_write_mapped, data, callable)
    self._version[0] += 1
    return self


def _broadcast_operand(op, t, name, shape):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor, got {type(t).__name__}")
    other = _host_data(op, t, name)
    try:
        return np.broadcast_to(other, shape)
    except ValueError:
        raise RuntimeError(f"{op}: argument '{name}' of shape {other.shape} does not broadcast to the tensor's "
                           f"shape {shape}") from None


def _map_(self, tensor, callable):
    """In place: each element x replaced by callable(x, y), y the element of `tensor` (broadcast
    to self's shape) at the same position; returns self."""
    _check_callable("map_", callable)
    data = _host_data("map_", self, "self")
    other = _broadcast_operand("map_", tensor, "tensor", data.shape)
    capture.run(_write_mapped, data, callable, other)
    self._version[0] += 1
    return self


def _map2_(self, x, y, callable):
    """In place: each element e replaced by callable(e, a, b), a and b the elements of x and y
    (broadcast to self's shape) at the same position; returns self."""
    _check_callable("map2_", callable)
    data = _host_data("map2_", self, "self")
    first = _broadcast_operand("map2_", x, "x", data.shape)
    second = _broadcast_operand("map2_", y, "y", data.shape)
    capture.run(_write_mapped, data, callable, first, second)
    self._version[0] += 1
    return self


_methods.bind({"apply_": _apply_, "map_": _map_, "map2_": _map2_})
