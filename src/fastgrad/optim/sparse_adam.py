"""SparseAdam: Adam that updates only the rows a step's gradient touches (the lazy Adam of
embedding tables)."""
import math

from ..backend import namespace_of
from . import _checks
from .optimizer import Optimizer, new_state


def touched_rows(xp, g):
    """Where a gradient touches its parameter: for a parameter of two or more dimensions, the rows
    (indices of the first dimension) with a nonzero entry; for vectors and scalars, the nonzero entries."""
    if g.ndim < 2:
        return g != 0
    return xp.any(xp.reshape(g != 0, (g.shape[0], -1)), axis=1)


class SparseAdam(Optimizer):
    """SparseAdam (PyTorch's `torch.optim.SparseAdam`): Adam whose moments and parameters change
    only where the step's gradient touches them. At step t of a parameter (t counts its steps with
    a gradient), on the touched rows R only, with g = grad (or -grad when maximize):

        m[R] <- m[R] + (1 - beta1) (g[R] - m[R])
        v[R] <- v[R] + (1 - beta2) (g[R]^2 - v[R])
        p[R] <- p[R] - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m[R] / (sqrt(v[R]) + eps)

    Rows not touched keep their moments and values, unlike Adam's, which decay every moment at
    every step. PyTorch feeds it sparse gradients, whose indices are the rows an nn.Embedding
    looked up; fastgrad's gradients are dense, so the touched rows are read from the gradient:
    the rows (first dimension) that have a nonzero entry, for vectors the nonzero entries. For an
    embedding table this is exactly PyTorch's update, except for a looked-up row whose gradient is
    exactly zero everywhere (PyTorch would still decay its moments and move it by them).

    State: `step`, `exp_avg`, `exp_avg_sq`.

    >>> opt = SparseAdam(embedding.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, maximize=maximize))

    def _check_hyperparameters(self, group):
        _checks.non_negative("SparseAdam", "learning rate", group["lr"])
        _checks.non_negative("SparseAdam", "epsilon value", group["eps"])
        _checks.betas_pair("SparseAdam", group["betas"])

    def _new_state(self, p, group):
        return new_state(p, "exp_avg", "exp_avg_sq")

    def _update_group(self, group, arrays, grads, states):
        beta1, beta2 = group["betas"]
        for a, g, s in zip(arrays, grads, states):
            step = s["step"] = s["step"] + 1
            xp = namespace_of(a)
            if group["maximize"]:
                g = -g
            rows = touched_rows(xp, g)
            g_rows, m, v = g[rows], s["exp_avg"], s["exp_avg_sq"]
            m_rows = m[rows] + (g_rows - m[rows]) * (1 - beta1)
            v_rows = v[rows] + (g_rows * g_rows - v[rows]) * (1 - beta2)
            m[rows], v[rows] = m_rows, v_rows
            step_size = group["lr"] * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            a[rows] = a[rows] - step_size * (m_rows / (xp.sqrt(v_rows) + group["eps"]))
