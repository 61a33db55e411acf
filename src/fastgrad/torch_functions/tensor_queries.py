"""PyTorch's small names about tensors: the constants pi, e, inf, nan and newaxis; dtype and
layout (the classes of every tensor's dtype and layout); typename; the conjugation and negation bits (is_conj, is_neg,
resolve_conj, resolve_neg, conj, conj_physical); where a tensor lives (Tensor.is_cpu,
Tensor.get_device, and is_meta, is_mps, ... which are always False here); Tensor.is_inference,
dim_order, is_set_to and output_nr; the module-level forms of detach, detach_, fill, fill_ and
zero_; asarray; default_generator.

fastgrad keeps no lazy conjugation or negation: conj() computes the conjugate at once, so
is_conj and is_neg are always False and resolve_conj / resolve_neg return the tensor itself.
inference_mode records no graph as no_grad does and makes ordinary tensors, so
Tensor.is_inference() is always False.

    import fastgrad as torch
    torch.pi, torch.inf, x[:, torch.newaxis]
    torch.typename(x)          # 'fastgrad.FloatTensor'
    x.get_device()             # -1 for a tensor in host memory
"""
import math

import numpy as np

from .. import creation
from ..autograd.tensor import Tensor
from ..devices import device_of
from ..ops import methods as _methods
from ..ops.inplace import in_place
from ..sparse import layout   # the class of fastgrad.strided and fastgrad.sparse_coo (Tensor.layout)

__all__ = ["asarray", "conj", "conj_physical", "conj_physical_", "default_generator", "detach", "detach_", "dtype", "e",
           "fill", "fill_", "inf", "is_conj", "is_distributed", "layout", "is_neg", "is_storage", "is_vulkan_available", "nan",
           "newaxis", "pi", "resolve_conj", "resolve_neg", "typename", "zero_"]

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None
dtype = np.dtype   # a tensor's dtype is a NumPy dtype: isinstance(x.dtype, fastgrad.dtype) holds

default_generator = creation.default_generator()   # reseeded in place by manual_seed, so always current


def _tensor(op, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: argument 'input' must be a Tensor, got {type(input).__name__}")
    return input


def typename(obj):
    """The type name of obj: a tensor's type() ('fastgrad.FloatTensor', ...), otherwise the
    class's module and qualified name (just the name for builtins).

    >>> typename(fastgrad.zeros(2, dtype=fastgrad.int64))
    'fastgrad.LongTensor'
    """
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in (None, "builtins") else f"{module}.{cls.__qualname__}"


def is_conj(input):
    """False: fastgrad conjugates at once (no lazy conjugate bit)."""
    _tensor("is_conj", input)
    return False


def is_neg(input):
    """False: fastgrad negates at once (no lazy negative bit)."""
    _tensor("is_neg", input)
    return False


def is_distributed(input):
    """False: fastgrad's tensors are never sharded across processes."""
    _tensor("is_distributed", input)
    return False


def is_storage(obj):
    """False: fastgrad has no storage objects (a tensor's memory is its NumPy array)."""
    return False


def is_vulkan_available():
    """False: fastgrad has no Vulkan backend."""
    return False


def resolve_conj(input):
    """input itself: with no lazy conjugate bit there is nothing to materialize."""
    return _tensor("resolve_conj", input)


def resolve_neg(input):
    """input itself: with no lazy negative bit there is nothing to materialize."""
    return _tensor("resolve_neg", input)


def conj(input):
    """The complex conjugate (real tensors are returned as they are); differentiable."""
    return _tensor("conj", input).conj()


def conj_physical(input):
    """The complex conjugate, as conj (fastgrad's conjugates are always computed)."""
    return _tensor("conj_physical", input).conj()


def conj_physical_(input):
    """Conjugate input in place; a real tensor is left as it is."""
    return _tensor("conj_physical_", input).conj_physical_()


def _conj_of(self):
    return self.conj()


_conj_physical_in_place = in_place("conj_physical_", _conj_of)


def _conj_in_place(self):
    return self if self.dtype.kind != "c" else _conj_physical_in_place(self)


def detach(input):
    """input.detach(): the same data, cut from the graph."""
    return _tensor("detach", input).detach()


def detach_(input):
    """input.detach_(): input itself becomes a leaf that does not require grad."""
    return _tensor("detach_", input).detach_()


def fill(input, value):
    """A new tensor of input's shape and dtype holding value (a number or a 0-d tensor).  As in
    PyTorch, input gets a zero gradient and a 0-d tensor value the sum of the incoming one."""
    return _tensor("fill", input).clone().fill_(value)


def fill_(input, value):
    """input.fill_(value)."""
    return _tensor("fill_", input).fill_(value)


def zero_(input):
    """input.zero_()."""
    return _tensor("zero_", input).zero_()


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """obj as a tensor: shares memory with an array or tensor of the right dtype and device
    unless copy=True; copy=False refuses when a copy would be needed; requires_grad=True makes
    the result a leaf that requires grad.  A tensor needing no change is returned as it is.

    >>> a = numpy.zeros(3); t = asarray(a); t[0] = 1; a[0]   # 1.0: shared
    """
    source = obj._data if isinstance(obj, Tensor) else obj
    if copy:
        result = creation.tensor(source, dtype=dtype, device=device)
    else:
        result = creation.as_tensor(source, dtype=dtype, device=device)
        if copy is False and not _shares(result._data, source):
            raise ValueError(f"asarray: copy=False, but the {type(obj).__name__} has to be copied (another "
                             "dtype or device, or not an array)")
    if requires_grad:
        if result.dtype.kind not in "fc":
            raise RuntimeError(f"asarray: only floating point and complex tensors can require gradients, got "
                               f"{result.dtype}")
        return Tensor(result._data, requires_grad=True)
    if isinstance(obj, Tensor) and result._data is obj._data:
        return obj
    return result


def _shares(array, source):
    if array is source:
        return True
    return isinstance(array, np.ndarray) and isinstance(source, np.ndarray) and np.shares_memory(array, source)


def _is_cpu(self):
    return device_of(self._data).type == "cpu"


def _get_device(self):
    """-1 for a tensor in host memory, else the index of its GPU."""
    where = device_of(self._data)
    return -1 if where.type == "cpu" else where.index


def _dimension_order(self):
    """The dimensions from the outermost in memory to the innermost (by decreasing stride)."""
    strides = self._data.strides if hasattr(self._data, "strides") else ()
    if len(strides) != self.ndim:
        return tuple(range(self.ndim))
    return tuple(sorted(range(self.ndim), key=lambda d: (-abs(strides[d]), d)))


def _is_set_to(self, tensor):
    """True when tensor views the same memory with the same shape and strides."""
    a, b = self._data, tensor._data
    return a is b or (getattr(a, "__array_interface__", {}).get("data") == getattr(b, "__array_interface__", {})
                      .get("data") and a.shape == b.shape and a.strides == b.strides)


# devices and layouts fastgrad has no tensors on (they are always False, as on a CPU-only PyTorch)
_NEVER = "is_meta is_mps is_xpu is_ipu is_xla is_mtia is_maia is_vulkan is_mkldnn is_quantized is_nested is_sparse_csr"
_methods.bind({name: property(lambda self: False, doc="False: fastgrad has no such tensors.")
               for name in _NEVER.split()})

_methods.bind({
    "output_nr": property(lambda self: 0, doc="0: fastgrad does not number the outputs of the op that made a tensor."),
    "dim_order": _dimension_order,
    "const_data_ptr": lambda self: self.data_ptr(),
    "is_distributed": lambda self: False,
    "is_set_to": _is_set_to,
    "is_cpu": property(_is_cpu, doc="True when the data is in host memory (a NumPy array)."),
    "get_device": _get_device,
    "is_inference": lambda self: False,
    "is_conj": lambda self: False,
    "is_neg": lambda self: False,
    "resolve_conj": lambda self: self,
    "resolve_neg": lambda self: self,
    "conj_physical": _conj_of,
    "conj_physical_": _conj_in_place,
})
