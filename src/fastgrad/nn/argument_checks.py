"""Tensor arguments of nn.functional checked by name before any work.

`None` where a tensor is required, or an array (or list) of Python objects,
would otherwise fail deep inside an op with an unrelated AttributeError, or
worse be converted to NaN and give a silently wrong loss.  Both are refused
with a TypeError naming the function and the argument.
"""
import functools
import inspect

import numpy as np

from ..autograd.tensor import Tensor

# Parameter names of nn.functional that take tensors.
TENSOR_ARGUMENTS = ("input", "target", "weight", "bias", "pos_weight", "query", "key", "value", "attn_mask", "x1", "x2",
                    "tensor", "input1", "input2", "anchor", "positive", "negative", "var", "theta", "grid",
                    "log_probs", "targets", "logits")


# dtypes of numbers, for the check that settles the usual case at once
_NUMBERS = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.float16, np.int64, np.int32, np.bool_))


def _problem(value, required):
    """What is wrong with a tensor argument, or None."""
    if value is None:
        return "is None" if required else None
    data = value._data if isinstance(value, Tensor) else value
    dtype = getattr(data, "dtype", None)
    if dtype is None and isinstance(value, (list, tuple)):
        try:
            dtype = np.asarray(value).dtype
        except ValueError:
            return "is a ragged list"
    if dtype is not None and getattr(dtype, "hasobject", False):
        return "holds Python objects (dtype object)"
    return None


def checks_tensor_arguments(fn):
    """Wrap an nn.functional function so that its tensor arguments are checked first."""
    parameters = inspect.signature(fn).parameters
    slots = [(i, name, p.default is inspect.Parameter.empty)
             for i, (name, p) in enumerate(parameters.items()) if name in TENSOR_ARGUMENTS]
    op = fn.__name__

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        given = len(args)
        for i, name, required in slots:
            value = args[i] if i < given else kwargs.get(name)
            if isinstance(value, Tensor) and type(value._data) is np.ndarray and value._data.dtype in _NUMBERS:
                continue  # the usual cases, settled without a call
            if (type(value) is np.ndarray and value.dtype in _NUMBERS) or (value is None and not required):
                continue
            problem = _problem(value, required)
            if problem is not None:
                raise TypeError(f"{op}: argument '{name}' {problem}; expected a Tensor or an array of numbers")
        return fn(*args, **kwargs)

    return checked
