"""Rprop: per-element step sizes adapted to the sign of successive gradients."""
from . import _checks, functional
from ._arrays import full_like
from .optimizer import Optimizer, implementation, new_state, state_lists


class Rprop(Optimizer):
    """Resilient backpropagation (PyTorch's `torch.optim.Rprop`).

    With g = grad (or -grad when maximize) and prev the gradient kept from the last step,
    for each element:

        g prev > 0:  s <- min(s etaplus, step_size_max)
        g prev < 0:  s <- max(s etaminus, step_size_min),  g <- 0
        p <- p - sign(g) s,  prev <- g

    The step sizes s start at lr.  State: `step`, `prev`, `step_size`.

    >>> opt = Rprop(model.parameters(), lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50))
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, foreach=None, maximize=False,
                 fused=None):
        super().__init__(params, dict(lr=lr, etas=tuple(etas) if isinstance(etas, list) else etas,
                                      step_sizes=tuple(step_sizes) if isinstance(step_sizes, list) else step_sizes,
                                      foreach=foreach, maximize=maximize, fused=fused))

    def _check_hyperparameters(self, group):
        _checks.non_negative("Rprop", "learning rate", group["lr"])
        etaminus, etaplus = _checks.pair("Rprop", "etas", group["etas"], "(etaminus, etaplus)")
        if not 0.0 < etaminus < 1.0 < etaplus:
            raise ValueError(f"Rprop: invalid eta values: {etaminus}, {etaplus} "
                             "(must satisfy 0 < etaminus < 1 < etaplus)")
        smallest, largest = _checks.pair("Rprop", "step_sizes", group["step_sizes"], "(min, max)")
        if not 0.0 <= smallest <= largest:
            raise ValueError(f"Rprop: invalid step_sizes: {smallest}, {largest} "
                             "(must satisfy 0 <= step_size_min <= step_size_max)")

    def _new_state(self, p, group):
        state = new_state(p, "prev")
        state["step_size"] = full_like(p._data, group["lr"])
        return state

    def _update_group(self, group, arrays, grads, states):
        for s in states:
            s["step"] += 1
        etaminus, etaplus = group["etas"]
        smallest, largest = group["step_sizes"]
        functional.rprop(arrays, grads, *state_lists(states, "prev", "step_size"), etaminus=etaminus,
                         etaplus=etaplus, step_size_min=smallest, step_size_max=largest, maximize=group["maximize"],
                         **implementation(group))
