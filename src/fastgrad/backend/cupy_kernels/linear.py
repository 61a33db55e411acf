"""CuPy kernels of the linear-layer epilogues: csrc/linear.c, body for body.

Forward: after the GEMM (cupy.matmul, cuBLAS) has written z = x W^T, one
kernel adds the bias and applies the activation, in place into z when asked
(for the gelus, whose backward needs the pre-activation, z + b stays in z
and y is written apart).  Backward: one kernel computes gz = gy * act'(saved)
and one reduction sums gz over the rows for the bias gradient, in double as
the C kernel does.  The functions take the arguments of the reference twins
in fastgrad/backend/reference/linear.py.
"""
from ._build import Elementwise, Reduction, collect
from .math import MATH

ACTIVATIONS = ("none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh")
KEEPS_PREACTIVATION = ("gelu", "gelu_tanh")

# activation of v, and its derivative from the saved value s
_ACT = {"none": "v", "relu": "(v <= (T)0 ? (T)0 : v)", "sigmoid": "fg_sigmoid<T>(v)", "tanh": "fg_tanh<T>(v)",
        "gelu": "fg_gelu<T>(v)", "gelu_tanh": "fg_gelu_tanh<T>(v)"}
# gz from gy and s; relu selects (a NaN or infinite gy where the unit is off gives 0), as csrc/linear.c
_DGRAD = {"relu": "(s > (T)0 ? gy : (T)0)", "sigmoid": "gy * (s * ((T)1 - s))", "tanh": "gy * ((T)1 - s * s)",
          "gelu": "gy * fg_gelu_grad<T>(s)", "gelu_tanh": "gy * fg_gelu_tanh_grad<T>(s)"}

_BIAS = "T v = z; if (has_bias) v = v + bias;"


def _forward(act):
    if act in KEEPS_PREACTIVATION:  # keep z + b (in zb) for the backward, write y apart
        return Elementwise(f"fastgrad_bias_{act}_fwd", "T z, T bias, int32 has_bias", "T zb, T y",
                           f"{_BIAS} zb = v; y = {_ACT[act]};", MATH)
    return Elementwise(f"fastgrad_bias_{act}_fwd", "T z, T bias, int32 has_bias", "T y",
                       f"{_BIAS} y = {_ACT[act]};", MATH)


FORWARD = {act: _forward(act) for act in ACTIVATIONS}
BACKWARD = {act: Elementwise(f"fastgrad_bias_{act}_bwd", "T s, T gy", "T gz", f"gz = {_DGRAD[act]};", MATH)
            for act in ACTIVATIONS if act != "none"}
# the bias gradient: column sums of gz, accumulated in double
BIAS_GRAD = Reduction("fastgrad_bias_grad_bwd", "T gz", "T gbias", "gz", "a + b", "gbias = (T)a", "0", "double")

KERNELS = collect({**{f"fwd_{a}": k for a, k in FORWARD.items()}, **{f"bwd_{a}": k for a, k in BACKWARD.items()},
                   "bias_grad": BIAS_GRAD})


def _check(activation, op):
    if activation not in ACTIVATIONS:
        raise ValueError(f"{op}: unknown activation {activation!r}; expected one of "
                         f"{', '.join(repr(a) for a in ACTIVATIONS)}")


def bias_act_fwd(z, bias=None, activation="none", inplace=False):
    """y = act(z + bias) over the rows of z; returns (y, saved), saved being y or, for the gelus, z + bias.

    With inplace=True, z (the GEMM's own output) is overwritten with z + bias
    and, except for the gelus, y is z."""
    _check(activation, "linear")
    has_bias = 0 if bias is None else 1
    b = 0 if bias is None else bias
    kernel = FORWARD[activation]
    if activation in KEEPS_PREACTIVATION:
        if inplace:
            zb, y = kernel(z, b, has_bias, z, _empty_like(z))
        else:
            zb, y = kernel(z, b, has_bias)
        return y, zb
    y = kernel(z, b, has_bias, z) if inplace else kernel(z, b, has_bias)
    return y, y


def _empty_like(z):
    import cupy

    return cupy.empty_like(z)


def bias_act_bwd(s, gy, bias_grad=False, activation="none"):
    """gz = gy * act'(s) and, with bias_grad=True, gbias = gz summed over the rows; returns (gz, gbias or None)."""
    _check(activation, "linear_backward")
    gz = gy if activation == "none" else BACKWARD[activation](s, gy)
    return gz, (BIAS_GRAD(gz, axis=0) if bias_grad else None)
