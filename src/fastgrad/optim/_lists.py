"""Where an optimizer step on lists of arrays runs: one backend entry point per bucket.

Every step kernel (`sgd_step`, `adam_step`, ...) takes lists -- one entry per
parameter -- in the same form in C (fastgrad._C), in CuPy
(backend/cupy_kernels/optim.py) and in the reference twins
(backend/reference/optim.py).  NumPy float32/float64 C-contiguous aligned arrays go
to the C kernel in one call per dtype; everything else (other dtypes, views,
CuPy or array-API arrays) to its backend's kernel, one call per (array type,
dtype).  The C wrapper checks every array before it writes any, so a list
it refuses is sorted here and nothing has been changed.
"""
from functools import partial

import numpy as np

from .. import _C
from ..backend import Backend, backend_for

FUSED_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def run(name, lists, scalars, foreach=None, fused=None):
    """Call the step kernel `name` on `lists` (params first; None for an unused state list).

    foreach=False makes one call per parameter; fused=False runs the unfused
    reference twin (in the arrays' namespace) instead of a fused kernel."""
    params = lists[0]
    if not params:
        return
    if foreach is False and len(params) > 1:
        for i in range(len(params)):
            run(name, [None if arrays is None else arrays[i:i + 1] for arrays in lists], scalars, fused=fused)
        return
    first = params[0]
    if fused is not False and type(first) is np.ndarray and first.dtype in FUSED_DTYPES:
        try:
            getattr(_C, name)(*lists, **scalars)
            return
        except (TypeError, ValueError):
            pass
    for kernel, part in _buckets(name, lists, fused is not False):
        kernel(*part, **scalars)


def _buckets(name, lists, fused):
    """(kernel, sub-lists) for each group of parameters one kernel call can take."""
    present = [arrays for arrays in lists if arrays is not None]
    groups = {}
    for i, param in enumerate(lists[0]):
        column = [arrays[i] for arrays in present]
        _check_column(name, i, column)
        if fused and _fused(column):
            key = ("C", param.dtype)
        else:
            key = (backend_for(param), param.dtype)
        groups.setdefault(key, []).append(i)
    out = []
    for (where, _), indices in groups.items():
        if where == "C":
            kernel = getattr(_C, name)
        elif fused:
            kernel = getattr(where, name)
        else:
            kernel = partial(getattr(Backend, name), where)   # the twin, whatever the backend
        out.append((kernel, [None if arrays is None else [arrays[i] for i in indices] for arrays in lists]))
    return out


def _fused(column):
    if type(column[0]) is not np.ndarray:
        return False
    dtype = column[0].dtype
    if dtype not in FUSED_DTYPES:
        return False
    for a in column:
        if type(a) is not np.ndarray or a.dtype != dtype or not (a.flags.c_contiguous and a.flags.aligned):
            return False
    return True


def _check_column(name, i, column):
    """The arrays of one parameter: one shape, and a parameter that can be written."""
    param = column[0]
    shape = tuple(param.shape)
    for a in column[1:]:
        if tuple(a.shape) != shape:
            raise ValueError(f"{name}: the arrays of parameter {i} have shapes {tuple(a.shape)} and {shape}")
    if isinstance(param, np.ndarray) and not param.flags.writeable:
        raise ValueError(f"{name}: params[{i}] is read-only, but the step writes it in place")
