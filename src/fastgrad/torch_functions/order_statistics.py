"""PyTorch's quantile, nanquantile, mode and histc, as module functions and Tensor methods.

    q = torch.quantile(x, torch.tensor([0.25, 0.75]), dim=1)
    values, indices = torch.mode(labels, dim=0)

quantile, nanquantile and mode pick elements with index arrays computed from the data and
gather them differentiably, so the gradient goes to the elements picked (and, for the
interpolating quantiles, is split between the two neighbours by the interpolation weight).
histc counts, without a gradient (as PyTorch).
"""
import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor
from ..backend import host_data
from ..creation import tensor as _new_tensor
from ..ops import gathering as _gathering, methods as _methods
from ..ops.broadcast import normalize_axis
from ..ops.methods import ValuesIndices
from ..ops.selection import where

__all__ = ["histc", "mode", "nanquantile", "quantile"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _host_data(op, x):
    """x's data as a NumPy array (these functions compute on the host)."""
    return host_data(op, "input", x._data)


def _to_last(x, axis):
    """x with `axis` moved last (differentiably)."""
    if axis == x.ndim - 1:
        return x
    return x.permute(*[a for a in range(x.ndim) if a != axis], axis)


def _quantile_levels(op, q, dtype):
    """q as a 1-d float64 array and whether it was a scalar."""
    data = np.asarray(q._data if isinstance(q, Tensor) else q)
    if data.ndim > 1:
        raise ValueError(f"{op}: argument 'q' must be a scalar or a 1-d tensor, got shape {data.shape}")
    if data.dtype.kind not in "fiu":
        raise TypeError(f"{op}: argument 'q' must hold numbers, got dtype {data.dtype}")
    if isinstance(q, Tensor) and q.dtype != dtype:
        raise TypeError(f"{op}: argument 'q' has dtype {q.dtype}; expected the input's dtype {dtype}")
    levels = data.astype(np.float64).reshape(-1)
    if levels.size and not ((levels >= 0) & (levels <= 1)).all():
        raise ValueError(f"{op}: argument 'q' must be in the range [0, 1], got {data.tolist()}")
    return levels, data.ndim == 0


def _quantile_picks(data, levels, interpolation, ignore_nan):
    """For rows along the last axis: the indices of the lower and upper neighbours of each
    level (shape (..., len(levels))), the interpolation weight of the upper one, and which
    rows give NaN."""
    order = np.argsort(data, axis=-1, kind="stable")          # NaN sorts last
    nan = np.isnan(data)
    n = data.shape[-1]
    counts = (n - nan.sum(-1)) if ignore_nan else np.full(data.shape[:-1], n)
    ranks = levels * (np.maximum(counts, 1)[..., None] - 1)   # (..., Q)
    if interpolation == "nearest":
        ranks = np.round(ranks)                               # half to even, as PyTorch
    below, above = np.floor(ranks).astype(np.int64), np.ceil(ranks).astype(np.int64)
    weight = {"linear": ranks - below, "lower": np.zeros_like(ranks), "higher": np.ones_like(ranks),
              "midpoint": np.full_like(ranks, 0.5), "nearest": np.zeros_like(ranks)}[interpolation]
    if interpolation == "higher":
        below = above
    lower_index = np.take_along_axis(order, below, -1)
    upper_index = np.take_along_axis(order, above, -1)
    nan_rows = (counts == 0) if ignore_nan else nan.any(-1)
    return lower_index, upper_index, weight.astype(data.dtype), nan_rows


def _quantile(op, input, q, dim, keepdim, interpolation, ignore_nan):
    x = _as_tensor(input)
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}: argument 'interpolation' must be one of {', '.join(_INTERPOLATIONS)}, "
                         f"got {interpolation!r}")
    if getattr(x.dtype, "kind", "f") != "f":
        raise TypeError(f"{op}: argument 'input' has dtype {x.dtype}; expected a floating dtype")
    levels, scalar = _quantile_levels(op, q, x.dtype)
    if dim is None:
        rows, axis = x.reshape(-1), 0
    else:
        (axis,) = normalize_axis(dim, max(x.ndim, 1), op)
        rows = x if x.ndim else x.reshape(1)
    if rows.shape[axis] == 0:
        raise ValueError(f"{op}: argument 'input' is empty along the reduced dimension")
    rows = _to_last(rows, axis)
    lower, upper, weight, nan_rows = capture.run(_quantile_picks, _host_data(op, rows), levels, interpolation,
                                                 ignore_nan)
    below = _gathering.gather(rows, -1, lower)
    result = below if interpolation in ("lower", "higher", "nearest") else \
        below + Tensor(weight) * (_gathering.gather(rows, -1, upper) - below)
    if nan_rows.any():
        result = where(nan_rows[..., None], np.nan, result)
    # (..., Q) -> (Q, ...), the reduced axis (all axes for dim=None) kept as size 1 where asked
    if keepdim and dim is None:
        result = result.reshape((1,) * x.ndim + (levels.size,))
    elif keepdim and x.ndim:
        result = result.unsqueeze(axis)
    result = result.permute(result.ndim - 1, *range(result.ndim - 1))
    return result.reshape(result.shape[1:]) if scalar else result


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """The q-th quantiles (q a number or a 1-d tensor in [0, 1]) of all elements, or along `dim`;
    a 1-d q adds a leading axis of its length.  interpolation: 'linear', 'lower', 'higher',
    'midpoint' or 'nearest' between the two neighbouring order statistics.  A row holding NaN
    gives NaN.

    >>> import fastgrad as fg
    >>> fg.quantile(fg.tensor([1.0, 2.0, 3.0, 4.0]), 0.5).item()
    2.5
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear"):
    """quantile ignoring NaN: each row's quantiles are those of its other elements (NaN for a
    row of only NaN).

    >>> import fastgrad as fg
    >>> fg.nanquantile(fg.tensor([1.0, float("nan"), 3.0]), 0.5).item()
    2.0
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


def _mode_index(data):
    """Along the last axis: the index of the last occurrence of the most frequent value (the
    smallest such value on a tie), shape (..., 1)."""
    n = data.shape[-1]
    order = np.argsort(data, axis=-1, kind="stable")
    ordered = np.take_along_axis(data, order, -1)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    run_id = np.cumsum(starts, axis=-1) - 1
    run_start = np.maximum.accumulate(np.where(starts, np.arange(n), 0), axis=-1)
    run_length = np.arange(n) - run_start + 1                 # length so far of each element's run
    # the end of the first longest run: ties go to the smallest value, which comes first
    best_end = np.argmax(run_length, axis=-1)[..., None]
    best_run = np.take_along_axis(run_id, best_end, -1)
    in_best = run_id == best_run
    last = np.max(np.where(in_best, order, -1), axis=-1, keepdims=True)
    return last.astype(np.int64)


def mode(input, dim=-1, keepdim=False):
    """(values, indices): the most frequent value along `dim` (the smallest one on a tie) and
    the index of its last occurrence, as PyTorch on the CPU.  The gradient goes to that element.

    >>> import fastgrad as fg
    >>> fg.mode(fg.tensor([3.0, 1.0, 3.0, 2.0])).values.item()
    3.0
    """
    x = _as_tensor(input)
    (axis,) = normalize_axis(dim, max(x.ndim, 1), "mode")
    if x.ndim == 0:
        return ValuesIndices(x * 1, Tensor(np.zeros((), dtype=np.int64)))
    if x.shape[axis] == 0:
        raise IndexError(f"mode: the reduced dimension {dim} has size 0")
    rows = _to_last(x, axis)
    picked = capture.run(_mode_index, _host_data("mode", rows))
    values = _gathering.gather(rows, -1, picked)
    values, picked = values.squeeze(-1), Tensor(picked).squeeze(-1)
    if keepdim:
        values, picked = values.unsqueeze(axis), picked.unsqueeze(axis)
    return ValuesIndices(values, picked)


def histc(input, bins=100, min=0, max=0):
    """Counts of the elements in `bins` equal bins over [min, max] (the data's own range when
    min == max, widened by 1 each way if that is a point); elements outside are not counted.
    Returns the counts in the input's dtype; no gradient.

    >>> import fastgrad as fg
    >>> fg.histc(fg.tensor([1.0, 2.0, 1.0, 4.0]), bins=4).tolist()
    [2.0, 1.0, 0.0, 1.0]
    """
    x = _as_tensor(input)
    if getattr(x.dtype, "kind", "f") != "f":
        raise TypeError(f"histc: argument 'input' has dtype {x.dtype}; expected a floating dtype")
    if int(bins) != bins or bins <= 0:
        raise ValueError(f"histc: argument 'bins' must be a positive integer, got {bins}")
    data = _host_data("histc", x).reshape(-1)
    low, high = float(min), float(max)
    if low > high:
        raise ValueError(f"histc: argument 'max' ({high}) must be at least argument 'min' ({low})")
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = low - 1.0, high + 1.0
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"histc: the range [{low}, {high}] is not finite")
    inside = data[(data >= low) & (data <= high)].astype(np.float64)
    index = ((inside - low) * int(bins) / (high - low)).astype(np.int64)
    index[index == int(bins)] = int(bins) - 1
    return Tensor(np.bincount(index, minlength=int(bins)).astype(x.dtype))


_methods.bind({"quantile": quantile, "nanquantile": nanquantile, "mode": mode, "histc": histc})
