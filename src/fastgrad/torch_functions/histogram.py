"""PyTorch's histogram: counts (or weighted sums, or a density) of a floating tensor's elements
in bins, with the bin edges, as a (hist, bin_edges) pair; histogramdd does the same for points
in D dimensions (the last dimension of input).  No gradient.

    import fastgrad as torch
    hist, edges = torch.histogram(x, bins=10, range=(0.0, 1.0))
    hist, edges = torch.histogram(x, torch.tensor([0.0, 0.5, 2.0]), density=True)
    hist, edges = torch.histogramdd(points, bins=[4, 8])      # points of shape (N, 2)
"""
from collections import namedtuple

import builtins

import numpy as np

from ..autograd.tensor import Tensor
from .tensor_methods import _as_tensor

__all__ = ["histogram", "histogramdd"]

Histogram = namedtuple("Histogram", ["hist", "bin_edges"])
HistogramDD = namedtuple("histogramdd", ["hist", "bin_edges"])


def histogram(input, bins=100, *, range=None, weight=None, density=False):
    """Counts of input's elements in `bins` (an int: equal-width bins over `range`, or over
    [min, max] of input when range is None; a 1-D tensor: the increasing edges).  The last bin
    includes its right edge; weight gives each element's contribution; density=True divides by
    the total and the bin widths.  Both results have input's dtype.

    Equal-width edges are computed in input's dtype from the nearer end of the range; they can
    differ from PyTorch's in the last bit, so a sample lying exactly on an edge may be counted in
    the neighbouring bin (the counts always agree with the edges returned)."""
    x = _as_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histogram: argument 'input' must be a floating tensor, got dtype {x.dtype}")
    if isinstance(bins, Tensor) or not isinstance(bins, (int, np.integer)):
        edges = np.asarray(bins._data if isinstance(bins, Tensor) else bins, dtype=np.float64)
        if edges.ndim != 1 or edges.size < 1 or np.any(np.diff(edges) < 0):
            raise ValueError("histogram: argument 'bins' as edges must be a 1-D increasing tensor with at least "
                             "one element")
        bins = edges
    elif bins <= 0:
        raise ValueError(f"histogram: argument 'bins' must be a positive int, got {bins}")
    if range is not None:
        low, high = (float(v) for v in range)
        if not low <= high:
            raise ValueError(f"histogram: argument 'range' must be (min, max) with min <= max, got {range}")
        range = (low, high)
    weights = None
    if weight is not None:
        weights = np.asarray(weight._data if isinstance(weight, Tensor) else weight)
        if weights.shape != tuple(x.shape):
            raise ValueError(f"histogram: argument 'weight' has shape {weights.shape}, not input's {tuple(x.shape)}")
    data = x._data.ravel()
    if not isinstance(bins, np.ndarray):
        bins = _equal_width_edges(data, bins, range).astype(np.float64)
    hist, edges = np.histogram(data.astype(np.float64), bins=bins,
                               weights=None if weights is None else weights.ravel(), density=density)
    return Histogram(Tensor(hist.astype(x.dtype)), Tensor(edges.astype(x.dtype)))


def _equal_width_edges(data, count, range):
    """count + 1 edges from the range's ends (input's min and max when None, widened by 0.5 each
    way when equal), in input's dtype, each computed from the nearer end as PyTorch's linspace does."""
    if range is None:
        low, high = (data.min(), data.max()) if data.size else (0.0, 0.0)
    else:
        low, high = range
    low, high = data.dtype.type(low), data.dtype.type(high)
    if low == high:
        low, high = low - data.dtype.type(0.5), high + data.dtype.type(0.5)
    step = (high - low) / data.dtype.type(count)
    i = np.arange(count + 1)
    return np.where(i < (count + 1) // 2, low + step * i.astype(data.dtype),
                    high - step * (count - i).astype(data.dtype)).astype(data.dtype)


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """Counts of the points in input's rows (shape (..., D): each point has D coordinates) in
    D-dimensional bins.  bins is one int for every dimension, D ints, or D 1-D tensors of
    increasing edges; range is [min_0, max_0, ..., min_{D-1}, max_{D-1}] for integer bins (the
    points' extent when None); weight (input's shape without its last dimension) and density as
    in histogram.  Returns (hist of shape (bins_0, ..., bins_{D-1}), a tuple of the D edges)."""
    x = _as_tensor(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histogramdd: argument 'input' must be a floating tensor, got dtype {x.dtype}")
    if x.ndim < 2:
        raise RuntimeError(f"histogramdd: argument 'input' must have at least 2 dimensions (points, coordinates), "
                           f"got {x.ndim}")
    dims = x.shape[-1]
    points = np.asarray(x._data).reshape(-1, dims)
    if isinstance(bins, (int, np.integer)):
        bins = [bins] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise ValueError(f"histogramdd: argument 'bins' must give {dims} entries (one per coordinate), got "
                         f"{len(bins)}")
    if range is not None:
        range = [float(v) for v in range]
        if len(range) != 2 * dims or any(range[2 * d] > range[2 * d + 1] for d in builtins.range(dims)):
            raise ValueError(f"histogramdd: argument 'range' must hold {dims} (min, max) pairs with min <= max, got "
                             f"{range}")
    edges = []
    for d, b in enumerate(bins):
        if isinstance(b, (int, np.integer)):
            if b <= 0:
                raise ValueError(f"histogramdd: the number of bins must be positive, got {b}")
            span = None if range is None else (range[2 * d], range[2 * d + 1])
            edges.append(_equal_width_edges(points[:, d], int(b), span).astype(np.float64))
        else:
            e = np.asarray(b._data if isinstance(b, Tensor) else b, dtype=np.float64)
            if e.ndim != 1 or e.size < 1 or np.any(np.diff(e) < 0):
                raise ValueError("histogramdd: edges must be 1-D increasing tensors with at least one element")
            edges.append(e)
    weights = None
    if weight is not None:
        weights = np.asarray(weight._data if isinstance(weight, Tensor) else weight)
        if weights.shape != tuple(x.shape[:-1]):
            raise ValueError(f"histogramdd: argument 'weight' has shape {weights.shape}, not {tuple(x.shape[:-1])}")
        weights = weights.reshape(-1)
    hist, found = np.histogramdd(points.astype(np.float64), bins=edges, weights=weights, density=density)
    return HistogramDD(Tensor(hist.astype(x.dtype)), tuple(Tensor(e.astype(x.dtype)) for e in found))
