"""RMSprop: a running average of squared gradients scales each step."""
from .. import _C
from ..backend import backend_for
from . import _checks
from ._arrays import datas, grads, zeros_like
from .optimizer import Optimizer


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
                 *, maximize=False, foreach=None):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        self._check_hyperparameters(dict(defaults))
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        _checks.non_negative("RMSprop", "learning rate", group["lr"])
        _checks.positive("RMSprop", "epsilon value", group["eps"])
        _checks.non_negative("RMSprop", "momentum value", group["momentum"])
        _checks.non_negative("RMSprop", "weight_decay value", group["weight_decay"])
        _checks.non_negative("RMSprop", "alpha value", group["alpha"])

    def _init_state(self, p, group):
        return {"step": 0, "square_avg": zeros_like(p.data)}

    def _advance(self, p, state, group):
        state["step"] += 1
        if group["momentum"] > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = zeros_like(p.data)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = zeros_like(p.data)
        return None

    def _commit(self, states, group):
        for s in states:
            s["step"] += 1

    @staticmethod
    def _scalars(group):
        return dict(lr=group["lr"], alpha=group["alpha"], eps=group["eps"],
                    weight_decay=group["weight_decay"], momentum=group["momentum"], maximize=group["maximize"])

    def _fused_update(self, params, states, group, key):
        _C.rmsprop_step(
            datas(params), grads(params), [s["square_avg"] for s in states],
            [s["grad_avg"] for s in states] if group["centered"] else None,
            [s["momentum_buffer"] for s in states] if group["momentum"] > 0 else None,
            **self._scalars(group))

    def _reference_update(self, p, grad, state, group, key):
        backend_for(p.data).rmsprop_step(
            p.data, grad, state["square_avg"], state["grad_avg"] if group["centered"] else None,
            state["momentum_buffer"] if group["momentum"] > 0 else None, **self._scalars(group))
