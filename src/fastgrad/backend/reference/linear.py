"""Reference twins of the linear-layer epilogues (csrc/linear.c).

bias_act_fwd(z, bias, activation) -> (y, saved): y = act(z + bias); saved is
what the backward takes, y itself or, for the gelus, z + bias.
bias_act_bwd(saved, gy, bias_grad, activation) -> (gz, gbias or None).
"""
from . import activations as _act

ACTIVATIONS = ("none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh")
KEEPS_PREACTIVATION = ("gelu", "gelu_tanh")


def _check(activation, op):
    if activation not in ACTIVATIONS:
        raise ValueError(f"{op}: unknown activation {activation!r}; expected one of "
                         f"{', '.join(repr(a) for a in ACTIVATIONS)}")


def bias_act_fwd(xp, z, bias=None, activation="none", inplace=False):
    _check(activation, "linear")
    if bias is not None:
        z = z + bias
    if activation == "none":
        return z, z
    y = getattr(_act, activation + "_fwd")(xp, z)
    return y, (z if activation in KEEPS_PREACTIVATION else y)


def bias_act_bwd(xp, s, gy, bias_grad=False, activation="none"):
    _check(activation, "linear_backward")
    gz = gy if activation == "none" else getattr(_act, activation + "_bwd")(xp, s, gy)
    return gz, (xp.sum(gz, axis=0) if bias_grad else None)
