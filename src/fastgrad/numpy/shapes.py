"""Shape changes with NumPy's signatures: reshape ravel transpose permute_dims
matrix_transpose swapaxes moveaxis squeeze expand_dims broadcast_to
broadcast_arrays atleast_1d/2d/3d."""
import builtins as _builtins

import numpy as np

from .. import ops
from ..ops.broadcast import normalize_axis
from .reductions import as_tensor_input as _t
from .registry import implements, plain

_range = _builtins.range


def _axis_index(axis, ndim, op):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of bounds for a tensor of dimension {ndim}")
    return axis % ndim


@implements(np.reshape)
def reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    """Same data, new shape (one entry may be -1), as np.reshape."""
    if order != "C":
        raise TypeError(f"reshape: order={order!r} is not supported on Tensors (only 'C')")
    shape = newshape if shape is None else shape
    out = ops.reshape(_t(a), shape)
    return ops.copy(out) if copy else out


@implements(np.ravel)
def ravel(a, order="C"):
    """The elements as a 1-d tensor (row-major)."""
    if order not in ("C", "K", "A"):
        raise TypeError(f"ravel: order={order!r} is not supported on Tensors")
    return ops.reshape(_t(a), (-1,))


@implements(np.transpose)
def transpose(a, axes=None):
    """Reverse the axes, or permute them as `axes` says."""
    return ops.transpose(_t(a), axes)


@implements(np.permute_dims)
def permute_dims(a, axes=None):
    """np.permute_dims: the array-API name of transpose."""
    return ops.transpose(_t(a), axes)


@implements(np.matrix_transpose)
def matrix_transpose(x, /):
    """Swap the last two axes."""
    return ops.swapaxes(_t(x), -1, -2)


@implements(np.swapaxes)
def swapaxes(a, axis1, axis2):
    """Exchange two axes."""
    return ops.swapaxes(_t(a), axis1, axis2)


@implements(np.moveaxis)
def moveaxis(a, source, destination):
    """Move axes `source` to positions `destination`; the others keep their order."""
    a = _t(a)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    src = [_axis_index(s, a.ndim, "moveaxis") for s in src]
    dst = [_axis_index(d, a.ndim, "moveaxis") for d in dst]
    order = [i for i in _range(a.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return ops.permute(a, order)


@implements(np.squeeze)
def squeeze(a, axis=None):
    """Remove axes of length 1."""
    return ops.squeeze(_t(a), axis)


@implements(np.expand_dims)
def expand_dims(a, axis):
    """Insert axes of length 1 at the positions `axis` (an int or a tuple) of the result."""
    a = _t(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    ndim = a.ndim + len(axes)
    positions = normalize_axis(axes, ndim, "expand_dims")
    shape = iter(a.shape)
    return ops.reshape(a, tuple(1 if i in positions else next(shape) for i in _range(ndim)))


@implements(np.broadcast_to)
def broadcast_to(array, shape, subok=False):
    """A broadcast view of `array` with the given shape."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    return ops.broadcast_to(_t(array), shape)


@implements(np.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    """Broadcast all arguments against each other."""
    shape = np.broadcast_shapes(*(np.shape(plain(a)) for a in args))
    return tuple(ops.broadcast_to(_t(a), shape) for a in args)


def _atleast(n, arys):
    out = []
    for a in arys:
        a = _t(a)
        if a.ndim < n:
            if n == 3 and a.ndim == 2:
                shape = a.shape + (1,)
            elif n == 3 and a.ndim == 1:
                shape = (1,) + a.shape + (1,)
            else:
                shape = (1,) * (n - a.ndim) + a.shape
            a = ops.reshape(a, shape)
        out.append(a)
    return out[0] if len(out) == 1 else tuple(out)


@implements(np.atleast_1d)
def atleast_1d(*arys):
    return _atleast(1, arys)


@implements(np.atleast_2d)
def atleast_2d(*arys):
    return _atleast(2, arys)


@implements(np.atleast_3d)
def atleast_3d(*arys):
    return _atleast(3, arys)
