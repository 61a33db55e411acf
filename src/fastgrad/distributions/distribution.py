"""Distribution: the base of fastgrad's probability distributions (PyTorch's
`torch.distributions.Distribution`): shapes, argument and sample validation, and draws from
fastgrad's generator (`fastgrad.manual_seed`)."""
import math
import numbers

import numpy as np

from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..creation import default_generator
from ..dtypes import get_default_dtype
from . import constraints
from .forwarded import forwarded


class lazy_property:
    """A value computed from the other parametrization at first access, then stored on the
    instance (Bernoulli's and Categorical's probs / logits)."""

    def __init__(self, compute):
        self.compute = compute
        self.__doc__ = compute.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.compute.__name__] = value
        return value


def as_tensor(value, like=None):
    """value as a Tensor: Tensors and float arrays stay as they are; numbers and lists take like's
    dtype, else the default dtype."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and like is None:
        return Tensor(value)
    return Tensor(np.asarray(value, dtype=like.dtype if like is not None else get_default_dtype()))


def broadcast_all(*values):
    """The values as Tensors of one broadcast shape (numbers take the Tensors' dtype), differentiably."""
    like = next((v for v in values if isinstance(v, Tensor)), None)
    tensors = [as_tensor(v, like) for v in values]
    shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    return [t if tuple(t.shape) == shape else t.expand(*shape) for t in tensors]


def on_device_of(like, values):
    """A plain Tensor of the NumPy array `values` in like's dtype, on like's device."""
    values = np.asarray(values).astype(like.dtype)
    data = like._data
    if not isinstance(data, np.ndarray):
        values = namespace_of(data).asarray(values)
    return Tensor(values)


def host(tensor):
    """tensor's values as a NumPy array on the host, cut from the graph."""
    return tensor.detach().cpu().numpy()


_STANDARD_DRAWS = {"normal": "standard_normal", "uniform": "random", "exponential": "standard_exponential",
                   "laplace": "laplace", "cauchy": "standard_cauchy"}


def draw(kind, shape, like):
    """A plain Tensor of `shape` drawn from fastgrad's generator (kind 'normal', 'uniform' in
    [0, 1), 'exponential' of rate 1, 'laplace' or 'cauchy' of scale 1), in like's dtype, on like's device."""
    return on_device_of(like, getattr(default_generator(), _STANDARD_DRAWS[kind])(size=shape))


def draw_from(method, shape, like, *params):
    """A plain Tensor of `shape` from the generator's NumPy sampler `method` (e.g. 'standard_gamma',
    'poisson'), its parameters (Tensors or arrays) broadcast to `shape`, in like's dtype and device."""
    args = [np.broadcast_to(host(p) if isinstance(p, Tensor) else p, shape) for p in params]
    return on_device_of(like, getattr(default_generator(), method)(*args, size=shape))


def _shape(sample_shape):
    if isinstance(sample_shape, numbers.Integral):
        return (int(sample_shape),)
    return tuple(int(s) for s in sample_shape)


class Distribution:
    """batch_shape: independent distributions side by side; event_shape: the shape of one draw."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__
    arg_constraints = {}
    support = None

    @staticmethod
    def set_default_validate_args(value):
        """Whether distributions check their arguments and log_prob's values by default (True)."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_args = value

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape, self._event_shape = tuple(batch_shape), tuple(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for param, constraint in self.arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param, None), lazy_property):
                    continue
                value = getattr(self, param)
                if not np.all(constraint.check(value)):
                    raise ValueError(f"Expected parameter {param} (Tensor of shape {tuple(value.shape)}) of "
                                     f"distribution {self!r} to satisfy the constraint {constraint!r}, but found "
                                     f"invalid values:\n{value}")

    batch_shape = forwarded("_batch_shape")
    event_shape = forwarded("_event_shape")

    def _extended_shape(self, sample_shape=()):
        return _shape(sample_shape) + self._batch_shape + self._event_shape

    def expand(self, batch_shape, _instance=None):
        """This distribution with its batch shape broadcast to `batch_shape`: every parameter is
        expanded (a view, no copy) and gradients still flow into the original parameters."""
        batch_shape = _shape(batch_shape)
        try:
            fits = np.broadcast_shapes(self._batch_shape, batch_shape) == batch_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{type(self).__name__}.expand: batch_shape {batch_shape} is not a broadcast of the "
                             f"batch shape {self._batch_shape}")
        new = _instance if _instance is not None else type(self).__new__(type(self))
        n = len(self._batch_shape)
        for name, value in self.__dict__.items():
            if isinstance(value, Tensor) and tuple(value.shape[:n]) == self._batch_shape:
                value = value.expand(*batch_shape, *value.shape[n:])
            elif isinstance(value, Distribution) and value.batch_shape == self._batch_shape:
                value = value.expand(batch_shape)
            new.__dict__[name] = value
        new._batch_shape = batch_shape
        return new

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} has no mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=()):
        """A draw of shape sample_shape + batch_shape + event_shape, cut from the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterized sample (rsample); use sample()")

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no icdf")

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__} has no entropy")

    def perplexity(self):
        return self.entropy().exp()

    def enumerate_support(self, expand=True):
        raise NotImplementedError(f"{type(self).__name__} has no finite support to enumerate")

    def _checked(self, value):
        """value as a Tensor, validated (shape and support) when validate_args is on."""
        if not self._validate_args:
            return value if isinstance(value, Tensor) else as_tensor(value)
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        shape = tuple(value.shape)
        start = len(shape) - len(self._event_shape)
        if shape[start:] != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: {shape} vs {self._event_shape}.")
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(shape), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {shape} vs {expected}.")
        if not np.all(self.support.check(value)):
            raise ValueError(f"Expected value argument (Tensor of shape {shape}) to be within the support "
                             f"({self.support!r}) of the distribution {self!r}, but found invalid values:\n{value}")
        return value

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        parts = [f"{k}: {self.__dict__[k].item() if self.__dict__[k].numel() == 1 else tuple(self.__dict__[k].shape)}"
                 for k in names]
        return f"{type(self).__name__}({', '.join(parts)})"


def clamp_probs(probs):
    """probs clamped into [eps, 1 - eps] (eps of its dtype), so their logs stay finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_or_logits(distribution, probs, logits):
    """The one of probs and logits given; ValueError naming the distribution when both or neither are."""
    if (probs is None) == (logits is None):
        raise ValueError(f"{distribution}: either `probs` or `logits` must be specified, but not both.")
    return probs if probs is not None else logits


def sum_rightmost(value, dims):
    """value summed over its last `dims` axes (value itself when dims is 0)."""
    return value.sum(tuple(range(-dims, 0))) if dims else value


def at_least(ndim, name, distribution, value):
    """value as a Tensor, ValueError naming the distribution and argument when it has fewer than ndim axes."""
    value = as_tensor(value)
    if value.ndim < ndim:
        what = "one-dimensional" if ndim == 1 else f"{ndim}-dimensional"
        raise ValueError(f"{distribution}: `{name}` parameter must be at least {what}, got shape {tuple(value.shape)}.")
    return value


LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))
