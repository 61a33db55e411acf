"""Tensor.__array_ufunc__ and Tensor.__array_function__: plain NumPy calls on
Tensors (np.exp(t), np.sum(t, axis=0), ndarray * t, np.concatenate([t, u]))
return Tensors that carry the gradient.

- a registered function or ufunc runs its differentiable version;
- a query (np.shape, np.ndim, ...) returns what NumPy returns;
- a non-differentiable one (comparisons, argmax, floor, ...) runs on the
  plain data and returns Tensors without gradient;
- anything else raises a TypeError naming the NumPy function, when an
  argument requires grad (no graph is ever dropped silently); without
  gradients it runs on the plain data.
"""
import numpy as np

from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor, new_tensor
from .. import ops
from ..functional import _DEPTH as transform_depth
from ..ops import methods
from .registry import (FUNCTIONS, NON_DIFFERENTIABLE, QUERIES, UFUNCS, needs_grad, numpy_name, plain,
                       plain_tree)
from .ufuncs import ACCUMULATE, NON_DIFFERENTIABLE_UFUNCS, REDUCE

# Options of ufunc calls that do not change the value when left at these defaults.
_HARMLESS = {"casting": None, "order": ("K", "C", "A"), "subok": (True,), "signature": (None,)}


def array_function(self, func, types, args, kwargs):
    for t in types:
        if not issubclass(t, (Tensor, np.ndarray)):
            return NotImplemented  # another library's array: let it (or NumPy) decide
    impl = FUNCTIONS.get(func)
    grad = needs_grad(args) or (kwargs and needs_grad(kwargs.values()))
    if impl is not None and grad:
        return impl(*args, **kwargs)
    foreign = _foreign_namespace(args)
    if impl is not None and foreign is not None:
        return impl(*args, **kwargs)
    if func in QUERIES:
        return func(*plain_tree(args), **plain_tree(kwargs))
    if impl is None and func not in NON_DIFFERENTIABLE and grad:
        raise TypeError(
            f"{numpy_name(func)} has no registered gradient in fastgrad, and an argument requires grad; "
            f"call it on `tensor.detach()` (or `.data`) if its result needs no gradient")
    # Nothing to differentiate: NumPy itself on the plain data (every option works),
    # or the function of the same name in the data's own namespace.
    return as_constant(_same_function(func, foreign)(*plain_tree(args), **plain_tree(kwargs)))


def _foreign_namespace(args):
    """The array namespace of Tensor data that is not NumPy's (array-API arrays), or None."""
    for a in args:
        if isinstance(a, Tensor):
            if type(a._data) is not np.ndarray:
                get = getattr(a._data, "__array_namespace__", None)
                if get is not None:
                    return get()
        elif type(a) in (list, tuple):
            found = _foreign_namespace(a)
            if found is not None:
                return found
    return None


def _same_function(func, namespace):
    if namespace is None or namespace is np:
        return func
    same = getattr(namespace, func.__name__, None)
    if same is None:
        raise TypeError(f"{numpy_name(func)}: the {getattr(namespace, '__name__', 'array')} namespace of "
                        f"these Tensors has no {func.__name__}")
    return same


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    if method == "__call__" and not kwargs:
        impl = UFUNCS.get(ufunc)
        if impl is not None:
            return impl(*inputs)
    out = kwargs.pop("out", None)
    if not needs_grad(inputs):
        return _without_gradient(ufunc, method, inputs, kwargs, out)
    name = numpy_name(ufunc) + ("" if method == "__call__" else "." + method)
    if ufunc in NON_DIFFERENTIABLE_UFUNCS:
        if method != "__call__":
            raise TypeError(f"{name}: not supported on Tensors that require grad")
        return _without_gradient(ufunc, method, inputs, kwargs, out)
    if out is not None:
        raise TypeError(f"{name}: out= cannot be used when an input requires grad (a result written into "
                        "an existing array cannot carry a gradient); use the returned value")
    if method == "__call__":
        impl = UFUNCS.get(ufunc)
        if impl is None:
            raise TypeError(f"{name} has no registered gradient in fastgrad, and an input requires grad; "
                            "call it on `tensor.detach()` if its result needs no gradient")
        return impl(*_with_dtype(name, inputs, kwargs))
    if method == "reduce" and ufunc in REDUCE:
        axis = kwargs.pop("axis", 0)
        keepdims = kwargs.pop("keepdims", False)
        (x,) = _with_dtype(name, inputs, kwargs)
        return REDUCE[ufunc](x, axis=axis, keepdims=keepdims)
    if method == "accumulate" and ufunc in ACCUMULATE:
        axis = kwargs.pop("axis", 0)
        (x,) = _with_dtype(name, inputs, kwargs)
        return ACCUMULATE[ufunc](x, axis)
    if method == "outer" and ufunc in UFUNCS:
        a, b = _with_dtype(name, inputs, kwargs)
        a = ops.reshape(a, tuple(np.shape(plain(a))) + (1,) * np.ndim(plain(b)))
        return UFUNCS[ufunc](a, b)
    raise TypeError(f"{name} has no registered gradient in fastgrad, and an input requires grad")


def _with_dtype(name, inputs, kwargs):
    """Apply dtype= by casting the inputs; reject options that would change the result."""
    dtype = kwargs.pop("dtype", None)
    for key, value in kwargs.items():
        allowed = _HARMLESS.get(key, ())
        if allowed is None or value in allowed:
            continue
        if key == "where" and value is True:
            continue
        raise TypeError(f"{name}: the option {key}={value!r} is not supported when an input requires grad")
    if dtype is None:
        return inputs
    return tuple(ops.astype(a, dtype) if isinstance(a, Tensor) else np.asarray(a, dtype=dtype) for a in inputs)


def _without_gradient(ufunc, method, inputs, kwargs, out):
    """Compute on the plain data; write into out= (Tensors included) as NumPy does."""
    if out is not None:
        for o in out:
            if isinstance(o, Tensor) and o._requires_grad and STATE.enabled:
                raise TypeError(f"{numpy_name(ufunc)}: cannot write into a Tensor that requires grad (out=)")
        kwargs["out"] = tuple(plain(o) for o in out)
    foreign = _foreign_namespace(inputs)
    if foreign is not None and method == "__call__":
        result = _same_function(ufunc, foreign)(*(plain(a) for a in inputs), **kwargs)
    else:
        result = getattr(ufunc, method)(*(plain(a) for a in inputs), **kwargs)
    if out is None:
        return as_constant(result)
    for o in out:
        if isinstance(o, Tensor):
            o._version[0] += 1
    return out[0] if len(out) == 1 else out


def as_constant(result):
    """Arrays in a result become Tensors without gradient; everything else is unchanged."""
    if isinstance(result, np.ndarray):
        return new_tensor(result, False, None)
    if isinstance(result, np.generic):
        return new_tensor(np.asarray(result), False, None)
    if type(result) is tuple:
        return tuple(as_constant(r) for r in result)
    if isinstance(result, tuple) and hasattr(result, "_fields"):  # NumPy's named results
        return type(result)(*(as_constant(r) for r in result))
    if type(result) is list:
        return [as_constant(r) for r in result]
    return result


_LOST = ("a Tensor that is being differentiated cannot become a plain {what}: its gradient would be "
         "lost.  Use fastgrad.numpy (import fastgrad.numpy as np: np.array, np.stack, np.concatenate, "
         "np.r_, np.c_ keep the gradient), or t.detach() when no gradient is wanted")


def array(self, dtype=None, copy=None):
    """np.asarray(t): the data, unless t is being differentiated, where a plain
    array would silently lose the gradient.  An integer or boolean result
    (np.int64(t), np.asarray(t, dtype=int)) is allowed: it is piecewise
    constant in t, so its gradient is 0 and nothing is lost."""
    to_integers = dtype is not None and np.dtype(dtype).kind in "biu"
    if self._requires_grad and STATE.enabled and (self._node is not None or transform_depth[0]) and not to_integers:
        raise TypeError(_LOST.format(what="NumPy array (np.asarray, np.array([t, u]), ndarray[i] = t, "
                                          "numpy's own np.r_)"))
    data = np.asarray(self._data)
    if dtype is not None and data.dtype != dtype:
        return data.astype(dtype)
    return data.copy() if copy else data


def _number(convert):
    def to_number(self):
        # Inside grad/jacobian/... (not in PyTorch-style loops, where float(loss) is logging).
        if transform_depth[0] and self._requires_grad and STATE.enabled:
            raise TypeError(_LOST.format(what=f"Python number ({convert.__name__}(t), ndarray[i] = t)"))
        return convert(self.item())

    to_number.__name__ = f"__{convert.__name__}__"
    return to_number


def install():
    """Make NumPy calls on Tensors differentiable (done when fastgrad is imported): NumPy's
    protocols and the Tensor methods that fastgrad.numpy computes, bound with Tensor's
    other methods (fastgrad/ops/methods.py)."""
    methods.bind({
        "__array_ufunc__": array_ufunc,
        "__array_function__": array_function,
        "__array__": array,
        "__float__": _number(float),
        "__complex__": _number(complex),
        "conj": _conj,
        "tril": _triangle("tril"),
        "triu": _triangle("triu"),
        **{name: _without_gradient_method(name) for name in ("isnan", "isinf", "isfinite")},
    })
    methods.bind({name: method for name, method in _numpy_only_methods().items() if not hasattr(Tensor, name)})


def _numpy_only_methods():
    """NumPy's array methods that Tensor's own methods do not define."""
    from .shapes import ravel
    from .ufuncs import _remainder

    return {
        "ravel": lambda self, order="C": ravel(self, order),
        "__mod__": lambda self, other: _remainder(self, other),
        "__rmod__": lambda self, other: _remainder(other, self),
    }


def _conj(self):
    """x.conj(): x itself when real (as PyTorch), else its conjugate, carrying the gradient."""
    if self.dtype.kind != "c":
        return self
    from .complex import conjugate

    return conjugate(self)


def _triangle(name):
    """x.tril(diagonal) / x.triu(diagonal): PyTorch's name for NumPy's k."""
    def method(self, diagonal=0):
        from .. import numpy as fnp

        return getattr(fnp, name)(self, k=diagonal)

    method.__name__ = name
    return method


def _without_gradient_method(name):
    """x.isnan() and the other classifications: fastgrad.numpy's, without gradient."""
    def method(self):
        from .. import numpy as fnp

        return getattr(fnp, name)(self)

    method.__name__ = name
    return method
