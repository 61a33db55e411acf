"""Constraints on distribution parameters and values (PyTorch's `torch.distributions.constraints`):
each has check(value), an array of booleans, one per element (per event for event_dim 1)."""
import numpy as np

from ..autograd.tensor import Tensor
from .forwarded import forwarded

__all__ = ["Constraint", "boolean", "dependent", "greater_than", "greater_than_eq", "independent", "integer_interval",
           "interval", "less_than", "lower_cholesky", "nonnegative", "nonnegative_integer", "one_hot", "positive",
           "positive_definite", "real", "real_vector", "simplex", "unit_interval"]


def _raw(value):
    return value._data if isinstance(value, Tensor) else np.asarray(value)


class Constraint:
    """A region of values; `event_dim` is how many trailing axes make one checked event."""
    is_discrete = False
    event_dim = 0

    def check(self, value):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__.lstrip("_") + "()"


class _Dependent(Constraint):
    """A constraint that depends on other parameters (checked by the distribution itself)."""

    def check(self, value):
        raise ValueError("cannot determine validity of a dependent constraint")


class _Real(Constraint):
    def check(self, value):
        v = _raw(value)
        return v == v          # False only for NaN


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value):
        v = _raw(value)
        return (v == 0) | (v == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound):
        self.lower_bound = lower_bound

    def check(self, value):
        return _raw(value) > _raw(self.lower_bound)

    def __repr__(self):
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value):
        return _raw(value) >= _raw(self.lower_bound)

    def __repr__(self):
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _IntegerValued:
    """Mixin: the region of the constraint it precedes, whole numbers only."""
    is_discrete = True

    def check(self, value):
        return super().check(value) & (_raw(value) % 1 == 0)


class _IntegerGreaterThanEq(_IntegerValued, _GreaterThanEq):
    def __repr__(self):
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        return _raw(value) < _raw(self.upper_bound)

    def __repr__(self):
        return f"LessThan(upper_bound={self.upper_bound})"


class _Interval(Constraint):
    def __init__(self, lower_bound, upper_bound):
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value):
        v = _raw(value)
        return (_raw(self.lower_bound) <= v) & (v <= _raw(self.upper_bound))

    def __repr__(self):
        return f"Interval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _IntegerInterval(_IntegerValued, _Interval):
    def __repr__(self):
        return f"IntegerInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _Simplex(Constraint):
    """Nonnegative vectors along the last axis that sum to 1 (within 1e-6)."""
    event_dim = 1

    def check(self, value):
        v = _raw(value)
        return np.all(v >= 0, axis=-1) & (np.abs(v.sum(-1) - 1) < 1e-6)


class _OneHot(Constraint):
    """Vectors along the last axis of zeros with a single one."""
    is_discrete = True
    event_dim = 1

    def check(self, value):
        v = _raw(value)
        return np.all((v == 0) | (v == 1), axis=-1) & (v.sum(-1) == 1)


class _LowerCholesky(Constraint):
    """Lower-triangular square matrices with a positive diagonal."""
    event_dim = 2

    def check(self, value):
        v = _raw(value)
        lower = np.all(np.triu(v, 1) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(v, axis1=-2, axis2=-1) > 0, axis=-1)


class _PositiveDefinite(Constraint):
    """Symmetric matrices whose eigenvalues are all positive."""
    event_dim = 2

    def check(self, value):
        v = np.asarray(_raw(value), dtype=np.float64)
        symmetric = np.all(np.isclose(v, np.swapaxes(v, -1, -2), rtol=1e-6, atol=1e-8), axis=(-2, -1))
        if not np.all(np.isfinite(v)):
            return np.zeros(v.shape[:-2], dtype=bool)
        return symmetric & np.all(np.linalg.eigvalsh(v) > 0, axis=-1)


class _Independent(Constraint):
    """base_constraint on each element, all of the last `reinterpreted_batch_ndims` axes at once."""

    def __init__(self, base_constraint, reinterpreted_batch_ndims):
        self.base_constraint, self.reinterpreted_batch_ndims = base_constraint, reinterpreted_batch_ndims
        self.event_dim = base_constraint.event_dim + reinterpreted_batch_ndims

    def check(self, value):
        ok = self.base_constraint.check(value)
        n = self.reinterpreted_batch_ndims
        return np.all(ok, axis=tuple(range(-n, 0))) if n and np.ndim(ok) >= n else ok

    def __repr__(self):
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


dependent = _Dependent()
real = _Real()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThanEq(0)
one_hot = _OneHot()
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
real_vector = _Independent(real, 1)
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
integer_interval = _IntegerInterval
independent = _Independent


class _HalfOpenInterval(_Interval):
    """[lower_bound, upper_bound)."""

    def check(self, value):
        v = _raw(value)
        return (_raw(self.lower_bound) <= v) & (v < _raw(self.upper_bound))

    def __repr__(self):
        return f"HalfOpenInterval(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


half_open_interval = _HalfOpenInterval
__all__ += ["half_open_interval"]


class _MixtureSameFamilyConstraint(Constraint):
    """A mixture's values: base_constraint (the components') checked against every component,
    so the value must lie in all of their supports."""

    def __init__(self, base_constraint):
        if not isinstance(base_constraint, Constraint):
            raise TypeError(f"MixtureSameFamilyConstraint: base_constraint must be a Constraint, got {base_constraint!r}")
        self.base_constraint = base_constraint

    is_discrete = forwarded("base_constraint.is_discrete")
    event_dim = forwarded("base_constraint.event_dim")

    def check(self, value):
        v = _raw(value)
        if v.ndim < self.event_dim:
            raise ValueError(f"MixtureSameFamilyConstraint: expected a value of at least {self.event_dim} "
                             f"dimensions, got shape {v.shape}")
        ok = np.asarray(self.base_constraint.check(np.expand_dims(v, -1 - self.event_dim)))
        keep = v.ndim - self.event_dim
        return ok.reshape(ok.shape[:keep] + (-1,)).all(-1)

    def __repr__(self):
        return f"MixtureSameFamilyConstraint({self.base_constraint!r})"


mixture_same_family = _MixtureSameFamilyConstraint
__all__ += ["mixture_same_family"]


class _Multinomial(Constraint):
    """Vectors of nonnegative counts along the last axis that sum to at most upper_bound."""
    is_discrete = True
    event_dim = 1

    def __init__(self, upper_bound):
        self.upper_bound = upper_bound

    def check(self, value):
        v = _raw(value)
        return np.all(v >= 0, axis=-1) & (v.sum(-1) <= self.upper_bound)

    def __repr__(self):
        return f"Multinomial(upper_bound={self.upper_bound})"


multinomial = _Multinomial
__all__ += ["multinomial"]


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower triangular, positive diagonal, and
    every row of unit Euclidean length (within 1e-6 per element of the row)."""
    event_dim = 2

    def check(self, value):
        v = _raw(value)
        tolerance = np.finfo(v.dtype).eps * v.shape[-1] * 10 if v.dtype.kind == "f" else 1e-6
        unit_rows = np.all(np.abs(np.sqrt((v ** 2).sum(-1)) - 1) <= tolerance, axis=-1)
        return _LowerCholesky().check(v) & unit_rows


corr_cholesky = _CorrCholesky()
__all__ += ["corr_cholesky"]


class _Along(Constraint):
    """Constraints placed along `dim` of a value (cat's and stack's common part)."""

    def __init__(self, name, cseq, dim):
        self.cseq = list(cseq)
        if not all(isinstance(c, Constraint) for c in self.cseq):
            raise TypeError(f"{name}: expected Constraints, got {self.cseq!r}")
        self.dim = dim

    @property
    def is_discrete(self):
        return any(c.is_discrete for c in self.cseq)


class _Cat(_Along):
    """Constraints side by side along `dim`: the i-th checks a slice of lengths[i] entries (1 each
    by default)."""

    def __init__(self, cseq, dim=0, lengths=None):
        super().__init__("cat", cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise ValueError(f"cat: {len(self.cseq)} constraints but {len(self.lengths)} lengths")

    @property
    def event_dim(self):
        return max(c.event_dim for c in self.cseq)

    def check(self, value):
        v = _raw(value)
        if not -v.ndim <= self.dim < v.ndim:
            raise ValueError(f"cat: dim {self.dim} is out of range for a value of shape {v.shape}")
        starts = np.cumsum([0] + self.lengths)
        pieces = [np.asarray(c.check(np.take(v, np.arange(a, b), axis=self.dim)))
                  for c, a, b in zip(self.cseq, starts[:-1], starts[1:])]
        return np.concatenate(pieces, axis=self.dim)

    def __repr__(self):
        return "Cat()"


class _Stack(_Along):
    """One constraint per index of `dim`, each checking the slice value.select(dim, i)."""

    def __init__(self, cseq, dim=0):
        super().__init__("stack", cseq, dim)

    @property
    def event_dim(self):
        inner = max(c.event_dim for c in self.cseq)
        return inner + 1 if self.dim + inner < 0 else inner

    def check(self, value):
        v = _raw(value)
        if not -v.ndim <= self.dim < v.ndim:
            raise ValueError(f"stack: dim {self.dim} is out of range for a value of shape {v.shape}")
        if v.shape[self.dim] != len(self.cseq):
            raise ValueError(f"stack: the value has {v.shape[self.dim]} entries along dim {self.dim}, "
                             f"expected {len(self.cseq)}")
        return np.stack([np.asarray(c.check(np.take(v, i, axis=self.dim))) for i, c in enumerate(self.cseq)],
                        axis=self.dim)

    def __repr__(self):
        return "Stack()"


cat = _Cat
stack = _Stack
__all__ += ["cat", "stack"]


class _Square(Constraint):
    """Square matrices (one answer per matrix of the batch)."""
    event_dim = 2

    def check(self, value):
        v = _raw(value)
        return np.full(v.shape[:-2], v.shape[-1] == v.shape[-2], dtype=bool)


class _Symmetric(_Square):
    """Square matrices equal to their transpose (within 1e-6)."""

    def check(self, value):
        v = _raw(value)
        square = super().check(v)
        if not square.all():
            return square
        return np.all(np.isclose(v, np.swapaxes(v, -1, -2), rtol=0, atol=1e-6), axis=(-2, -1))


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices whose eigenvalues are all >= 0."""

    def check(self, value):
        symmetric = super().check(value)
        if not symmetric.all():
            return symmetric
        v = np.asarray(_raw(value), dtype=np.float64)
        return np.all(np.linalg.eigvalsh(v) >= 0, axis=-1)


class _LowerTriangular(Constraint):
    """Square matrices with zeros above the diagonal."""
    event_dim = 2

    def check(self, value):
        v = _raw(value)
        return np.all(np.triu(v, 1) == 0, axis=(-2, -1))


class _DependentProperty(property, _Dependent):
    """A property of a distribution whose value is a constraint that depends on the instance (its
    support, for example); on the class it is a dependent constraint with the given is_discrete
    and event_dim.

        @constraints.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return constraints.interval(self.low, self.high)
    """

    def __init__(self, fn=None, *, is_discrete=False, event_dim=0):
        super().__init__(fn)
        self._is_discrete, self._event_dim = is_discrete, event_dim

    def __call__(self, fn):
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)

    is_discrete = property(lambda self: self._is_discrete)
    event_dim = property(lambda self: self._event_dim)

    def __repr__(self):
        return "DependentProperty()"


def is_dependent(constraint):
    """Whether the constraint depends on the distribution's other parameters (dependent, or a
    dependent_property)."""
    return isinstance(constraint, _Dependent)


square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
lower_triangular = _LowerTriangular()
positive_integer = _IntegerGreaterThanEq(1)
dependent_property = _DependentProperty
MixtureSameFamilyConstraint = _MixtureSameFamilyConstraint
__all__ += ["MixtureSameFamilyConstraint", "dependent_property", "is_dependent", "lower_triangular",
            "positive_integer", "positive_semidefinite", "square", "symmetric"]
