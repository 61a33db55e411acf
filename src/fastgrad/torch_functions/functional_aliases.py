"""PyTorch's module-level forms of fastgrad.nn.functional's ops: torch.conv2d, torch.layer_norm,
torch.dropout, torch.embedding, torch.kl_div, ... with the torch.* signatures, which differ from
F.*'s in places:

- dropout(input, p, train), alpha_dropout, feature_dropout, feature_alpha_dropout: all three
  arguments given (train, not training); the *_ forms work in place;
- batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
  cudnn_enabled) and instance_norm(input, weight, bias, running_mean, running_var,
  use_input_stats, momentum, eps, cudnn_enabled): every argument positional, weight first;
- layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable), group_norm(input,
  num_groups, weight, bias, eps, cudnn_enabled): the last flag is accepted and ignored;
- embedding(weight, indices, padding_idx=-1, ...): the weight first, -1 meaning no padding;
  embedding_bag(weight, indices, offsets, scale_grad_by_freq, mode, ...) with mode 0 (sum),
  1 (mean) or 2 (max), returning (output, bag of each index, size of each bag, index of each
  max: zeros unless mode is 2);
- max_pool1d/2d/3d(input, kernel_size, stride=(), ...): an empty stride means kernel_size;
  max_pool1d_with_indices and adaptive_max_pool1d return (output, indices);
- the losses take reduction as PyTorch's number, 0 (none, the default of torch.*'s losses),
  1 (mean) or 2 (sum); the names 'none', 'mean' and 'sum' are accepted too;
- celu_, selu_, threshold_ work in place;
- grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners) takes the modes as
  numbers (0 bilinear, 1 nearest, 2 bicubic; 0 zeros, 1 border, 2 reflection), and
  affine_grid_generator(theta, size, align_corners) is F.affine_grid.

    import fastgrad as torch
    y = torch.conv2d(x, w, b, 1, 1)
    z = torch.layer_norm(y, y.shape[-1:], None, None, 1e-5, True)
"""
import builtins
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..creation import default_generator
from ..nn import functional as F
from ..ops import methods as _methods
from ..ops.inplace import in_place
from .tensor_methods import _as_tensor

__all__ = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "alpha_dropout_", "avg_pool1d", "batch_norm",
    "bilinear", "binary_cross_entropy_with_logits", "celu", "celu_", "channel_shuffle", "constant_pad_nd", "conv1d",
    "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "convolution", "cosine_embedding_loss",
    "cosine_similarity", "ctc_loss", "affine_grid_generator", "dropout", "dropout_", "embedding", "embedding_bag", "embedding_renorm_", "feature_alpha_dropout",
    "feature_alpha_dropout_", "feature_dropout", "feature_dropout_", "grid_sampler", "group_norm", "hardshrink",
    "hinge_embedding_loss", "instance_norm", "kl_div", "layer_norm", "margin_ranking_loss", "max_pool1d",
    "max_pool1d_with_indices", "max_pool2d", "max_pool3d", "norm_except_dim", "pairwise_distance", "pdist",
    "pixel_shuffle", "pixel_unshuffle", "poisson_nll_loss", "prelu", "rms_norm", "selu", "selu_", "threshold",
    "threshold_", "triplet_margin_loss",
]

# ---- the same signature as F's ----------------------------------------------------------------
conv1d = F.conv1d
conv2d = F.conv2d
conv3d = F.conv3d
conv_transpose1d = F.conv_transpose1d
conv_transpose2d = F.conv_transpose2d
avg_pool1d = F.avg_pool1d
adaptive_avg_pool1d = F.adaptive_avg_pool1d
pixel_shuffle = F.pixel_shuffle
pixel_unshuffle = F.pixel_unshuffle
channel_shuffle = F.channel_shuffle
cosine_similarity = F.cosine_similarity
pairwise_distance = F.pairwise_distance
pdist = F.pdist
bilinear = F.bilinear
hardshrink = F.hardshrink
prelu = F.prelu


def celu(input, alpha=1.0):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    return F.celu(input, alpha)


def selu(input):
    """scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), SELU's fixed scale and alpha."""
    return F.selu(input)


def threshold(input, threshold, value):
    """input where input > threshold, else value."""
    return F.threshold(input, threshold, value)


def celu_(input, alpha=1.0):
    """celu in place."""
    return F.celu(input, alpha, inplace=True)


def selu_(input):
    """selu in place."""
    return F.selu(input, inplace=True)


def threshold_(input, threshold, value):
    """threshold in place."""
    return F.threshold(input, threshold, value, inplace=True)


_CONVOLUTIONS = {(False, 1): F.conv1d, (False, 2): F.conv2d, (False, 3): F.conv3d,
                 (True, 1): F.conv_transpose1d, (True, 2): F.conv_transpose2d}


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution (or, with transposed, the transposed convolution) of as many spatial
    dimensions as weight has beyond its first two (conv1d ... conv3d, conv_transpose1d/2d)."""
    w = _as_tensor(weight)
    kind = (bool(transposed), w.ndim - 2)
    if kind not in _CONVOLUTIONS:
        raise NotImplementedError(f"convolution: {'transposed ' if transposed else ''}convolution over {w.ndim - 2} "
                                  "spatial dimensions is not available")
    if transposed:
        return _CONVOLUTIONS[kind](input, w, bias, stride, padding, output_padding, groups, dilation)
    if any(output_padding if isinstance(output_padding, (tuple, list)) else [output_padding]):
        raise RuntimeError("convolution: output_padding is only for transposed convolutions")
    return _CONVOLUTIONS[kind](input, w, bias, stride, padding, dilation, groups)


def norm_except_dim(v, pow=2, dim=0):
    """The pow-norm of v over every dimension but dim, kept as size-1 dimensions (weight
    normalization's norm); dim=-1 gives the norm of all of v."""
    x = _as_tensor(v)
    if dim == -1:
        return x.norm(pow)
    axes = tuple(d for d in builtins.range(x.ndim) if d != dim % x.ndim)
    return x.norm(pow, dim=axes, keepdim=True) if axes else x.abs()


# ---- dropout: (input, p, train) ------------------------------------------------------------

def dropout(input, p, train):
    """Each element zeroed with probability p and the others scaled by 1 / (1 - p) when train."""
    return F.dropout(input, p, train)


def dropout_(input, p, train):
    """dropout in place."""
    return F.dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    """Dropout that keeps a SELU network's mean and variance (F.alpha_dropout)."""
    return F.alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    """alpha_dropout of whole channels (F.feature_alpha_dropout)."""
    return F.feature_alpha_dropout(input, p, train)


def _check_probability(op, p):
    if not 0 <= p <= 1:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")


def feature_dropout(input, p, train):
    """Whole channels (input[n, c], dimension 1) zeroed with probability p, the others scaled
    by 1 / (1 - p), when train; input needs at least 2 dimensions."""
    x = _as_tensor(input)
    _check_probability("feature_dropout", p)
    if x.ndim < 2:
        raise RuntimeError(f"feature_dropout: input needs at least 2 dimensions, got {x.ndim}")
    if not train or p == 0:
        return x
    if p == 1:
        return x * 0
    shape = tuple(x.shape[:2]) + (1,) * (x.ndim - 2)
    keep = default_generator().random(shape) >= p
    return x * Tensor((keep / (1 - p)).astype(x.dtype))


def _in_place_of(name, function):
    method = in_place(name, lambda self, p, train: function(self, p, train))

    def apply(input, p, train):
        return method(input, p, train)

    apply.__name__ = name
    apply.__doc__ = f"{function.__name__} in place."
    return apply


alpha_dropout_ = _in_place_of("alpha_dropout_", alpha_dropout)
feature_dropout_ = _in_place_of("feature_dropout_", feature_dropout)
feature_alpha_dropout_ = _in_place_of("feature_alpha_dropout_", feature_alpha_dropout)


# ---- pooling --------------------------------------------------------------------------------

def _stride(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The largest value of each window along the last dimension."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The largest value of each window over the last two dimensions."""
    return F.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """The largest value of each window over the last three dimensions."""
    return F.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """(max_pool1d's output, the index of each maximum along the last dimension)."""
    return F.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, return_indices=True)


def adaptive_max_pool1d(input, output_size):
    """(the largest value of output_size windows covering the last dimension, their indices)."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


def constant_pad_nd(input, pad, value=0):
    """input padded with value: pad lists (before, after) sizes from the last dimension back."""
    return F.pad(input, pad, mode="constant", value=value)


_INTERPOLATIONS = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDINGS = {0: "zeros", 1: "border", 2: "reflection"}


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """F.grid_sample with the modes as PyTorch's numbers."""
    if interpolation_mode not in _INTERPOLATIONS or isinstance(interpolation_mode, bool):
        raise ValueError(f"grid_sampler: interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got "
                         f"{interpolation_mode!r}")
    if padding_mode not in _PADDINGS or isinstance(padding_mode, bool):
        raise ValueError(f"grid_sampler: padding_mode must be 0 (zeros), 1 (border) or 2 (reflection), got "
                         f"{padding_mode!r}")
    return F.grid_sample(input, grid, _INTERPOLATIONS[interpolation_mode], _PADDINGS[padding_mode], align_corners)


def affine_grid_generator(theta, size, align_corners):
    """F.affine_grid: the sampling grid of the affine maps theta for an output of the given size."""
    return F.affine_grid(theta, size, align_corners)


# ---- normalization --------------------------------------------------------------------------

def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    """(x - mean) / sqrt(var + eps) * weight + bias over every dimension but the channels (1):
    the batch's statistics when training (updating the running ones), else the running ones."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled):
    """batch_norm of each sample and channel over its own spatial positions."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last len(normalized_shape) dimensions."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """layer_norm over groups of channels, then a per-channel weight and bias."""
    return F.group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) * weight over the last len(normalized_shape) dimensions."""
    return F.rms_norm(input, normalized_shape, weight, eps)


# ---- embeddings -----------------------------------------------------------------------------

def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """weight's rows at indices (weight first, as torch.embedding; padding_idx=-1 is no padding:
    a padding row gets no gradient)."""
    return F.embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rows of input (an embedding weight) picked by indices whose norm_type-norm exceeds max_norm
    scaled in place to norm max_norm (as F.embedding's max_norm does); returns input."""
    F.embedding(indices, input, max_norm=max_norm, norm_type=norm_type)
    return input


_BAG_MODES = {0: "sum", 1: "mean", 2: "max"}


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """The sum (mode 0), mean (1) or max (2) of weight's rows in each bag of indices (bags start
    at offsets).  Returns (output, the bag of each index, the size of each bag, the index of
    each bag's maximum in mode 2, zeros otherwise); only the output is differentiable."""
    if mode not in _BAG_MODES:
        raise ValueError(f"embedding_bag: mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}")
    output = F.embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq, mode=_BAG_MODES[mode],
                             sparse=sparse, per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    index = np.asarray(_as_tensor(indices)._data)
    bags = output.shape[0]
    if index.ndim == 2:
        starts = np.arange(bags) * index.shape[1]
        index = index.reshape(-1)
    else:
        starts = np.asarray(_as_tensor(offsets)._data, dtype=np.int64)[:bags]
    bag_of = (np.searchsorted(starts, np.arange(index.size), side="right") - 1).astype(np.int64)
    used = index != padding_idx if padding_idx is not None else np.ones(index.size, dtype=bool)
    bag_size = np.bincount(bag_of[used], minlength=bags).astype(np.int64)[:bags]
    maxima = np.zeros((bags, output.shape[1]), dtype=np.int64)
    if mode == 2:
        rows = np.asarray(_as_tensor(weight)._data)
        for b in range(bags):
            members = index[(bag_of == b) & used]
            if members.size:
                maxima[b] = members[np.argmax(rows[members], axis=0)]
    return output, Tensor(bag_of), Tensor(bag_size), Tensor(maxima)


# ---- losses: reduction as PyTorch's number ---------------------------------------------------

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum", "none": "none", "mean": "mean", "sum": "sum"}


def _reduction(op, reduction):
    if isinstance(reduction, bool) or reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction!r}")
    return _REDUCTIONS[reduction]


def kl_div(input, target, reduction=0, *, log_target=False):
    """target * (log target - input) (input holds log-probabilities; target too with log_target).
    Reduction 1 is the mean over all elements, without F.kl_div's warning about it (as torch.kl_div)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="kl_div: reduction='mean'")
        return F.kl_div(input, target, reduction=_reduction("kl_div", reduction), log_target=log_target)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """exp(input) - target * input with log_input, else input - target * log(input + eps);
    full adds Stirling's term for target > 1."""
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps,
                              reduction=_reduction("poisson_nll_loss", reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """max(0, -target * (input1 - input2) + margin)."""
    return F.margin_ranking_loss(input1, input2, target, margin,
                                 reduction=_reduction("margin_ranking_loss", reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """input where target is 1, max(0, margin - input) where it is -1."""
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction("hinge_embedding_loss", reduction))


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """1 - cos(input1, input2) where target is 1, max(0, cos(input1, input2) - margin) where -1."""
    return F.cosine_embedding_loss(input1, input2, target, margin,
                                   reduction=_reduction("cosine_embedding_loss", reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction=0):
    """max(d(anchor, positive) - d(anchor, negative) + margin, 0), d the p-norm distance."""
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction("triplet_margin_loss", reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False):
    """The connectionist temporal classification loss (F.ctc_loss) of each sequence."""
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                      reduction=_reduction("ctc_loss", reduction), zero_infinity=zero_infinity)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """-weight * (pos_weight * target * log sigmoid(input) + (1 - target) * log(1 - sigmoid(input)))."""
    return F.binary_cross_entropy_with_logits(input, target, weight,
                                              reduction=_reduction("binary_cross_entropy_with_logits", reduction),
                                              pos_weight=pos_weight)


def _stft(self, *args, **kwargs):
    from .spectral import stft

    return stft(self, *args, **kwargs)


def _istft(self, *args, **kwargs):
    from .spectral import istft

    return istft(self, *args, **kwargs)


_methods.bind({"prelu": F.prelu, "hardshrink": F.hardshrink, "stft": _stft, "istft": _istft})
