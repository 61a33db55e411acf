"""Muon: momentum whose update matrix is orthogonalized by a Newton-Schulz iteration, for the 2-D
weights of hidden layers."""
import math

from ..backend import namespace_of
from . import _checks
from .optimizer import Optimizer

_ADJUSTMENTS = (None, "original", "match_rms_adamw")


def orthogonalize(xp, update, coefficients, steps, eps):
    """An approximately orthogonal matrix with update's singular vectors: update / max(|update|_F, eps),
    then `steps` rounds of X <- a X + (b A + c A^2) X with A = X X^T (on the wide orientation, so A
    is the smaller Gram matrix). Each round maps every singular value s through the odd polynomial
    a s + b s^3 + c s^5, which with PyTorch's default coefficients raises small values steeply
    towards 1 and keeps all of them below about 1.2 (not exactly 1: speed over precision)."""
    a, b, c = coefficients
    tall = update.shape[0] > update.shape[1]
    x = update.T if tall else update
    x = x / max(float(xp.linalg.norm(x)), eps)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * (gram @ gram)) @ x
    return x.T if tall else x


def adjusted_lr(lr, adjustment, shape):
    """The learning rate scaled for a (rows, cols) weight: sqrt(max(1, rows / cols)) ("original",
    the default), 0.2 sqrt(max(rows, cols)) ("match_rms_adamw", an update of AdamW's typical size)."""
    rows, cols = shape[:2]
    if adjustment == "match_rms_adamw":
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr * math.sqrt(max(1.0, rows / cols))


class Muon(Optimizer):
    """Muon (PyTorch's `torch.optim.Muon`), for 2-D parameters only (biases, embeddings and other
    parameters go to an optimizer such as AdamW). Per step, with momentum mu:

        B <- B + (1 - mu) (g - B)                       (an exponential average of the gradients)
        U <- g + mu (B - g)  with nesterov (default),  U <- B  without
        O <- orthogonalize(U)                           (ns_steps Newton-Schulz rounds, ns_coefficients)
        p <- p (1 - lr weight_decay) - adjusted_lr O

    PyTorch runs the Newton-Schulz rounds in bfloat16; fastgrad runs them in the parameter's own
    precision (float32 or float64), so the updates agree with PyTorch's within bfloat16 rounding
    (about 1%), and are reproducible to float32 rounding.

    State: `momentum_buffer`.

    >>> opt = Muon([p for p in model.parameters() if p.ndim == 2], lr=0.02)
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.7750, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
        super().__init__(params, dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                                      ns_coefficients=tuple(ns_coefficients), eps=eps, ns_steps=ns_steps,
                                      adjust_lr_fn=adjust_lr_fn))

    def _check_hyperparameters(self, group):
        _checks.non_negative("Muon", "learning rate", group["lr"])
        _checks.non_negative("Muon", "momentum value", group["momentum"])
        _checks.non_negative("Muon", "weight_decay value", group["weight_decay"])
        if group["adjust_lr_fn"] not in _ADJUSTMENTS:
            raise ValueError(f"Muon: adjust_lr_fn must be None, 'original' or 'match_rms_adamw', "
                             f"got {group['adjust_lr_fn']!r}")
        if len(group["ns_coefficients"]) != 3:
            raise ValueError(f"Muon: ns_coefficients must be three numbers (a, b, c), got {group['ns_coefficients']!r}")
        steps = group["ns_steps"]
        if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps < 100:
            raise ValueError(f"Muon: ns_steps must be an int in [0, 100), got {steps!r}")

    def add_param_group(self, param_group):
        params = param_group.get("params")
        for p in [params] if hasattr(params, "shape") else list(params):
            if p.ndim != 2:
                raise ValueError(f"Muon: only 2-D parameters are supported, got a parameter of shape {tuple(p.shape)}")
            if p.dtype.kind == "c":
                raise RuntimeError("Muon: complex parameters are not supported")
        super().add_param_group(dict(param_group, params=params if hasattr(params, "shape") else list(params)))

    def _new_state(self, p, group):
        return {"momentum_buffer": namespace_of(p._data).zeros_like(p._data)}

    def _update_group(self, group, arrays, grads, states):
        mu, lr = group["momentum"], group["lr"]
        for a, g, s in zip(arrays, grads, states):
            xp = namespace_of(a)
            buffer = s["momentum_buffer"]
            buffer += (g - buffer) * (1 - mu)
            update = g + (buffer - g) * mu if group["nesterov"] else buffer
            direction = orthogonalize(xp, update, group["ns_coefficients"], group["ns_steps"], group["eps"])
            a *= 1 - lr * group["weight_decay"]
            a -= adjusted_lr(lr, group["adjust_lr_fn"], a.shape) * direction.astype(a.dtype, copy=False)
