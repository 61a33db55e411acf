"""torch.gradient: the derivative of sampled values estimated by finite differences along each
dimension, differentiable in the values.

Inside, second-order central differences; at the two ends one-sided differences of first
(edge_order=1) or second order (edge_order=2).  With uniform spacing h:

    g[i] = (f[i+1] - f[i-1]) / (2 h)
    g[0] = (f[1] - f[0]) / h                          (edge_order=1)
    g[0] = (-3 f[0] + 4 f[1] - f[2]) / (2 h)          (edge_order=2)

With coordinates x (spacing given as 1-D tensors), hl = x[i] - x[i-1], hr = x[i+1] - x[i]:

    g[i] = (hl^2 f[i+1] - hr^2 f[i-1] + (hr^2 - hl^2) f[i]) / (hl hr (hl + hr))

    import fastgrad as torch
    (dy,) = torch.gradient(torch.tensor([1.0, 4.0, 9.0, 16.0]))     # [3, 4, 6, 7]
"""
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from ..dtypes import get_default_dtype
from ..ops.broadcast import normalize_axis
from .tensor_methods import _as_tensor

__all__ = ["gradient"]


def _take(f, axis, start, stop):
    return f[(slice(None),) * axis + (slice(start, stop),)]


def _along(values, axis, ndim, dtype):
    """A 1-D array of coefficients shaped to broadcast along axis."""
    shape = [1] * ndim
    shape[axis] = -1
    return Tensor(np.asarray(values, dtype=dtype).reshape(shape))


def _uniform(f, axis, h, edge_order):
    inside = (_take(f, axis, 2, None) - _take(f, axis, None, -2)) / (2 * h)
    if edge_order == 1:
        first = (_take(f, axis, 1, 2) - _take(f, axis, 0, 1)) / h
        last = (_take(f, axis, -1, None) - _take(f, axis, -2, -1)) / h
    else:
        first = (-3 * _take(f, axis, 0, 1) + 4 * _take(f, axis, 1, 2) - _take(f, axis, 2, 3)) / (2 * h)
        last = (3 * _take(f, axis, -1, None) - 4 * _take(f, axis, -2, -1) + _take(f, axis, -3, -2)) / (2 * h)
    return first, inside, last


def _coordinates(f, axis, x, edge_order):
    dx = np.diff(x)
    hl, hr = dx[:-1], dx[1:]
    dtype = np.dtype(f.dtype)

    def weighted(coefficients, starts):
        total = 0
        for c, start in zip(coefficients, starts):
            total = total + _along(c, axis, f.ndim, dtype) * _take(f, axis, start, start + len(c))
        return total

    inside = weighted((-hr / (hl * (hl + hr)), (hr - hl) / (hl * hr), hl / (hr * (hl + hr))), (0, 1, 2))
    if edge_order == 1:
        first = (_take(f, axis, 1, 2) - _take(f, axis, 0, 1)) / float(dx[0])
        last = (_take(f, axis, -1, None) - _take(f, axis, -2, -1)) / float(dx[-1])
    else:
        a, b = float(dx[0]), float(dx[1])
        first = (_take(f, axis, 0, 1) * (-(2 * a + b) / (a * (a + b))) + _take(f, axis, 1, 2) * ((a + b) / (a * b))
                 + _take(f, axis, 2, 3) * (-a / (b * (a + b))))
        a, b = float(dx[-2]), float(dx[-1])
        last = (_take(f, axis, -3, -2) * (b / (a * (a + b))) + _take(f, axis, -2, -1) * (-(a + b) / (a * b))
                + _take(f, axis, -1, None) * ((2 * b + a) / (b * (a + b))))
    return first, inside, last


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The finite-difference derivative of input along each dimension in dim (all when None): a
    tuple of tensors of input's shape.  spacing is one number for every dimension, one number per
    dimension, or one 1-D tensor of coordinates per dimension.  Integer inputs give the default
    float dtype."""
    f = _as_tensor(input)
    if f.dtype.kind not in "fc":
        f = f.to(get_default_dtype())
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order}")
    if dim is None:
        axes = tuple(range(f.ndim))
    else:
        axes = tuple(normalize_axis(dim, max(f.ndim, 1), "gradient"))
    if isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.ndim == 1):
        spacing = [spacing] * len(axes)
    spacing = list(spacing)
    if len(spacing) != len(axes):
        raise RuntimeError(f"gradient: expected one spacing per dimension ({len(axes)}), got {len(spacing)}")
    results = []
    for axis, step in zip(axes, spacing):
        if f.shape[axis] < edge_order + 1:
            raise RuntimeError(f"gradient: dimension {axis} has size {f.shape[axis]}; each needs at least "
                               f"edge_order + 1 = {edge_order + 1}")
        if isinstance(step, Tensor) and step.ndim == 1:
            x = np.asarray(step._data, dtype=np.float64)
            if x.shape[0] != f.shape[axis]:
                raise RuntimeError(f"gradient: the coordinates of dimension {axis} number {x.shape[0]}, but the "
                                   f"dimension has size {f.shape[axis]}")
            pieces = _coordinates(f, axis, x, edge_order)
        else:
            h = float(step.item() if isinstance(step, Tensor) else step)
            pieces = _uniform(f, axis, h, edge_order)
        results.append(_concatenated(pieces, axis))
    return tuple(results)


def _concatenated(pieces, axis):
    from .. import ops

    return ops.cat(list(pieces), axis)
