"""F.interpolate: nearest and (bi/tri)linear resampling of the spatial axes, as PyTorch's.

Each mode is separable: along every spatial axis the output is a fixed
(out, in) matrix of interpolation weights times the input (one 1 per row for
nearest, two weights for linear), applied with matmul, so the gradient is
the transposed matrix product.
"""
import math
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from .shape import swapaxes

_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
_NEAREST_MODES = ("nearest", "nearest-exact")


def _per_axis(op, name, value, count, kind):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * count
    if len(values) != count or not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
        raise ValueError(f"{op}: argument '{name}' must be one number or {count} of them (one per spatial axis), "
                         f"got {value!r}")
    return values


def _source_coordinates(out_size, in_size, scale, mode, align_corners):
    """(index0, index1, weight1) per output position along one axis (PyTorch's coordinate rules)."""
    dst = np.arange(out_size)
    if mode in _NEAREST_MODES:
        # NOTE: PyTorch computes the nearest index in float32; so do we, for the same picks.
        shift = np.float32(0.5 if mode == "nearest-exact" else 0.0)
        src = np.floor((dst.astype(np.float32) + shift) * np.float32(scale)).astype(np.int64)
        src = np.minimum(src, in_size - 1)
        return src, src, np.zeros(out_size)
    if align_corners:
        step = (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
        src = dst * step
    else:
        src = np.maximum(scale * (dst + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    i1 = np.minimum(i0 + 1, in_size - 1)
    return i0, i1, src - i0


def _weights(out_size, in_size, scale, mode, align_corners, dtype):
    """The (out_size, in_size) interpolation matrix of one axis."""
    i0, i1, w1 = _source_coordinates(out_size, in_size, scale, mode, align_corners)
    matrix = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, i0), 1.0 - w1)
    np.add.at(matrix, (rows, i1), w1)
    return matrix.astype(dtype)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial axes of input (N, C, *spatial), as PyTorch's F.interpolate.

    Give the output `size` or a `scale_factor` (output = floor(input * scale_factor)).
    mode: 'nearest' (source index floor(dst * in / out)), 'nearest-exact', 'linear' (3-d
    input), 'bilinear' (4-d) or 'trilinear' (5-d).  align_corners (linear modes only) maps
    the corner pixels' centres onto each other; otherwise pixel areas are aligned.  With a
    scale_factor the coordinates use 1 / scale_factor unless recompute_scale_factor.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.interpolate(fg.tensor([[[1.0, 3.0]]]), scale_factor=2, mode="linear").tolist()
    [[[1.0, 1.5, 2.5, 3.0]]]
    """
    op = "interpolate"
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    spatial = x.ndim - 2
    if spatial < 1 or spatial > 3:
        raise ValueError(f"{op}: input must be 3-d, 4-d or 5-d (N, C, *spatial), got shape {tuple(x.shape)}")
    if mode in _LINEAR_MODES:
        if _LINEAR_MODES[mode] != spatial:
            raise ValueError(f"{op}: mode {mode!r} takes a {_LINEAR_MODES[mode] + 2}-d input, got shape "
                             f"{tuple(x.shape)}")
        align_corners = bool(align_corners)
    elif mode in _NEAREST_MODES:
        if align_corners is not None:
            raise ValueError(f"{op}: align_corners can only be set with the linear modes (linear, bilinear, "
                             f"trilinear), not mode {mode!r}")
    else:
        raise NotImplementedError(f"{op}: mode {mode!r} is not supported (nearest, nearest-exact, linear, "
                                  "bilinear, trilinear are)")
    if antialias:
        raise NotImplementedError(f"{op}: antialias=True is not supported")
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor")
    in_sizes = tuple(x.shape[2:])
    if size is not None:
        out_sizes = _per_axis(op, "size", size, spatial, numbers.Integral)
        if any(s < 0 for s in out_sizes):
            raise ValueError(f"{op}: argument 'size' must be >= 0, got {size!r}")
        scales = [i / o if o else 0.0 for i, o in zip(in_sizes, out_sizes)]
    else:
        factors = _per_axis(op, "scale_factor", scale_factor, spatial, numbers.Real)
        if any(not f > 0 or not math.isfinite(f) for f in factors):
            raise ValueError(f"{op}: argument 'scale_factor' must be positive and finite, got {scale_factor!r}")
        out_sizes = tuple(int(math.floor(i * f)) for i, f in zip(in_sizes, factors))
        scales = [i / o if o else 0.0 for i, o in zip(in_sizes, out_sizes)] if recompute_scale_factor else \
            [1.0 / f for f in factors]
    if any(i == 0 for i in in_sizes) and any(o > 0 for o in out_sizes):
        raise ValueError(f"{op}: cannot resample an empty spatial axis (input shape {tuple(x.shape)})")
    out = x
    for k, (out_size, in_size, scale) in enumerate(zip(out_sizes, in_sizes, scales)):
        axis = 2 + k
        if out_size == in_size and mode in _NEAREST_MODES and scale == 1.0:
            continue
        matrix = Tensor(_weights(out_size, in_size, scale, mode, align_corners, x.dtype).T)
        out = swapaxes(swapaxes(out, axis, -1) @ matrix, axis, -1)
    return out
