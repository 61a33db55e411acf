"""Adafactor (Shazeer & Stern, 2018): Adam-like steps whose second moment of a matrix is kept as
one running average per row and one per column (their outer product, over the rows' mean,
estimating it), so the optimizer's memory grows with rows + columns, not rows x columns."""
import math

import numpy as np

from .optimizer import Optimizer


class Adafactor(Optimizer):
    """Adafactor (PyTorch's `torch.optim.Adafactor`), at step t, with g = grad (-grad when maximize):

        1 - beta2_t = t ** beta2_decay,   rho = min(lr, 1 / sqrt(t))
        alpha = max(eps2, RMS(p)) * rho
        p <- p (1 - lr weight_decay)
        matrices (and stacks of them): r <- lerp(r, mean of g^2 over each row, 1 - beta2_t),
                  c likewise over each column, v = r c / max(mean(r), eps1)
        vectors: v <- lerp(v, g^2, 1 - beta2_t)
        u = g / sqrt(max(v, eps1^2)),   p <- p - alpha u / max(1, RMS(u) / d)

    eps = (eps1, eps2); eps1 None is the parameter dtype's machine epsilon.  State: `step` and
    `row_var` / `col_var` (matrices) or `variance` (vectors and scalars).  The steps run in NumPy
    (or the parameter's array namespace), one parameter at a time, whatever `foreach` says
    (PyTorch's foreach form computes the same steps, grouped).

    >>> opt = Adafactor(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if not lr >= 0.0:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not beta2_decay <= 0.0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        eps1, eps2 = eps
        if eps1 is not None and not eps1 >= 0.0:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps1}")
        if not eps2 >= 0.0:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps2}")
        if not d >= 1.0:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not weight_decay >= 0.0:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=(eps1, eps2), d=d,
                                      weight_decay=weight_decay, foreach=foreach, maximize=maximize))

    def _new_state(self, p, group):
        data = p._data
        if data.ndim > 1:
            row, col = list(data.shape), list(data.shape)
            row[-1], col[-2] = 1, 1
            return {"step": 0, "row_var": np.zeros_like(data, shape=row), "col_var": np.zeros_like(data, shape=col)}
        return {"step": 0, "variance": np.zeros_like(data)}

    def _update_group(self, group, arrays, grads, states):
        lr, weight_decay, d, maximize = group["lr"], group["weight_decay"], group["d"], group["maximize"]
        eps1, eps2 = group["eps"]
        for p, g, state in zip(arrays, grads, states):
            if p.dtype.kind == "c":
                raise RuntimeError("Adafactor does not support complex parameters")
            g = -g if maximize else g
            state["step"] += 1
            t = state["step"]
            tiny = np.finfo(p.dtype).eps if eps1 is None else eps1
            one_minus_beta2 = t ** group["beta2_decay"]
            rho = min(lr, 1.0 / math.sqrt(t))
            alpha = max(eps2, float(np.linalg.norm(p.reshape(-1))) / math.sqrt(p.size) if p.size else 0.0) * rho
            if weight_decay != 0:
                p *= 1 - lr * weight_decay
            if g.ndim > 1:
                row, col = state["row_var"], state["col_var"]
                row += ((g * g).mean(axis=-1, keepdims=True) - row) * one_minus_beta2
                col += ((g * g).mean(axis=-2, keepdims=True) - col) * one_minus_beta2
                v = (row @ col) / np.maximum(row.mean(axis=-2, keepdims=True), tiny)
            else:
                v = state["variance"]
                v += (g * g - v) * one_minus_beta2
            u = g / np.sqrt(np.maximum(v, tiny * tiny))
            rms = float(np.linalg.norm(u.reshape(-1))) / math.sqrt(u.size) if u.size else 0.0
            p -= (alpha / max(1.0, rms / d)) * u
