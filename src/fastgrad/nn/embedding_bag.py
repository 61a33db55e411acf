"""Sums, means or maxima of bags of embedding rows (PyTorch's F.embedding_bag), composed from
the embedding lookup, one gather of the rows into a (bags, longest bag, dim) block, and a
masked reduction over the bag axis."""
import numpy as np

from ..autograd.tensor import Tensor
from ..ops import where
from . import functional as F  # imports this module last: its names are looked up at call time

_MODES = ("sum", "mean", "max")


def _indices(op, name, value):
    data = value._data if isinstance(value, Tensor) else value
    data = np.asarray(data)
    if data.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument '{name}' must hold integers, got dtype {data.dtype}")
    return data.astype(np.int64, copy=False)


def _bag_bounds(op, idx, offsets, include_last_offset):
    """(flat indices, start of each bag, size of each bag) from 2-d input or 1-d input + offsets."""
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError(f"{op}: argument 'offsets' must be None when input is 2-d (one bag per row), got "
                             f"{type(offsets).__name__}")
        bags, length = idx.shape
        return idx.reshape(-1), np.arange(bags, dtype=np.int64) * length, np.full(bags, length, np.int64)
    if idx.ndim != 1:
        raise ValueError(f"{op}: argument 'input' must be 1-d (with offsets) or 2-d, got shape {idx.shape}")
    if offsets is None:
        raise ValueError(f"{op}: argument 'offsets' is required when input is 1-d")
    offsets = _indices(op, "offsets", offsets)
    if offsets.ndim != 1:
        raise ValueError(f"{op}: argument 'offsets' must be 1-d, got shape {offsets.shape}")
    if offsets.size and offsets[0] != 0:
        raise ValueError(f"{op}: argument 'offsets' must start at 0, got {offsets[0]}")
    if np.any(np.diff(offsets) < 0) or (offsets.size and offsets[-1] > idx.size):
        raise ValueError(f"{op}: argument 'offsets' must be non-decreasing and at most the input's length "
                         f"({idx.size})")
    ends = offsets[1:] if include_last_offset else np.append(offsets[1:], idx.size)
    starts = offsets[:-1] if include_last_offset else offsets
    return idx, starts, ends - starts


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """For each bag of indices, the sum, mean or maximum of its rows of `weight`, as PyTorch's
    F.embedding_bag: input 2-d (one bag per row; offsets None) or 1-d with offsets (the start
    of each bag; include_last_offset: the last entry ends the last bag).  per_sample_weights
    (input's shape, mode 'sum' only) scales each row; entries equal to padding_idx are left
    out of their bag (and of the mean's count); an empty bag gives zeros.  max_norm acts as in
    F.embedding, and so does sparse=True (dense gradients with the sparse ones' values);
    scale_grad_by_freq=True is refused.

    >>> import fastgrad as fg, numpy as np
    >>> w = fg.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    >>> fg.nn.functional.embedding_bag(np.array([0, 1, 2]), w, np.array([0, 2]), mode="sum").tolist()
    [[1.0, 2.0], [3.0, 3.0]]
    """
    op = "embedding_bag"
    if scale_grad_by_freq:
        raise NotImplementedError(f"{op}: scale_grad_by_freq=True is not supported; leave it False")
    if mode not in _MODES:
        raise ValueError(f"{op}: argument 'mode' must be one of {_MODES}, got {mode!r}")
    if not hasattr(weight, "ndim") or weight.ndim != 2:
        raise ValueError(f"{op}: argument 'weight' must be 2-d (num_embeddings, embedding_dim), got "
                         f"{tuple(getattr(weight, 'shape', ()))}")
    idx = _indices(op, "input", input)
    flat, starts, sizes = _bag_bounds(op, idx, offsets, include_last_offset)
    rows, dim = weight.shape
    if flat.size and (flat.min() < 0 or flat.max() >= rows):
        raise IndexError(f"{op}: index out of range for {rows} embeddings (got min {flat.min()}, max {flat.max()})")
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(f"{op}: argument 'per_sample_weights' is only supported for mode='sum', got "
                             f"mode={mode!r}")
        if tuple(per_sample_weights.shape) != idx.shape:
            raise ValueError(f"{op}: argument 'per_sample_weights' has shape {tuple(per_sample_weights.shape)}, "
                             f"expected the input's {idx.shape}")
    if padding_idx is not None:
        if not -rows <= padding_idx < rows:
            raise ValueError(f"{op}: argument 'padding_idx' {padding_idx} must be within num_embeddings ({rows})")
        padding_idx %= rows
    bags, longest = sizes.size, int(sizes.max(initial=0))
    picked = F.embedding(flat, weight, max_norm=max_norm, norm_type=norm_type)
    if longest == 0:
        return (weight.sum(0, keepdim=True) * 0.0).expand(bags, dim)
    slot = np.arange(longest)
    valid = slot[None, :] < sizes[:, None]                                  # (bags, longest)
    position = np.where(valid, starts[:, None] + slot[None, :], 0)
    if padding_idx is not None:
        valid &= flat[position] != padding_idx
    block = picked[position]                                                # (bags, longest, dim)
    counts = valid.sum(axis=1, keepdims=True)
    if mode == "max":
        largest = where(valid[..., None], block, -np.inf).amax(1)
        return where(counts > 0, largest, 0.0)
    scale = valid.astype(block.dtype)
    if per_sample_weights is not None:
        samples = per_sample_weights if isinstance(per_sample_weights, Tensor) else Tensor(per_sample_weights)
        scale = samples.reshape(-1)[position] * scale
    elif mode == "mean":
        scale = scale / np.maximum(counts, 1)
    return (block * (scale[..., None] if isinstance(scale, np.ndarray) else scale.unsqueeze(-1))).sum(1)
