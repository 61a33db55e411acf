"""Transforms: invertible (or at least forward-computable) maps between constrained spaces, with
log|det J| of the forward map (PyTorch's `torch.distributions.transforms`). A transform y = t(x)
has its inverse `t.inv`, a domain and a codomain (constraints), and `event_dim`, the number of
trailing axes that one log-determinant covers.

    t = ComposeTransform([AffineTransform(0.0, 2.0), ExpTransform()])    # y = exp(2 x)
    y = t(x); x_again = t.inv(y); t.log_abs_det_jacobian(x, y)           # log 2 + 2 x
"""
import copy
import math
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from ..nn import functional as F
from ..ops.padding import pad
from . import constraints
from .distribution import as_tensor, sum_rightmost
from .forwarded import forwarded

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftplusTransform", "SoftmaxTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "identity_transform"]


class Transform:
    """y = t(x) with its inverse t.inv; subclasses define _call, _inverse and log_abs_det_jacobian.
    cache_size 1 keeps the last (x, y) pair, so t.inv(t(x)) returns x itself (the same Tensor)."""
    bijective = False
    domain = constraints.real
    codomain = constraints.real
    sign = 1

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError(f"{type(self).__name__}: cache_size must be 0 or 1, got {cache_size!r}")
        self._cache_size = cache_size
        self._cached = None
        self._inv = None

    @property
    def event_dim(self):
        if self.domain.event_dim != self.codomain.event_dim:
            raise ValueError(f"{type(self).__name__}: event_dim is ambiguous (domain and codomain differ)")
        return self.domain.event_dim

    @property
    def inv(self):
        """The inverse transform: inv(y) = x, with the log-determinant of the inverse map."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    def with_cache(self, cache_size=1):
        """This transform with cache_size (0 or 1): itself when it already has it, else a copy
        (same parameters and parts, an empty cache)."""
        if self._cache_size == cache_size:
            return self
        if cache_size not in (0, 1):
            raise ValueError(f"{type(self).__name__}: cache_size must be 0 or 1, got {cache_size!r}")
        new = copy.copy(self)
        new._cache_size, new._cached, new._inv = cache_size, None, None
        return new

    def __call__(self, x):
        if self._cache_size and self._cached is not None and self._cached[0] is x:
            return self._cached[1]
        y = self._call(x)
        if self._cache_size:
            self._cached = (x, y)
        return y

    def _inv_call(self, y):
        if self._cache_size and self._cached is not None and self._cached[1] is y:
            return self._cached[0]
        x = self._inverse(y)
        if self._cache_size:
            self._cached = (x, y)
        return x

    def _call(self, x):
        raise NotImplementedError(f"{type(self).__name__} has no forward map")

    def _inverse(self, y):
        raise NotImplementedError(f"{type(self).__name__} has no inverse")

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError(f"{type(self).__name__} has no log_abs_det_jacobian")

    def forward_shape(self, shape):
        return tuple(shape)

    def inverse_shape(self, shape):
        return tuple(shape)

    def __eq__(self, other):
        return type(self) is type(other)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __repr__(self):
        return type(self).__name__ + "()"


class _InverseTransform(Transform):
    """t.inv: the forward map is t's inverse and vice versa."""

    def __init__(self, transform):
        super().__init__(transform._cache_size)
        self._inv = transform

    domain = forwarded("_inv.codomain")
    codomain = forwarded("_inv.domain")
    bijective = forwarded("_inv.bijective")
    sign = forwarded("_inv.sign")
    inv = forwarded("_inv")

    def with_cache(self, cache_size=1):
        return self._inv.with_cache(cache_size).inv

    def __call__(self, x):
        return self._inv._inv_call(x)

    def _inv_call(self, y):
        return self._inv(y)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __repr__(self):
        return f"{self._inv!r}.inv"


class ComposeTransform(Transform):
    """parts applied in order: y = parts[-1](... parts[0](x)); the log-determinants of parts of
    smaller event_dim are summed over the axes the composition treats as one event."""

    def __init__(self, parts, cache_size=0):
        super().__init__(cache_size)
        self.parts = list(parts)
        for part in self.parts:
            if not isinstance(part, Transform):
                raise TypeError(f"ComposeTransform: expected Transforms, got {part!r}")
        if cache_size:               # each part keeps its pair, so the inverse's parts find them too
            self.parts = [part.with_cache(cache_size) for part in self.parts]

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        return ComposeTransform(self.parts, cache_size=cache_size)

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @property
    def domain(self):
        if not self.parts:
            return constraints.real
        domain = self.parts[0].domain
        event_dim = self.parts[-1].codomain.event_dim
        for part in reversed(self.parts):
            event_dim = max(event_dim + part.domain.event_dim - part.codomain.event_dim, part.domain.event_dim)
        return constraints.independent(domain, event_dim - domain.event_dim) if event_dim > domain.event_dim else domain

    @property
    def codomain(self):
        if not self.parts:
            return constraints.real
        codomain = self.parts[-1].codomain
        event_dim = self.parts[0].domain.event_dim
        for part in self.parts:
            event_dim = max(event_dim + part.codomain.event_dim - part.domain.event_dim, part.codomain.event_dim)
        if event_dim > codomain.event_dim:
            return constraints.independent(codomain, event_dim - codomain.event_dim)
        return codomain

    @property
    def bijective(self):
        return all(part.bijective for part in self.parts)

    @property
    def sign(self):
        sign = 1
        for part in self.parts:
            sign = sign * part.sign
        return sign

    @property
    def inv(self):
        if self._inv is None:
            self._inv = ComposeTransform([part.inv for part in reversed(self.parts)], cache_size=self._cache_size)
            self._inv._inv = self
        return self._inv

    def _call(self, x):
        for part in self.parts:
            x = part(x)
        return x

    def _inverse(self, y):
        for part in reversed(self.parts):
            y = part.inv(y)
        return y

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return x * 0
        xs = [x]
        for part in self.parts[:-1]:
            xs.append(part(xs[-1]))
        xs.append(y)
        total = 0
        event_dim = self.domain.event_dim
        for part, a, b in zip(self.parts, xs[:-1], xs[1:]):
            total = total + sum_rightmost(part.log_abs_det_jacobian(a, b), event_dim - part.domain.event_dim)
            event_dim += part.codomain.event_dim - part.domain.event_dim
        return total

    def forward_shape(self, shape):
        for part in self.parts:
            shape = part.forward_shape(shape)
        return tuple(shape)

    def inverse_shape(self, shape):
        for part in reversed(self.parts):
            shape = part.inverse_shape(shape)
        return tuple(shape)

    def __repr__(self):
        return "ComposeTransform(" + ", ".join(map(repr, self.parts)) + ")"


identity_transform = ComposeTransform([])


class ExpTransform(Transform):
    """y = exp(x); log|dy/dx| = x."""
    domain, codomain, bijective, sign = constraints.real, constraints.positive, True, 1

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


class SoftplusTransform(Transform):
    """y = softplus(x) = log(1 + exp(x)); x = y + log(-expm1(-y)); log|dy/dx| = -softplus(-x).

    >>> SoftplusTransform()(fastgrad.tensor([0.0], dtype=fastgrad.float64)).tolist()    # [log 2]
    [0.6931471805599453]
    """
    domain, codomain, bijective, sign = constraints.real, constraints.positive, True, 1

    def _call(self, x):
        return F.softplus(x)

    def _inverse(self, y):
        return y + (-(-y).expm1()).log()

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x)


class PowerTransform(Transform):
    """y = x^exponent on x > 0; log|dy/dx| = log|exponent y / x|."""
    domain, codomain, bijective = constraints.positive, constraints.positive, True

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size)
        self.exponent = as_tensor(exponent) if not isinstance(exponent, numbers.Real) else exponent

    @property
    def sign(self):
        return self.exponent.sign() if isinstance(self.exponent, Tensor) else (1 if self.exponent > 0 else -1)

    def _call(self, x):
        return x ** self.exponent

    def _inverse(self, y):
        return y ** (1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return np.broadcast_shapes(tuple(shape), tuple(getattr(self.exponent, "shape", ())))

    inverse_shape = forward_shape

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and _same(self.exponent, other.exponent)

    __hash__ = object.__hash__


def _clipped_sigmoid(x):
    """sigmoid(x) clamped into [tiny, 1 - eps] of its dtype, so its log and log(1 - .) stay finite."""
    info = np.finfo(x.dtype)
    return x.sigmoid().clamp(min=float(info.tiny), max=1.0 - float(info.eps))


class SigmoidTransform(Transform):
    """y = sigmoid(x); log|dy/dx| = -softplus(-x) - softplus(x)."""
    domain, codomain, bijective, sign = constraints.real, constraints.unit_interval, True, 1

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        info = np.finfo(y.dtype)
        y = y.clamp(min=float(info.tiny), max=1.0 - float(info.eps))
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -F.softplus(-x) - F.softplus(x)


class TanhTransform(Transform):
    """y = tanh(x); log|dy/dx| = 2 (log 2 - x - softplus(-2 x)), stable for large |x|."""
    domain, codomain, bijective, sign = constraints.real, constraints.interval(-1.0, 1.0), True, 1

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return y.atanh()

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - F.softplus(-2.0 * x))


class AbsTransform(Transform):
    """y = |x| (not injective: inv gives the nonnegative root)."""
    domain, codomain = constraints.real, constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class AffineTransform(Transform):
    """y = loc + scale x; log|dy/dx| = log|scale|, summed over the last event_dim axes."""
    bijective = True

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size)
        self.loc, self.scale, self._event_dim = loc, scale, int(event_dim)

    @property
    def event_dim(self):
        return self._event_dim

    @property
    def domain(self):
        return constraints.independent(constraints.real, self._event_dim) if self._event_dim else constraints.real

    codomain = domain

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Real):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        if isinstance(self.scale, numbers.Real):
            result = as_tensor(np.full(shape, math.log(abs(self.scale))), like=x)
        else:
            result = self.scale.abs().log()
        if self._event_dim:
            result = result.reshape(*tuple(result.shape)[:result.ndim - self._event_dim], -1).sum(-1)
            shape = shape[:len(shape) - self._event_dim]
        return result.expand(*shape)

    def forward_shape(self, shape):
        return np.broadcast_shapes(tuple(shape), tuple(getattr(self.loc, "shape", ())),
                                   tuple(getattr(self.scale, "shape", ())))

    inverse_shape = forward_shape

    def __eq__(self, other):
        return (isinstance(other, AffineTransform) and _same(self.loc, other.loc)
                and _same(self.scale, other.scale) and self._event_dim == other._event_dim)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"AffineTransform(event_dim={self._event_dim})"


class SoftmaxTransform(Transform):
    """y = softmax(x) along the last axis: onto the simplex, not injective (inv gives log y)."""
    domain, codomain = constraints.real_vector, constraints.simplex

    def _call(self, x):
        probs = (x - x.detach().max(-1, keepdim=True).values).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()


class StickBreakingTransform(Transform):
    """R^(K-1) onto the K-simplex by stick breaking: z_k = sigmoid(x_k - log(K - k)) takes that
    share of what remains; bijective, log|det J| summed over the event."""
    domain, codomain, bijective = constraints.real_vector, constraints.simplex, True

    @staticmethod
    def _offset(like, k):
        """log(k), log(k - 1), ..., log(1): centres x = 0 on the uniform point of the simplex."""
        return as_tensor(np.log(np.arange(k, 0, -1, dtype=np.float64)), like=like)

    def _call(self, x):
        z = _clipped_sigmoid(x - self._offset(x, x.shape[-1]))
        remaining = (1 - z).cumprod(-1)
        return pad(z, (0, 1), value=1.0) * pad(remaining, (1, 0), value=1.0)

    def _inverse(self, y):
        cropped = y[..., :-1]
        survival = (1 - cropped.cumsum(-1)).clamp(min=float(np.finfo(y.dtype).tiny))
        return cropped.log() - survival.log() + self._offset(y, cropped.shape[-1])

    def log_abs_det_jacobian(self, x, y):
        shifted = x - self._offset(x, x.shape[-1])
        return (-shifted + F.logsigmoid(shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        return tuple(shape[:-1]) + (shape[-1] - 1,)


def _same(a, b):
    """Two transform parameters (numbers or Tensors) equal everywhere."""
    if isinstance(a, numbers.Real) and isinstance(b, numbers.Real):
        return a == b
    a = a._data if isinstance(a, Tensor) else np.asarray(a)
    b = b._data if isinstance(b, Tensor) else np.asarray(b)
    return bool(np.all(a == b))


from .transforms_matrix import CorrCholeskyTransform, LowerCholeskyTransform, PositiveDefiniteTransform  # noqa: E402
from .transforms_structured import (CatTransform, CumulativeDistributionTransform, IndependentTransform,  # noqa: E402
                                    ReshapeTransform, StackTransform)
