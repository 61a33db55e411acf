"""PyTorch's statistics and orderings that fastgrad lacked: cov, corrcoef, nanmedian, msort and
argwhere (with their Tensor methods).  cov, corrcoef, nanmedian and msort are differentiable.

    cov(x)[i, j] = sum_k w_k (x_ik - m_i) (x_jk - m_j)^* / (sum_k w_k - correction)
    corrcoef(x)[i, j] = cov(x)[i, j] / sqrt(cov(x)[i, i] cov(x)[j, j])

    import fastgrad as torch
    torch.cov(torch.stack([a, b]))            # rows are variables, columns observations
    values, indices = torch.nanmedian(x, dim=1)
"""
import warnings

import numpy as np

from ..dtypes import get_default_dtype
from ..ops import gathering as _gathering, methods as _methods
from .everyday import picked_median
from .tensor_methods import _as_tensor

__all__ = ["argwhere", "corrcoef", "cov", "msort", "nanmedian"]


def _weights(name, weights, observations):
    if weights is None:
        return None
    w = _as_tensor(weights)
    if w.ndim > 1 or (w.ndim == 1 and w.shape[0] != observations):
        raise RuntimeError(f"cov: argument '{name}' must be 1-D with one weight per observation ({observations}), "
                           f"got shape {tuple(w.shape)}")
    data = np.asarray(w._data)
    if data.size and data.min() < 0:
        raise RuntimeError(f"cov: argument '{name}' must be non-negative")
    return w


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in input's rows (a 1-D input is one variable;
    its result is 0-d), observations in the columns.  fweights are integer frequency weights,
    aweights observation weights; correction=1 is Bessel's correction, 0 the maximum
    likelihood estimate.

    >>> cov(tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))     # [[1, -1], [-1, 1]]
    """
    x = _as_tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"cov: expects a 1-D or 2-D input, got {x.ndim}-D")
    rows = x.reshape(1, -1) if x.ndim < 2 else x
    if rows.dtype.kind not in "fc":   # integers and bools: in the default float dtype
        rows = rows.to(get_default_dtype())
    n = rows.shape[1]
    fw = _weights("fweights", fweights, n)
    if fw is not None and fw.dtype.kind not in "iu":
        raise RuntimeError(f"cov: argument 'fweights' must hold integers, got {fw.dtype}")
    aw = _weights("aweights", aweights, n)
    if aw is not None and aw.dtype.kind != "f":
        raise RuntimeError(f"cov: argument 'aweights' must be floating point, got {aw.dtype}")
    w = fw.to(rows.dtype) if fw is not None else None
    if aw is not None:
        w = aw.to(rows.dtype) if w is None else w * aw.to(rows.dtype)
    if w is None:
        mean = rows.mean(1, keepdim=True)
        norm = n - correction
        degrees = norm
    else:   # the weights are differentiable: the normalisation too
        total = w.sum()
        mean = (rows * w).sum(1, keepdim=True) / total
        if aw is None or correction == 0:
            norm = total - correction
        else:
            norm = total - correction * (w * aw.to(rows.dtype)).sum() / total
        degrees = float(np.asarray(norm._data))
    if degrees <= 0:
        warnings.warn("cov: the degrees of freedom (weights' total minus correction) are <= 0; the result is "
                      "inf or nan", RuntimeWarning, stacklevel=2)
        norm = 0.0
    centred = rows - mean
    weighted = centred if w is None else centred * w
    conjugated = centred.conj() if centred.dtype.kind == "c" else centred
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (weighted @ conjugated.mT) / norm
    return result.reshape(()) if x.ndim < 2 else result


def corrcoef(input):
    """The Pearson correlation coefficients of the variables in input's rows, clipped to
    [-1, 1] (a 1-D input gives a 0-d 1 or nan)."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    result = c / std.unsqueeze(1) / std.unsqueeze(0)
    return result.clamp(-1, 1) if result.dtype.kind != "c" else result


def msort(input):
    """input sorted along its first dimension (values only)."""
    x = _as_tensor(input)
    return x if x.ndim == 0 else x.sort(0).values


def argwhere(input):
    """The indices of the non-zero elements, one row each (shape (count, ndim), int64)."""
    return _as_tensor(input).nonzero()


def nanmedian(input, dim=None, keepdim=False):
    """median ignoring NaN: nanmedian(x) is the lower middle value of the non-NaN elements (NaN
    when there are none); nanmedian(x, dim) gives (values, indices) along dim.  The gradient
    goes to the element picked."""
    return picked_median(_as_tensor(input), dim, keepdim, "nanmedian", _nanmedian_index)


def _nanmedian_index(data, axis):
    """The index of the lower middle non-NaN value along `axis` (size-1 axis kept); a slice of
    only NaN gives the index of one of its NaN."""
    xp, data = _gathering._values(data)
    order = np.argsort(data, axis=axis, kind="stable") if xp is np else xp.argsort(data, axis=axis)
    if data.dtype.kind == "f":
        count = xp.sum(~xp.isnan(data), axis=axis, keepdims=True)
    else:
        count = xp.full(order.shape[:axis] + (1,) + order.shape[axis + 1:], data.shape[axis])
    middle = xp.maximum(count - 1, 0) // 2
    return xp.take_along_axis(order, middle, axis=axis).astype(xp.int64)


_methods.bind({"argwhere": argwhere, "corrcoef": corrcoef, "cov": cov, "msort": msort, "nanmedian": nanmedian})
