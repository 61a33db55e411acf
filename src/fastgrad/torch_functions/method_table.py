"""Tensor methods for PyTorch functions that fastgrad has at the top level, one table line each,
handed to fastgrad.ops.methods.bind (the one place Tensor's methods are set):

- METHODS: x.acos(), x.cummax(0), x.matrix_exp(), x.hsplit(2), x.logaddexp(y), x.tile(2, 1), ...,
  each the function of the same name called with x first;
- IN_PLACE: x.cos_(), x.clamp_min_(0), x.eq_(y), ...: the out-of-place method's result written
  back with the rules of fastgrad.ops.inplace.in_place (a leaf that requires grad refuses, the
  version counter goes up, gradients stay exact through the rebinding); float_power_ also needs a
  double base, as in PyTorch;
- RESHAPING_IN_PLACE: x.t_(), x.transpose_(0, 1), x.squeeze_(), x.unsqueeze_(0), ...: the tensor
  takes the new shape (a view of the same data when no graph is recorded), same rules;
- detach_, and the casts bfloat16() (ml_dtypes' bfloat16), cfloat() (complex64), cdouble() (complex128).
"""
from ..autograd.grad_mode import STATE, set_grad_enabled
from ..autograd.tensor import Tensor
from ..ops import methods as _methods, square_matrix as _square_matrix
from ..ops import inplace as _inplace
from ..ops.inplace import in_place
from . import (aliases, dtype_rules, histogram, layout, legacy_linalg, matrix_functions, numerics, running_extremes,
               tensor_methods)
from .. import ops as _ops

_FUNCTIONS = {
    _ops: "arccos arccosh arcsin arcsinh arctan arctanh cosh sinh tan log10 log2 exp2 expm1 "
          "logical_and logical_not logical_or logical_xor det slogdet",
    tensor_methods: "allclose divide dot equal isclose multiply subtract true_divide",
    aliases: "acos acosh asin asinh atan atanh greater greater_equal less less_equal negative not_equal swapdims",
    numerics: "copysign deg2rad float_power gcd lcm positive rad2deg signbit",
    dtype_rules: "is_complex is_nonzero is_same_size is_signed",
    layout: "dsplit fliplr flipud hsplit ravel vsplit",
    matrix_functions: "diagflat inverse logdet matrix_exp pinverse",
    legacy_linalg: "cholesky_inverse cholesky_solve geqrf lu lu_solve orgqr ormqr qr svd triangular_solve",
    running_extremes: "cummax cummin",
    histogram: "histogram",
}

IN_PLACE = (
    "cos sin tan cosh sinh exp2 expm1 log10 log2 log1p floor ceil round trunc sign reciprocal rsqrt square "
    "negative erf erfc erfinv lgamma digamma i0 sinc logit xlogy hypot fmod remainder eq ne lt le gt ge lerp "
    "clamp_min clamp_max nan_to_num tril triu cumsum cumprod acos acosh asin asinh atan atanh arccos arccosh "
    "arcsin arcsinh arctan arctanh atan2 arctan2 greater greater_equal less less_equal not_equal deg2rad "
    "rad2deg copysign gcd lcm logical_and logical_not logical_or logical_xor divide multiply subtract "
    "true_divide").split()

RESHAPING_IN_PLACE = "t transpose squeeze unsqueeze swapaxes swapdims".split()


def _calling(name):
    def compute(self, *args, **kwargs):
        return getattr(Tensor, name)(self, *args, **kwargs)

    return compute


def reshaping_in_place(name, compute):
    """An in-place method whose result may have another shape (x.t_(), x.squeeze_()): the tensor
    is re-pointed at the result, under the rules of fastgrad.ops.inplace.in_place."""
    def method(self, *args, **kwargs):
        records = STATE.enabled and self._requires_grad
        if records:
            _inplace._check_leaf(self, name)
        with set_grad_enabled(records):
            result = compute(self, *args, **kwargs)
        if records:
            _inplace._rebind(self, result)
        else:
            self._data = result._data   # a view of the same array when no graph is recorded
            self._version[0] += 1
        return self

    method.__name__ = name
    return method


def _detach_(self):
    """Cut this tensor from the graph in place: it becomes a leaf that does not require grad."""
    self._node = None
    self._requires_grad = False
    return self


def _cholesky(self, upper=False):
    """The Cholesky factor L (lower) of a symmetric positive-definite matrix, or L^H with upper=True."""
    lower = _square_matrix.cholesky(self)
    return lower.mH.conj() if upper and lower.dtype.kind == "c" else (lower.mT if upper else lower)


def _float_power(self, exponent):
    """float_power in place: only a double (or complex double) base can hold the result, as in PyTorch."""
    result = numerics.float_power(self, exponent)
    if result.dtype != self.dtype:
        raise RuntimeError(f"float_power_: the base has dtype {self.dtype} but the result needs {result.dtype}")
    return result


def _solve_removed(self, *args, **kwargs):
    raise RuntimeError("solve: Tensor.solve was removed from PyTorch (as torch.solve); use "
                       "fastgrad.linalg.solve(A, B)")


def _cast_to(dtype_of):
    def method(self, memory_format=None):
        if memory_format is not None:
            raise NotImplementedError("cast: memory_format is not supported (fastgrad tensors have one layout)")
        return self.to(dtype_of())
    return method


def _bfloat16_dtype():
    from ..amp.dtypes import bfloat16_dtype

    return bfloat16_dtype()


METHODS = {name: getattr(module, name) for module, names in _FUNCTIONS.items() for name in names.split()}
METHODS.update({
    "tile": lambda self, *dims: layout.tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int)
                                             else dims),
    "cholesky": _cholesky,
    "solve": _solve_removed,
    "detach_": _detach_,
    "bfloat16": _cast_to(_bfloat16_dtype),
    "cfloat": _cast_to(lambda: "complex64"),
    "cdouble": _cast_to(lambda: "complex128"),
})
_methods.bind(METHODS)
_methods.bind({f"{name}_": in_place(f"{name}_", _calling(name)) for name in IN_PLACE})
_methods.bind({"float_power_": in_place("float_power_", _float_power)})
_methods.bind({f"{name}_": reshaping_in_place(f"{name}_", _calling(name)) for name in RESHAPING_IN_PLACE})
