"""F.kl_div: the Kullback-Leibler divergence of log-probabilities, composed from differentiable ops."""
import warnings

from ..autograd.tensor import Tensor
from . import elementwise as _e
from .selection import where

_REDUCTIONS = ("none", "mean", "sum", "batchmean")


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def kl_div(input, target, reduction="mean", log_target=False):
    """Pointwise target * (log(target) - input), the input being log-probabilities, as PyTorch's
    F.kl_div; with log_target the target is log-probabilities too: exp(target) * (target - input).
    target = 0 contributes 0.  reduction: 'none', 'sum', 'batchmean' (the sum divided by the batch
    size: the true divergence per sample) or 'mean' (divided by the number of elements).

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> round(F.kl_div(fg.tensor([[-1.0, -1.0]]).log_softmax(-1), fg.tensor([[0.5, 0.5]]),
    ...                reduction="batchmean").item(), 6)
    0.0
    """
    op = "kl_div"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: argument 'reduction' must be 'none', 'mean', 'sum' or 'batchmean', got "
                         f"{reduction!r}")
    x, t = _tensor(input), _tensor(target)
    for name, a in (("input", x), ("target", t)):
        kind = getattr(a.dtype, "kind", "f")
        if kind != "f":
            raise TypeError(f"{op}: argument '{name}' has dtype {a.dtype}; expected a floating dtype")
    if log_target:
        loss = _e.exp(t) * (t - x)
    else:
        # NOTE: target * log(target) is taken as 0 at target = 0 (as xlogy); log(1) stands in there, so
        # neither the value nor the target's gradient picks up 0 * log(0): the target's gradient there is
        # that of -target * input alone (PyTorch's is NaN)
        zero = t._data == 0
        loss = t * _e.log(where(zero, 1.0, t)) - t * x
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    warnings.warn(f"{op}: reduction='mean' divides the total loss by the number of elements, not by the batch "
                  "size; reduction='batchmean' gives the Kullback-Leibler divergence", UserWarning, stacklevel=4)
    return loss.mean()
