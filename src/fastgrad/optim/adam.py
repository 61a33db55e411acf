"""Adam and AdamW: one fused in-place pass per step over (param, grad, m, v)."""
import math

from .. import _C
from ..backend import backend_for
from . import _checks
from ._arrays import datas, grads, zeros_like
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (PyTorch's `torch.optim.Adam`), with L2 weight decay added to the gradient.

    At step t, with g = grad + weight_decay * p (or -grad + ... when maximize):

        m <- beta1 m + (1 - beta1) g
        v <- beta2 v + (1 - beta2) g^2            (amsgrad: vmax <- max(vmax, v), used for v)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The bias corrections and step size are computed once per step in double;
    the update is one in-place C pass.  State: `step`, `exp_avg`, `exp_avg_sq`
    (and `max_exp_avg_sq` with amsgrad) -- two buffers per parameter.

    >>> opt = Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    _name = "Adam"
    _decoupled = False

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 maximize=False, foreach=None, fused=None):
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas, eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize)
        self._check_hyperparameters(dict(defaults))
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group):
        name = self._name
        _checks.non_negative(name, "learning rate", group["lr"])
        _checks.positive(name, "epsilon value", group["eps"])
        _checks.betas_pair(name, group["betas"])
        _checks.non_negative(name, "weight_decay value", group["weight_decay"])

    def _init_state(self, p, group):
        state = {"step": 0, "exp_avg": zeros_like(p.data), "exp_avg_sq": zeros_like(p.data)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(p.data)
        return state

    def _advance(self, p, state, group):
        state["step"] += 1
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = zeros_like(p.data)
        return state["step"]

    def _next_key(self, states, group):
        return states[0]["step"] + 1

    def _commit(self, states, group):
        for s in states:
            s["step"] += 1

    def _fused_update(self, params, states, group, step):
        beta1, beta2 = group["betas"]
        lr = group["lr"]
        _C.adam_step(
            datas(params), grads(params),
            [s["exp_avg"] for s in states], [s["exp_avg_sq"] for s in states],
            [s["max_exp_avg_sq"] for s in states] if group["amsgrad"] else None,
            lr=lr, beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
            step_size=lr / (1.0 - beta1 ** step), bias_correction2_sqrt=math.sqrt(1.0 - beta2 ** step),
            maximize=group["maximize"], decoupled=self._decoupled)

    def _reference_update(self, p, grad, state, group, step):
        beta1, beta2 = group["betas"]
        backend_for(p.data).adam_step(
            p.data, grad, state["exp_avg"], state["exp_avg_sq"],
            state["max_exp_avg_sq"] if group["amsgrad"] else None,
            lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], weight_decay=group["weight_decay"],
            step=step, maximize=group["maximize"], decoupled=self._decoupled)


class AdamW(Adam):
    """AdamW (PyTorch's `torch.optim.AdamW`): Adam with decoupled weight decay.

    The decay shrinks the parameter directly, p <- p * (1 - lr * weight_decay),
    before the Adam update computed from the plain gradient (default
    weight_decay 1e-2).

    >>> opt = AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    """

    _name = "AdamW"
    _decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize)
