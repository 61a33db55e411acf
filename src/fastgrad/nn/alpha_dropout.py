"""alpha_dropout and feature_alpha_dropout: dropout that keeps SELU's zero mean and unit variance.

A dropped value is set to SELU's negative saturation -alpha (alpha = scale * alpha of SELU),
then everything is mapped by a * x + b with a = ((1 - p) (1 + p alpha^2))^(-1/2) and
b = a alpha p, so a standard-normal input keeps mean 0 and variance 1:

    kept:    a * x + a * alpha * p
    dropped: -a * alpha * (1 - p)

The keep mask is drawn per element (alpha_dropout) or per (sample, channel)
(feature_alpha_dropout) from fastgrad's generator (fastgrad.manual_seed).
"""
import math

from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..ops.inplace import in_place

SELU_SATURATION = 1.7580993408473766  # SELU's scale * alpha: -this is SELU's limit at -infinity


def _check(op, input, p, feature):
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}: dropout probability has to be between 0 and 1, but got {p}")
    if not hasattr(input, "ndim"):
        raise TypeError(f"{op}: argument 'input' must be a Tensor or an array, got {type(input).__name__}")
    if feature and input.ndim < 2:
        raise ValueError(f"{op}: the input must have at least 2 dimensions (N, C, *), got shape "
                         f"{tuple(input.shape)}")


def _keep_as(data, mask_shape, p):
    """1.0 where an element is kept, 0.0 where dropped, in data's dtype, of mask_shape."""
    from .functional import dropout_mask  # the generator-backed mask of F.dropout
    scaled = dropout_mask(data[tuple(slice(0, n) for n in mask_shape)], p)
    keep = scaled != 0
    xp = namespace_of(data)
    return xp.astype(keep, data.dtype) if hasattr(xp, "astype") else keep.astype(data.dtype)


def _alpha_dropped(input, p, feature):
    if p == 1.0:
        return input * 0.0
    data = input._data
    mask_shape = tuple(data.shape[:2]) + (1,) * (data.ndim - 2) if feature else tuple(data.shape)
    keep = _keep_as(data, mask_shape, p)
    a = 1.0 / math.sqrt((SELU_SATURATION ** 2 * p + 1.0) * (1.0 - p))
    return input * (keep * a) + (keep * (SELU_SATURATION * a) + SELU_SATURATION * a * (p - 1.0))


def _apply(op, input, p, training, inplace, feature):
    _check(op, input, p, feature)
    if not training or p == 0.0:
        return input
    if inplace:
        if not isinstance(input, Tensor):
            raise TypeError(f"{op}: inplace=True needs a Tensor to write into, got {type(input).__name__}")
        return in_place(f"{op}(inplace=True)", lambda x: _alpha_dropped(x, p, feature))(input)
    return _alpha_dropped(input if isinstance(input, Tensor) else Tensor(input), p, feature)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of each element while training (note PyTorch's default training=False here).

    >>> import fastgrad as fg
    >>> alpha_dropout(fg.ones(3), 0.5).tolist()
    [1.0, 1.0, 1.0]
    """
    return _apply("alpha_dropout", input, p, training, inplace, feature=False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels input[n, c] of (N, C, *) while training."""
    return _apply("feature_alpha_dropout", input, p, training, inplace, feature=True)
