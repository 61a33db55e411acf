"""Rearranging and selecting with NumPy's signatures: flip roll rot90 pad repeat
tile take take_along_axis sort diagonal diag tril triu copy where clip diff.

Gathers (take, take_along_axis, repeat with counts, sort, diagonal, pad with
edge/reflect/symmetric/wrap) are advanced indexing, whose gradient is a
scatter-add; tile and scalar repeat are broadcasts followed by reshapes.
"""
import builtins as _builtins

import numpy as np

from .. import ops
from ..autograd.tensor import Tensor
from ..ops.indexing import ScatterAdd
from ..ops.manipulation import Flip, copy as _copy
from .reductions import as_tensor_input as _t
from .registry import NOVALUE, implements, no_out, plain
from .shapes import _axis_index

_range = _builtins.range


@implements(np.flip)
def flip(m, axis=None):
    """Reverse the order of elements along `axis` (all axes when None)."""
    m = _t(m)
    axis = tuple(axis) if isinstance(axis, list) else axis
    return Flip.apply(m, axis)


@implements(np.fliplr)
def fliplr(m):
    return Flip.apply(_t(m), 1)


@implements(np.flipud)
def flipud(m):
    return Flip.apply(_t(m), 0)


@implements(np.roll)
def roll(a, shift, axis=None):
    """Shift elements cyclically along `axis` (of the flattened array when None)."""
    return ops.roll(_t(a), shift, axis)


@implements(np.rot90)
def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90 degrees k times in the plane of `axes`."""
    m = _t(m)
    a0, a1 = axes
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return Flip.apply(m, (a0, a1))
    perm = list(_range(m.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return ops.permute(Flip.apply(m, a1), perm)
    return Flip.apply(ops.permute(m, perm), a1)


@implements(np.pad)
def pad(array, pad_width, mode="constant", **kwargs):
    """Pad as np.pad.  'constant' is a primitive; 'edge', 'reflect', 'symmetric'
    and 'wrap' gather from the array (the gradient adds the copies back)."""
    a = _t(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (a.ndim, 2))
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    if mode == "constant":
        value = plain(kwargs.pop("constant_values", 0))
        _no_options("pad", kwargs)
        if np.ndim(value) == 0:
            return ops.pad_constant(a, widths, value)
        return _pad_constant_pairs(a, widths, value)
    if mode in ("edge", "reflect", "symmetric", "wrap"):
        _no_options("pad", {k: v for k, v in kwargs.items() if not (k == "reflect_type" and v == "even")})
        index = [np.pad(np.arange(n), w, mode=mode) for n, w in zip(a.shape, widths)]
        return a[np.ix_(*index)] if a.ndim else a
    raise TypeError(f"pad: mode={mode!r} is not supported on Tensors (use constant, edge, reflect, "
                    "symmetric or wrap)")


def _pad_constant_pairs(a, widths, values):
    # Per-axis constants: pad with zeros, then add the constant frame (a constant).
    frame = np.pad(np.zeros(a.shape, dtype=a.dtype), widths, mode="constant", constant_values=values)
    return ops.add(ops.pad_constant(a, widths, 0), frame)


def _no_options(name, kwargs):
    if kwargs:
        raise TypeError(f"{name}: the options {sorted(kwargs)} are not supported on Tensors")


@implements(np.repeat)
def repeat(a, repeats, axis=None):
    """Repeat each element `repeats` times along `axis` (flattened when None)."""
    a = _t(a)
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = _axis_index(axis, a.ndim, "repeat")
    if np.ndim(plain(repeats)) == 0:
        r = int(plain(repeats))
        shape = a.shape
        wide = ops.broadcast_to(ops.reshape(a, shape[:axis + 1] + (1,) + shape[axis + 1:]),
                                shape[:axis + 1] + (r,) + shape[axis + 1:])
        return ops.reshape(wide, shape[:axis] + (shape[axis] * r,) + shape[axis + 1:])
    index = np.repeat(np.arange(a.shape[axis]), np.asarray(plain(repeats)))
    return a[(slice(None),) * axis + (index,)]


@implements(np.tile)
def tile(A, reps):
    """Repeat the whole array `reps` times along each axis."""
    a = _t(A)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    ndim = _builtins.max(a.ndim, len(reps))
    shape = (1,) * (ndim - a.ndim) + tuple(a.shape)
    reps = (1,) * (ndim - len(reps)) + reps
    interleaved = []
    target = []
    for n, r in zip(shape, reps):
        interleaved += [1, n]
        target += [r, n]
    wide = ops.broadcast_to(ops.reshape(a, tuple(interleaved)), tuple(target))
    return ops.reshape(wide, tuple(n * r for n, r in zip(shape, reps)))


@implements(np.take)
def take(a, indices, axis=None, out=None, mode="raise"):
    """Elements at `indices` along `axis` (of the flattened array when None)."""
    no_out("take", out)
    a = _t(a)
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = _axis_index(axis, a.ndim, "take")
    index = np.asarray(plain(indices))
    n = a.shape[axis]
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = np.clip(index, 0, n - 1)
    return a[(slice(None),) * axis + (index,)]


@implements(np.take_along_axis)
def take_along_axis(arr, indices, axis=-1):
    """arr[..., indices, ...] matched index by index along `axis`, as np.take_along_axis."""
    a = _t(arr)
    index = np.asarray(plain(indices))
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = _axis_index(axis, a.ndim, "take_along_axis")
    if index.ndim != a.ndim:
        raise ValueError(f"take_along_axis: indices have {index.ndim} dimensions, the array {a.ndim}")
    grid = []
    for i in _range(a.ndim):
        if i == axis:
            grid.append(index)
        else:
            shape = [1] * a.ndim
            shape[i] = a.shape[i]
            grid.append(np.arange(a.shape[i]).reshape(shape))
    return a[tuple(grid)]


@implements(np.sort)
def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """Sorted copy; the gradient goes back to where each element came from.  The sort is
    always stable (equal elements keep their order), whatever kind and stable say."""
    if order is not None:
        raise TypeError("sort: order= (structured arrays) is not supported on Tensors")
    a = _t(a)
    if axis is None:
        a, axis = ops.reshape(a, (-1,)), 0
    index = np.argsort(plain(a), axis=axis, kind="stable")
    return take_along_axis(a, index, axis)


@implements(np.diagonal)
def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of the (axis1, axis2) planes, as the last axis (np.diagonal)."""
    a = _t(a)
    if a.ndim < 2:
        raise ValueError("diagonal: the array must be at least 2-d")
    axis1 = _axis_index(axis1, a.ndim, "diagonal")
    axis2 = _axis_index(axis2, a.ndim, "diagonal")
    rest = [i for i in _range(a.ndim) if i not in (axis1, axis2)]
    moved = ops.permute(a, rest + [axis1, axis2])
    n, m = a.shape[axis1], a.shape[axis2]
    rows = np.arange(_builtins.max(0, -offset), _builtins.max(0, _builtins.min(n, m - offset)))
    return moved[(Ellipsis, rows, rows + offset)]


@implements(np.diag)
def diag(v, k=0):
    """A 1-d input becomes the k-th diagonal of a square matrix; a 2-d input
    gives its k-th diagonal."""
    v = _t(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError("diag: input must be 1-d or 2-d")
    n = v.shape[0] + abs(k)
    i = np.arange(v.shape[0])
    rows, cols = (i, i + k) if k >= 0 else (i - k, i)
    if isinstance(v, Tensor):
        return ScatterAdd.apply(v, (n, n), (rows, cols))
    out = np.zeros((n, n), dtype=v.dtype)
    out[rows, cols] = v
    return out


def _triangle(m, k, lower):
    m = _t(m)
    n, c = m.shape[-2], m.shape[-1]
    mask = np.tri(n, c, k, dtype=bool) if lower else ~np.tri(n, c, k - 1, dtype=bool)
    return ops.where(mask, m, 0.0 if m.dtype.kind == "f" else 0)


@implements(np.tril)
def tril(m, k=0):
    """Lower triangle (entries above the k-th diagonal set to 0)."""
    return _triangle(m, k, True)


@implements(np.triu)
def triu(m, k=0):
    """Upper triangle (entries below the k-th diagonal set to 0)."""
    return _triangle(m, k, False)


@implements(np.copy)
def copy(a, order="K", subok=False):
    """A copy that stays in the graph."""
    return _copy(_t(a))


@implements(np.where)
def where(condition, x=NOVALUE, y=NOVALUE):
    """x where condition, else y (with one argument: the indices of the true entries)."""
    if x is NOVALUE and y is NOVALUE:
        return np.nonzero(plain(condition))
    if x is NOVALUE or y is NOVALUE:
        raise ValueError("where: either both or neither of x and y should be given")
    return ops.where(plain(condition), x, y)


@implements(np.clip)
def clip(a, a_min=NOVALUE, a_max=NOVALUE, out=None, *, min=NOVALUE, max=NOVALUE, **kwargs):
    """Limit a to [a_min, a_max]; the gradient passes where a_min <= a <= a_max."""
    no_out("clip", out)
    lo = None if a_min is NOVALUE else a_min
    hi = None if a_max is NOVALUE else a_max
    if min is not NOVALUE:
        lo = min
    if max is not NOVALUE:
        hi = max
    return ops.clip(_t(a), lo, hi)


@implements(np.diff)
def diff(a, n=1, axis=-1, prepend=NOVALUE, append=NOVALUE):
    """n-th discrete difference along `axis`: a[1:] - a[:-1], repeated n times."""
    a = _t(a)
    axis = _axis_index(axis, a.ndim, "diff")
    parts = []
    if prepend is not NOVALUE:
        parts.append(_edge(prepend, a, axis))
    parts.append(a)
    if append is not NOVALUE:
        parts.append(_edge(append, a, axis))
    if len(parts) > 1:
        a = ops.concatenate(parts, axis=axis)
    lead = (slice(None),) * axis
    for _ in _range(n):
        a = ops.sub(a[lead + (slice(1, None),)], a[lead + (slice(None, -1),)])
    return a


def _edge(value, a, axis):
    value = _t(value)
    if value.ndim == 0:
        shape = list(a.shape)
        shape[axis] = 1
        value = ops.broadcast_to(value, tuple(shape))
    return value
