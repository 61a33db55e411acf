"""The functional ops the modules call.

Modules call `fn("relu")(x)`: the function of that name in
fastgrad.nn.functional (the fused kernels) when it has one, otherwise a
composition of differentiable Tensor ops below (same PyTorch signature).
"""
import importlib
import math

import numpy as np

from ... import ops
from ...autograd.tensor import Tensor
from ...creation import default_generator

_resolved = {}


def fn(name):
    """The functional op `name` (resolved once per process)."""
    f = _resolved.get(name)
    if f is None:
        try:
            functional = importlib.import_module("fastgrad.nn.functional")
        except ImportError:
            functional = None
        f = getattr(functional, name, None) or _COMPOSED[name]
        _resolved[name] = f
    return f


def _reduce(loss, reduction, op):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _plain(a):
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def linear(input, weight, bias=None):
    out = ops.matmul(input, weight.T)
    return out if bias is None else out + bias


def relu(input, inplace=False):
    return input.relu()


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return ops.where(_plain(input) > 0, input, input * negative_slope)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def gelu(input, approximate="none"):
    # NOTE: the tanh form; the exact erf form needs fastgrad.nn.functional.gelu.
    c = math.sqrt(2.0 / math.pi)
    return 0.5 * input * (1.0 + ops.tanh(c * (input + 0.044715 * input ** 3)))


def silu(input, inplace=False):
    return input * input.sigmoid()


def softplus(input, beta=1.0, threshold=20.0):
    bx = input * beta
    soft = (ops.log1p(ops.exp(-ops.abs(bx))) + ops.maximum(bx, 0.0)) / beta
    return ops.where(_plain(bx) > threshold, input, soft)


def softmax(input, dim=None, dtype=None):
    dim = -1 if dim is None else dim
    e = ops.exp(input - Tensor(np.max(_plain(input), axis=dim, keepdims=True)))
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(input, dim=None, dtype=None):
    dim = -1 if dim is None else dim
    shifted = input - Tensor(np.max(_plain(input), axis=dim, keepdims=True))
    return shifted - ops.log(ops.exp(shifted).sum(axis=dim, keepdims=True))


def dropout(input, p=0.5, training=True, inplace=False):
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    keep = default_generator().random(input.shape) >= p
    return input * (keep.astype(input.dtype) / np.asarray(1 - p, dtype=input.dtype))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    axes = tuple(range(input.ndim - len(shape), input.ndim))
    mu = input.mean(axis=axes, keepdims=True)
    centered = input - mu
    var = (centered * centered).mean(axis=axes, keepdims=True)
    out = centered / ops.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    idx = _plain(input)
    out = weight[idx]
    if padding_idx is not None:
        keep = (idx != padding_idx)[..., None].astype(weight.dtype)
        out = out * keep   # no gradient reaches the padding row
    return out


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    d = input - target
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _reduce(ops.abs(input - target), reduction, "l1_loss")


def huber_loss(input, target, reduction="mean", delta=1.0):
    d = input - target
    a = ops.abs(d)
    quad = 0.5 * d * d
    lin = delta * (a - 0.5 * delta)
    return _reduce(ops.where(_plain(a) < delta, quad, lin), reduction, "huber_loss")


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return _reduce(huber_loss(input, target, reduction="none", delta=beta) / beta, reduction, "smooth_l1_loss")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    # PyTorch clamps each log at -100 so that 0 and 1 give a finite loss.
    log_p = ops.maximum(ops.log(input), -100.0)
    log_q = ops.maximum(ops.log(1.0 - input), -100.0)
    loss = -(target * log_p + (1.0 - target) * log_q)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    # log(1 + exp(-|x|)) + max(-x, 0) = -log(sigmoid(x)), without overflow.
    log_sig_neg = ops.log1p(ops.exp(-ops.abs(input))) + ops.maximum(-input, 0.0)
    if pos_weight is None:
        loss = (1.0 - target) * input + log_sig_neg
    else:
        loss = (1.0 - target) * input + (1.0 + (pos_weight - 1.0) * target) * log_sig_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    t = _plain(target).astype(np.int64)
    if input.ndim == 1:
        input, t = input.reshape(1, -1), t.reshape(1)
    valid = t != ignore_index
    safe = np.where(valid, t, 0)
    picked = input[np.arange(t.shape[0]), safe]
    w = np.ones(t.shape, input.dtype) if weight is None else _plain(weight)[safe].astype(input.dtype)
    w = w * valid
    loss = -picked * w
    if reduction == "mean":
        return loss.sum() / np.asarray(w.sum(), dtype=input.dtype)
    return _reduce(loss, reduction, "nll_loss")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    logp = log_softmax(input, dim=1 if input.ndim > 1 else 0)
    t = _plain(target)
    if t.dtype.kind == "f":   # class probabilities
        q = t * (1 - label_smoothing) + label_smoothing / input.shape[-1]
        w = 1.0 if weight is None else _plain(weight)
        return _reduce(-(logp * (q * w)).sum(axis=-1), reduction, "cross_entropy")
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return nll
    w = np.ones(input.shape[-1], input.dtype) if weight is None else _plain(weight).astype(input.dtype)
    valid = (t != ignore_index).astype(input.dtype)
    smooth = -(logp * w).sum(axis=-1) * valid
    if reduction == "mean":
        denom = (w[np.where(t != ignore_index, t, 0)] * valid).sum()
        smooth = smooth.sum() / np.asarray(denom, dtype=input.dtype)
    else:
        smooth = _reduce(smooth, reduction, "cross_entropy")
    return (1 - label_smoothing) * nll + (label_smoothing / input.shape[-1]) * smooth


_COMPOSED = {name: f for name, f in list(globals().items())
             if callable(f) and not name.startswith("_") and name not in ("fn", "default_generator", "Tensor")}
