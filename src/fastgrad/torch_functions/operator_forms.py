"""The Tensor methods made from a binary function f(input, other): its reflected operator
(`x.__r<op>__(y)` is f(y, x), what Python calls for `y <op> x` when y is a number) and its
in-place forms whose result must already have the tensor's dtype (`x.<name>_(y)`, `x <op>= y`).

    _methods.bind({"__rand__": reflected(bitwise_and),
                   "bitwise_and_": same_dtype_in_place("bitwise_and_", bitwise_and)})
"""
from ..ops.inplace import in_place


def reflected(function):
    """The method self.__r<op>__(other) = function(other, self)."""
    def method(self, other):
        return function(other, self)

    return method


def same_dtype_in_place(name, function):
    """The in-place method `name`: self becomes function(self, other), refused with a RuntimeError
    naming `name` when that result's dtype is not self's."""
    def compute(self, other):
        result = function(self, other)
        if result.dtype != self.dtype:
            raise RuntimeError(f"{name}: the result has dtype {result.dtype}, which cannot be written into a "
                               f"tensor of dtype {self.dtype}")
        return result

    return in_place(name, compute)
