"""Adagrad: steps scaled by the root of each coordinate's summed squared gradients."""
from .. import _C
from ..backend import backend_for
from . import _checks
from ._arrays import datas, full_like, grads
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad (PyTorch's `torch.optim.Adagrad`).

    At step t, with g = grad + weight_decay * p (or -grad + ... when maximize):

        s <- s + g^2
        p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    State: `step` and `sum` (starting at initial_accumulator_value).

    >>> opt = Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10,
                 foreach=None, *, maximize=False, fused=None):
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        self._check_hyperparameters(dict(defaults))
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        _checks.non_negative("Adagrad", "learning rate", group["lr"])
        _checks.non_negative("Adagrad", "lr_decay value", group["lr_decay"])
        _checks.non_negative("Adagrad", "weight_decay value", group["weight_decay"])
        _checks.non_negative("Adagrad", "initial_accumulator_value", group["initial_accumulator_value"])
        _checks.positive("Adagrad", "epsilon value", group["eps"])

    def _init_state(self, p, group):
        return {"step": 0, "sum": full_like(p.data, group["initial_accumulator_value"])}

    def _advance(self, p, state, group):
        state["step"] += 1
        return state["step"]

    def _next_key(self, states, group):
        return states[0]["step"] + 1

    def _commit(self, states, group):
        for s in states:
            s["step"] += 1

    def _fused_update(self, params, states, group, step):
        clr = group["lr"] / (1.0 + (step - 1) * group["lr_decay"])
        _C.adagrad_step(datas(params), grads(params), [s["sum"] for s in states], clr=clr, eps=group["eps"],
                        weight_decay=group["weight_decay"], maximize=group["maximize"])

    def _reference_update(self, p, grad, state, group, step):
        backend_for(p.data).adagrad_step(p.data, grad, state["sum"], lr=group["lr"], eps=group["eps"], step=step,
                                         lr_decay=group["lr_decay"], weight_decay=group["weight_decay"],
                                         maximize=group["maximize"])
