"""default_convert: what a DataLoader without batching (batch_size=None) does to each sample, as
torch.utils.data.default_convert: NumPy arrays and scalars become Tensors, containers are
walked, everything else is returned as it is."""
import collections.abc

import numpy as np

from ..autograd.tensor import Tensor

__all__ = ["default_convert"]


def default_convert(data):
    """data with every NumPy array (of numbers or booleans) and NumPy scalar turned into a Tensor
    (same dtype), inside mappings, namedtuples, tuples (which become lists, as PyTorch's do) and
    other sequences; strings, bytes, Python numbers, Tensors and arrays of strings or objects are
    left alone.

    >>> default_convert({"x": np.ones(2), "label": 3})
    {'x': tensor([1., 1.], dtype=float64), 'label': 3}
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return Tensor(data) if data.dtype.kind in "biufc" else data
    if isinstance(data, (np.number, np.bool_)):
        return Tensor(np.asarray(data))
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)
        except TypeError:                # a mapping type that cannot be made from a dict
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        converted = [default_convert(d) for d in data]
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
