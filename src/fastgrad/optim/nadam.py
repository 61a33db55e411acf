"""NAdam: Adam with Nesterov momentum and a momentum schedule."""
from . import _checks, functional
from .optimizer import Optimizer, adam_options, by_step, new_state, state_lists


class NAdam(Optimizer):
    """NAdam (PyTorch's `torch.optim.NAdam`).

    At step t, with g = grad + weight_decay * p (or p <- p (1 - lr wd) with
    decoupled_weight_decay), mu_t = beta1 (1 - 0.96^(t momentum_decay) / 2):

        m <- beta1 m + (1 - beta1) g;   v <- beta2 v + (1 - beta2) g^2
        d = sqrt(v / (1 - beta2^t)) + eps
        p <- p - lr (1 - mu_t) / (1 - prod_{i<=t} mu_i) g / d
               - lr mu_{t+1} / (1 - prod_{i<=t+1} mu_i) m / d

    State: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`.

    >>> opt = NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, fused=None):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.adam_family("NAdam", group)
        _checks.non_negative("NAdam", "momentum_decay value", group["momentum_decay"])

    def _new_state(self, p, group):
        return new_state(p, "exp_avg", "exp_avg_sq", mu_product=1.0)

    def _update_group(self, group, arrays, grads, states):
        buckets = by_step(states, arrays, grads, states, *state_lists(states, "exp_avg", "exp_avg_sq"),
                          also="mu_product")
        for (step, mu_product), (a, g, st, m, v) in buckets:
            product = functional.nadam(a, g, m, v, step=step, mu_product=mu_product,
                                       momentum_decay=group["momentum_decay"],
                                       decoupled_weight_decay=group["decoupled_weight_decay"], **adam_options(group))
            for s in st:
                s["mu_product"] = product
