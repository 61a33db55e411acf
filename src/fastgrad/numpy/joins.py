"""Joining and splitting with NumPy's signatures: concatenate stack hstack vstack
dstack column_stack append, split array_split hsplit vsplit."""
import builtins as _builtins

import numpy as np

from .. import ops
from .reductions import as_tensor_input as _t
from .registry import implements, no_out
from .shapes import _axis_index, atleast_1d, atleast_2d, atleast_3d

_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")

_range = _builtins.range


def _cast_all(arrays, dtype, casting, name):
    """The arrays as Tensors, cast to dtype when given, under NumPy's casting rule."""
    if casting not in _CASTINGS:
        raise ValueError(f"{name}: casting must be one of {', '.join(_CASTINGS)}, got {casting!r}")
    arrays = [_t(a) for a in arrays]
    if dtype is not None:
        for a in arrays:
            if isinstance(a.dtype, np.dtype) and not np.can_cast(a.dtype, dtype, casting):
                raise TypeError(f"{name}: cannot cast array data from {a.dtype} to {np.dtype(dtype)} according "
                                f"to the rule {casting!r}")
        arrays = [ops.astype(a, dtype) for a in arrays]
    return arrays


@implements(np.concatenate, np.concat)
def concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays along an existing axis (flattened first when axis is None)."""
    no_out("concatenate", out)
    arrays = _cast_all(arrays, dtype, casting, "concatenate")
    if axis is None:
        arrays = [ops.reshape(a, (-1,)) for a in arrays]
        axis = 0
    return ops.concatenate(arrays, axis=axis)


@implements(np.stack)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays of one shape along a new axis."""
    no_out("stack", out)
    arrays = _cast_all(arrays, dtype, casting, "stack")
    if not arrays:
        raise ValueError("stack: need at least one array")
    axis = _axis_index(axis, arrays[0].ndim + 1, "stack")
    return ops.stack(arrays, axis=axis)


@implements(np.hstack)
def hstack(tup, *, dtype=None, casting="same_kind"):
    """Join horizontally: along axis 0 for 1-d arrays, else axis 1."""
    arrays = _cast_all(_as_list(atleast_1d(*tup)), dtype, casting, "hstack")
    return ops.concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


@implements(np.vstack)
def vstack(tup, *, dtype=None, casting="same_kind"):
    """Join vertically (1-d arrays become rows)."""
    return ops.concatenate(_cast_all(_as_list(atleast_2d(*tup)), dtype, casting, "vstack"), axis=0)


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


@implements(np.append)
def append(arr, values, axis=None):
    """Join `values` after `arr` (both flattened when axis is None)."""
    if axis is None:
        return ops.concatenate([ops.reshape(_t(arr), (-1,)), ops.reshape(_t(values), (-1,))], axis=0)
    return ops.concatenate([_t(arr), _t(values)], axis=axis)
