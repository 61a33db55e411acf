"""affine_grid and grid_sample: spatial transformers, as PyTorch's F.affine_grid / F.grid_sample.

affine_grid maps the normalised coordinates of every output pixel ([-1, 1] across each axis)
through a batch of affine matrices; it is one matmul, so theta's gradient comes from matmul.

grid_sample reads the input at those (x, y[, z]) coordinates.  It is composed of
differentiable ops: each sampling coordinate is unnormalised and folded into the input
(padding_mode) by a map that is linear where it is smooth (slope 1, -1 or 0, chosen from the
coordinate's value), each corner of the cell around it is gathered from the flattened input
(the input's gradient is the gather's scatter), and its weight is a product of the
coordinate's fractional parts (the grid's gradient).  Corners outside the input weigh 0.
"""
import itertools
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..backend import host_data
from .gathering import gather

_MODES = ("bilinear", "nearest", "bicubic")
_CUBIC_A = -0.75  # the cubic convolution kernel's parameter (as PyTorch)
_PADDING_MODES = ("zeros", "border", "reflection")
_DEFAULT_CHANGED = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since "
                    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
                    "documentation of grid_sample for details.")


def _tensor(op, name, value):
    if not hasattr(value, "ndim"):
        raise TypeError(f"{op}: argument '{name}' must be a Tensor or an array, got {type(value).__name__}")
    t = value if isinstance(value, Tensor) else Tensor(value)
    host_data(op, name, t._data)  # the sampling positions are computed on the host
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: argument '{name}' must be a floating tensor, got dtype {t.dtype}")
    return t


def _align_corners(align_corners):
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def _axis_positions(n, align_corners, dtype):
    """The normalised coordinates of n pixels along one axis: the corner pixels' centres at +-1, or
    (align_corners=False) the same points scaled by (n - 1) / n.  As PyTorch computes them (its
    linspace fills the first half from -1 and the second from +1), so that pixel centres map
    exactly onto integer pixel coordinates as there."""
    if n == 1:
        return np.zeros(1, dtype)
    step = 2.0 / (n - 1)
    i = np.arange(n)
    points = np.where(i < n // 2, -1.0 + step * i, 1.0 - step * (n - 1 - i)).astype(dtype)
    return points if align_corners else (points * dtype.type(n - 1) / dtype.type(n)).astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of affine maps: (N, H, W, 2) from theta (N, 2, 3) and size (N, C, H, W),
    or (N, D, H, W, 3) from theta (N, 3, 4) and size (N, C, D, H, W).

    grid[n, h, w] = theta[n] @ (x_w, y_h, 1), x and y the normalised pixel coordinates.

    >>> import fastgrad as fg
    >>> affine_grid(fg.eye(2, 3)[None], (1, 1, 1, 2), align_corners=False).tolist()
    [[[[-0.5, 0.0], [0.5, 0.0]]]]
    """
    op = "affine_grid"
    t = _tensor(op, "theta", theta)
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise ValueError(f"{op}: argument 'size' must be (N, C, H, W) or (N, C, D, H, W), got {size}")
    d = len(size) - 2
    if t.ndim != 3 or t.shape[1:] != (d, d + 1):
        raise ValueError(f"{op}: argument 'theta' must have shape (N, {d}, {d + 1}) for a size of length "
                         f"{len(size)}, got {tuple(t.shape)}")
    if t.shape[0] != size[0]:
        raise ValueError(f"{op}: theta has {t.shape[0]} matrices but size asks for a batch of {size[0]}")
    if min(size[2:], default=1) < 1:
        raise ValueError(f"{op}: every spatial size must be positive, got {size}")
    corners = _align_corners(align_corners)
    spatial = size[2:]
    # (x, y[, z], 1) for every output position, x running along the last axis.
    axes = [_axis_positions(n, corners, t.dtype) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")
    base = np.stack([*reversed(mesh), np.ones(spatial, t.dtype)], axis=-1).reshape(1, -1, d + 1)
    grid = Tensor(base) @ t.transpose(1, 2)
    return grid.reshape(size[0], *spatial, d)


# ---- grid_sample ---------------------------------------------------------------------


def _unnormalised(c, n, align_corners):
    """Pixel coordinates of normalised ones along an axis of n pixels."""
    if align_corners:
        return (c + 1.0) * ((n - 1) / 2.0)
    return ((c + 1.0) * n - 1.0) / 2.0


def _reflected(v, low2, high2):
    """v reflected into [low2 / 2, high2 / 2] (PyTorch's reflect_coordinates), and the slope (+-1)."""
    if low2 == high2:
        return np.zeros_like(v), np.zeros_like(v)
    low, span = low2 / 2.0, (high2 - low2) / 2.0
    shifted = v - low
    distance = np.abs(shifted)
    extra = np.fmod(distance, span)
    even = np.floor(distance / span) % 2 == 0
    folded = np.where(even, extra + low, span - extra + low)
    slope = np.where(shifted < 0, -1.0, 1.0) * np.where(even, 1.0, -1.0)
    return folded, slope


def _padded(c, n, padding_mode, align_corners):
    """The coordinate folded into the input by padding_mode, with the gradient of the fold."""
    if padding_mode == "zeros":
        return c
    raw = c.detach().numpy()
    v = raw.astype(np.float64)
    slope = np.ones_like(v)
    if padding_mode == "reflection":
        v, slope = _reflected(v, 0, 2 * (n - 1)) if align_corners else _reflected(v, -1, 2 * n - 1)
    inside = (v > 0) & (v < n - 1)
    v = np.clip(v, 0, n - 1)
    slope = np.where(inside, slope, 0.0)
    # Equal to v, with slope as its derivative in c.
    slope, offset = slope.astype(c.dtype), (v - slope * raw).astype(c.dtype)
    return c * slope + offset


def _folded_index(index, n, padding_mode, align_corners):
    """Integer pixel indices folded into the input by padding_mode ('zeros' leaves them)."""
    if padding_mode == "zeros":
        return index
    v = index.astype(np.float64)
    if padding_mode == "reflection":
        v, _ = _reflected(v, 0, 2 * (n - 1)) if align_corners else _reflected(v, -1, 2 * n - 1)
    return np.clip(v, 0, n - 1).astype(np.int64)


def _cubic_weights(t):
    """The four cubic-convolution weights of the pixels at -1, 0, 1, 2 from the sample, t in [0, 1)."""
    a = _CUBIC_A

    def near(x):   # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):    # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return [far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)]


def _picks(c, n, mode, padding_mode, align_corners):
    """(pixel index, weight) pairs along one axis for every sample (weight None: nearest)."""
    value = c.detach().numpy()
    if mode == "nearest":
        return [(np.rint(value).astype(np.int64), None)]
    low = np.floor(value).astype(np.int64)
    t = c - low.astype(c.dtype)
    if mode == "bilinear":
        return [(low, 1.0 - t), (low + 1, t)]
    return [(_folded_index(low - 1 + k, n, padding_mode, align_corners), w) for k, w in enumerate(_cubic_weights(t))]


def _corner_terms(x_flat, coords, sizes, picks, samples):
    """Pairs (values, weight) over the cell's corners (nearest: one corner) of every sample;
    corners outside the input weigh 0."""
    values = []
    n, channels = x_flat.shape[:2]
    strides = np.cumprod((1,) + tuple(reversed(sizes[1:])))[::-1]
    for corner in itertools.product(*picks):
        flat = np.zeros(corner[0][0].shape, np.int64)
        valid = np.ones(corner[0][0].shape, bool)
        weight = None
        for (index, w), extent, stride in zip(corner, sizes, strides):
            valid &= (index >= 0) & (index < extent)
            flat += np.clip(index, 0, extent - 1) * stride
            if w is not None:
                weight = w if weight is None else weight * w
        mask = valid.astype(x_flat.dtype)
        if weight is None:  # nearest: no gradient in the grid, but a zero one where it asks for it
            weight = coords[0] * 0.0 + mask if coords[0].requires_grad else Tensor(mask)
        else:
            weight = weight * mask
        index = np.broadcast_to(flat.reshape(n, 1, samples), (n, channels, samples))
        values.append((gather(x_flat, 2, index), weight.reshape(n, 1, samples)))
    return values


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """input (N, C, H, W) read at grid (N, Ho, Wo, 2) -> (N, C, Ho, Wo); or 5-d input with a
    (N, Do, Ho, Wo, 3) grid.  grid[..., 0] is x (along W), grid[..., 1] y (along H)[, 2 z], each
    in [-1, 1] across the input (pixel centres when align_corners=False, the corner pixels' centres
    when True).  mode: 'bilinear' (trilinear for 5-d), 'nearest' (ties to even) or 'bicubic'
    (4-d only; cubic convolution with a = -0.75 over 4 x 4 pixels, each folded by the padding);
    padding_mode: 'zeros', 'border' or 'reflection' for coordinates outside the input.
    Differentiable in input and, except for 'nearest', in grid.

    >>> import fastgrad as fg
    >>> x = fg.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> grid_sample(x, fg.zeros(1, 1, 1, 2), align_corners=False).tolist()
    [[[[2.5]]]]
    """
    op = "grid_sample"
    x = _tensor(op, "input", input)
    g = _tensor(op, "grid", grid)
    if mode not in _MODES:
        raise ValueError(f"{op}: argument 'mode' must be one of {_MODES}, got {mode!r}")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"{op}: argument 'padding_mode' must be one of {_PADDING_MODES}, got {padding_mode!r}")
    if x.ndim not in (4, 5):
        raise ValueError(f"{op}: argument 'input' must be 4-d (N, C, H, W) or 5-d (N, C, D, H, W), "
                         f"got shape {tuple(x.shape)}")
    d = x.ndim - 2
    if mode == "bicubic" and d != 2:
        raise ValueError(f"{op}: mode 'bicubic' takes a 4-d input (N, C, H, W), got shape {tuple(x.shape)}")
    if g.ndim != x.ndim or g.shape[-1] != d or g.shape[0] != x.shape[0]:
        raise ValueError(f"{op}: argument 'grid' must have shape (N, *output, {d}) with N = {x.shape[0]} for "
                         f"a {x.ndim}-d input, got {tuple(g.shape)}")
    if g.dtype != x.dtype:
        raise TypeError(f"{op}: input ({x.dtype}) and grid ({g.dtype}) must have the same dtype")
    sizes = tuple(x.shape[2:])
    if min(sizes) < 1:
        raise ValueError(f"{op}: the input's spatial sizes must be positive, got {sizes}")
    corners = _align_corners(align_corners)
    n, channels = x.shape[:2]
    out_spatial = tuple(g.shape[1:-1])
    # One coordinate per input axis (D, H, W order); the grid holds them as x, y[, z].  Bicubic
    # folds each of its pixels by the padding; the other modes fold the coordinate.
    coords = [_unnormalised(g[..., d - 1 - axis], sizes[axis], corners) for axis in range(d)]
    if mode != "bicubic":
        coords = [_padded(c, size, padding_mode, corners) for c, size in zip(coords, sizes)]
    picks = [_picks(c, size, mode, padding_mode, corners) for c, size in zip(coords, sizes)]
    x_flat = x.reshape(n, channels, int(np.prod(sizes)))
    out = None
    for values, weight in _corner_terms(x_flat, coords, sizes, picks, int(np.prod(out_spatial))):
        term = values * weight
        out = term if out is None else out + term
    return out.reshape(n, channels, *out_spatial)
