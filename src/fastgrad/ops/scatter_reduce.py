"""scatter_reduce: src's elements reduced into a copy of x at the positions an index gives
(sum, prod, mean, amax, amin; with or without x's own value), as torch.scatter_reduce.

The forward is NumPy's unbuffered `ufunc.at`.  The gradient is PyTorch's: a position's
output gradient goes to each element that contributed to it (sum), divided by their count
(mean), to the elements equal to the result shared evenly among the ties (amax, amin), or
times the product of the other contributors (prod; the one zero among them gets the product
of the rest).  For sum, mean, amax and amin the backward is linear in the gradient with
constant weights, so second derivatives follow; prod's second derivative is not implemented.
"""
import numpy as np

from ..autograd.primitive import Primitive

REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_UFUNCS = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:  # bool
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


def _counts(shape, idx, weights=None):
    """How many (or, with weights, how much of) src's elements land on each position."""
    counts = np.zeros(shape, np.int64 if weights is None else np.float64)
    np.add.at(counts, idx, 1 if weights is None else weights)
    return counts


class ScatterReduce(Primitive):
    """out = x with src reduced in at the advanced index idx; see the module docstring."""

    @staticmethod
    def forward(ctx, b, x, src, idx, reduce, include_self):
        touched = np.zeros(x.shape, bool)
        touched[idx] = True
        out = x.copy()
        if not include_self:
            out[touched] = _identity(reduce, x.dtype)
        _UFUNCS[reduce].at(out, idx, src)
        took_part = include_self | ~touched   # where x's own value is one of the contributors
        if reduce == "mean":
            counts = _counts(x.shape, idx) + took_part
            out = out / counts.astype(x.dtype) if x.dtype.kind == "f" else out // np.maximum(counts, 1)
            share = 1.0 / np.maximum(counts, 1)
            x_weight, src_weight = took_part * share, share[idx]
        elif reduce in ("amax", "amin"):
            x_ties = took_part & (x == out)
            src_ties = src == out[idx]
            share = 1.0 / np.maximum(x_ties + _counts(x.shape, idx, src_ties), 1)
            x_weight, src_weight = x_ties * share, share[idx] * src_ties
        elif reduce == "prod":
            ctx.save_for_backward(x, src)
            x_weight = src_weight = None
        else:
            x_weight, src_weight = took_part, None
        ctx.idx, ctx.took_part = idx, took_part
        dtype = out.dtype
        ctx.weights = [w if w is None else w.astype(dtype) for w in (x_weight, src_weight)]
        return out

    @staticmethod
    def backward(ctx, b, g):
        idx = ctx.idx
        x_weight, src_weight = ctx.weights
        if x_weight is None:  # prod: the weights are the products of the other contributors
            if not isinstance(g, np.ndarray):
                raise RuntimeError("scatter_reduce: the second derivative of reduce='prod' is not implemented")
            x_weight, src_weight = _products_of_others(*ctx.saved_arrays, idx, ctx.took_part)
        return g * x_weight, (g[idx] if src_weight is None else g[idx] * src_weight), None, None, None


def _products_of_others(x, src, idx, took_part):
    """For each contributor to a position, the product of the position's other contributors."""
    x_in = np.where(took_part, x, 1)
    zeros = (x_in == 0).astype(np.int64)
    np.add.at(zeros, idx, src == 0)
    nonzero = np.where(x_in == 0, 1, x_in)
    np.multiply.at(nonzero, idx, np.where(src == 0, 1, src))

    def others(values, z, p):
        safe = np.where(values == 0, 1, values)
        return np.where(values == 0, np.where(z == 1, p, 0), np.where(z == 0, p / safe, 0))

    x_others = np.where(took_part, others(x, zeros, nonzero), 0).astype(x.dtype)
    return x_others, others(src, zeros[idx], nonzero[idx]).astype(src.dtype)


def scatter_reduce(x, src, idx, reduce, include_self=True):
    """x with src reduced in at the advanced index idx (checked by the caller)."""
    if reduce not in REDUCTIONS:
        raise RuntimeError(f"scatter_reduce: argument 'reduce' must be one of {', '.join(REDUCTIONS)}, got {reduce!r}")
    return ScatterReduce.apply(x, src, idx, reduce, bool(include_self))
