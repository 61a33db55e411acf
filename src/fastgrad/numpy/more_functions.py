"""More of NumPy, differentiable on Tensors: nan_to_num sinc mod/remainder
linspace gradient partition rollaxis select dsplit, and HIPS autograd's
make_diagonal (the inverse of diagonal), and full / full_like whose fill value
may be a Tensor."""
import builtins as _builtins

import numpy as np

from .. import ops
from ..autograd.tensor import Tensor
from .joins import _split
from .reductions import as_tensor_input as _t
from .registry import implements, not_on_tensors, on_host, plain
from .rearrange import sort
from .shapes import _axis_index, moveaxis

_range = _builtins.range


@implements(np.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """NaN and infinities replaced by numbers; the gradient is 0 where they were.  The result
    is a new Tensor: copy=False (replacing in place) is refused."""
    if not copy:
        raise TypeError("nan_to_num: copy=False (replacing in place) is not supported on Tensors; "
                        "use the returned value")
    x = _t(x)
    replaced = np.nan_to_num(plain(x), nan=nan, posinf=posinf, neginf=neginf)
    return ops.where(np.isfinite(plain(x)), x, replaced)


@implements(np.sinc)
def sinc(x):
    """sin(pi x) / (pi x), 1 at 0."""
    x = _t(x)
    # NOTE: near 0 the quotient's derivatives cancel catastrophically; there the
    # Taylor series 1 - u/6 + u^2/120 - u^3/5040 (u = (pi x)^2) is exact to rounding.
    near_zero = np.abs(plain(x)) < 1e-2
    far = ops.mul(ops.where(near_zero, 1.0, x), np.pi)
    u = ops.mul(ops.mul(x, x), np.pi ** 2)
    series = ops.add(1.0, ops.mul(u, ops.add(-1.0 / 6, ops.mul(u, ops.add(1.0 / 120, ops.mul(u, -1.0 / 5040))))))
    return ops.where(near_zero, series, ops.div(ops.sin(far), far))


@implements(np.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    """num evenly spaced values from start to stop; linear in both ends."""
    on_host("linspace", device)
    if axis != 0 or dtype is not None:
        raise TypeError("linspace: axis and dtype are not supported on Tensors")
    steps = num - 1 if endpoint else num
    fraction = np.arange(num, dtype=np.float64) / steps if steps > 0 else np.zeros(num)
    start, stop = _t(start), _t(stop)
    shape = (num,) + (1,) * _builtins.max(np.ndim(plain(start)), np.ndim(plain(stop)))
    fraction = fraction.reshape(shape)
    out = ops.add(ops.mul(start, 1.0 - fraction), ops.mul(stop, fraction))
    if endpoint and num > 1:   # the last value is exactly stop, as in NumPy
        out = ops.where((np.arange(num) == num - 1).reshape(shape), ops.mul(stop, np.ones(shape)), out)
    if retstep:
        step = ops.div(ops.sub(stop, start), steps) if steps > 0 else np.nan
        return out, step
    return out


@implements(np.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """Central differences inside, one-sided at the edges (unit spacing, edge_order=1)."""
    if varargs or edge_order != 1:
        raise TypeError("gradient: only unit spacing with edge_order=1 is supported on Tensors")
    f = _t(f)
    axes = list(_range(f.ndim)) if axis is None else [axis] if isinstance(axis, int) else list(axis)
    out = [_differences(f, _axis_index(a, f.ndim, "gradient")) for a in axes]
    return out[0] if len(out) == 1 else out


def _differences(f, axis):
    n = f.shape[axis]
    if n < 2:
        raise ValueError("gradient: each differentiated axis needs at least 2 values")
    lead = (slice(None),) * axis
    first = f[lead + (slice(1, 2),)] - f[lead + (slice(0, 1),)]
    last = f[lead + (slice(n - 1, n),)] - f[lead + (slice(n - 2, n - 1),)]
    middle = (f[lead + (slice(2, None),)] - f[lead + (slice(0, n - 2),)]) * 0.5
    return ops.concatenate([first, middle, last], axis)


@implements(np.partition)
def partition(a, kth, axis=-1, kind="introselect", order=None):
    """A sorted copy (a valid partition for every kth, whatever `kind`); the gradient follows
    the values."""
    not_on_tensors("partition", order=order)
    a = _t(a)
    n = a.shape[axis] if axis is not None else a._data.size
    for k in np.atleast_1d(kth):
        if not -n <= k < n:
            raise ValueError(f"partition: kth(={k}) out of bounds ({n})")
    return sort(a, axis=axis)


@implements(np.rollaxis)
def rollaxis(a, axis, start=0):
    """Axis `axis` moved to just before position `start` (np.rollaxis)."""
    a = _t(a)
    axis = _axis_index(axis, a.ndim, "rollaxis")
    start = start + a.ndim if start < 0 else start
    if not 0 <= start <= a.ndim:
        raise ValueError(f"rollaxis: start {start} out of range for {a.ndim} dimensions")
    return moveaxis(a, axis, start - 1 if axis < start else start)


@implements(np.select)
def select(condlist, choicelist, default=0):
    """The choice of the first true condition at each element, else default."""
    if len(condlist) != len(choicelist):
        raise ValueError("select: list of cases must be same length as list of conditions")
    out = _t(default) if isinstance(default, Tensor) else default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = ops.where(np.asarray(plain(cond), dtype=bool), _t(choice), out)
    return out


@implements(np.dsplit)
def dsplit(ary, indices_or_sections):
    """Split along the third axis."""
    return _split(ary, indices_or_sections, 2, True, "dsplit")


def make_diagonal(D, offset=0, axis1=0, axis2=1):
    """A matrix (in the axis1, axis2 planes) with D's last axis on its diagonal:
    the inverse of diagonal.  Only offset 0 and the last two axes are supported."""
    D = _t(D)
    if offset != 0 or sorted(a % (D.ndim + 1) for a in (axis1, axis2)) != [D.ndim - 1, D.ndim]:
        raise TypeError("make_diagonal: only offset=0 with axis1, axis2 the last two axes is supported")
    n = D.shape[-1]
    return ops.mul(ops.reshape(D, tuple(D.shape) + (1,)), np.eye(n, dtype=D.dtype))


def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    """An array of `shape` filled with fill_value (a Tensor value carries its gradient:
    the sum over the filled array).  NumPy's own np.full cannot be reached through
    the array protocols, so only this namespace's version keeps the gradient."""
    on_host("full", device)
    if not isinstance(fill_value, Tensor):
        return np.full(shape, fill_value, dtype=dtype, order=order, **({"like": like} if like is not None else {}))
    not_on_tensors("full", like=like)
    value = fill_value
    if dtype is not None:
        value = ops.astype(value, dtype)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return ops.add(ops.broadcast_to(value, shape), np.zeros(shape, dtype=value.dtype))


def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """full(a.shape, fill_value); only fill_value is differentiated."""
    on_host("full_like", device)
    if not isinstance(fill_value, Tensor):
        return np.full_like(plain(a), fill_value, dtype=dtype, order=order, subok=subok, shape=shape)
    return full(np.shape(plain(a)) if shape is None else shape, fill_value,
                dtype if dtype is not None else None if isinstance(fill_value, Tensor) else plain(a).dtype)
