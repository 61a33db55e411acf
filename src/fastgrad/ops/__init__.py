"""Differentiable operations.  Each primitive (a Function subclass) lives next
to its public function in the file of its family:

elementwise.py  the calculus table: + - * / ** neg abs exp exp2 expm1 log log1p log2 log10
                sqrt cbrt square reciprocal sin cos tan arcsin ... arctanh arctan2 hypot
                logaddexp logaddexp2 maximum minimum fmax fmin
activations.py  sigmoid relu tanh gelu silu (rows of the same table) leaky_relu softplus
                (fused kernels)
selection.py    clip where
softmax_family.py  softmax log_softmax (fused last-axis kernels)
losses.py       cross_entropy nll_loss mse/l1/huber/smooth_l1 and binary cross entropy
                losses (fused kernels)
linear.py       linear: GEMM plus a fused bias + activation epilogue
reductions.py   sum prod max min, and mean var std composed from them
linalg.py       matmul
shape.py        reshape permute transpose broadcast_to squeeze unsqueeze flatten
                concatenate stack split astype
indexing.py     x[idx], x[idx] = v
comparison.py   == != < <= > >= and logic (no gradient)
inplace.py      += -= *= /=
methods.py      binds all of the above to Tensor
gathering.py    gather scatter index_select masked_fill sort topk argmax argmin (PyTorch's meanings)
tiling.py       repeat (PyTorch's, NumPy's tile) chunk
vector_norm.py  norm (p-norms over dims; the 2-norm's gradient is 0 at 0)
cumulative.py   cumsum cumprod
manipulation.py flip roll pad_constant copy
contraction.py  einsum tensordot
square_matrix.py inv det slogdet solve cholesky eigh
decompositions.py svd eig (packed factors) for fastgrad.numpy.linalg
"""
from . import methods as _methods
from .activations import gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh
from .broadcast import unbroadcast
from .comparison import eq, ge, gt, le, logical_and, logical_not, logical_or, logical_xor, lt, ne
from .elementwise import (abs, add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, cbrt, cos, cosh, div,
                          exp, exp2, expm1, fmax, fmin, hypot, log, log1p, log2, log10, logaddexp, logaddexp2, maximum,
                          minimum, mul, neg, pow, reciprocal, sin, sinh, sqrt, square, sub, tan)
from .indexing import getitem
from .linalg import matmul
from .linear import linear
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, huber_loss, l1_loss,
                     mse_loss, nll_loss, smooth_l1_loss)
from .reductions import max, mean, min, prod, std, sum, var
from .selection import clamp, clip, where
from .softmax_family import log_softmax, softmax
from .shape import (astype, broadcast_to, concatenate, expand_dims, flatten, permute, reshape, split,
                    squeeze, stack, swapaxes, transpose, unsqueeze)

_methods.attach()

cat = concatenate

from .contraction import einsum, tensordot  # noqa: E402
from .cumulative import cumprod, cumsum  # noqa: E402
from .square_matrix import cholesky, det, eigh, inv, logabsdet, slogdet, solve  # noqa: E402
from .manipulation import copy, flip, pad_constant, roll  # noqa: E402
