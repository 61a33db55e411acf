"""Adagrad: steps scaled by the root of each coordinate's summed squared gradients."""
from . import _checks, functional
from ._arrays import full_like
from .optimizer import Optimizer, by_step, implementation


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
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize,
                                      foreach=foreach, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative_keys("Adagrad", group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value")
        _checks.positive("Adagrad", "epsilon value", group["eps"])

    def _new_state(self, p, group):
        return {"step": 0, "sum": full_like(p._data, group["initial_accumulator_value"])}

    def _update_group(self, group, arrays, grads, states):
        for step, (a, g, sums) in by_step(states, arrays, grads, [s["sum"] for s in states]):
            functional.adagrad(a, g, sums, step=step, lr=group["lr"], lr_decay=group["lr_decay"], eps=group["eps"],
                               weight_decay=group["weight_decay"], maximize=group["maximize"],
                               **implementation(group))
