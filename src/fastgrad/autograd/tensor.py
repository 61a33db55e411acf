"""Tensor: an array, whether it requires grad, its gradient, and the node that made it.

Arithmetic operators and array methods (x + y, x.sum(), x[idx], x.to(...), ...)
are the differentiable ops of fastgrad/ops, attached to Tensor in one place,
fastgrad/ops/methods.py.
"""
import weakref

import numpy as np

from ..backend import _is_cupy  # CuPy arrays have no __array_namespace__: known by their type
from ..dtypes import get_default_dtype
from . import printing
from ._graph import TensorBase, has_floating_dtype, new_tensor, set_tensor_type
from .capture import replayed_call
from .grad_mode import STATE

_INT64, _BOOL = np.dtype(np.int64), np.dtype(np.bool_)


def as_array(data, dtype, op):
    """An array for a new tensor.

    Arrays (numpy, CuPy, array-API) keep their dtype; Python numbers and lists
    of floats become the default dtype (float32 unless changed)."""
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, np.ndarray) or _is_cupy(data) or (hasattr(data, "__array_namespace__")
                                                         and not isinstance(data, np.generic)):
        return data if dtype is None else data.astype(dtype)
    if isinstance(data, np.generic):
        return np.asarray(data, dtype=dtype)
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__} (ragged or non-numeric data)")
    if dtype is not None:
        return arr.astype(dtype)
    if arr.dtype.kind == "f":
        return arr.astype(get_default_dtype())
    return arr


def _legacy_shape(data, sizes):
    """The shape of PyTorch's Tensor(*sizes) / Tensor(Size) / Tensor() forms, or None for data."""
    if data is None:
        if sizes:
            raise TypeError("Tensor: sizes must follow a first size, not None")
        return (0,)
    if type(data) is int or type(data).__name__ == "Size":
        shape = (data, *sizes) if type(data) is int else (*data, *sizes)
        if not all(type(n) is int and n >= 0 for n in shape):
            raise TypeError(f"Tensor: sizes must be non-negative ints, got {shape}")
        return shape
    if sizes:
        raise TypeError(f"Tensor: got data and {len(sizes)} more positional argument(s); give requires_grad and "
                        "dtype by keyword")
    return None


class Tensor(TensorBase):
    """A node of a computation: `data` (numpy or CuPy array), `grad`, `requires_grad`.

    Build one with `fastgrad.tensor(data, requires_grad=True)`; every operation
    on it returns a Tensor that remembers how it was made, and `backward()`
    fills `.grad` of the leaves that require grad.

    >>> import fastgrad as fg
    >>> x = fg.tensor(2.0, requires_grad=True)
    >>> y = x ** 2 + 3 * x + 1
    >>> y.backward()
    >>> float(x.grad)
    7.0
    """

    # Fields (_data: the array, _grad behind the grad property, _requires_grad, _node, _version,
    # _hooks) live in TensorBase, compiled in _graph.pyx; this class adds only methods.
    __slots__ = ()

    # Binary operators with a numpy array on the left come to Tensor's reflected
    # methods; fastgrad.numpy hands in the real ufunc protocol (bound by ops/methods.py).
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, data=None, *sizes, requires_grad=False, dtype=None):
        """Tensor(data): a tensor of `data` in its own dtype (as fastgrad.tensor, but sharing a NumPy
        array's memory; PyTorch's legacy Tensor(data) casts to the default dtype, as FloatTensor(data)
        does here).  PyTorch's legacy forms make a zero-filled tensor of the default dtype:
        Tensor(2, 3) (sizes), Tensor(Size([2, 3])), and Tensor() (shape (0,)); PyTorch leaves such
        memory uninitialized."""
        if type(data) is not np.ndarray or sizes:  # arrays, the usual case, skip the legacy forms
            shape = _legacy_shape(data, sizes)
            if shape is not None:
                data = np.zeros(shape, dtype=get_default_dtype() if dtype is None else dtype)
        self._data = as_array(data, dtype, "Tensor")
        self._grad = None
        self._requires_grad = False
        self._node = None
        self._version = [0]
        self._hooks = None
        if requires_grad:
            self.requires_grad = True

    # ---- graph attributes -------------------------------------------------

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        value = bool(value)
        if self._node is not None:
            if not value:
                raise RuntimeError(
                    "requires_grad: cannot be turned off on a non-leaf tensor; use .detach()")
            return
        if value and not has_floating_dtype(self._data):
            raise RuntimeError(
                f"requires_grad: only floating point tensors can require gradients, "
                f"got dtype {self._data.dtype}")
        self._requires_grad = value

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by an op that records a graph."""
        return self._node is None

    @property
    def grad_fn(self):
        """The graph node that made this tensor, or None for a leaf."""
        return self._node

    @property
    def data(self):
        """This tensor's values as a Tensor cut from the graph, sharing the array (PyTorch's `.data`).

        Writes through it (`p.data.mul_(0.5)`, `w.data -= lr * w.grad.data`) change this
        tensor and record nothing.  Unlike PyTorch, it shares this tensor's version counter, so
        changing values that a pending backward saved raises there instead of giving a wrong
        gradient.  `np.asarray(t.data)` (or `t.numpy()`) is the array itself, without a copy.
        Assigning a Tensor or an array replaces the array this tensor holds.

        >>> w = fastgrad.ones(3, requires_grad=True)
        >>> w.data.mul_(2)
        tensor([2., 2., 2.])
        """
        t = new_tensor(self._data, False, None)
        t._version = self._version
        return t

    @data.setter
    def data(self, value):
        if isinstance(value, TensorBase):
            value = value._data
        elif not (hasattr(value, "shape") and hasattr(value, "dtype")):
            raise TypeError(f"data: assigned value must be a Tensor or an array, got {type(value).__name__}")
        self._data = value

    def detach(self):
        """A tensor sharing this data, cut from the graph."""
        t = new_tensor(self._data, False, None)
        t._version = self._version
        return t

    @replayed_call
    def zero_grad(self):
        """Drop the accumulated gradient (sets .grad to None)."""
        self.grad = None

    def backward(self, gradient=None, retain_graph=False, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`.

        A scalar tensor needs no `gradient`; any other needs one of its shape.
        The graph is freed afterwards unless `retain_graph=True`.
        """
        run = _ENGINE_BACKWARD or _engine_backward()
        run([self], [gradient], retain_graph=retain_graph or create_graph, create_graph=create_graph,
            inputs=inputs)

    def register_hook(self, hook):
        """Call `hook(grad)` when this tensor's gradient is computed.

        The hook may return a replacement gradient.  Returns a handle whose
        `remove()` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self._node is not None:
            if self._node.hooks is None:
                self._node.hooks = []
            hooks = self._node.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call `hook(tensor)` right after backward has added this leaf's gradient to `.grad`.

        It runs as soon as this leaf's gradient is complete, while the rest of
        the backward goes on (data-parallel training starts communicating there).
        Returns a handle whose `remove()` unregisters it."""
        if self._node is not None:
            raise RuntimeError("register_post_accumulate_grad_hook: only leaf tensors have accumulated gradients")
        if not self._requires_grad:
            raise RuntimeError("register_post_accumulate_grad_hook: the tensor does not require grad")
        hooks = POST_ACCUMULATE_GRAD_HOOKS.list_for(self)
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def retain_grad(self):
        """Keep `.grad` on this non-leaf tensor after backward (a second call changes nothing)."""
        if self._node is None or self.retains_grad:
            return
        import weakref

        ref = weakref.ref(self)

        def store(grad):
            t = ref()
            if t is not None:
                data = grad._data if isinstance(grad, Tensor) else grad
                t.grad = data if t.grad is None else t.grad._data + data

        store.retains_grad = True
        self.register_hook(store)

    @property
    def retains_grad(self):
        """True when retain_grad() was called on this non-leaf tensor."""
        hooks = self._node.hooks if self._node is not None else None
        return any(getattr(h, "retains_grad", False) for h in hooks or ())

    # ---- array attributes -------------------------------------------------

    # shape, dtype and ndim are TensorBase's (autograd/_graph.pyx).

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self._data.reshape(()).item() if hasattr(self._data, "item") else float(self._data)

    def numpy(self):
        """The underlying NumPy array (shared, not copied)."""
        if not isinstance(self._data, np.ndarray):
            raise TypeError(f"numpy: tensor holds a {type(self._data).__module__} array; use .cpu() first")
        return self._data

    def tolist(self):
        return self._data.tolist()

    def __array__(self, dtype=None, copy=None):
        data = np.asarray(self._data)
        if dtype is not None and data.dtype != dtype:
            return data.astype(dtype)
        if copy:
            return data.copy()
        return data

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self):
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self._data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.ndim != 0 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer 0-d tensors can be used as an index")
        return int(self._data)

    __hash__ = object.__hash__

    def __repr__(self):
        host = _to_host(self._data)
        body = printing.array_body(host)
        extras = []
        if host.dtype not in (get_default_dtype(), _INT64, _BOOL):  # the dtypes PyTorch leaves unsaid
            extras.append(f"dtype={host.dtype}")
        device = self.device
        if device != "cpu":
            extras.append(f"device='{device}'")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    def __format__(self, spec):
        """f"{t:.2f}" formats a 0-d tensor's value, as PyTorch does; other tensors take only the
        empty format (their repr)."""
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)


def _to_host(data):
    """A NumPy copy of any array (CuPy: .get(); array-API: through DLPack or the buffer)."""
    if isinstance(data, np.ndarray):
        return data
    get = getattr(data, "get", None)
    if get is not None:
        return np.asarray(get())
    try:
        return np.from_dlpack(data)
    except Exception:  # arrays without DLPack on the CPU
        return np.asarray(data)


_ENGINE_BACKWARD = None  # engine.backward, imported on first use (the engine imports this module)


def _engine_backward():
    global _ENGINE_BACKWARD
    from .engine import backward

    _ENGINE_BACKWARD = backward
    return backward




class _HooksByTensor:
    """tensor -> list of hooks, without keeping the tensor alive.

    Keyed by id with a weak reference (a WeakKeyDictionary would compare
    tensors with ==, which is elementwise); an entry goes when its tensor does."""

    def __init__(self):
        self._table = {}

    def __bool__(self):
        return bool(self._table) and any(hooks for _, hooks in self._table.values())

    def get(self, t):
        entry = self._table.get(id(t))
        return entry[1] if entry is not None and entry[0]() is t else None

    def list_for(self, t):
        hooks = self.get(t)
        if hooks is None:
            key, table = id(t), self._table

            def forget(ref):
                if key in table and table[key][0] is ref:
                    del table[key]

            hooks = []
            table[key] = (weakref.ref(t, forget), hooks)
        return hooks


# leaf tensor -> hooks called after its .grad is updated (Tensor has no per-instance dict)
POST_ACCUMULATE_GRAD_HOOKS = _HooksByTensor()


class _HookHandle:
    def __init__(self, hooks, hook):
        self._hooks = hooks
        self._hook = hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def grad_enabled_for(*tensors):
    """True when an op on these tensors would record a graph."""
    return STATE.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in tensors)


set_tensor_type(Tensor)
