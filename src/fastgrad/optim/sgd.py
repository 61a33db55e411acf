"""Stochastic gradient descent, with momentum (two conventions) and Nesterov."""
from typing import Optional

from . import _checks, functional
from ._arrays import zeros_like
from .optimizer import Optimizer, Params, implementation

MOMENTUM_FORMS = ("sum", "ema")


class SGD(Optimizer):
    """Stochastic gradient descent (PyTorch's `torch.optim.SGD`).

    With g = grad + weight_decay * p (g = -grad + ... when maximize):

    - no momentum:  p <- p - lr * g
    - momentum_form="sum" (default, PyTorch's convention):
      v <- momentum * v + (1 - dampening) * g, with v = g on the first step
    - momentum_form="ema" (exponential average, e.g. in many textbooks):
      v <- momentum * v + (1 - momentum) * g, with v = 0 before the first step
    - then p <- p - lr * v, or p <- p - lr * (g + momentum * v) with nesterov.

    The "ema" form equals the "sum" form with dampening = momentum except on the
    first step, and its steps are (1 - momentum) times smaller: scale lr by
    1 / (1 - momentum) to move between the two.

    State: none without momentum, one buffer (`momentum_buffer`) with it.

    >>> opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(self, params: Params, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
                 momentum_form: str = "sum", foreach: Optional[bool] = None, fused: Optional[bool] = None) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, momentum_form=momentum_form,
                                      foreach=foreach, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative_keys("SGD", group, "lr", "momentum", "weight_decay")
        if group["momentum_form"] not in MOMENTUM_FORMS:
            raise ValueError(f"SGD: invalid momentum_form {group['momentum_form']!r} "
                             f"(expected one of {MOMENTUM_FORMS})")
        if group["momentum_form"] == "ema":
            if group["dampening"] != 0:
                raise ValueError("SGD: dampening must be 0 with momentum_form='ema' (the average "
                                 "already weights the gradient by 1 - momentum)")
            if not group["momentum"] < 1:
                raise ValueError(f"SGD: momentum must be < 1 with momentum_form='ema', got {group['momentum']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")

    def _update_group(self, group, arrays, grads, states):
        ema = group["momentum_form"] == "ema"
        options = dict(lr=group["lr"], momentum=group["momentum"],
                       dampening=group["momentum"] if ema else group["dampening"],
                       weight_decay=group["weight_decay"], nesterov=group["nesterov"], maximize=group["maximize"],
                       **implementation(group))
        if group["momentum"] == 0:
            functional.sgd(arrays, grads, None, **options)
            return
        # The buffers made this step start from g ("sum") or from zero ("ema").
        new = [i for i, s in enumerate(states) if "momentum_buffer" not in s]
        for i in new:
            states[i]["momentum_buffer"] = zeros_like(arrays[i])
        buffers = [s["momentum_buffer"] for s in states]
        if not new or ema:
            functional.sgd(arrays, grads, buffers, **options)
            return
        old = sorted(set(range(len(arrays))) - set(new))
        for indices, first in ((new, True), (old, False)):
            functional.sgd([arrays[i] for i in indices], [grads[i] for i in indices],
                           [buffers[i] for i in indices], first_step=first, **options)
