"""RAdam: Adam whose adaptive step is rectified for the variance of its early estimates."""
from . import _checks, functional
from .optimizer import Optimizer, adam_options, by_step, new_state, state_lists


class RAdam(Optimizer):
    """RAdam (PyTorch's `torch.optim.RAdam`).

    At step t, with g = grad + weight_decay * p (or p <- p (1 - lr wd) with
    decoupled_weight_decay), Adam's moments m and v, rho_inf = 2 / (1 - beta2) - 1
    and rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t):

        rho_t > 5:  p <- p - lr m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r_t
        otherwise:  p <- p - lr m / (1 - beta1^t)

    with r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)).
    State: `step`, `exp_avg`, `exp_avg_sq`.

    >>> opt = RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                                      fused=fused))

    _check_hyperparameters = _checks.adam_family_checks

    def _new_state(self, p, group):
        return new_state(p, "exp_avg", "exp_avg_sq")

    def _update_group(self, group, arrays, grads, states):
        for step, (a, g, m, v) in by_step(states, arrays, grads, *state_lists(states, "exp_avg", "exp_avg_sq")):
            functional.radam(a, g, m, v, step=step, decoupled_weight_decay=group["decoupled_weight_decay"],
                             **adam_options(group))
