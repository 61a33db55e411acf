"""ASGD: SGD with a decaying rate and a running average of the iterates."""
from . import _checks, functional
from .optimizer import Optimizer, by_step, implementation, new_state, state_lists


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (PyTorch's `torch.optim.ASGD`).

    At step t, with g = grad + weight_decay * p (or -grad + ... when maximize):

        p   <- p (1 - lambd eta) - eta g
        ax  <- ax + mu (p - ax)                   (ax <- p while mu is 1)
        eta <- lr / (1 + lambd lr t)^alpha,  mu <- 1 / max(1, t - t0)

    eta starts at lr and mu at 1; the average of the iterates, `ax`, is what
    the method returns as its estimate.  State: `step`, `eta`, `mu`, `ax`.

    >>> opt = ASGD(model.parameters(), lr=1e-2, t0=1e3)
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, foreach=None,
                 maximize=False, *, fused=None):
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative_keys("ASGD", group, "lr", "lambd", "weight_decay")

    def _new_state(self, p, group):
        return new_state(p, "ax", eta=functional.scalar_state(group["lr"]), mu=1.0)

    def _update_group(self, group, arrays, grads, states):
        # Parameters at the same step and rate share mu too: it follows from the step and t0.
        buckets = by_step(states, arrays, grads, states, *state_lists(states, "ax"), also="eta")
        for (step, eta), (a, g, st, ax) in buckets:
            eta_next, mu_next = functional.asgd(a, g, ax, step=step, eta=eta, mu=st[0]["mu"], lr=group["lr"],
                                                lambd=group["lambd"], alpha=group["alpha"], t0=group["t0"],
                                                weight_decay=group["weight_decay"], maximize=group["maximize"],
                                                **implementation(group))
            for s in st:
                s["eta"], s["mu"] = eta_next, mu_next
