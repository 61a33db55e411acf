"""More of PyTorch's module-level functions, each also a Tensor method (bound through
ops/methods.py's `bind`): reductions (logsumexp, std_mean, var_mean, median, count_nonzero,
dist), splitting (unbind, narrow, tensor_split), elementwise math (erf, rsqrt, clamp_min,
clamp_max, cross), scatter_add, searching (searchsorted,
bucketize) and bernoulli sampling, with PyTorch's names, defaults and meanings.

    import fastgrad as torch
    torch.logsumexp(x, dim=1)
    values, indices = torch.median(x, dim=0)
"""
import warnings

import numpy as np

from ..autograd import capture
from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..creation import default_generator, tensor as _new_tensor
from ..ops import elementwise as _elementwise, gathering as _gathering, methods as _methods, selection as _selection
from ..ops import logsumexp as _logsumexp
from ..ops.broadcast import normalize_axis
from ..ops.inplace import in_place as _in_place
from ..ops.methods import ValuesIndices

__all__ = ["bernoulli", "bucketize", "clamp_max", "clamp_min", "count_nonzero", "cross", "dist", "erf",
           "logsumexp", "median", "narrow", "rsqrt", "scatter_add", "searchsorted", "std_mean",
           "tensor_split", "unbind", "var_mean"]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _plain(x):
    return x._data if isinstance(x, Tensor) else x


def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def _axis(x, dim, op):
    (axis,) = normalize_axis(dim, max(x.ndim, 1), op)
    return axis


# ---- reductions ------------------------------------------------------------------------------

def logsumexp(input, dim, keepdim=False):
    """log(sum(exp(input))) over `dim` (an int or a tuple), computed stably: the largest
    value is subtracted first.  A slice of only -inf (or an empty one) gives -inf."""
    x = _as_tensor(input)
    axes = tuple(normalize_axis(dim, max(x.ndim, 1), "logsumexp"))
    if x.ndim == 0:
        return logsumexp(x.reshape(1), 0).reshape(())
    if any(x.shape[a] == 0 for a in axes):
        shape = tuple(1 if a in axes else n for a, n in enumerate(x.shape)) if keepdim else \
            tuple(n for a, n in enumerate(x.shape) if a not in axes)
        return Tensor(np.full(shape, -np.inf, dtype=x.dtype))
    with np.errstate(divide="ignore"):      # a slice of only -inf: log(0) = -inf, as intended
        out, _ = stable_logsumexp(x, axes, keepdim)
    return out


def stable_logsumexp(x, axis, keepdims, b=None, return_sign=False, zero_grad_where_all_minus_inf=False):
    """(log|sum(b * exp(x))|, sign of the sum or None) of a Tensor over `axis` (None, an int or
    a tuple), the core of torch.logsumexp and scipy.special.logsumexp.  The largest value of
    each slice is subtracted first (0 where it is not finite); it, the sign and the mask below
    are computed with capture.run, so fastgrad.jit replays them.

    A slice of only -inf gives -inf.  Its gradient is 0 * (1 / 0) = NaN as PyTorch's, or,
    with zero_grad_where_all_minus_inf, 0: the log reads 1 instead of the empty sum there,
    and the -inf is put back after (the limit of the gradient as the -inf become very negative).
    Without b and return_sign all of it is the one primitive of ops/logsumexp.py (the same
    numbers, one graph node).
    """
    if b is None and not return_sign:
        return _logsumexp.logsumexp(x, axis, keepdims, zero_grad_where_all_minus_inf), None
    shift = capture.run(_finite_max, x._data, axis)
    terms = (x - shift).exp()
    if b is not None:
        terms = terms * b
    total = terms.sum(dim=axis, keepdim=True)
    sign = capture.run(_sign_of, total._data, axis, keepdims) if return_sign else None
    if zero_grad_where_all_minus_inf:
        all_minus_inf = capture.run(_all_minus_inf, x._data, axis)
        total = _selection.where(all_minus_inf, 1.0, total)
    out = (total.abs() if return_sign or b is not None else total).log() + shift
    if zero_grad_where_all_minus_inf:
        out = _selection.where(all_minus_inf, -np.inf, out)
    if not keepdims:
        out = out.squeeze(axis)
    return out, sign


def _finite_max(data, axes):
    """The largest value over `axes` (kept as size-1 axes), 0 where it is not finite; computed
    in the array's own namespace (CuPy arrays stay on their GPU)."""
    xp = namespace_of(data)
    shift = xp.max(data, axis=axes, keepdims=True)
    return xp.where(xp.isfinite(shift), shift, xp.zeros_like(shift))


def _all_minus_inf(data, axes):
    """True where every value over `axes` (kept as size-1 axes) is -inf."""
    xp = namespace_of(data)
    return xp.max(data, axis=axes, keepdims=True) == -xp.inf


def _sign_of(data, axes, keepdims):
    """The sign of each sum, without its size-1 `axes` unless keepdims (a replayed output must
    be an array a step makes, not a view of one)."""
    xp = namespace_of(data)
    sign = xp.sign(data)
    return sign if keepdims else xp.squeeze(sign, axis=axes)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over `dim`; the std is unbiased by default (correction=1)."""
    x = _as_tensor(input)
    if isinstance(dim, bool):          # PyTorch's std_mean(input, unbiased)
        dim, unbiased = None, dim
    return x.std(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over `dim`; the variance is unbiased by default (correction=1)."""
    x = _as_tensor(input)
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    return x.var(dim, unbiased, keepdim, correction=correction), x.mean(dim, keepdim)


def median(input, dim=None, keepdim=False):
    """median(x): the lower of the two middle values of all elements (NaN if any is NaN);
    median(x, dim): (values, indices) along `dim`.  The gradient goes to the element picked."""
    return picked_median(_as_tensor(input), dim, keepdim, "median", _median_index)


def picked_median(x, dim, keepdim, op, index_of):
    """The median `op` of Tensor x whose element along an axis is chosen by
    `index_of(data, axis)` (an index array, size-1 axis kept): over all elements when dim is
    None (NaN when x is empty), else (values, indices) along dim; the gradient goes to the
    element picked.  median and nanmedian differ only in `index_of`."""
    if dim is None:
        if x.numel() == 0:
            return Tensor(np.full((), np.nan, dtype=x.dtype))
        return picked_median(x.reshape(-1), 0, False, op, index_of).values
    axis = _axis(x, dim, op)
    if x.ndim == 0:
        return ValuesIndices(x, Tensor(np.zeros((), dtype=np.int64)))
    if x.shape[axis] == 0:
        raise IndexError(f"{op}: the reduced dimension {dim} has size 0")
    picked = capture.run(index_of, x._data, axis)
    values = _gathering.gather(x, axis, picked)
    if not keepdim:
        values, picked = values.squeeze(axis), picked.squeeze(axis)
    return ValuesIndices(values, Tensor(picked))


def _median_index(data, axis):
    """The index of the lower middle value along `axis` (size-1 axis kept); a slice holding NaN
    gives the index of its first NaN (its median is NaN)."""
    xp, data = _gathering._values(data)      # CuPy arrays stay on their GPU, others are read as NumPy
    order = np.argsort(data, axis=axis, kind="stable") if xp is np else xp.argsort(data, axis=axis)
    middle = (data.shape[axis] - 1) // 2
    picked = order[(slice(None),) * axis + (slice(middle, middle + 1),)]
    if data.dtype.kind == "f":
        nan = xp.isnan(data)
        first_nan = xp.expand_dims(xp.argmax(nan, axis=axis), axis)
        picked = xp.where(xp.any(nan, axis=axis, keepdims=True), first_nan, picked)
    return picked.astype(xp.int64)


def count_nonzero(input, dim=None):
    """How many elements are non-zero over `dim` (all when None), int64; no gradient."""
    x = _as_tensor(input)
    axes = None if dim is None else tuple(normalize_axis(dim, max(x.ndim, 1), "count_nonzero"))
    return Tensor(np.asarray(np.count_nonzero(np.asarray(x._data), axis=axes), dtype=np.int64))


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), over all elements: p = 2, 1, inf, -inf, 0 or any number."""
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"dist: p must be a number, got {p!r}")
    return (_as_tensor(input) - other).reshape(-1).norm(p=p)


# ---- splitting ---------------------------------------------------------------------------------

def unbind(input, dim=0):
    """The slices of input along `dim`, as a tuple (each without that dimension)."""
    x = _as_tensor(input)
    if x.ndim == 0:
        raise ValueError("unbind: a 0-d tensor has no dimension to unbind")
    axis = _axis(x, dim, "unbind")
    return tuple(x[(slice(None),) * axis + (i,)] for i in range(x.shape[axis]))


def narrow(input, dim, start, length):
    """The slice start:start + length of input along `dim` (a view); a negative start counts
    from the end."""
    x = _as_tensor(input)
    if x.ndim == 0:
        raise ValueError("narrow: a 0-d tensor cannot be narrowed")
    axis = _axis(x, dim, "narrow")
    start, length = int(_plain(start)), int(_plain(length))
    size = x.shape[axis]
    if not -size <= start <= size:
        raise IndexError(f"narrow: start {start} is out of range for dimension {dim} of size {size}")
    if start < 0:
        start += size
    if length < 0:
        raise ValueError(f"narrow: length must be non-negative, got {length}")
    if start + length > size:
        raise ValueError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size})")
    return x[(slice(None),) * axis + (slice(start, start + length),)]


def tensor_split(input, indices_or_sections, dim=0):
    """Split along `dim` into `sections` nearly equal pieces (the first n % sections one longer),
    or at the given indices (pieces [0:i0], [i0:i1], ..., [ik:]); always views."""
    x = _as_tensor(input)
    if x.ndim == 0:
        raise ValueError("tensor_split: a 0-d tensor cannot be split")
    axis = _axis(x, dim, "tensor_split")
    size = x.shape[axis]
    split = _plain(indices_or_sections)
    if isinstance(split, np.ndarray) or hasattr(split, "__array_namespace__"):
        split = np.asarray(split)
        if split.dtype.kind not in "iu" or split.ndim > 1:
            raise TypeError("tensor_split: a tensor indices_or_sections must be a 0-d or 1-d integer tensor")
        split = int(split) if split.ndim == 0 else [int(i) for i in split]
    if isinstance(split, (int, np.integer)) and not isinstance(split, bool):
        if split <= 0:
            raise ValueError(f"tensor_split: the number of sections must be positive, got {split}")
        base, extra = divmod(size, int(split))
        bounds = np.cumsum([0] + [base + 1] * extra + [base] * (int(split) - extra))
        cuts = list(zip(bounds[:-1], bounds[1:]))
    elif isinstance(split, (list, tuple)):
        edges = [0] + [min(max(int(i) + (size if int(i) < 0 else 0), 0), size) for i in split] + [size]
        cuts = [(a, max(a, b)) for a, b in zip(edges[:-1], edges[1:])]
    else:
        raise TypeError(f"tensor_split: indices_or_sections must be an int or a sequence of ints, got {split!r}")
    return tuple(x[(slice(None),) * axis + (slice(int(a), int(b)),)] for a, b in cuts)


# ---- elementwise --------------------------------------------------------------------------------

def erf(input):
    """The error function; d/dx = 2/sqrt(pi) exp(-x^2)."""
    return _elementwise.erf(_as_tensor(input))


def rsqrt(input):
    """1 / sqrt(input)."""
    return _as_tensor(input).rsqrt()


def clamp_min(input, min):
    """max(input, min); the gradient passes where input >= min."""
    return _as_tensor(input).clamp(min=min)


def clamp_max(input, max):
    """min(input, max); the gradient passes where input <= max."""
    return _as_tensor(input).clamp(max=max)


def cross(input, other, dim=None):
    """The cross product of 3-vectors along `dim`; input and other have the same number of
    dimensions and broadcast.  Without a
    dim, the first dimension of size 3 (PyTorch's deprecated default, warned)."""
    a, b = _as_tensor(input), _as_tensor(other)
    if a.ndim != b.ndim:
        raise ValueError(f"cross: input and other must have the same number of dimensions, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    if dim is None:
        warnings.warn("cross: without dim, the first dimension of size 3 is used; pass dim (or use "
                      "linalg.cross, whose default is dim=-1)", UserWarning, stacklevel=2)
        sizes = [i for i, n in enumerate(shape) if n == 3]
        if not sizes:
            raise ValueError(f"cross: no dimension of size 3 in the broadcast shape {shape}")
        dim = sizes[0]
    (axis,) = normalize_axis(dim, max(len(shape), 1), "cross")
    if not shape or shape[axis] != 3:
        raise ValueError(f"cross: dimension {dim} must have size 3, got shape {shape}")
    a, b = a.expand(*shape), b.expand(*shape)
    return _fnp().cross(a, b, axis=axis)


def scatter_add(input, dim, index, src):
    """A copy of input with src added at index along `dim` (repeated indices add up)."""
    return _gathering.scatter_add(_as_tensor(input), dim, index, src)


# ---- searching ----------------------------------------------------------------------------------

def _indices(found, out_int32):
    return Tensor(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None):
    """For each value of input, the index where it would be inserted in sorted_sequence (its last
    dimension, row by row when it has more) to keep it sorted: the first such index, or the last
    with right=True or side='right'.  `sorter` holds indices that sort an unsorted sequence."""
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise ValueError("searchsorted: side='left' and right=True contradict each other")
        right = side == "right"
    seq = np.asarray(_plain(sorted_sequence))
    values = np.asarray(_plain(input))
    scalar = values.ndim == 0 and not isinstance(input, Tensor)
    if seq.ndim == 0:
        raise ValueError("searchsorted: sorted_sequence must have at least 1 dimension")
    if sorter is not None:
        order = np.asarray(_plain(sorter))
        if order.shape != seq.shape or order.dtype.kind not in "iu":
            raise ValueError(f"searchsorted: sorter must be an integer tensor of sorted_sequence's shape {seq.shape}")
        seq = np.take_along_axis(seq, order, axis=-1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        return _indices(np.searchsorted(seq, values, side=how), out_int32)
    if scalar or values.shape[:-1] != seq.shape[:-1]:
        raise ValueError(f"searchsorted: with a {seq.ndim}-d sorted_sequence of shape {seq.shape}, input must "
                         f"share its leading dimensions, got shape {values.shape}")
    rows, cols = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
    found = np.stack([np.searchsorted(r, c, side=how) for r, c in zip(rows, cols)]) if rows.shape[0] else \
        np.zeros(cols.shape, dtype=np.int64)
    return _indices(found.reshape(values.shape), out_int32)


def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of input among the 1-d sorted `boundaries`: i with
    boundaries[i-1] < x <= boundaries[i] (right=False) or boundaries[i-1] <= x < boundaries[i]."""
    edges = np.asarray(_plain(boundaries))
    if edges.ndim != 1:
        raise ValueError(f"bucketize: boundaries must be 1-d, got shape {edges.shape}")
    return _indices(np.searchsorted(edges, np.asarray(_plain(input)), side="right" if right else "left"), out_int32)


# ---- sampling -----------------------------------------------------------------------------------

def bernoulli(input, p=None, *, generator=None):
    """0 or 1 drawn for each element, 1 with probability input (or p, a number, when given),
    in input's dtype; no gradient.  Draws come from fastgrad's generator (fastgrad.manual_seed)
    or `generator` (a numpy.random.Generator)."""
    x = _as_tensor(input)
    if generator is not None and not isinstance(generator, np.random.Generator):
        raise TypeError(f"bernoulli: generator must be a numpy.random.Generator, got {type(generator).__name__}")
    probs = np.asarray(x._data, dtype=np.float64) if p is None else np.full(x.shape, float(p))
    if probs.size and not (np.all(probs >= 0) and np.all(probs <= 1)):
        raise ValueError("bernoulli: probabilities must be in [0, 1]" + ("" if p is None else f", got p={p}"))
    rng = generator if generator is not None else default_generator()
    drawn = rng.random(probs.shape) < probs
    dtype = x.dtype if np.dtype(x.dtype).kind == "f" else np.dtype(np.float32)
    return Tensor(drawn.astype(dtype))


def _bernoulli_method(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _bernoulli_(self, p=0.5, *, generator=None):
    """In place: each element set to 0 or 1, 1 with probability p (a number or a tensor)."""
    probs = np.broadcast_to(np.asarray(_plain(p), dtype=np.float64), self.shape)
    drawn = bernoulli(Tensor(np.ascontiguousarray(probs)), generator=generator)
    self._data[...] = drawn._data.astype(self.dtype)
    self._version[0] += 1
    return self


_METHOD_ONLY = {
    "erf": erf, "logsumexp": logsumexp,
    "std_mean": std_mean, "var_mean": var_mean, "median": median, "count_nonzero": count_nonzero, "dist": dist,
    "unbind": unbind, "narrow": narrow, "tensor_split": tensor_split, "cross": cross, "scatter_add": scatter_add,
    "bernoulli": _bernoulli_method, "bernoulli_": _bernoulli_,
    "scatter_add_": _in_place("scatter_add_", scatter_add),
}
_methods.bind(_METHOD_ONLY)
