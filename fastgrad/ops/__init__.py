"""Differentiable operations.  Each primitive (a Function subclass) lives next
to its public function in the file of its family:

arithmetic.py   + - * / ** neg abs
elementwise.py  exp log log1p sqrt sin cos tanh clip maximum minimum where
activations.py  sigmoid relu (fused kernels)
reductions.py   sum prod max min, and mean var std composed from them
linalg.py       matmul
shape.py        reshape permute transpose broadcast_to squeeze unsqueeze flatten
                concatenate stack split astype
indexing.py     x[idx], x[idx] = v
comparison.py   == != < <= > >= and logic (no gradient)
inplace.py      += -= *= /=
methods.py      binds all of the above to Tensor
"""
from . import methods as _methods
from .activations import relu, sigmoid
from .arithmetic import abs, add, div, mul, neg, pow, sub
from .broadcast import unbroadcast
from .comparison import eq, ge, gt, le, logical_and, logical_not, logical_or, logical_xor, lt, ne
from .elementwise import clamp, clip, cos, exp, log, log1p, maximum, minimum, sin, sqrt, tanh, where
from .indexing import getitem
from .linalg import matmul
from .reductions import max, mean, min, prod, std, sum, var
from .shape import (astype, broadcast_to, concatenate, expand_dims, flatten, permute, reshape, split,
                    squeeze, stack, swapaxes, transpose, unsqueeze)

_methods.attach()

cat = concatenate
