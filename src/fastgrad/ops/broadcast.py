"""Undo NumPy broadcasting in a gradient: the one helper every binary backward uses."""
import numpy as np


def shape_of(a):
    """Shape of an array, Tensor or Python scalar."""
    return getattr(a, "shape", ())


def unbroadcast(xp, grad, shape):
    """Sum `grad` over the axes that broadcasting added or stretched, back to `shape`."""
    shape = tuple(shape)
    if tuple(grad.shape) == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = xp.sum(grad, axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = xp.sum(grad, axis=stretched, keepdims=True)
    return grad


def normalize_axis(axis, ndim, op="op"):
    """Axis argument as a sorted tuple of non-negative ints (None -> all axes)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) or hasattr(axis, "__index__") and not isinstance(axis, tuple) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of bounds for a tensor of dimension {ndim}")
        out.append(a % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis}")
    return tuple(sorted(out))


def expand_reduced(xp, grad, shape, axes, keepdims):
    """Broadcast the gradient of a reduction over `axes` back to the input `shape`."""
    if type(grad) is np.ndarray and grad.size == 1:
        return _repeat_one(grad, tuple(shape))
    if not keepdims and axes:
        grad = xp.reshape(grad, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return xp.broadcast_to(grad, shape)


def _repeat_one(grad, shape):
    """The read-only view of a one-element NumPy array at every position of `shape`:
    what np.broadcast_to gives (a total reduction's gradient), built directly (its
    Python-level checks cost more than a small backward's arithmetic)."""
    view = np.ndarray(shape, grad.dtype, grad, 0, (0,) * len(shape))
    view.flags.writeable = False
    return view
