"""Shape changes, joins, splits and rearrangements with NumPy's signatures.

Gathers (take, take_along_axis, repeat with counts, sort, diagonal) are
advanced indexing, whose gradient is a scatter-add; tile and scalar repeat
are broadcasts followed by reshapes.
"""
import builtins as _builtins

import numpy as np

from .. import ops
from ..autograd.tensor import Tensor
from ..ops.broadcast import normalize_axis
from ..ops.indexing import ScatterAdd
from ..ops.manipulation import Flip, copy as _copy
from .reductions import as_tensor_input as _t
from .registry import NOVALUE, implements, no_out, plain

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
    return ops.reshape(_t(a), shape)


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


def _cast_all(arrays, dtype):
    arrays = [_t(a) for a in arrays]
    if dtype is not None:
        arrays = [ops.astype(a, dtype) for a in arrays]
    return arrays


@implements(np.concatenate, np.concat)
def concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays along an existing axis (flattened first when axis is None)."""
    no_out("concatenate", out)
    arrays = _cast_all(arrays, dtype)
    if axis is None:
        arrays = [ops.reshape(a, (-1,)) for a in arrays]
        axis = 0
    return ops.concatenate(arrays, axis=axis)


@implements(np.stack)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays of one shape along a new axis."""
    no_out("stack", out)
    arrays = _cast_all(arrays, dtype)
    if not arrays:
        raise ValueError("stack: need at least one array")
    axis = _axis_index(axis, arrays[0].ndim + 1, "stack")
    return ops.stack(arrays, axis=axis)


@implements(np.hstack)
def hstack(tup, *, dtype=None, casting="same_kind"):
    """Join horizontally: along axis 0 for 1-d arrays, else axis 1."""
    arrays = _cast_all(_as_list(atleast_1d(*tup)), dtype)
    return ops.concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


@implements(np.vstack)
def vstack(tup, *, dtype=None, casting="same_kind"):
    """Join vertically (1-d arrays become rows)."""
    return ops.concatenate(_cast_all(_as_list(atleast_2d(*tup)), dtype), axis=0)


@implements(np.dstack)
def dstack(tup):
    """Join along the third axis."""
    return ops.concatenate(_as_list(atleast_3d(*tup)), axis=2)


@implements(np.column_stack)
def column_stack(tup):
    """Join 1-d arrays as columns (2-d arrays as they are)."""
    cols = []
    for a in tup:
        a = _t(a)
        cols.append(ops.reshape(a, (-1, 1)) if a.ndim < 2 else a)
    return ops.concatenate(cols, axis=1)


def _as_list(x):
    return list(x) if isinstance(x, tuple) else [x]


def _split(a, indices_or_sections, axis, equal, name):
    a = _t(a)
    axis = _axis_index(axis, a.ndim, name)
    n = a.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"{name}: number of sections must be larger than 0")
        if equal and n % sections:
            raise ValueError(f"{name}: array split does not result in an equal division "
                             f"({n} elements into {sections} sections)")
        size, extra = divmod(n, sections)
        bounds = [0]
        for i in _range(sections):
            bounds.append(bounds[-1] + size + (1 if i < extra else 0))
    else:
        bounds = [0] + [_builtins.min(_builtins.max(int(i), 0), n) for i in indices_or_sections] + [n]
    lead = (slice(None),) * axis
    return [a[lead + (slice(lo, _builtins.max(lo, hi)),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


@implements(np.split)
def split(ary, indices_or_sections, axis=0):
    """Split into equal sections, or at the given indices, as np.split."""
    return _split(ary, indices_or_sections, axis, True, "split")


@implements(np.array_split)
def array_split(ary, indices_or_sections, axis=0):
    """Split into nearly equal sections (the first ones one longer)."""
    return _split(ary, indices_or_sections, axis, False, "array_split")


@implements(np.hsplit)
def hsplit(ary, indices_or_sections):
    return _split(ary, indices_or_sections, 1 if _t(ary).ndim > 1 else 0, True, "hsplit")


@implements(np.vsplit)
def vsplit(ary, indices_or_sections):
    return _split(ary, indices_or_sections, 0, True, "vsplit")


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
    """Sorted copy; the gradient goes back to where each element came from."""
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


@implements(np.append)
def append(arr, values, axis=None):
    """Join `values` after `arr` (both flattened when axis is None)."""
    if axis is None:
        return ops.concatenate([ops.reshape(_t(arr), (-1,)), ops.reshape(_t(values), (-1,))], axis=0)
    return ops.concatenate([_t(arr), _t(values)], axis=axis)


@implements(np.quantile)
def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
             weights=None, interpolation=None):
    """q-th quantiles by linear interpolation between sorted values (NumPy's default
    method); the gradient goes to the two values each quantile lies between."""
    no_out("quantile", out)
    if method != "linear" or weights is not None or interpolation is not None:
        raise TypeError("quantile: only method='linear' without weights is supported on Tensors")
    a = _t(a)
    whole = axis is None
    ndim = a.ndim
    if whole:
        a, axis = ops.reshape(a, (-1,)), 0
    axis = _axis_index(axis, a.ndim, "quantile")
    q = np.asarray(plain(q), dtype=np.float64)
    if np.any((q < 0) | (q > 1)):
        raise ValueError("quantile: quantiles must be in the range [0, 1]")
    ordered = sort(a, axis=axis)
    n = a.shape[axis]
    position = q * (n - 1)
    lo = np.floor(position).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    weight = position - lo
    lead = (slice(None),) * axis
    low, high = ordered[lead + (lo,)], ordered[lead + (hi,)]
    if q.ndim:  # the quantile axis goes first, as in NumPy
        low, high = ops.permute(low, _front(axis, low.ndim)), ops.permute(high, _front(axis, high.ndim))
        weight = weight.reshape(weight.shape + (1,) * (low.ndim - 1))
    result = ops.add(ops.mul(low, 1.0 - weight), ops.mul(high, weight))
    if keepdims:
        lead = tuple(result.shape[:1]) if q.ndim else ()
        if whole:
            result = ops.reshape(result, lead + (1,) * ndim)
        else:
            result = expand_dims(result, axis + len(lead))
    return result


def _front(axis, ndim):
    return [axis] + [i for i in _range(ndim) if i != axis]


@implements(np.percentile)
def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, *,
               weights=None, interpolation=None):
    """q-th percentiles (q in [0, 100]); see quantile."""
    return quantile(a, np.asarray(plain(q), dtype=np.float64) / 100.0, axis, out, overwrite_input, method,
                    keepdims, weights=weights, interpolation=interpolation)


@implements(np.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value (the mean of the two middle values for an even count)."""
    return quantile(a, 0.5, axis, out, overwrite_input, keepdims=keepdims)
