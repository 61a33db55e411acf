"""PyTorch's module-level functions: `fastgrad.sum(x, dim=1, keepdim=True)`, `fastgrad.cat(xs, dim=1)`, ...

Each takes PyTorch's `dim=` / `keepdim=` (NumPy's `axis=` / `keepdims=` are
accepted as aliases, as PyTorch does) and is the Tensor method of the same
name called on its first argument, so the function and the method cannot
disagree.  `fastgrad.numpy` keeps NumPy's functions and meanings.

    import fastgrad as torch
    torch.max(x, 1)            # (values, indices), as PyTorch
    torch.cat([a, b], dim=1)
"""
import builtins

import numpy as np

from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..ops import methods as _methods, shape as _shape, softmax_family as _softmax_family
from ..ops import promotion as _promotion, selection as _selection
from ..ops.methods import Size
from ..ops.inplace import in_place as _in_place
from ..ops.selection import where as _where

__all__ = [
    "Size", "abs", "all", "allclose", "amax", "amin", "any", "argmax", "argmin", "bmm", "cat", "chunk", "clamp",
    "clip", "clone", "concat", "concatenate", "cos", "cumprod", "cumsum", "dot", "equal", "exp", "flatten", "flip",
    "gather", "index_select", "is_floating_point", "is_tensor", "isclose", "log", "log_softmax", "masked_fill",
    "max", "mean", "min", "mm", "neg", "norm", "numel", "permute", "pow", "prod", "relu", "reshape", "scatter",
    "sigmoid", "sin", "softmax", "sort", "split", "sqrt", "square", "squeeze", "stack", "std", "sum", "t", "tanh",
    "tile", "topk", "transpose", "unsqueeze", "var",
    # everyday functions added with their methods
    "argsort", "ceil", "eq", "finfo", "floor", "ge", "gt", "iinfo", "isfinite", "isinf", "isnan", "le", "lt", "ne",
    "nonzero", "round", "sign", "tril", "triu", "trunc",
    # arithmetic with PyTorch's keywords (other=, alpha=, rounding_mode=)
    "add", "div", "divide", "matmul", "mul", "multiply", "sub", "subtract", "true_divide",
    # in PyTorch's result dtype (ops/promotion.py)
    "maximum", "minimum", "where",
]


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _new_tensor(x)


def _method(name, doc):
    def function(input, *args, **kwargs):
        return getattr(_as_tensor(input), name)(*args, **kwargs)

    function.__name__ = name
    function.__doc__ = doc
    return function


add = _method("add", "input + alpha * other.")
sub = _method("sub", "input - alpha * other.")
subtract = sub
mul = _method("mul", "input * other.")
multiply = mul
div = _method("div", "input / other; rounding_mode 'trunc' or 'floor' rounds the quotient.")
divide = div
true_divide = _method("div", "input / other.")
maximum = _method("maximum", "The elementwise maximum of input and other, in their promoted dtype.")
minimum = _method("minimum", "The elementwise minimum of input and other, in their promoted dtype.")


_NOT_GIVEN = object()


def where(condition, input=_NOT_GIVEN, other=_NOT_GIVEN):
    """input where condition is true, else other (tensors or numbers), in PyTorch's result dtype of
    input and other; condition gets no gradient.  where(condition) alone is
    nonzero(condition, as_tuple=True): the indices of its true elements, one int64 tensor per dim.

    >>> where(x > 0, x, 0.0)     # x's dtype
    >>> rows, cols = where(mask)
    """
    if input is _NOT_GIVEN and other is _NOT_GIVEN:
        return _as_tensor(condition).nonzero(as_tuple=True)
    if input is _NOT_GIVEN or other is _NOT_GIVEN:
        raise TypeError("where: give both 'input' and 'other', or neither (where(condition) gives the indices "
                        "of its true elements)")
    input, other = _promotion.operands(input, other)
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        dtype = _promotion.result_dtype((input, other))
        input, other = Tensor(np.asarray(input, dtype)), Tensor(np.asarray(other, dtype))
    return _selection.where(condition, input, other)


matmul = _method("matmul", "The matrix product of input and other (batched, broadcast, 1-d as NumPy's).")
sum = _method("sum", "Sum over `dim` (all elements when None); keepdim keeps reduced axes.")
mean = _method("mean", "Mean over `dim` (all elements when None).")
prod = _method("prod", "Product over `dim` (all elements when None).")
var = _method("var", "Variance over `dim`, unbiased by default (correction=1).")
std = _method("std", "Standard deviation over `dim`, unbiased by default (correction=1).")
max = _method("max", "max(x): the largest element; max(x, dim): (values, indices); max(x, y): elementwise.")
min = _method("min", "min(x): the smallest element; min(x, dim): (values, indices); min(x, y): elementwise.")
amax = _method("amax", "The largest elements over `dim` (values only).")
amin = _method("amin", "The smallest elements over `dim` (values only).")
argmax = _method("argmax", "Index of the largest element over `dim` (of the flattened tensor when None).")
argmin = _method("argmin", "Index of the smallest element over `dim` (of the flattened tensor when None).")
any = _method("any", "True where any element over `dim` is non-zero.")
all = _method("all", "True where all elements over `dim` are non-zero.")
norm = _method("norm", "The p-norm over `dim` (2-norm of all elements by default).")
cumsum = _method("cumsum", "Cumulative sum along `dim`.")
cumprod = _method("cumprod", "Cumulative product along `dim`.")
flip = _method("flip", "Reverse the order of elements along `dims`.")
gather = _method("gather", "gather(x, dim, index): out[i][j] = x[index[i][j]][j] for dim=0.")
scatter = _method("scatter", "scatter(x, dim, index, src): a copy of x with src written at index along dim.")
index_select = _method("index_select", "index_select(x, dim, index): the slices at `index` along `dim`.")
masked_fill = _method("masked_fill", "masked_fill(x, mask, value): value where mask is true.")
sort = _method("sort", "(values, indices) sorted along `dim`.")
topk = _method("topk", "(values, indices) of the k largest (or smallest) elements along `dim`.")
clamp = _method("clamp", "Limit to [min, max]; the gradient passes inside.")
clip = clamp
abs = _method("abs", "Absolute value.")
neg = _method("neg", "Negation.")
pow = _method("pow", "pow(x, exponent): x ** exponent.")
sqrt = _method("sqrt", "Square root.")
square = _method("square", "x * x.")
exp = _method("exp", "Exponential.")
log = _method("log", "Natural logarithm.")
sin = _method("sin", "Sine.")
cos = _method("cos", "Cosine.")
tanh = _method("tanh", "Hyperbolic tangent.")
sigmoid = _method("sigmoid", "Logistic sigmoid.")
relu = _method("relu", "max(x, 0).")
clone = _method("clone", "A copy that stays in the graph.")
t = _method("t", "The transpose of a tensor of at most 2 dimensions.")
mm = _method("mm", "Matrix product of two 2-D tensors.")
bmm = _method("bmm", "Batched matrix product of two 3-D tensors.")
permute = _method("permute", "The dimensions in the order `dims`.")
reshape = _method("reshape", "The same elements in a new shape.")
flatten = _method("flatten", "flatten(x, start_dim=0, end_dim=-1): merge the dimensions start_dim..end_dim.")
unsqueeze = _method("unsqueeze", "A new axis of length 1 at `dim`.")
chunk = _method("chunk", "chunk(x, chunks, dim=0): split into `chunks` nearly equal pieces.")
tile = _method("tile", "tile(x, dims): x repeated dims[i] times along each dimension (missing leading counts are 1).")


def transpose(input, dim0, dim1):
    """input with dimensions dim0 and dim1 swapped."""
    return _shape.swapaxes(_as_tensor(input), dim0, dim1)


squeeze = _method("squeeze", "Remove the dimensions of length 1 among `dim` (all of them when None); others stay.")


def split(tensor, split_size_or_sections, dim=0, *, axis=None):
    """Pieces of size `split_size_or_sections` (an int) or of the given sizes, along `dim`."""
    return _shape.split(_as_tensor(tensor), split_size_or_sections, axis=dim if axis is None else axis)


def cat(tensors, dim=0, *, axis=None, out=None):
    """Join tensors along an existing dimension `dim`."""
    if out is not None:
        raise TypeError("cat: out= is not supported; use the returned tensor")
    return _shape.concatenate([_as_tensor(t) for t in tensors], axis=dim if axis is None else axis)


concat = concatenate = cat


def stack(tensors, dim=0, *, axis=None, out=None):
    """Join tensors of one shape along a new dimension `dim`."""
    if out is not None:
        raise TypeError("stack: out= is not supported; use the returned tensor")
    return _shape.stack([_as_tensor(t) for t in tensors], axis=dim if axis is None else axis)


def softmax(input, dim=None, dtype=None, *, axis=None):
    """exp(x) / sum(exp(x)) along `dim`."""
    x = _as_tensor(input) if dtype is None else _as_tensor(input).to(dtype)
    return _softmax_family.softmax(x, _softmax_dim(dim, axis, x, "softmax"))


def log_softmax(input, dim=None, dtype=None, *, axis=None):
    """x - logsumexp(x) along `dim` (computed stably)."""
    x = _as_tensor(input) if dtype is None else _as_tensor(input).to(dtype)
    return _softmax_family.log_softmax(x, _softmax_dim(dim, axis, x, "log_softmax"))


def _softmax_dim(dim, axis, x, op):
    dim = dim if axis is None else axis
    if dim is None:
        if x.ndim > 1:
            raise TypeError(f"{op}: give dim= (which dimension to normalize) for a tensor of {x.ndim} dimensions")
        return -1
    return dim


def dot(input, other):
    """Inner product of two 1-D tensors."""
    a, b = _as_tensor(input), _as_tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"dot: expects 1-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return a @ b


def numel(input):
    """The number of elements."""
    return _as_tensor(input)._data.size


def is_tensor(obj):
    """True for fastgrad Tensors (and Parameters)."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """True when the tensor's dtype is a floating one."""
    return input.is_floating_point()


def _plain(x):
    """A Tensor's array; anything else as it is."""
    return x._data if isinstance(x, Tensor) else x


def _arrays(a, b):
    return np.asarray(_plain(a)), np.asarray(_plain(b))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input - other| <= atol + rtol * |other| (a bool tensor, no gradient)."""
    a, b = _arrays(input, other)
    return Tensor(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element satisfies isclose."""
    a, b = _arrays(input, other)
    return builtins.bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """True when both have the same shape and elements."""
    a, b = _arrays(input, other)
    return a.shape == b.shape and builtins.bool(np.array_equal(a, b))


# ---- everyday functions: each the method of the same name ---------------------------------------

argsort = _method("argsort", "Indices that sort `dim` (descending=True for largest first).")
nonzero = _method("nonzero", "Indices of the non-zero elements, (n, ndim) int64 (as_tuple=True: one per dim).")
eq = _method("eq", "Elementwise ==, a bool tensor.")
ne = _method("ne", "Elementwise !=, a bool tensor.")
lt = _method("lt", "Elementwise <, a bool tensor.")
le = _method("le", "Elementwise <=, a bool tensor.")
gt = _method("gt", "Elementwise >, a bool tensor.")
ge = _method("ge", "Elementwise >=, a bool tensor.")
floor = _method("floor", "Round down (zero gradient, as PyTorch).")
ceil = _method("ceil", "Round up (zero gradient, as PyTorch).")
round = _method("round", "Round half to even, as PyTorch (zero gradient, as PyTorch).")
trunc = _method("trunc", "Round toward zero (zero gradient, as PyTorch).")
sign = _method("sign", "-1, 0 or 1 (zero gradient, as PyTorch).")
isnan = _method("isnan", "True where NaN.")
isinf = _method("isinf", "True where +-inf.")
isfinite = _method("isfinite", "True where neither NaN nor +-inf.")
tril = _method("tril", "tril(x, diagonal=0): the lower triangle, zeros above `diagonal`.")
triu = _method("triu", "triu(x, diagonal=0): the upper triangle, zeros below `diagonal`.")
finfo = np.finfo   # finfo(fastgrad.float32).eps, .max, .tiny, .resolution, .bits as PyTorch's
iinfo = np.iinfo


# ---- PyTorch's names for fastgrad.numpy's functions (dim= where NumPy says axis=) ----------------

def _fnp():
    from .. import numpy as fnp   # imported on first use: fastgrad.numpy imports this package

    return fnp


def outer(input, vec2):
    """The outer product of two 1-D tensors: out[i, j] = input[i] * vec2[j]."""
    return _fnp().outer(_as_tensor(input), _as_tensor(vec2))


ger = outer


def kron(input, other):
    """The Kronecker product."""
    return _fnp().kron(_as_tensor(input), _as_tensor(other))


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-D tensors; indexing "ij" (PyTorch's default) or "xy"."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    vectors = [_as_tensor(t).reshape(-1) for t in tensors]
    sizes = [v.shape[0] for v in vectors]
    axes = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) > 1:   # the first two axes swap roles
        axes[0], axes[1] = 1, 0
        sizes[0], sizes[1] = sizes[1], sizes[0]
    grids = []
    for v, axis in zip(vectors, axes):
        along = [1] * len(vectors)
        along[axis] = v.shape[0]
        grids.append(_shape.broadcast_to(v.reshape(tuple(along)), tuple(sizes)))
    return tuple(grids)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-D tensor, as rows (itertools.product's order)."""
    if len(tensors) == 1:
        return _as_tensor(tensors[0])
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], dim=1)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along `dim` (prepend/append joined first)."""
    kwargs = {k: _as_tensor(v) for k, v in (("prepend", prepend), ("append", append)) if v is not None}
    return _fnp().diff(_as_tensor(input), n=n, axis=dim, **kwargs)


def diag(input, diagonal=0):
    """A 1-D tensor's diagonal matrix, or a 2-D tensor's diagonal (offset by `diagonal`)."""
    x = _as_tensor(input)
    if x.ndim not in (1, 2):
        raise RuntimeError(f"diag: expects a 1-D or 2-D tensor, got {x.ndim}-D")
    return _fnp().diag(x, k=diagonal)


def trace(input):
    """The sum of a 2-D tensor's diagonal."""
    x = _as_tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace: expects a 2-D tensor, got {x.ndim}-D")
    return _fnp().trace(x)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """NaN, +inf and -inf replaced (by 0 and the dtype's largest and smallest finite values by default)."""
    return _fnp().nan_to_num(_as_tensor(input), nan=nan, posinf=posinf, neginf=neginf)


def lerp(input, end, weight):
    """input + weight * (end - input)."""
    x = _as_tensor(input)
    return x + weight * (end - x)


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    return _scaled_sum(input, _as_tensor(mat1).mm(mat2), beta, alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    return _scaled_sum(input, _as_tensor(batch1).bmm(batch2), beta, alpha)


def _scaled_sum(input, product, beta, alpha):
    product = product if alpha == 1 else alpha * product
    if beta == 0:   # PyTorch: input is ignored (NaN in it does not propagate)
        return product
    return (input if beta == 1 else beta * _as_tensor(input)) + product


def take_along_dim(input, indices, dim=None):
    """input's values at `indices` matched element by element along `dim` (of the flattened input when None)."""
    return _fnp().take_along_axis(_as_tensor(input), _plain(indices), axis=dim)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element repeated `repeats` times along `dim` (flattened when None).

    repeat_interleave(counts) with one int tensor gives each index i counts[i] times.
    output_size, when given, must be the length of the result along `dim`."""
    if repeats is None:
        counts = np.asarray(_plain(input))
        if counts.ndim != 1 or counts.dtype.kind not in "iu":
            raise TypeError("repeat_interleave: with one argument, expects a 1-D integer tensor of counts")
        result = Tensor(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    else:
        result = _fnp().repeat(_as_tensor(input), _plain(repeats), axis=dim)
    length = result.shape[0 if dim is None or repeats is None else dim]
    if output_size is not None and output_size != length:
        raise RuntimeError(f"repeat_interleave: output_size is {output_size} but the result has {length} "
                           f"elements along dim {0 if dim is None else dim}")
    return result


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values, always sorted (which sorted=False allows), with the inverse indices
    and counts when asked (no gradient)."""
    data = np.asarray(_plain(input))
    found = np.unique(data, return_inverse=return_inverse, return_counts=return_counts, axis=dim)
    if not (return_inverse or return_counts):
        return Tensor(found)
    values, *rest = found
    if return_inverse:   # PyTorch: the inverse has the input's shape (NumPy 2 agrees only when dim is None)
        rest[0] = rest[0].reshape(data.shape if dim is None else (data.shape[dim],))
    return (Tensor(values), *(Tensor(a.astype(np.int64)) for a in rest))


def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer in a 1-D tensor (weighted sums with `weights`); no gradient."""
    data = np.asarray(_plain(input))
    if data.ndim != 1 or data.dtype.kind not in "iub":
        raise RuntimeError(f"bincount: expects a 1-D integer tensor, got {data.ndim}-D {data.dtype}")
    w = None if weights is None else np.asarray(_plain(weights))
    counts = np.bincount(data, weights=w, minlength=minlength)
    return Tensor(counts if w is not None else counts.astype(np.int64))


def cdist(x1, x2, p=2.0):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): (..., P, R)."""
    a, b = _as_tensor(x1), _as_tensor(x2)
    if a.ndim < 2 or b.ndim < 2 or a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"cdist: expects (..., P, M) and (..., R, M) with one M, got {tuple(a.shape)} "
                           f"and {tuple(b.shape)}")
    return (a.unsqueeze(-2) - b.unsqueeze(-3)).norm(p=p, dim=-1)


def renorm(input, p, dim, maxnorm):
    """input with each slice along `dim` whose p-norm (over its other dimensions) exceeds maxnorm
    scaled down to norm maxnorm (by maxnorm / (norm + 1e-7), as PyTorch); other slices unchanged."""
    x = _as_tensor(input)
    if x.ndim == 0:
        raise RuntimeError("renorm: input needs at least 1 dimension, got a 0-d tensor")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"renorm: argument 'dim' = {dim} is out of range for a tensor of {x.ndim} dimensions")
    if p <= 0:
        raise RuntimeError(f"renorm: argument 'p' must be positive, got {p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: argument 'maxnorm' must be non-negative, got {maxnorm}")
    dim %= x.ndim
    others = tuple(d for d in range(x.ndim) if d != dim)
    norms = x.norm(p, others, keepdim=True) if others else x.abs()
    over = norms._data > maxnorm
    scale = _where(Tensor(over), float(maxnorm) / (norms + 1e-7), Tensor(np.ones((), x.dtype)))
    return x * scale.astype(x.dtype)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices drawn from the rows of `input` (non-negative weights, 1-D or 2-D), int64, no gradient."""
    from ..creation import default_generator

    weights = np.asarray(_plain(input), dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: expects a 1-D or 2-D tensor of weights, got {weights.ndim}-D")
    rows = weights.reshape(-1, weights.shape[-1])
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("multinomial: weights must be finite and non-negative")
    if np.any(rows.sum(axis=1) <= 0):
        raise RuntimeError("multinomial: every row of weights needs a positive sum")
    if not replacement and num_samples > np.count_nonzero(rows, axis=1).min():
        raise RuntimeError(f"multinomial: cannot draw {num_samples} samples without replacement from a row "
                           f"with fewer non-zero weights")
    rng = generator if generator is not None else default_generator()
    drawn = np.stack([rng.choice(row.size, size=num_samples, replace=replacement, p=row / row.sum())
                      for row in rows]).astype(np.int64)
    return Tensor(drawn.reshape(weights.shape[:-1] + (num_samples,)))


__all__ += ["addmm", "baddbmm", "bincount", "cartesian_prod", "cdist", "diag", "diff", "ger",
            "kron", "lerp", "meshgrid", "multinomial", "nan_to_num", "outer", "renorm", "repeat_interleave",
            "take_along_dim", "trace", "unique"]

# PyTorch's functions above that are also Tensor methods.
_methods.bind({name: globals()[name] for name in (
    "addmm", "baddbmm", "bincount", "diag", "diff", "ger", "kron", "lerp", "multinomial",
    "nan_to_num", "outer", "renorm", "repeat_interleave", "take_along_dim", "trace", "unique")})
_methods.bind({"renorm_": _in_place("renorm_", renorm)})
