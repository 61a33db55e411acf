"""scipy.signal.convolve with gradients, generalized as in HIPS autograd:

    convolve(A, B, axes=None, dot_axes=((), ()), mode="full")

`axes` = (axes of A, axes of B) are convolved pairwise (all axes by
default); `dot_axes` pairs are summed over as in a tensordot.  The result's
axes are A's remaining axes, then B's, then the convolved ones.  mode
'full', 'valid' or 'same' (centred, A's length) as in SciPy.  It is built
from pad, take and einsum, so both arguments get gradients of any order.
"""
import string

import numpy as _onp

from .. import numpy as np

__all__ = ["convolve"]


def _shape(x):
    return _onp.shape(getattr(x, "_data", x))


def convolve(A, B, axes=None, dot_axes=((), ()), mode="full"):
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same', got {mode!r}")
    shape_a, shape_b = _shape(A), _shape(B)
    if axes is None:
        if len(shape_a) != len(shape_b):
            raise ValueError("convolve: A and B need the same number of dimensions when axes is not given")
        axes = (list(range(len(shape_a))), list(range(len(shape_b))))
    conv_a, conv_b = [list(x) for x in axes]
    dot_a, dot_b = [list(x) for x in dot_axes]
    if len(conv_a) != len(conv_b) or len(dot_a) != len(dot_b):
        raise ValueError("convolve: axes and dot_axes must pair axes of A with as many axes of B")
    # For each convolved axis of A: zero padding, then the windows, A_pad[k + nb - 1 - j].
    letters = iter(string.ascii_letters)
    sub_a = [next(letters) for _ in shape_a]
    sub_b = [next(letters) for _ in shape_b]
    out_conv = []
    windows = A
    window_axes = list(range(len(shape_a)))   # where each original axis of A now is
    for ia, ib in zip(conv_a, conv_b):
        na, nb = shape_a[ia], shape_b[ib]
        width = [(0, 0)] * len(_shape(windows))
        axis = window_axes[ia]
        width[axis] = (nb - 1, nb - 1)
        padded = np.pad(windows, width)
        index = _onp.arange(na + nb - 1)[:, None] + (nb - 1) - _onp.arange(nb)[None, :]
        windows = np.take(padded, index, axis=axis)        # axis -> (k, j)
        window_axes = [a if a < axis else a + 1 for a in window_axes]
        k = next(letters)
        out_conv.append((k, na, nb))
        sub_a[ia] = k + sub_b[ib]                           # the j axis is B's axis
    for ia, ib in zip(dot_a, dot_b):
        sub_a[ia] = sub_b[ib]
    ignored_a = [sub_a[i] for i in range(len(shape_a)) if i not in conv_a and i not in dot_a]
    ignored_b = [sub_b[i] for i in range(len(shape_b)) if i not in conv_b and i not in dot_b]
    out = "".join(ignored_a + ignored_b + [k for k, _, _ in out_conv])
    result = np.einsum("".join(sub_a) + "," + "".join(sub_b) + "->" + out, windows, B)
    lead = (slice(None),) * (len(ignored_a) + len(ignored_b))
    return result[lead + tuple(_mode_slice(mode, na, nb) for _, na, nb in out_conv)]


def _mode_slice(mode, na, nb):
    if mode == "full":
        return slice(None)
    if mode == "valid":
        return slice(min(na, nb) - 1, max(na, nb))
    start = (nb - 1) // 2
    return slice(start, start + na)
