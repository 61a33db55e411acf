"""Transforms built from other transforms or a distribution: IndependentTransform (a transform's
log-determinant summed over more axes), ReshapeTransform (a reshape of the event),
CatTransform and StackTransform (different transforms on slices of one axis) and
CumulativeDistributionTransform (a distribution's cdf).

    t = CatTransform([ExpTransform(), identity_transform], dim=-1, lengths=[2, 3])
    y = t(x)          # exp on x[..., :2], x[..., 2:] unchanged
"""
import math

from ..torch_functions.tensor_methods import cat, stack
from . import constraints
from .distribution import sum_rightmost
from .transforms import Transform


def _transforms(op, tseq):
    tseq = list(tseq)
    if not tseq or not all(isinstance(t, Transform) for t in tseq):
        raise TypeError(f"{op}: expected a nonempty sequence of Transforms, got {tseq!r}")
    return tseq


class IndependentTransform(Transform):
    """base_transform with its last `reinterpreted_batch_ndims` batch axes read as event axes: the
    same values, log|det J| summed over those axes.

    >>> t = IndependentTransform(ExpTransform(), 1)
    >>> t.log_abs_det_jacobian(x, t(x))          # x.sum(-1)
    """

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size)
        if not isinstance(base_transform, Transform):
            raise TypeError(f"IndependentTransform: base_transform must be a Transform, got {base_transform!r}")
        if int(reinterpreted_batch_ndims) != reinterpreted_batch_ndims or reinterpreted_batch_ndims < 0:
            raise ValueError(f"IndependentTransform: reinterpreted_batch_ndims must be a nonnegative integer, "
                             f"got {reinterpreted_batch_ndims!r}")
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = int(reinterpreted_batch_ndims)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size)

    @property
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _enough_axes(self, value, constraint):
        if value.ndim < constraint.event_dim:
            raise ValueError(f"IndependentTransform: expected a value of at least {constraint.event_dim} "
                             f"dimensions, got shape {tuple(value.shape)}")

    def _call(self, x):
        self._enough_axes(x, self.domain)
        return self.base_transform(x)

    def _inverse(self, y):
        self._enough_axes(y, self.codomain)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)

    def __eq__(self, other):
        return (isinstance(other, IndependentTransform) and self.base_transform == other.base_transform
                and self.reinterpreted_batch_ndims == other.reinterpreted_batch_ndims)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    """The trailing in_shape axes reshaped to out_shape (same number of elements); log|det J| = 0.

    >>> ReshapeTransform((6,), (2, 3))(fastgrad.zeros(4, 6)).shape
    (4, 2, 3)
    """
    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        super().__init__(cache_size)
        self.in_shape, self.out_shape = tuple(int(n) for n in in_shape), tuple(int(n) for n in out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError(f"ReshapeTransform: in_shape {self.in_shape} and out_shape {self.out_shape} have "
                             f"different numbers of elements")

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    @property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    @staticmethod
    def _batch(shape, event, op):
        shape = tuple(shape)
        cut = len(shape) - len(event)
        if cut < 0 or shape[cut:] != event:
            raise ValueError(f"ReshapeTransform.{op}: shape {shape} does not end with {event}")
        return shape[:cut]

    def _call(self, x):
        return x.reshape(*self._batch(x.shape, self.in_shape, "__call__"), *self.out_shape)

    def _inverse(self, y):
        return y.reshape(*self._batch(y.shape, self.out_shape, "inv"), *self.in_shape)

    def log_abs_det_jacobian(self, x, y):
        return x.new_zeros(self._batch(x.shape, self.in_shape, "log_abs_det_jacobian"))

    def forward_shape(self, shape):
        return self._batch(shape, self.in_shape, "forward_shape") + self.out_shape

    def inverse_shape(self, shape):
        return self._batch(shape, self.out_shape, "inverse_shape") + self.in_shape

    def __eq__(self, other):
        return (isinstance(other, ReshapeTransform) and self.in_shape == other.in_shape
                and self.out_shape == other.out_shape)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"ReshapeTransform({self.in_shape}, {self.out_shape})"


class CatTransform(Transform):
    """tseq[i] applied to the i-th block of `dim` (lengths[i] entries, 1 each by default), the
    results concatenated along `dim`. log|det J| of each block is summed down to this transform's
    event_dim (the largest of the parts') and concatenated along `dim` when `dim` is a batch axis,
    else added up.
    """

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        super().__init__(cache_size)
        self.transforms = [t.with_cache(cache_size) for t in _transforms("CatTransform", tseq)]
        self.lengths = [1] * len(self.transforms) if lengths is None else [int(n) for n in lengths]
        if len(self.lengths) != len(self.transforms):
            raise ValueError(f"CatTransform: {len(self.transforms)} transforms but {len(self.lengths)} lengths")
        self.dim = int(dim)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size=cache_size)

    @property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        return sum(self.lengths)

    @property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    def _blocks(self, value, op):
        if not -value.ndim <= self.dim < value.ndim:
            raise ValueError(f"CatTransform.{op}: dim {self.dim} is out of range for shape {tuple(value.shape)}")
        if value.shape[self.dim] != self.length:
            raise ValueError(f"CatTransform.{op}: expected {self.length} entries along dim {self.dim}, "
                             f"got {value.shape[self.dim]}")
        start = 0
        for n in self.lengths:
            yield value.narrow(self.dim, start, n)
            start += n

    def _call(self, x):
        return cat([t(b) for t, b in zip(self.transforms, self._blocks(x, "__call__"))], self.dim)

    def _inverse(self, y):
        return cat([t.inv(b) for t, b in zip(self.transforms, self._blocks(y, "inv"))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        event_dim = self.event_dim
        parts = [sum_rightmost(t.log_abs_det_jacobian(a, b), event_dim - t.event_dim)
                 for t, a, b in zip(self.transforms, self._blocks(x, "log_abs_det_jacobian"),
                                    self._blocks(y, "log_abs_det_jacobian"))]
        axis = (self.dim - x.ndim if self.dim >= 0 else self.dim) + event_dim
        if axis < 0:                  # dim is a batch axis: one log-determinant per entry
            return cat(parts, axis)
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total

    def __eq__(self, other):
        return (isinstance(other, CatTransform) and self.transforms == other.transforms
                and self.dim == other.dim and self.lengths == other.lengths)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"CatTransform({self.transforms!r}, dim={self.dim}, lengths={self.lengths})"


class StackTransform(Transform):
    """tseq[i] applied to x[..., i, ...] along dim, the results stacked along `dim` (which must have
    len(tseq) entries); log|det J| stacked the same way."""

    def __init__(self, tseq, dim=0, cache_size=0):
        super().__init__(cache_size)
        self.transforms = [t.with_cache(cache_size) for t in _transforms("StackTransform", tseq)]
        self.dim = int(dim)

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size=cache_size)

    @property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    def _slices(self, value, op):
        if not -value.ndim <= self.dim < value.ndim:
            raise ValueError(f"StackTransform.{op}: dim {self.dim} is out of range for shape {tuple(value.shape)}")
        if value.shape[self.dim] != len(self.transforms):
            raise ValueError(f"StackTransform.{op}: expected {len(self.transforms)} entries along dim {self.dim}, "
                             f"got {value.shape[self.dim]}")
        return [value.narrow(self.dim, i, 1).squeeze(self.dim) for i in range(len(self.transforms))]

    def _call(self, x):
        return stack([t(s) for t, s in zip(self.transforms, self._slices(x, "__call__"))], self.dim)

    def _inverse(self, y):
        return stack([t.inv(s) for t, s in zip(self.transforms, self._slices(y, "inv"))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        xs, ys = self._slices(x, "log_abs_det_jacobian"), self._slices(y, "log_abs_det_jacobian")
        return stack([t.log_abs_det_jacobian(a, b) for t, a, b in zip(self.transforms, xs, ys)], self.dim)

    def __eq__(self, other):
        return isinstance(other, StackTransform) and self.transforms == other.transforms and self.dim == other.dim

    __hash__ = object.__hash__

    def __repr__(self):
        return f"StackTransform({self.transforms!r}, dim={self.dim})"


class CumulativeDistributionTransform(Transform):
    """y = F(x), the cdf of a univariate `distribution`; x = F^-1(y) (its icdf); log|dy/dx| =
    log p(x). Maps the distribution's support onto [0, 1].

    >>> t = CumulativeDistributionTransform(Normal(0.0, 1.0))
    >>> t(fastgrad.tensor([0.0])).tolist()
    [0.5]
    """
    bijective, codomain, sign = True, constraints.unit_interval, 1

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size)
        self.distribution = distribution

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def __eq__(self, other):
        return isinstance(other, CumulativeDistributionTransform) and self.distribution is other.distribution

    __hash__ = object.__hash__

    def __repr__(self):
        return f"CumulativeDistributionTransform({self.distribution!r})"
