"""Adadelta: steps scaled by running averages of squared gradients and squared updates."""
from . import _checks, functional
from .optimizer import Optimizer, implementation, new_state, state_lists


class Adadelta(Optimizer):
    """Adadelta (PyTorch's `torch.optim.Adadelta`).

    With g = grad + weight_decay * p (or -grad + ... when maximize):

        s <- rho s + (1 - rho) g^2
        d <- sqrt(a + eps) / sqrt(s + eps) * g
        a <- rho a + (1 - rho) d^2
        p <- p - lr d

    State: `step`, `square_avg` (s), `acc_delta` (a).

    >>> opt = Adadelta(model.parameters(), lr=1.0)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, foreach=None, *, maximize=False,
                 fused=None):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative_keys("Adadelta", group, "lr", "eps", "weight_decay")
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Adadelta: invalid rho value: {group['rho']} (must be in [0, 1])")

    def _new_state(self, p, group):
        return new_state(p, "square_avg", "acc_delta")

    def _update_group(self, group, arrays, grads, states):
        for s in states:
            s["step"] += 1
        functional.adadelta(arrays, grads, *state_lists(states, "square_avg", "acc_delta"), lr=group["lr"],
                            rho=group["rho"], eps=group["eps"], weight_decay=group["weight_decay"],
                            maximize=group["maximize"], **implementation(group))
