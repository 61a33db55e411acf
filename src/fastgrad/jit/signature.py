"""The signature of a call: what must be equal for a recording to be replayed.

Per argument (positional, then keyword by name; tuples, lists and dicts are
walked): a Tensor gives its shape, strides, dtype and requires_grad; a NumPy
array its shape, strides and dtype, a NumPy scalar its dtype; an array of
another library (CuPy, an array-API library), bare or in a Tensor, also its
type and device; a Python
number, string or None its type and value; an argument named in static_argnums
itself (it must be hashable).  Which inputs are the same object is part of it
too, and so are the grad mode and the default dtype.  The tensors and arrays
are the call's dynamic inputs, in order.
"""
import numpy as np

from ..autograd.grad_mode import STATE
from ..autograd._graph import TensorBase
from ..dtypes import get_default_dtype
from .arrays import device_key, is_array

_SCALARS = (bool, int, float, complex, str, bytes, type(None))


def signature(args, kwargs, static_argnums, name):
    """(key, dynamic inputs) of a call."""
    leaves = []
    parts = []
    for i, a in enumerate(args):
        if i in static_argnums:
            try:
                hash(a)
            except TypeError:
                raise TypeError(f"jit({name}): argument {i} is named in static_argnums but a "
                                f"{type(a).__name__} is not hashable") from None
            parts.append(("static", a))
        else:
            parts.append(_describe(a, leaves, (i,), name))
    for k in sorted(kwargs):
        parts.append((k, _describe(kwargs[k], leaves, (k,), name)))
    first_seen = {}
    aliasing = tuple([first_seen.setdefault(id(x._data if isinstance(x, TensorBase) else x), i)
                      for i, x in enumerate(leaves)])
    return (tuple(parts), aliasing, STATE.enabled, get_default_dtype()), leaves


def _where(path):
    """'argument 0[1]', "keyword argument 'x'['k']": where in the call `path` (argument, then
    the indices and keys walked) points."""
    head, rest = path[0], path[1:]
    where = f"argument {head}" if isinstance(head, int) else f"keyword argument {head!r}"
    return where + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in rest)


def _describe(a, leaves, path, name):
    """The part of the key for argument `a`, at `path` in the call (formatted only for messages)."""
    if isinstance(a, TensorBase):
        data = a._data
        leaves.append(a)
        if type(data) is np.ndarray:
            return ("tensor", data.shape, data.strides, data.dtype, a._requires_grad)
        return ("tensor", device_key(data), data.shape, _strides(data), data.dtype, a._requires_grad)
    kind = type(a)
    if kind is np.ndarray:
        leaves.append(a)
        return ("array", a.shape, a.strides, a.dtype)
    if isinstance(a, np.generic):
        leaves.append(a)
        return ("numpy scalar", a.dtype)
    if kind in _SCALARS:
        return (kind, a)
    if kind is tuple or kind is list:
        return (kind, tuple(_describe(x, leaves, path + (i,), name) for i, x in enumerate(a)))
    if kind is dict:
        return (dict, tuple((k, _describe(a[k], leaves, path + (k,), name)) for k in a))
    if is_array(a):
        leaves.append(a)
        return ("array", device_key(a), a.shape, _strides(a), a.dtype)
    raise TypeError(
        f"jit({name}): {_where(path)} is a {kind.__name__}; a jitted function takes tensors, NumPy arrays, "
        f"numbers, strings and tuples, lists or dicts of them.  Name the argument in static_argnums "
        f"(it must be hashable; one recording per value) or reach it through a closure")


def _strides(a):
    """An array's strides where its library has them (CuPy); array-API arrays have none."""
    return getattr(a, "strides", None)


def fast_key(args):
    """A cheaper key for the common call, or None: only positional tensors (on NumPy arrays) and
    NumPy arrays, no two sharing an array.  It holds what `signature` would read from them (each
    one's class, shape, strides, dtype, requires_grad) and the grad mode and default dtype, so
    two calls with equal fast keys have equal signatures; the dynamic inputs are `args` itself.
    A call it does not cover (no key) takes `signature`."""
    parts = [STATE.enabled, get_default_dtype()]
    seen = set()
    for a in args:
        kind = type(a)
        if kind is np.ndarray:
            seen.add(id(a))
            parts.append((kind, a.shape, a.strides, a.dtype))
        elif isinstance(a, TensorBase):
            data = a._data
            if type(data) is not np.ndarray:
                return None
            seen.add(id(data))
            parts.append((kind, data.shape, data.strides, data.dtype, a._requires_grad))
        else:
            return None
    if len(seen) != len(args):
        return None  # two arguments share an array: the aliasing is part of the signature
    return tuple(parts)
