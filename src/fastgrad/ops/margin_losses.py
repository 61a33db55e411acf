"""Margin, embedding and likelihood losses with PyTorch's names, signatures and defaults,
composed from differentiable ops (their gradients come from the ops they are made of):
margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss,
triplet_margin_loss, triplet_margin_with_distance_loss, multilabel_soft_margin_loss,
multilabel_margin_loss, multi_margin_loss, poisson_nll_loss and gaussian_nll_loss.  Each
takes reduction 'mean', 'sum' or 'none'.
"""
import math

import numpy as np

from ..autograd.tensor import Tensor
from . import activations as _act
from .losses import _check_reduction, _reduce
from .selection import where

def _reduced(op, loss, reduction):
    """The elementwise loss reduced as losses.py reduces (16-bit floats summed in float32)."""
    _check_reduction(op, reduction)
    return _reduce(loss, reduction)


def _floating(op, name, a, like=None):
    """A Tensor argument of a floating dtype (the dtype of `like` for numbers and integer labels)."""
    if not isinstance(a, Tensor):
        a = Tensor(np.asarray(a) if not hasattr(a, "shape") else a)
    if like is not None and a.dtype != like.dtype:
        a = a.astype(like.dtype)
    if getattr(a.dtype, "kind", "f") != "f":
        raise TypeError(f"{op}: argument '{name}' has dtype {a.dtype}; expected a floating dtype")
    return a


def _same_shape(op, x, t):
    if x.shape != t.shape:
        raise ValueError(f"{op}: target shape {tuple(t.shape)} differs from input shape {tuple(x.shape)}; "
                         "they must be the same")


def _broadcast_shape(op, *named):
    try:
        return np.broadcast_shapes(*(a.shape for _, a in named))
    except ValueError:
        shapes = ", ".join(f"{n} {tuple(a.shape)}" for n, a in named)
        raise ValueError(f"{op}: shapes do not broadcast: {shapes}") from None


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin), target being 1 or -1.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.margin_ranking_loss(fg.tensor([1.0]), fg.tensor([2.0]), fg.tensor([1.0])).item()
    1.0
    """
    op = "margin_ranking_loss"
    x1 = _floating(op, "input1", input1)
    x2, t = _floating(op, "input2", input2, x1), _floating(op, "target", target, x1)
    if not x1.ndim == x2.ndim == t.ndim:
        raise ValueError(f"margin_ranking_loss: input1 {tuple(x1.shape)}, input2 {tuple(x2.shape)} and target "
                         f"{tuple(t.shape)} must have the same number of dimensions")
    _broadcast_shape(op, ("input1", x1), ("input2", x2), ("target", t))
    return _reduced(op, (-t * (x1 - x2) + float(margin)).relu(), reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1 (each term counted
    where target is not the other label, as PyTorch).

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.hinge_embedding_loss(fg.tensor([0.25, 2.0]), fg.tensor([-1.0, 1.0]), reduction="sum").item()
    2.75
    """
    op = "hinge_embedding_loss"
    x = _floating(op, "input", input)
    t = _floating(op, "target", target, x)
    _broadcast_shape(op, ("input", x), ("target", t))
    t_data = t._data
    margin_term = where(t_data != 1, (float(margin) - x).relu(), 0.0)
    input_term = where(t_data != -1, x, 0.0)
    return _reduced(op, margin_term + input_term, reduction)


def soft_margin_loss(input, target, reduction="mean"):
    """log(1 + exp(-target * input)), target being 1 or -1.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> round(F.soft_margin_loss(fg.tensor([0.0]), fg.tensor([1.0])).item(), 4)
    0.6931
    """
    op = "soft_margin_loss"
    x = _floating(op, "input", input)
    t = _floating(op, "target", target, x)
    _same_shape(op, x, t)
    return _reduced(op, _act.softplus(-t * x), reduction)


_COSINE_EPS = 1e-12


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where target is -1;
    inputs (N, D) with target (N,), or (D,) with a 0-d target.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.cosine_embedding_loss(fg.tensor([[1.0, 0.0]]), fg.tensor([[0.0, 1.0]]), fg.tensor([1.0])).item()
    1.0
    """
    op = "cosine_embedding_loss"
    x1 = _floating(op, "input1", input1)
    x2, t = _floating(op, "input2", input2, x1), _floating(op, "target", target, x1)
    if x1.ndim not in (1, 2) or x1.shape != x2.shape:
        raise ValueError(f"cosine_embedding_loss: input1 {tuple(x1.shape)} and input2 {tuple(x2.shape)} must "
                         "have one shape, (N, D) or (D,)")
    if tuple(t.shape) != tuple(x1.shape[:-1]):
        raise ValueError(f"cosine_embedding_loss: target of shape {tuple(t.shape)} must have shape "
                         f"{tuple(x1.shape[:-1])} (one label per row of input1)")
    dot = (x1 * x2).sum(-1)
    norms = (((x1 * x1).sum(-1) + _COSINE_EPS) * ((x2 * x2).sum(-1) + _COSINE_EPS)).sqrt()
    cos = dot / norms
    t_data = t._data
    loss = where(t_data == 1, 1.0 - cos, 0.0) + where(t_data == -1, (cos - float(margin)).relu(), 0.0)
    return _reduced(op, loss, reduction)


def _distance(a, b, p, eps):
    """||a - b + eps||_p over the last axis (F.pairwise_distance)."""
    return (a - b + eps).norm(p, -1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin), d the p-norm distance
    ||a - b + eps||_p over the last axis; swap uses min(d(a, n), d(p, n)) as the negative distance.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> a = fg.tensor([[0.0, 0.0]])
    >>> round(F.triplet_margin_loss(a, fg.tensor([[1.0, 0.0]]), fg.tensor([[3.0, 0.0]])).item(), 4)
    0.0
    """
    op = "triplet_margin_loss"
    a = _floating(op, "anchor", anchor)
    pos, neg = _floating(op, "positive", positive, a), _floating(op, "negative", negative, a)
    if not (a.ndim == pos.ndim == neg.ndim) or a.ndim not in (1, 2):
        raise ValueError(f"triplet_margin_loss: anchor {tuple(a.shape)}, positive {tuple(pos.shape)} and negative "
                         f"{tuple(neg.shape)} must all be (N, D) or all (D,)")
    if p <= 0:
        raise ValueError(f"triplet_margin_loss: argument 'p' must be > 0, got {p}")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: argument 'margin' must be > 0, got {margin}")
    d_pos = _distance(a, pos, p, eps)
    d_neg = _distance(a, neg, p, eps)
    if swap:
        d_neg = d_neg.minimum(_distance(pos, neg, p, eps))
    return _reduced(op, (d_pos - d_neg + float(margin)).relu(), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=None, margin=1.0, swap=False,
                                      reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) for any distance function d of
    two tensors (default: the pairwise 2-norm distance); swap as in triplet_margin_loss."""
    op = "triplet_margin_with_distance_loss"
    if margin <= 0:
        raise ValueError(f"{op}: argument 'margin' must be > 0, got {margin}")
    a = _floating(op, "anchor", anchor)
    pos, neg = _floating(op, "positive", positive, a), _floating(op, "negative", negative, a)
    if not (a.ndim == pos.ndim == neg.ndim):
        raise ValueError(f"{op}: anchor, positive and negative must have the same number of dimensions, got "
                         f"{a.ndim}, {pos.ndim} and {neg.ndim}")
    if distance_function is None:
        distance_function = lambda x, y: _distance(x, y, 2.0, 1e-6)  # noqa: E731
    elif not callable(distance_function):
        raise TypeError(f"{op}: argument 'distance_function' must be callable, got {type(distance_function).__name__}")
    d_pos, d_neg = distance_function(a, pos), distance_function(a, neg)
    if swap:
        d_neg = d_neg.minimum(distance_function(pos, neg))
    return _reduced(op, (d_pos - d_neg + float(margin)).relu(), reduction)


def multilabel_margin_loss(input, target, reduction="mean"):
    """sum over target classes j and non-target classes i of max(0, 1 - (x[j] - x[i])) / C per
    sample, for input (C,) or (N, C); target holds class indices like input's shape, the
    sample's target classes being those before its first -1.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.multilabel_margin_loss(fg.tensor([[0.1, 0.2, 0.4, 0.8]]), fg.tensor([[3, 0, -1, 1]])).item()
    0.85
    """
    op = "multilabel_margin_loss"
    x = _floating(op, "input", input)
    labels = np.asarray(target._data if isinstance(target, Tensor) else target)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'target' must hold integer class indices, got dtype {labels.dtype}")
    if x.ndim not in (1, 2) or labels.shape != tuple(x.shape):
        raise ValueError(f"{op}: input of shape {tuple(x.shape)} and target of shape {labels.shape} must both be "
                         "(C,) or (N, C)")
    rows = x if x.ndim == 2 else x.reshape(1, -1)
    labels = labels.reshape(rows.shape).astype(np.int64)
    classes = rows.shape[1]
    # The target slots before each row's first -1, and the classes they name.
    slots = np.cumprod(labels != -1, axis=1).astype(bool)
    if np.any(slots & ((labels < 0) | (labels >= classes))):
        raise IndexError(f"{op}: argument 'target' holds a class index outside [0, {classes}) before its first -1")
    picked = np.where(slots, labels, 0)
    is_target = np.zeros(rows.shape, bool)
    sample, slot = np.nonzero(slots)
    is_target[sample, labels[sample, slot]] = True
    pairs = slots[:, :, None] & ~is_target[:, None, :]          # (target slot, class) pairs that count
    target_scores = rows.gather(1, Tensor(picked))              # x[y_j] per slot
    hinge = (1.0 - target_scores.unsqueeze(2) + rows.unsqueeze(1)).relu()
    loss = (hinge * Tensor(pairs.astype(rows.dtype))).sum((1, 2)) * (1.0 / max(classes, 1))
    return _reduced(op, loss if x.ndim == 2 else loss.reshape(()), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    """-(t log sigmoid(x) + (1 - t) log sigmoid(-x)), times `weight` (per class), averaged over
    the classes (last axis) of each sample, then reduced over the samples.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> round(F.multilabel_soft_margin_loss(fg.tensor([[0.0, 0.0]]), fg.tensor([[1.0, 0.0]])).item(), 4)
    0.6931
    """
    op = "multilabel_soft_margin_loss"
    x = _floating(op, "input", input)
    t = _floating(op, "target", target, x)
    _same_shape(op, x, t)
    loss = t * _act.softplus(-x) + (1.0 - t) * _act.softplus(x)
    if weight is not None:
        w = _floating(op, "weight", weight, x)
        _broadcast_shape(op, ("input", x), ("weight", w))
        loss = loss * w
    classes = x.shape[-1] if x.ndim else 1
    loss = loss.sum(-1) * (1.0 / classes) if x.ndim else loss
    return _reduced(op, loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """sum over classes i != y of max(0, margin - x[y] + x[i])^p / C per sample (times
    weight[y]), for input (N, C) with class indices target (N,), or (C,) with a 0-d target.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.multi_margin_loss(fg.tensor([[0.0, 2.0]]), fg.tensor([1])).item()
    0.0
    """
    op = "multi_margin_loss"
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: argument 'p' must be 1 or 2, got {p}")
    x = _floating(op, "input", input)
    labels = np.asarray(target._data if isinstance(target, Tensor) else target)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"multi_margin_loss: argument 'target' must hold integer class indices, got dtype "
                        f"{labels.dtype}")
    if x.ndim not in (1, 2) or labels.shape != tuple(x.shape[:-1]) and not (x.ndim == 1 and labels.shape == (1,)):
        raise ValueError(f"multi_margin_loss: input of shape {tuple(x.shape)} and target of shape {labels.shape} "
                         "must be (N, C) and (N,), or (C,) and ()")
    classes = x.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise IndexError(f"multi_margin_loss: argument 'target' holds a class index outside [0, {classes})")
    rows = x if x.ndim == 2 else x.reshape(1, classes)
    labels = labels.reshape(-1, 1)
    chosen = rows.gather(1, Tensor(labels))
    terms = (float(margin) - chosen + rows).relu()
    if p == 2:
        terms = terms * terms
    if weight is not None:
        w = _floating(op, "weight", weight, x)
        if tuple(w.shape) != (classes,):
            raise ValueError(f"multi_margin_loss: weight of shape {tuple(w.shape)} must have shape ({classes},)")
        terms = terms * w[Tensor(labels.reshape(-1))].reshape(-1, 1)
    own_class = np.arange(classes) == labels
    loss = where(own_class, 0.0, terms).sum(1) * (1.0 / classes)
    return _reduced(op, loss if x.ndim == 2 else loss.reshape(()), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    """exp(input) - target * input (log_input), or input - target * log(input + eps); full adds
    Stirling's target * log(target) - target + log(2 pi target) / 2 where target > 1.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.poisson_nll_loss(fg.tensor([0.0]), fg.tensor([2.0])).item()
    1.0
    """
    op = "poisson_nll_loss"
    x = _floating(op, "input", input)
    t = _floating(op, "target", target, x)
    _broadcast_shape(op, ("input", x), ("target", t))
    loss = x.exp() - t * x if log_input else x - t * (x + float(eps)).log()
    if full:
        above_one = t._data > 1
        safe = where(above_one, t, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(above_one, stirling, 0.0)
    return _reduced(op, loss, reduction)


def _gaussian_variance(op, x, var):
    """var as a Tensor broadcastable to the input, in PyTorch's accepted shapes."""
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{op}: argument 'var' has negative entries")
        return Tensor(np.full(x.shape, float(var), dtype=x.dtype))
    v = _floating(op, "var", var, x)
    if (np.asarray(v._data) < 0).any():
        raise ValueError(f"{op}: argument 'var' has negative entries")
    if v.shape == x.shape:
        return v
    if tuple(v.shape) == tuple(x.shape[:-1]):
        return v.unsqueeze(-1)
    if v.ndim == x.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1:
        return v
    raise ValueError(f"{op}: argument 'var' of shape {tuple(v.shape)} does not fit input of shape "
                     f"{tuple(x.shape)}: it must have the input's shape, lack its last axis, or differ in one "
                     "axis of size 1")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """(log(var) + (input - target)^2 / var) / 2, var clamped below at eps (the clamp passes the
    gradient through unchanged, as PyTorch's); full adds log(2 pi) / 2.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.gaussian_nll_loss(fg.tensor([1.0]), fg.tensor([3.0]), fg.tensor([1.0])).item()
    2.0
    """
    op = "gaussian_nll_loss"
    _check_reduction(op, reduction)
    x = _floating(op, "input", input)
    t = _floating(op, "target", target, x)
    v = _gaussian_variance(op, x, var)
    clamped = np.maximum(v._data, eps)
    v = v + Tensor((clamped - v._data).astype(v.dtype, copy=False))
    loss = 0.5 * (v.log() + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduced(op, loss, reduction)
