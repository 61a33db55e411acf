"""Adamax: Adam with the infinity norm of past gradients in place of the second moment."""
from . import _checks, functional
from .optimizer import Optimizer, adam_options, by_step, new_state, state_lists


class Adamax(Optimizer):
    """Adamax (PyTorch's `torch.optim.Adamax`).

    At step t, with g = grad + weight_decay * p (or -grad + ... when maximize):

        m <- beta1 m + (1 - beta1) g
        u <- max(beta2 u, |g| + eps)
        p <- p - lr / (1 - beta1^t) * m / u

    State: `step`, `exp_avg`, `exp_inf`.

    >>> opt = Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, foreach=None, *,
                 maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      foreach=foreach, fused=fused))

    _check_hyperparameters = _checks.adam_family_checks

    def _new_state(self, p, group):
        return new_state(p, "exp_avg", "exp_inf")

    def _update_group(self, group, arrays, grads, states):
        for step, (a, g, m, u) in by_step(states, arrays, grads, *state_lists(states, "exp_avg", "exp_inf")):
            functional.adamax(a, g, m, u, step=step, **adam_options(group))
