"""All parameters as one flat vector, and back (PyTorch's `torch.nn.utils` functions of these names)."""
import numpy as np

from ...autograd.tensor import Tensor
from ...ops import shape as _shape

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _listed(parameters, op):
    if isinstance(parameters, Tensor):
        raise TypeError(f"{op}: expects an iterable of Tensors (e.g. model.parameters()), got a Tensor")
    parameters = list(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"{op}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return parameters


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-d Tensor (in the graph, so it
    carries gradients back to each parameter)."""
    parameters = _listed(parameters, "parameters_to_vector")
    if not parameters:
        raise ValueError("parameters_to_vector: no parameters given")
    return _shape.concatenate([p.reshape(-1) for p in parameters], axis=0)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d `vec` into the parameters, in place (no graph)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-d, got shape {tuple(vec.shape)}")
    parameters = _listed(parameters, "vector_to_parameters")
    total = sum(p.numel() for p in parameters)
    if total != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements, the parameters {total}")
    data = vec._data
    start = 0
    for p in parameters:
        n = p.numel()
        p._data[...] = np.asarray(data[start:start + n]).reshape(p.shape).astype(p.dtype, copy=False) \
            if isinstance(p._data, np.ndarray) else data[start:start + n].reshape(p.shape).astype(p.dtype)
        p._version[0] += 1
        start += n
