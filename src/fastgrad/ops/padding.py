"""F.pad: PyTorch's padding of the last axes (constant, reflect, replicate, circular).

The constant mode is the pad_constant primitive (negative widths crop); the
others gather from the input along each padded axis, so their gradient adds
the copies back onto the elements they were taken from.
"""
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from .manipulation import pad_constant

# PyTorch's mode names and the np.pad index pattern that gives them.
_GATHER_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _widths(op, pad, ndim):
    """((before, after), ...) per axis of an ndim tensor from PyTorch's (last_lo, last_hi, ...) pad."""
    if not isinstance(pad, (tuple, list)) or not all(isinstance(p, numbers.Integral) and not isinstance(p, bool)
                                                     for p in pad):
        raise TypeError(f"{op}: argument 'pad' must be a tuple of ints, got {pad!r}")
    if len(pad) % 2 or len(pad) // 2 > ndim:
        raise ValueError(f"{op}: argument 'pad' must have an even length of at most 2 * input.ndim "
                         f"({2 * ndim}), got {len(pad)}")
    widths = [(0, 0)] * ndim
    for i in range(len(pad) // 2):
        widths[ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return widths


def _crop(x, widths):
    """x with the negative widths cut off (PyTorch's negative padding)."""
    index = tuple(slice(-lo if lo < 0 else 0, x.shape[axis] + hi if hi < 0 else None)
                  for axis, (lo, hi) in enumerate(widths))
    return x[index] if any(lo < 0 or hi < 0 for lo, hi in widths) else x


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 axes of input, as PyTorch's F.pad: pad = (left, right) for
    the last axis, then (top, bottom) for the one before, and so on.

    mode 'constant' fills with `value` (0 by default; negative widths crop);
    'reflect' mirrors without repeating the edge (width < size), 'replicate' repeats the
    edge, 'circular' wraps around (width <= size).  The non-constant modes pad at most the
    last three axes and not the first (batch) axis.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.pad(fg.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect").tolist()
    [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]
    """
    op = "pad"
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    x = input if isinstance(input, Tensor) else Tensor(input)
    widths = _widths(op, pad, x.ndim)
    if mode == "constant":
        if value is not None and not isinstance(value, numbers.Real):
            raise TypeError(f"{op}: argument 'value' must be a number, got {type(value).__name__}")
        x = _crop(x, widths)
        return pad_constant(x, [(max(lo, 0), max(hi, 0)) for lo, hi in widths], 0.0 if value is None else value)
    if mode not in _GATHER_MODES:
        raise ValueError(f"{op}: argument 'mode' must be 'constant', 'reflect', 'replicate' or 'circular', got "
                         f"{mode!r}")
    if value is not None and value != 0:
        raise ValueError(f"{op}: a padding value applies to mode 'constant' only, got value={value!r} with "
                         f"mode={mode!r}")
    padded = len(pad) // 2
    if padded > 3 or padded >= x.ndim:
        raise ValueError(f"{op}: mode {mode!r} pads 1 to 3 trailing axes of an input with a leading batch or "
                         f"channel axis; got pad of length {len(pad)} for an input of shape {tuple(x.shape)}")
    for axis, (lo, hi) in enumerate(widths):
        if lo == 0 and hi == 0:
            continue
        size = x.shape[axis]
        limit = {"reflect": size - 1, "circular": size}.get(mode, np.inf)  # replicate: any width
        if lo < 0 or hi < 0:
            raise ValueError(f"{op}: negative padding is supported in mode 'constant' only, got {pad!r}")
        if max(lo, hi) > limit or size == 0:
            bound = "smaller than" if mode == "reflect" else "at most"
            raise ValueError(f"{op}: with mode {mode!r} the padding ({lo}, {hi}) of axis {axis} must be {bound} "
                             f"its size ({size})")
        index = np.pad(np.arange(size), (lo, hi), mode=_GATHER_MODES[mode])
        x = x[(slice(None),) * axis + (index,)]
    return x
