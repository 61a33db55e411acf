"""RMSprop: a running average of squared gradients scales each step."""
from . import _checks, functional
from ._arrays import zeros_like
from .optimizer import Optimizer, implementation, new_state, state_buffers


class RMSprop(Optimizer):
    """RMSprop (PyTorch's `torch.optim.RMSprop`).

    With g = grad + weight_decay * p (or -grad + ... when maximize):

        s <- alpha s + (1 - alpha) g^2
        centered: a <- alpha a + (1 - alpha) g,  d = sqrt(s - a^2) + eps;  else d = sqrt(s) + eps
        momentum > 0: b <- momentum b + g / d,  p <- p - lr b;  else p <- p - lr g / d

    State: `step`, `square_avg`, plus `grad_avg` (centered) and
    `momentum_buffer` (momentum > 0).

    >>> opt = RMSprop(model.parameters(), lr=1e-2, alpha=0.99)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 *, maximize=False, foreach=None, fused=None):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered, maximize=maximize, foreach=foreach, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative("RMSprop", "learning rate", group["lr"])
        _checks.positive("RMSprop", "epsilon value", group["eps"])
        _checks.non_negative_keys("RMSprop", group, "momentum", "weight_decay", "alpha")

    def _new_state(self, p, group):
        return new_state(p, "square_avg")

    def _update_group(self, group, arrays, grads, states):
        for s in states:
            s["step"] += 1
        functional.rmsprop(
            arrays, grads, [s["square_avg"] for s in states],
            state_buffers(arrays, states, "grad_avg", zeros_like) if group["centered"] else None,
            state_buffers(arrays, states, "momentum_buffer", zeros_like) if group["momentum"] > 0 else None,
            lr=group["lr"], alpha=group["alpha"], eps=group["eps"], weight_decay=group["weight_decay"],
            momentum=group["momentum"], maximize=group["maximize"], **implementation(group))
