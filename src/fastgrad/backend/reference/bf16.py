"""Reference twins of the bfloat16 kernels (csrc/bf16.c), in plain NumPy.

They are float32-only, like the kernels, and not part of the dispatched
families of reference/__init__.py (no float64 or CuPy versions exist).
"""
import numpy as np

from .linear import bias_act_fwd


def bf16_bits(x):
    """The bfloat16 bits (uint16) of float32 x: round to nearest, ties to even, on the bits;
    a NaN stays a NaN of the same sign (made quiet)."""
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF
    quiet_nan = (u >> 16) | 0x0040
    return np.where((u & 0x7FFFFFFF) > 0x7F800000, quiet_nan, rounded).astype(np.uint16)


def bias_act_bf16(z, bias=None, activation="none"):
    """(y, saved, y_bits): the linear epilogue's y = act(z + bias) and what its backward takes (the
    twin of bias_act_fwd), with the bfloat16 bits of y."""
    y, saved = bias_act_fwd(np, z, bias, activation)
    return y, saved, bf16_bits(y)
