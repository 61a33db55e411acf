"""Padding layers (F.pad as a module): constant / zero, reflection, replication and circular padding.

`padding` is an int (the same width on every side) or PyTorch's tuple (left, right[, top,
bottom[, front, back]]) for the last 1, 2 or 3 axes, stored as the full tuple.
"""
import numbers

from .. import functional as F
from .module import Module


def _widths(name, padding, sides):
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return (int(padding),) * sides
    if (not isinstance(padding, (tuple, list)) or len(padding) != sides
            or not all(isinstance(p, numbers.Integral) and not isinstance(p, bool) for p in padding)):
        raise TypeError(f"{name}: padding must be an int or a tuple of {sides} ints, got {padding!r}")
    return tuple(int(p) for p in padding)


class _PadNd(Module):
    """F.pad(input, padding, mode) over the last `sides // 2` axes."""
    sides = 2
    mode = "constant"

    def __init__(self, padding):
        super().__init__()
        self.padding = _widths(type(self).__name__, padding, self.sides)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last axis with `value`.

    >>> ConstantPad1d(2, 3.5)(fastgrad.zeros(1, 2, 4)).shape
    (1, 2, 8)
    """
    sides = 2


class ConstantPad2d(_ConstantPadNd):
    """Pads the last two axes with `value`: padding = (left, right, top, bottom)."""
    sides = 4


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three axes with `value`: padding = (left, right, top, bottom, front, back)."""
    sides = 6


class _Zeros:
    """Constant padding with value 0, printed with the padding only (PyTorch's ZeroPad repr)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad1d(_Zeros, ConstantPad1d):
    """Pads the last axis with zeros."""


class ZeroPad2d(_Zeros, ConstantPad2d):
    """Pads the last two axes with zeros: padding = (left, right, top, bottom)."""


class ZeroPad3d(_Zeros, ConstantPad3d):
    """Pads the last three axes with zeros."""


class ReflectionPad1d(_PadNd):
    """Mirrors the last axis at its ends, the edge not repeated (each width < the axis' size)."""
    sides, mode = 2, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirrors the last two axes at their ends, the edge not repeated."""
    sides, mode = 4, "reflect"


class ReflectionPad3d(_PadNd):
    """Mirrors the last three axes at their ends, the edge not repeated."""
    sides, mode = 6, "reflect"


class ReplicationPad1d(_PadNd):
    """Repeats the edge values of the last axis."""
    sides, mode = 2, "replicate"


class ReplicationPad2d(_PadNd):
    """Repeats the edge values of the last two axes."""
    sides, mode = 4, "replicate"


class ReplicationPad3d(_PadNd):
    """Repeats the edge values of the last three axes."""
    sides, mode = 6, "replicate"


class CircularPad1d(_PadNd):
    """Wraps the last axis around (each width at most the axis' size)."""
    sides, mode = 2, "circular"


class CircularPad2d(_PadNd):
    """Wraps the last two axes around."""
    sides, mode = 4, "circular"


class CircularPad3d(_PadNd):
    """Wraps the last three axes around."""
    sides, mode = 6, "circular"
