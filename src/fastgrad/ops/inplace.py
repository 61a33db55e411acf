"""In-place arithmetic (+=, -=, *=, /=) and item assignment (x[idx] = v).

When a graph is being recorded the op runs out of place and the tensor is
re-pointed at the result, with a fresh version counter: its old array stays
intact for any backward that saved it, so the gradients stay exact.  (Views
taken before such an update keep showing the old values.)  Otherwise the
array is written in place and the version counter goes up, so a pending
backward that saved this tensor raises instead of using changed values.
"""
import numpy as np

from ..autograd import capture
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor, new_tensor
from .elementwise import Add, Div, Mul, Sub
from .indexing import IndexPut, plain_index
from .promotion import category, in_place_operand
from .shape import Astype

_IN_PLACE = {Add: "__iadd__", Sub: "__isub__", Mul: "__imul__", Div: "__itruediv__"}


def _records(self, other):
    return STATE.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad))


class LeafInPlaceError(RuntimeError, TypeError):
    """An in-place write into a leaf that requires grad: a RuntimeError, as PyTorch raises, and a
    TypeError, as HIPS autograd raises for item assignment into an array being differentiated."""


def _check_leaf(self, op):
    if self._node is None and self._requires_grad:
        raise LeafInPlaceError(f"{op}: a leaf tensor that requires grad is being used in an in-place "
                               "operation; wrap it in fastgrad.no_grad() or use an out-of-place op")


def _rebind(self, result):
    if result.dtype != self.dtype:
        result = Astype.apply(result, self.dtype)
    self._data = result._data
    self._node = result._node
    self._requires_grad = result._requires_grad
    self._version = [self._version[0] + 1]


def _make_inplace(fn):
    name = _IN_PLACE[fn]  # the ndarray method of the same name does the no-graph case

    def write(data, other):
        getattr(data, name)(other)

    def method(self, other):
        other = in_place_operand(name, self, other, division=fn is Div)
        if _records(self, other):
            _check_leaf(self, name)
            result = fn.apply(self, other)
            if result.shape != self.shape:
                raise ValueError(f"{name}: result of shape {tuple(result.shape)} does not fit the "
                                 f"tensor's shape {tuple(self.shape)}")
            _rebind(self, result)
        else:
            capture.run(write, self._data, other._data if isinstance(other, Tensor) else other)
            self._version[0] += 1
        return self

    method.__name__ = name
    return method


iadd = _make_inplace(Add)
isub = _make_inplace(Sub)
imul = _make_inplace(Mul)
itruediv = _make_inplace(Div)


def setitem(self, idx, value):
    """x[idx] = value, differentiable with respect to x and value."""
    idx = plain_index(idx)
    if _records(self, value):
        _check_leaf(self, "__setitem__")
        _rebind(self, IndexPut.apply(self, value, idx))
    else:
        self._data[idx] = value._data if isinstance(value, Tensor) else value
        self._version[0] += 1


# ---- PyTorch's in-place methods (x.add_(y), x.zero_(), ...) --------------------------------------
#
# Each computes its result out of place and then follows the rules above: when a
# graph is recorded the tensor is re-pointed at the result (the old array stays
# intact for backward); otherwise the result is written into the array and the
# version counter goes up.

def in_place(name, compute):
    def method(self, *args, **kwargs):
        others = [a for a in list(args) + list(kwargs.values()) if isinstance(a, Tensor)]
        if STATE.enabled and (self._requires_grad or any(o._requires_grad for o in others)):
            _check_leaf(self, name)
            result = compute(self, *args, **kwargs)
            _check_fits(name, result, self)
            _rebind(self, result)
            return self
        STATE.enabled, prev = False, STATE.enabled
        try:
            result = compute(self, *args, **kwargs)
        finally:
            STATE.enabled = prev
        _check_fits(name, result, self)
        self._data[...] = result._data
        self._version[0] += 1
        return self

    method.__name__ = name
    return method


def _check_fits(name, result, self):
    """The result of an in-place method must have the tensor's shape and a dtype it can hold: a
    float result does not go into an integer tensor, nor a complex one into a real tensor
    (PyTorch's rule; a lower category, as a comparison's bool, is cast)."""
    if result.shape != self.shape:
        raise RuntimeError(f"{name}: result of shape {tuple(result.shape)} does not fit the tensor's "
                           f"shape {tuple(self.shape)}")
    if (isinstance(result.dtype, np.dtype) and isinstance(self.dtype, np.dtype) and result.dtype != self.dtype
            and category(result.dtype) > category(self.dtype)):
        raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the desired output type "
                           f"{self.dtype}")


def _overwrite(self, values):
    """`values` in self's place; self keeps its graph with a zero gradient (as PyTorch's fill_)."""
    from .selection import where

    if not isinstance(values, Tensor):
        values = new_tensor(values, False, None)
    if not (STATE.enabled and self._requires_grad):
        return values if values.shape == self.shape else _expand(values, self)
    return where(np.ones(self.shape, dtype=bool), values, self)


def _expand(values, self):
    from .shape import broadcast_to

    return broadcast_to(values, self.shape)


def _full(self, value):
    xp = _xp(self)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_: value must be a number or a 0-d tensor, got shape {tuple(value.shape)}")
        return _overwrite(self, _expand(value, self))
    return _overwrite(self, xp.full(self.shape, value, dtype=self.dtype))


def _copy_from(self, src, non_blocking=False):
    # The copy is synchronous, which non_blocking=True allows (a hint, as in PyTorch).
    from .shape import astype

    if not isinstance(src, Tensor):
        src = new_tensor(_xp(self).asarray(src), False, None)
    if src.dtype != self.dtype:
        src = astype(src, self.dtype)
    return _overwrite(self, _expand(src, self))


def _random(draw):
    def compute(self, a=None, b=None, *, generator=None, **kwargs):
        from ..creation import default_generator

        rng = generator if generator is not None else default_generator()
        values = draw(rng, self.shape, a, b, **kwargs).astype(self.dtype)
        if type(self._data) is not type(values):
            from ..devices import device_of, move_array

            values = move_array(values, str(device_of(self._data)))
        return _overwrite(self, values)

    return compute


def _uniform(rng, shape, a, b, **kwargs):
    low = kwargs.pop("from", 0.0) if a is None else a
    high = kwargs.pop("to", 1.0) if b is None else b
    return rng.uniform(low, high, size=shape)


def _normal(rng, shape, a, b, **kwargs):
    mean = kwargs.pop("mean", 0.0) if a is None else a
    std = kwargs.pop("std", 1.0) if b is None else b
    return rng.normal(mean, std, size=shape)


def _xp(t):
    from ..backend import namespace_of

    return namespace_of(t._data)


def _methods():
    from . import activations, elementwise, gathering, selection

    cast = in_place_operand

    def alpha_times(other, alpha):
        return other if alpha == 1 else other * alpha

    table = {
        "zero_": lambda self: _full(self, 0),
        "fill_": _full,
        "copy_": _copy_from,
        "uniform_": _random(_uniform),
        "normal_": _random(_normal),
        # (the other operand in PyTorch's result dtype, which must fit self's: ops/promotion.py)
        "add_": lambda self, other, alpha=1: Add.apply(self, cast("add_", self, alpha_times(other, alpha))),
        "sub_": lambda self, other, alpha=1: Sub.apply(self, cast("sub_", self, alpha_times(other, alpha))),
        "mul_": lambda self, other: Mul.apply(self, cast("mul_", self, other)),
        "div_": lambda self, other: Div.apply(self, cast("div_", self, other, division=True)),
        "pow_": lambda self, exponent: elementwise.pow(self, cast("pow_", self, exponent)),
        "neg_": elementwise.neg,
        "abs_": elementwise.abs,
        "exp_": elementwise.exp,
        "log_": elementwise.log,
        "sqrt_": elementwise.sqrt,
        "clamp_": lambda self, min=None, max=None: selection.clip(self, min, max),
        "sigmoid_": activations.sigmoid,
        "tanh_": activations.tanh,
        "relu_": activations.relu,
        "masked_fill_": gathering.masked_fill,
        "scatter_": gathering.scatter,
    }
    table["clip_"] = table["clamp_"]
    return {name: in_place(name, compute) for name, compute in table.items()}


METHODS = _methods()
