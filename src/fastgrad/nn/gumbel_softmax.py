"""F.gumbel_softmax: a differentiable sample from the categorical distribution softmax(logits).

y = softmax((logits + g) / tau) along `dim`, g = -log(e) with e ~ Exponential(1) (Gumbel
noise).  With hard=True the forward value is the one-hot vector of y's largest element and
the gradient is y's (the straight-through estimator: y_hard - y.detach() + y).  The noise is
drawn from fastgrad's default generator (fastgrad.manual_seed).
"""
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..creation import default_generator
from ..ops import softmax_family as _softmax
from ..ops.broadcast import normalize_axis


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """A sample of softmax((logits + Gumbel noise) / tau) along `dim`; hard=True returns the
    one-hot of its largest element, with the soft sample's gradient.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.gumbel_softmax(fg.zeros(2, 5), tau=0.5, hard=True).sum(-1).tolist()
    [1.0, 1.0]
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"gumbel_softmax: argument 'logits' must be a Tensor, got {type(logits).__name__}")
    if logits.dtype.kind != "f":
        raise TypeError(f"gumbel_softmax: argument 'logits' must be floating point, got {logits.dtype}")
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating, np.integer)) or not tau > 0:
        raise ValueError(f"gumbel_softmax: argument 'tau' must be a positive number, got {tau!r}")
    if not isinstance(logits._data, np.ndarray):
        raise TypeError("gumbel_softmax: works on CPU tensors (the noise is drawn by fastgrad's host generator)")
    if logits.ndim == 0:
        raise ValueError("gumbel_softmax: argument 'logits' must have at least 1 dimension (the categories)")
    if eps != 1e-10:
        warnings.warn("gumbel_softmax: `eps` is deprecated and has no effect", UserWarning, stacklevel=2)
    (axis,) = normalize_axis(dim, logits.ndim, "gumbel_softmax")
    noise = -np.log(default_generator().standard_exponential(logits.shape)).astype(logits.dtype)
    soft = _softmax.softmax((logits + noise) / float(tau), axis=axis)
    if not hard:
        return soft
    data = np.asarray(soft._data)
    one_hot = np.zeros_like(data)
    np.put_along_axis(one_hot, np.expand_dims(np.argmax(data, axis=axis), axis), 1, axis=axis)
    return Tensor(one_hot) - soft.detach() + soft
