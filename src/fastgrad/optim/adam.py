"""Adam and AdamW: one fused in-place pass per step over (param, grad, m, v)."""
from typing import Optional, Tuple

from . import _checks, functional
from ._arrays import zeros_like
from .optimizer import Optimizer, Params, adam_options, by_step, new_state, state_buffers, state_lists


class Adam(Optimizer):
    """Adam (PyTorch's `torch.optim.Adam`), with L2 weight decay added to the gradient.

    At step t, with g = grad + weight_decay * p (or -grad + ... when maximize):

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2            (amsgrad: vmax <- max(vmax, v), used for v)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The arithmetic is functional.adam.  State: `step`, `exp_avg`, `exp_avg_sq`
    (and `max_exp_avg_sq` with amsgrad) -- two buffers per parameter.

    >>> opt = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    _decoupled = False

    def __init__(self, params: Params, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, fused: Optional[bool] = None) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                                      foreach=foreach, fused=fused))

    _check_hyperparameters = _checks.adam_family_checks

    def _new_state(self, p, group):
        return new_state(p, "exp_avg", "exp_avg_sq")

    def _update_group(self, group, arrays, grads, states):
        exp_avgs, exp_avg_sqs = state_lists(states, "exp_avg", "exp_avg_sq")
        maxima = state_buffers(arrays, states, "max_exp_avg_sq", zeros_like) if group["amsgrad"] else None
        for step, (a, g, m, v, vmax) in by_step(states, arrays, grads, exp_avgs, exp_avg_sqs, maxima):
            functional.adam(a, g, m, v, vmax, step=step, decoupled_weight_decay=self._decoupled,
                            **adam_options(group))


class AdamW(Adam):
    """AdamW (PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay.

    The decay shrinks the parameter directly, p <- p * (1 - lr * weight_decay),
    before the Adam update computed from the plain gradient (default
    weight_decay 1e-2).

    >>> opt = AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    """

    _decoupled = True

    def __init__(self, params: Params, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, fused: Optional[bool] = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, foreach=foreach, fused=fused)
