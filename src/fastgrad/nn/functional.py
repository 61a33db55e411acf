"""fastgrad.nn.functional: PyTorch's functional API on fastgrad's fused kernels.

    import fastgrad.nn.functional as F
    h = F.linear(x, w1, b1).relu()
    loss = F.cross_entropy(F.linear(h, w2, b2), labels)

Names, signatures and defaults are PyTorch's.  Activations, softmax, the
losses and the linear layer run on fused C kernels for NumPy arrays;
dropout and embedding are composed from differentiable ops.
`inplace=True` writes the result into the input Tensor and returns it, with the
rules of fastgrad's in-place methods (x.relu_(): fastgrad/ops/inplace.py).
Legacy `size_average` / `reduce` arguments map to `reduction` as in PyTorch.
"""
import warnings

import numpy as np

from .. import ops
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import namespace_of, same_device
from ..creation import default_generator
from ..backend import _is_cupy
from ..ops import activations as _act
from ..ops.inplace import in_place as _in_place
from ..ops.linear import linear as _fused_linear
from ..ops import losses as _losses
from ..ops import softmax_family as _softmax

__all__ = [
    "linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "silu", "softplus", "softmax", "log_softmax",
    "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "dropout", "layer_norm", "embedding",
]


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


def _reduction(size_average, reduce, reduction, op):
    """PyTorch's mapping of the legacy size_average / reduce flags."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(f"{op}: size_average and reduce are deprecated, use reduction", DeprecationWarning, stacklevel=3)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


# ---- linear and activations ------------------------------------------------------------------

def linear(input, weight, bias=None):
    """input @ weight.T + bias; weight is (out_features, in_features).  The GEMM goes
    to BLAS and the bias add is a fused pass; any leading batch shape.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.linear(fg.ones(2, 3), fg.ones(4, 3), fg.zeros(4)).shape
    (2, 4)
    """
    return _fused_linear(input, weight, bias)


def _written_into(input, op, compute, *args):
    """compute(input, *args) written into `input` (inplace=True)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: inplace=True needs a Tensor to write into, got {type(input).__name__}")
    return _in_place(f"{op}(inplace=True)", compute)(input, *args)


def relu(input, inplace=False):
    """max(input, 0); relu'(0) = 0."""
    return _written_into(input, "relu", _act.relu) if inplace else _act.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """input where input > 0, else negative_slope * input."""
    if inplace:
        return _written_into(input, "leaky_relu", _act.leaky_relu, negative_slope)
    return _act.leaky_relu(input, negative_slope)


def sigmoid(input):
    """1 / (1 + exp(-input)), stable for large |input|."""
    return _act.sigmoid(input)


def tanh(input):
    """Hyperbolic tangent."""
    return _act.tanh(input)


def gelu(input, approximate="none"):
    """input * Phi(input) (approximate='none', erf form) or its tanh approximation
    (approximate='tanh')."""
    return _act.gelu(input, approximate)


def silu(input, inplace=False):
    """input * sigmoid(input)."""
    return _written_into(input, "silu", _act.silu) if inplace else _act.silu(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * input)) / beta; the identity where beta * input > threshold."""
    return _act.softplus(input, beta, threshold)


def _along_dim(fn, op, input, dim, dtype):
    """fn(input, dim) after the dtype cast; without a dim, PyTorch's implicit choice (warned)."""
    input = _tensor(input)
    if dtype is not None:
        input = ops.astype(input, dtype)
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call to include dim=X "
                      "as an argument.", UserWarning, stacklevel=3)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    return fn(input, dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) / sum(exp(input)) along `dim`, stable (the maximum subtracted first).

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.softmax(fg.tensor([[0.0, 0.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    return _along_dim(_softmax.softmax, "softmax", input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """input - logsumexp(input) along `dim`, stable."""
    return _along_dim(_softmax.log_softmax, "log_softmax", input, dim, dtype)


# ---- losses -------------------------------------------------------------------------------------

def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Softmax cross entropy between logits (C), (N, C) or (N, C, d1, ...) and class
    indices or class probabilities, fused and stable; PyTorch's weight,
    ignore_index, reduction and label_smoothing.

    >>> import fastgrad as fg, fastgrad.nn.functional as F, numpy as np
    >>> round(F.cross_entropy(fg.tensor([[0.0, 0.0]]), np.array([0])).item(), 4)
    0.6931
    """
    reduction = _reduction(size_average, reduce, reduction, "cross_entropy")
    return _losses.cross_entropy(input, target, weight=weight, ignore_index=ignore_index, reduction=reduction,
                                 label_smoothing=label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of log-probabilities: -weight[t] * input[t]."""
    reduction = _reduction(size_average, reduce, reduction, "nll_loss")
    return _losses.nll_loss(input, target, weight=weight, ignore_index=ignore_index, reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target)^2, reduced; `weight` (the input's size) rescales each term and
    makes 'mean' divide by sum(weight)."""
    return _losses.mse_loss(input, target, _reduction(size_average, reduce, reduction, "mse_loss"), weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|, reduced; `weight` as in mse_loss."""
    return _losses.l1_loss(input, target, _reduction(size_average, reduce, reduction, "l1_loss"), weight)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = input - target;
    `weight` (the input's size) rescales each term."""
    return _losses.huber_loss(input, target, reduction, delta, weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """d^2 / (2 beta) where |d| < beta, else |d| - beta / 2."""
    return _losses.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction, "smooth_l1_loss"),
                                  beta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) on probabilities, each log clamped at -100."""
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy")
    return _losses.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """Sigmoid + binary cross entropy in one stable pass, with PyTorch's pos_weight."""
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    return _losses.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


# ---- composed layers ----------------------------------------------------------------------------

def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) while
    training; the identity otherwise.  Uses fastgrad's generator (fastgrad.manual_seed)."""
    _check_probability("dropout", p)
    return _maybe_dropped("dropout", _dropped, input, p, training, inplace)


def _check_probability(op, p):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: probability has to be between 0 and 1, but got {p}")


def _maybe_dropped(op, compute, input, p, training, inplace):
    """compute(input, p) while training with p > 0 (written into input when inplace), else input."""
    active = training and p > 0.0
    if inplace:
        return _written_into(input, op, compute, p) if active else input
    input = _tensor(input)
    return compute(input, p) if active else input


def _dropped(input, p):
    return input * 0.0 if p == 1.0 else input * dropout_mask(input._data, p)


def dropout_mask(data, p):
    """1 / (1 - p) where an element is kept and 0 where it is dropped, made on `data`'s device.

    NumPy arrays draw from fastgrad's generator; CuPy arrays from CuPy's, seeded
    from fastgrad's, so the mask never crosses to the host; other array
    namespaces (which have no generator of their own) get the host mask once."""
    seed_source = default_generator()
    if isinstance(data, np.ndarray):
        keep = seed_source.random(data.shape) >= p
        return keep.astype(data.dtype) * data.dtype.type(1.0 / (1.0 - p))
    xp = namespace_of(data)
    if _is_cupy(data):
        rng = xp.random.default_rng(int(seed_source.integers(2**63)))
        keep = rng.random(data.shape, dtype=xp.float32) >= p
    else:
        keep = xp.asarray(seed_source.random(data.shape) >= p, device=data.device)
    return xp.astype(keep, data.dtype) * (1.0 / (1.0 - p)) if hasattr(xp, "astype") else \
        keep.astype(data.dtype) * (1.0 / (1.0 - p))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` (num_embeddings, dim) picked by the integer `input`; the row at
    padding_idx gets no gradient; max_norm renormalizes the picked rows in place (norm_type: the
    norm's order); scale_grad_by_freq divides each row's gradient by how often `input` picks it.
    sparse=True is accepted: the weight's gradient has the values of PyTorch's sparse gradient
    (zero in the rows not picked), stored dense, which SGD and SparseAdam step as PyTorch does."""
    idx = input._data if isinstance(input, Tensor) else input
    if not hasattr(idx, "__array_namespace__") and not _is_cupy(idx):
        idx = np.asarray(idx)
    if not _is_integer(idx):
        raise TypeError(f"embedding: argument 'input' must hold integers (indices), got dtype {idx.dtype}")
    rows = weight.shape[0]
    if not isinstance(idx, np.ndarray):
        if scale_grad_by_freq:
            raise NotImplementedError("embedding: scale_grad_by_freq is supported for NumPy indices only")
        return _embedding_on_device(idx, weight, padding_idx, max_norm)
    if idx.size and (idx.min() < 0 or idx.max() >= rows):
        raise IndexError(f"embedding: index out of range for {rows} embeddings "
                         f"(got min {idx.min()}, max {idx.max()})")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    if max_norm is not None:
        with no_grad():
            w = weight._data
            picked = np.unique(idx)
            norms = np.linalg.norm(w[picked], ord=norm_type, axis=1)
            scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
            w[picked] *= scale[:, None]
            weight._version[0] += 1   # written in place, as PyTorch's embedding_renorm_
    out = weight[idx]
    if padding_idx is not None:
        keep = (idx != padding_idx)[..., None]
        out = ops.where(keep, out, out.detach())
    if scale_grad_by_freq and out.requires_grad:
        _, position, counts = np.unique(idx, return_inverse=True, return_counts=True)
        per_pick = (1.0 / counts[position.reshape(idx.shape)]).astype(weight.dtype)[..., None]
        out.register_hook(lambda g: g * per_pick)
    return out


def _is_integer(idx):
    dtype = idx.dtype
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iu"
    return namespace_of(idx).isdtype(dtype, "integral")


def _embedding_on_device(idx, weight, padding_idx, max_norm):
    """embedding for indices on a device. The range is not read back on the host (that
    would wait for the device every step): rows of out-of-range indices come out NaN."""
    if max_norm is not None:
        raise NotImplementedError("embedding: max_norm is supported for NumPy indices only")
    xp = namespace_of(idx)
    rows = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows
    bad = (idx < 0) | (idx >= rows)
    safe = xp.where(bad, xp.zeros_like(idx), idx)
    if _is_cupy(idx):
        out = weight[safe]
    else:  # the array API has no gather of rows by an n-d index, nor a scatter-add: a one-hot product
        flat = xp.reshape(safe, (-1, 1))
        hot = xp.astype(flat == xp.reshape(xp.arange(rows, **same_device(flat)), (1, rows)), weight.dtype)
        out = (Tensor(hot) @ weight).reshape(tuple(idx.shape) + (weight.shape[1],))
    keep = xp.reshape(~bad, tuple(idx.shape) + (1,))
    out = ops.where(keep, out, out.detach() * float("nan"))
    if padding_idx is not None:
        out = ops.where(xp.reshape(safe != padding_idx, tuple(idx.shape) + (1,)), out, out.detach())
    return out


# ---- convolution and pooling (fastgrad.ops.conv, fastgrad.ops.pool) ----
from ..ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: E402
from ..ops.pool import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,  # noqa: E402
                        max_pool1d, max_pool2d)

__all__ += ["conv1d", "conv2d", "conv_transpose2d", "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d",
            "adaptive_avg_pool2d", "adaptive_max_pool2d"]


# ---- normalization (fastgrad.ops.norm: fused C kernels) ----
from ..ops.norm import batch_norm, group_norm, instance_norm, layer_norm  # noqa: E402

__all__ += ["batch_norm", "group_norm", "instance_norm"]


# ---- attention (fastgrad.ops.attention: fused softmax kernel) ----
from ..ops.attention import scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention"]


# ---- helpers: padding, resampling, one-hot, KL divergence ----
from ..ops.divergence import kl_div as _kl_div  # noqa: E402
from ..ops.encoding import one_hot  # noqa: E402
from ..ops.padding import pad  # noqa: E402
from ..ops.resampling import interpolate  # noqa: E402


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """target * (log(target) - input) with input as log-probabilities (fastgrad.ops.divergence.kl_div);
    reduction 'none', 'sum', 'batchmean' or 'mean'."""
    return _kl_div(input, target, _reduction(size_average, reduce, reduction, "kl_div"), log_target)


__all__ += ["pad", "interpolate", "one_hot", "kl_div"]


# ---- channel dropout ----
def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels input[n, c] with probability p and scale the rest by 1 / (1 - p)
    while training; the identity otherwise.  As in PyTorch, the mask has the shape of the
    first two axes, so a 3-d input is read as (N, C, L) (with PyTorch's warning), and
    inputs that are not 3-d or 4-d are accepted with a deprecation warning.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.dropout2d(fg.ones(8, 16, 4, 4), p=0.25).shape
    (8, 16, 4, 4)
    """
    _check_probability("dropout2d", p)
    ndim = len(input.shape)
    if ndim < 2:
        raise ValueError(f"dropout2d: the input must have at least 2 axes (N, C, ...), got shape {tuple(input.shape)}")
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: received a {ndim}-d input; dropout2d is meant for 3-d or 4-d inputs "
                      "(use dropout for others)", UserWarning, stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: received a 3-d input, read as (N, C, L) with one draw per (n, c), as PyTorch "
                      "does (use dropout1d semantics explicitly, or add a batch axis for (C, H, W))",
                      UserWarning, stacklevel=2)
    return _maybe_dropped("dropout2d", _channels_dropped, input, p, training, inplace)


def _channels_dropped(input, p):
    if p == 1.0:
        return input * 0.0
    data = input._data
    one_per_channel = data[(slice(None), slice(None)) + (slice(0, 1),) * (data.ndim - 2)]
    return input * dropout_mask(one_per_channel, p)


__all__ += ["dropout2d"]


# ---- activations composed from differentiable ops (fastgrad.ops.composed_activations) ----
from ..ops import composed_activations as _composed  # noqa: E402


def _maybe_inplace(op, compute, input, inplace, *args):
    return _written_into(input, op, compute, *args) if inplace else compute(input, *args)


def elu(input, alpha=1.0, inplace=False):
    """input for input > 0, alpha (exp(input) - 1) otherwise."""
    return _maybe_inplace("elu", _composed.elu, input, inplace, alpha)


def celu(input, alpha=1.0, inplace=False):
    """input for input > 0, alpha (exp(input / alpha) - 1) otherwise."""
    return _maybe_inplace("celu", _composed.celu, input, inplace, alpha)


def selu(input, inplace=False):
    """1.0507 * elu(input, alpha=1.6733) (SELU's fixed constants)."""
    return _maybe_inplace("selu", _composed.selu, input, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clipped to [min_val, max_val], with no gradient at the bounds."""
    return _maybe_inplace("hardtanh", _composed.hardtanh, input, inplace, min_val, max_val)


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return _maybe_inplace("relu6", _composed.relu6, input, inplace)


def hardsigmoid(input, inplace=False):
    """clip(input / 6 + 1/2, 0, 1)."""
    return _maybe_inplace("hardsigmoid", _composed.hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """input * hardsigmoid(input)."""
    return _maybe_inplace("hardswish", _composed.hardswish, input, inplace)


def mish(input, inplace=False):
    """input * tanh(softplus(input))."""
    return _maybe_inplace("mish", _composed.mish, input, inplace)


def logsigmoid(input):
    """log(sigmoid(input)), stable."""
    return _composed.logsigmoid(input)


def softsign(input):
    """input / (1 + |input|)."""
    return _composed.softsign(input)


def tanhshrink(input):
    """input - tanh(input)."""
    return _composed.tanhshrink(input)


def glu(input, dim=-1):
    """a * sigmoid(b), a and b the halves of input along dim."""
    return _composed.glu(input, dim)


def prelu(input, weight):
    """input for input > 0, weight * input otherwise (weight: 1 value or one per channel, axis 1)."""
    return _composed.prelu(input, weight)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along `dim`."""
    return _along_dim(lambda x, d: _softmax.softmax(-x, d), "softmin", input, dim, dtype)


__all__ += ["elu", "celu", "selu", "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish", "logsigmoid", "softsign",
            "tanhshrink", "glu", "prelu", "softmin"]


# ---- vector normalization and distances ----
def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along `dim` (the p-norm kept as a size-1 dimension).

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.normalize(fg.tensor([[3.0, 4.0]]), dim=1).tolist()
    [[0.6000000238418579, 0.800000011920929]]
    """
    if out is not None:
        raise TypeError("normalize: out= is not supported (fastgrad returns a new Tensor)")
    x = _tensor(input)
    return x / x.norm(p, dim, keepdim=True).clamp_min(eps)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """sum(x1 * x2) / (max(||x1||, eps) max(||x2||, eps)) along `dim`, after broadcasting x1 and x2."""
    a, b = _tensor(x1), _tensor(x2)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    a, b = a.expand(*shape), b.expand(*shape)
    return ((a / a.norm(2, dim, keepdim=True).clamp_min(eps)) * (b / b.norm(2, dim, keepdim=True).clamp_min(eps))) \
        .sum(dim)


def pdist(input, p=2):
    """The p-norm distances between the rows of input (N, M), pair (i, j) for i < j in row-major
    order: the upper triangle of cdist(input, input) without its diagonal, N (N - 1) / 2 values."""
    x = _tensor(input)
    if x.ndim != 2:
        raise ValueError(f"pdist: argument 'input' must be 2-d (N, M), got shape {tuple(x.shape)}")
    if p < 0:
        raise ValueError(f"pdist: argument 'p' must be non-negative, got {p}")
    first, second = np.triu_indices(x.shape[0], 1)
    return (x[first] - x[second]).norm(p, -1)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension, row by row (x1 and x2 broadcast)."""
    diff = _tensor(x1) - x2 + eps
    if diff.ndim == 0:
        raise ValueError("pairwise_distance: the inputs must have at least 1 dimension")
    return diff.norm(p, -1, keepdim=keepdim)


__all__ += ["normalize", "cosine_similarity", "pairwise_distance", "pdist"]


# ---- 1-d transposed convolution, 1-d adaptive pooling, RMS normalization ----
from ..ops.conv import conv_transpose1d  # noqa: E402
from ..ops.pool import adaptive_avg_pool1d, adaptive_max_pool1d  # noqa: E402
from ..ops.rms_norm import rms_norm  # noqa: E402

__all__ += ["conv_transpose1d", "adaptive_avg_pool1d", "adaptive_max_pool1d", "rms_norm"]


# ---- the bilinear form ----
from ..ops.bilinear import bilinear  # noqa: E402

__all__ += ["bilinear"]


# ---- bags of embeddings ----
from .embedding_bag import embedding_bag  # noqa: E402

__all__ += ["embedding_bag"]


# ---- margin, embedding and likelihood losses (fastgrad.ops.margin_losses) ----
from ..ops import margin_losses as _margin  # noqa: E402


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction, "margin_ranking_loss")
    return _margin.margin_ranking_loss(input1, input2, target, margin, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction, "hinge_embedding_loss")
    return _margin.hinge_embedding_loss(input, target, margin, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input))."""
    reduction = _reduction(size_average, reduce, reduction, "soft_margin_loss")
    return _margin.soft_margin_loss(input, target, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where target is -1."""
    reduction = _reduction(size_average, reduce, reduction, "cosine_embedding_loss")
    return _margin.cosine_embedding_loss(input1, input2, target, margin, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin), d the p-norm distance."""
    reduction = _reduction(size_average, reduce, reduction, "triplet_margin_loss")
    return _margin.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """max(0, d(anchor, positive) - d(anchor, negative) + margin) for a distance function d."""
    return _margin.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function, margin, swap,
                                                     reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss over (target class, non-target class) pairs, divided by C."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_margin_loss")
    return _margin.multilabel_margin_loss(input, target, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross entropy of sigmoid(input) per class, averaged over the classes."""
    reduction = _reduction(size_average, reduce, reduction, "multilabel_soft_margin_loss")
    return _margin.multilabel_soft_margin_loss(input, target, weight, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Multi-class hinge loss: sum over i != y of max(0, margin - x[y] + x[i])^p / C."""
    reduction = _reduction(size_average, reduce, reduction, "multi_margin_loss")
    return _margin.multi_margin_loss(input, target, p, margin, weight, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Negative log-likelihood of a Poisson target: exp(input) - target * input (log_input)."""
    reduction = _reduction(size_average, reduce, reduction, "poisson_nll_loss")
    return _margin.poisson_nll_loss(input, target, log_input, full, eps, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log-likelihood of a Gaussian target: (log(var) + (input - target)^2 / var) / 2."""
    return _margin.gaussian_nll_loss(input, target, var, full, eps, reduction)


__all__ += ["margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "cosine_embedding_loss",
            "triplet_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "poisson_nll_loss",
            "gaussian_nll_loss", "triplet_margin_with_distance_loss", "multilabel_margin_loss"]


# ---- pixel and channel shuffles, folding, shrinking, unpooling and alpha dropout ----
from ..ops.fold import fold, unfold  # noqa: E402
from ..ops.local_response_norm import local_response_norm  # noqa: E402
from ..ops.lp_pool import lp_pool1d, lp_pool2d  # noqa: E402
from ..ops.max_unpool import max_unpool1d, max_unpool2d  # noqa: E402
from ..ops.pixel_shuffle import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
from ..ops import thresholds as _thresholds  # noqa: E402
from .alpha_dropout import alpha_dropout, feature_alpha_dropout  # noqa: E402


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    return _maybe_inplace("threshold", _thresholds.threshold, input, inplace, threshold, value)


def hardshrink(input, lambd=0.5):
    """input where |input| > lambd, else 0."""
    return _thresholds.hardshrink(input, lambd)


def softshrink(input, lambd=0.5):
    """input - lambd above lambd, input + lambd below -lambd, 0 between."""
    return _thresholds.softshrink(input, lambd)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """interpolate under its deprecated name (with PyTorch's warning)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", UserWarning,
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """interpolate(mode='nearest'), deprecated as in PyTorch."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """interpolate(mode='bilinear', align_corners=True), deprecated as in PyTorch."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ += ["fold", "unfold", "local_response_norm", "lp_pool1d", "lp_pool2d", "max_unpool1d", "max_unpool2d",
            "channel_shuffle", "pixel_shuffle", "pixel_unshuffle", "threshold", "hardshrink", "softshrink",
            "alpha_dropout", "feature_alpha_dropout", "upsample", "upsample_nearest", "upsample_bilinear"]

# 3-d convolution and pooling.
from ..ops.conv3d import conv3d  # noqa: E402
from ..ops.pool3d import (adaptive_avg_pool3d, adaptive_max_pool3d, avg_pool3d,  # noqa: E402
                          max_pool3d)

__all__ += ["conv3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d"]

# Spatial transformers.
from ..ops.grid_sampling import affine_grid, grid_sample  # noqa: E402

__all__ += ["affine_grid", "grid_sample"]

# Sequence losses.
from ..ops.ctc_loss import ctc_loss  # noqa: E402

__all__ += ["ctc_loss"]


# ---- channel dropout of (N, C, L) inputs and Gumbel-softmax sampling ----
def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels input[n, c] of an (N, C, L) input (or input[c] of an unbatched
    (C, L) one) with probability p and scale the rest by 1 / (1 - p) while training; the
    identity otherwise.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.dropout1d(fg.ones(8, 16, 10), p=0.25).shape
    (8, 16, 10)
    """
    _check_probability("dropout1d", p)
    if len(input.shape) not in (2, 3):
        raise RuntimeError(f"dropout1d: expects a 2-d (C, L) or 3-d (N, C, L) input, got shape {tuple(input.shape)}")
    return _maybe_dropped("dropout1d", _channels_dropped_1d, input, p, training, inplace)


def _channels_dropped_1d(input, p):
    if input.ndim == 3:
        return _channels_dropped(input, p)
    return _channels_dropped(input.unsqueeze(0), p).squeeze(0)


from .gumbel_softmax import gumbel_softmax  # noqa: E402

__all__ += ["dropout1d", "gumbel_softmax"]


# ---- the randomized leaky ReLU and the in-place activations ----
from ..ops.rrelu import rrelu as _rrelu  # noqa: E402


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """input where input > 0, else a * input: a ~ U(lower, upper) per element while training
    (the gradient uses the slope drawn), a = (lower + upper) / 2 otherwise."""
    return _maybe_inplace("rrelu", _rrelu, input, inplace, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """rrelu written into input, which is returned."""
    return rrelu(input, lower, upper, training, inplace=True)


def relu_(input):
    """relu written into input, which is returned."""
    return relu(input, inplace=True)


def elu_(input, alpha=1.0):
    """elu written into input, which is returned."""
    return elu(input, alpha, inplace=True)


def celu_(input, alpha=1.0):
    """celu written into input, which is returned."""
    return celu(input, alpha, inplace=True)


def selu_(input):
    """selu written into input, which is returned."""
    return selu(input, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    """leaky_relu written into input, which is returned."""
    return leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """hardtanh written into input, which is returned."""
    return hardtanh(input, min_val, max_val, inplace=True)


def threshold_(input, threshold, value):
    """threshold written into input, which is returned."""
    return globals()["threshold"](input, threshold, value, inplace=True)


__all__ += ["rrelu", "rrelu_", "relu_", "elu_", "celu_", "selu_", "leaky_relu_", "hardtanh_", "threshold_"]


# ---- max pooling that always returns the indices ----
def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(max_pool1d(input, ...), the int64 position of each maximum); return_indices is ignored."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(max_pool2d(input, ...), the int64 index h * W + w of each maximum); return_indices is ignored."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    """(max_pool3d(input, ...), the int64 index d * H * W + h * W + w of each maximum); return_indices is
    ignored."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """(adaptive_max_pool1d(input, output_size), the indices); return_indices is ignored."""
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """(adaptive_max_pool2d(input, output_size), the indices); return_indices is ignored."""
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """(adaptive_max_pool3d(input, output_size), the indices); return_indices is ignored."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


__all__ += ["max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
            "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
            "adaptive_max_pool3d_with_indices"]


# ---- 3-d channel dropout, transposed convolution, unpooling and power-average pooling ----
from ..ops.conv_transpose3d import conv_transpose3d  # noqa: E402
from ..ops.lp_pool import lp_pool3d  # noqa: E402
from ..ops.max_unpool import max_unpool3d  # noqa: E402


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels input[n, c] of an (N, C, D, H, W) input (or input[c] of an unbatched
    (C, D, H, W) one) with probability p and scale the rest by 1 / (1 - p) while training; the
    identity otherwise.  Inputs that are not 4-d or 5-d are read as unbatched, with PyTorch's
    deprecation warning.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.dropout3d(fg.ones(2, 4, 3, 3, 3), p=0.5).shape
    (2, 4, 3, 3, 3)
    """
    _check_probability("dropout3d", p)
    ndim = len(input.shape)
    if ndim not in (4, 5):
        warnings.warn(f"dropout3d: received a {ndim}-d input; dropout3d expects a 4-d (C, D, H, W) or 5-d "
                      "(N, C, D, H, W) input, others are deprecated", UserWarning, stacklevel=2)
    if ndim < 1:
        raise ValueError("dropout3d: the input must have at least 1 axis (its channels)")
    return _maybe_dropped("dropout3d", _channels_dropped_3d, input, p, training, inplace)


def _channels_dropped_3d(input, p):
    if input.ndim == 5:
        return _channels_dropped(input, p)
    return _channels_dropped(input.unsqueeze(0), p).squeeze(0)


__all__ += ["dropout3d", "conv_transpose3d", "max_unpool3d", "lp_pool3d"]


# ---- multi-head attention as a function (the forward of nn.MultiheadAttention) ----
def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """nn.MultiheadAttention's forward with its weights passed in: query (L, N, E) or (L, E), key
    and value (S, N, E_k / E_v) or (S, E_*); in_proj_weight (3E, E) and in_proj_bias (3E,), or
    q/k/v_proj_weight when use_separate_proj_weight; out_proj_weight (E, E).  Returns (output,
    attention weights or None) as the module does (see nn.MultiheadAttention for the masks).
    bias_k / bias_v, add_zero_attn and static_k / static_v are not supported (nor are they by the
    module)."""
    op = "multi_head_attention_forward"
    if bias_k is not None or bias_v is not None or add_zero_attn:
        raise NotImplementedError(f"{op}: bias_k, bias_v and add_zero_attn are not supported")
    if static_k is not None or static_v is not None:
        raise NotImplementedError(f"{op}: static_k and static_v are not supported")
    if query.shape[-1] != embed_dim_to_check:
        raise ValueError(f"{op}: expected query's last size to be embed_dim_to_check = {embed_dim_to_check}, got "
                         f"{query.shape[-1]}")
    if not isinstance(num_heads, int) or num_heads <= 0 or embed_dim_to_check % num_heads:
        raise ValueError(f"{op}: embed_dim ({embed_dim_to_check}) must be divisible by num_heads ({num_heads})")
    if use_separate_proj_weight:
        if q_proj_weight is None or k_proj_weight is None or v_proj_weight is None:
            raise ValueError(f"{op}: use_separate_proj_weight=True needs q_proj_weight, k_proj_weight and "
                             "v_proj_weight")
        in_proj_weight = None
    elif in_proj_weight is None:
        raise ValueError(f"{op}: in_proj_weight is None (pass use_separate_proj_weight=True with the three "
                         "projection weights)")
    from .modules.attention import MultiheadAttention

    attention = MultiheadAttention._over_tensors(
        embed_dim_to_check, num_heads, dropout_p, training, in_proj_weight, in_proj_bias, out_proj_weight,
        out_proj_bias, q_proj_weight, k_proj_weight, v_proj_weight)
    return attention.forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
                             is_causal)


__all__ += ["multi_head_attention_forward"]


# ---- max pooling over pseudo-random windows ----
from ..ops.fractional_max_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: E402
                                       fractional_max_pool3d, fractional_max_pool3d_with_indices)

__all__ += ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
            "fractional_max_pool3d_with_indices"]


# ---- the time-batch-channel convolution and the channel shuffle under its kernel's name ----
def conv_tbc(input, weight, bias, pad=0):
    """1-d convolution of a (T, B, C_in) sequence with weight (K, C_in, C_out) and bias (C_out,),
    `pad` zero steps at both ends: out[t, b, o] = bias[o] + sum_{k, c} x[t + k - pad, b, c] weight[k, c, o];
    (T + 2 pad - K + 1, B, C_out).  Computed as conv1d on the permuted axes.

    >>> import fastgrad as fg, fastgrad.nn.functional as F
    >>> F.conv_tbc(fg.ones(4, 1, 1), fg.ones(2, 1, 1), fg.zeros(1)).flatten().tolist()
    [2.0, 2.0, 2.0]
    """
    op = "conv_tbc"
    if getattr(input, "ndim", None) != 3:
        raise ValueError(f"{op}: argument 'input' must be 3-d (time, batch, channels), got shape "
                         f"{tuple(getattr(input, 'shape', ()))}")
    if getattr(weight, "ndim", None) != 3:
        raise ValueError(f"{op}: argument 'weight' must be 3-d (kernel width, in_channels, out_channels), got shape "
                         f"{tuple(getattr(weight, 'shape', ()))}")
    if getattr(bias, "ndim", None) != 1:
        raise ValueError(f"{op}: argument 'bias' must be 1-d (out_channels,), got shape "
                         f"{tuple(getattr(bias, 'shape', ()))}")
    if input.shape[2] != weight.shape[1]:
        raise ValueError(f"{op}: input has {input.shape[2]} channels but weight {tuple(weight.shape)} expects "
                         f"{weight.shape[1]}")
    x = _tensor(input).permute(1, 2, 0)
    w = _tensor(weight).permute(2, 1, 0)
    return conv1d(x, w, bias, padding=pad).permute(2, 0, 1)


def native_channel_shuffle(input, groups):
    """channel_shuffle (PyTorch's name for its kernel)."""
    return channel_shuffle(input, groups)


__all__ += ["conv_tbc", "native_channel_shuffle"]


# ---- argument checks -------------------------------------------------------------------------
# Every public function refuses None (where a tensor is required) and object arrays by name.
from .argument_checks import checks_tensor_arguments as _checks_tensor_arguments  # noqa: E402

for _name in __all__:
    globals()[_name] = _checks_tensor_arguments(globals()[_name])
del _name
