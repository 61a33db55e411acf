"""The linear layer y = act(x W^T + b) as one primitive.

Forward: one GEMM (the backend's matmul: gemm() for NumPy arrays) into a
fresh (rows, out) buffer, then one fused pass adding the bias and applying the
activation in place.  Backward: one fused pass for the activation gradient and
the bias-gradient column sum, then the two GEMMs for the input and weight
gradients.  What is saved: the output (relu, sigmoid, tanh), the
pre-activation (the gelus) or nothing (no activation), besides x and W for
the GEMMs.

Under autocast, x and W are rounded to 16 bits once, in the forward, and the
backward's GEMMs reuse those copies, rounding only the output gradient, once
for both of its GEMMs.  The float32 x is then not saved (the weight gradient
reads the 16-bit copy), unless x is a leaf tensor, whose array lives on anyway;
on Tensors (create_graph) the copy stands in for x, its gradient going to x.
With oneDNN's bfloat16 GEMM, a layer whose activation keeps its output (relu,
sigmoid, tanh) writes the output's bfloat16 bits in its epilogue's pass
(_C.bias_act_fwd_bf16), and a linear layer reading that output unchanged takes
them as its rounded x instead of rounding it again.
"""
import math

import numpy as np

from ..autograd._graph import OWN_OUTPUT, Context, new_tensor
from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from .. import _C
from ..backend import onednn
from ..backend.gemm16 import BFLOAT16, gemm_rounded, rounded_operand, uses_onednn
from ..backend.mixed_precision import MixedPrecisionBackend, autocast_backend, rounded_weight
from ..backend.reference.linear import ACTIVATIONS, KEEPS_PREACTIVATION
from .shape import astype

_ALIASES = {None: "none", "identity": "none", "linear": "none"}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_SAVES_OUTPUT = ("relu", "sigmoid", "tanh")


class Linear(Function):
    @staticmethod
    def forward(ctx, b, x, weight, bias=None, activation="none"):
        b = autocast_backend(ctx, b)
        xp = b.xp
        if weight.ndim != 2:
            raise ValueError(f"linear: weight must be 2-d (out_features, in_features), got shape "
                             f"{tuple(weight.shape)}")
        if x.ndim == 0:
            raise ValueError("linear: input must have at least one axis (..., in_features), got a 0-d tensor")
        out_features, in_features = weight.shape
        if x.shape[-1] != in_features:
            raise ValueError(f"linear: input has {x.shape[-1]} features (shape {tuple(x.shape)}) but weight "
                             f"of shape {tuple(weight.shape)} expects {in_features}")
        if bias is not None and tuple(bias.shape) != (out_features,):
            raise ValueError(f"linear: bias has shape {tuple(bias.shape)}, expected ({out_features},)")
        flat = x.ndim == 2  # (rows, in_features) already: nothing to reshape
        if flat:
            x2, rows = x, x.shape[0]
        else:
            lead = tuple(x.shape[:-1])
            rows = math.prod(lead)
            x2 = _reshape(xp, x, (rows, in_features))
        ctx.rows = rows
        rounded = _rounded_operands(ctx, b, x, x2, weight) if type(b) is MixedPrecisionBackend else ()
        if rounded:
            z = gemm_rounded(rounded[0], rounded[1].T)
        else:
            z = b.matmul(x2, weight.T if type(weight) is np.ndarray else xp.matrix_transpose(weight))
        if rounded and _writes_output_bits(ctx, b, activation):
            y, pre, ctx.output_bits = _C.bias_act_fwd_bf16(z, bias=bias, activation=activation, inplace=True)
        else:
            y, pre = b.bias_act_fwd(z, bias=bias, activation=activation, inplace=True)
        if not flat:
            y = _reshape(xp, y, lead + (out_features,))
        ctx.activation = activation
        ctx.x_shape = x.shape
        saved = pre if activation in KEEPS_PREACTIVATION else None if activation == "none" else y
        ctx.save_for_backward(x if not rounded or _keeps_x(ctx) else None, weight, bias, saved, *rounded)
        return y

    @staticmethod
    def backward(ctx, b, g):
        arrays = ctx.saved_arrays
        x, weight, bias, saved = arrays[:4]
        rounded = arrays[4:]
        xp = b.xp
        parents = ctx.parents
        need_x, need_w, need_b = parents[0] is not None, parents[1] is not None, parents[2] is not None
        out_features, in_features = weight.shape
        activation = ctx.activation
        rows = ctx.rows
        x_shape = ctx.x_shape
        flat = len(x_shape) == 2  # then x, the saved output and g are (rows, features) already
        plain = (type(g) is np.ndarray and type(weight) is np.ndarray and (x is None or type(x) is np.ndarray)
                 and (bias is None or type(bias) is np.ndarray))  # no Tensor among them, in one look
        on_tensors = not plain and (isinstance(g, Tensor) or isinstance(x, Tensor) or isinstance(weight, Tensor)
                                    or isinstance(bias, Tensor))
        if x is None and (on_tensors or type(g) is not np.ndarray or g.dtype != _FLOATS[0]):
            x2 = _standing_in_for_x(ctx, rounded[0], on_tensors)
        else:
            x2 = x if x is None or flat else _reshape(xp, x, (rows, in_features))
        if activation in KEEPS_PREACTIVATION and on_tensors:
            # NOTE: on Tensors (create_graph) the pre-activation is recomputed from
            # x, W and b, so that second derivatives see how it depends on them.
            saved = b.matmul(x2, _transpose(xp, weight))
            if bias is not None:
                saved = saved + bias
        if not flat:
            g = _reshape(xp, g, (rows, out_features))
            saved = None if saved is None else _reshape(xp, saved, (rows, out_features))
        if saved is None:  # activation "none": its gradient is g, the output was not kept
            saved = g
        gz, gb = b.bias_act_bwd(saved, g, bias_grad=bool(need_b), activation=activation)
        gx = gw = None
        if rounded and type(gz) is np.ndarray and gz.dtype == _FLOATS[0]:
            # the 16-bit copies of x and W from the forward; gz rounded once for both GEMMs
            x16, w16 = rounded
            gz16 = rounded_operand(gz, b.compute_dtype, bits=x16.dtype != gz.dtype)
            if need_x:
                gx = gemm_rounded(gz16, w16) if flat else _reshape(xp, gemm_rounded(gz16, w16), x_shape)
            if need_w:
                gw = gemm_rounded(gz16.T, x16)
            return gx, gw, gb
        if need_x:
            gx = b.matmul(gz, weight) if flat else _reshape(xp, b.matmul(gz, weight), x_shape)
        if need_w:
            gw = b.matmul(gz.T if type(gz) is np.ndarray else xp.matrix_transpose(gz), x2)
        return gx, gw, gb


def _rounded_operands(ctx, b, x, x2, weight):
    """Under autocast, (x2, weight) rounded to the 16-bit compute dtype as its GEMM reads
    them (x2 from the bits the layer that made x wrote, see _bits_written_for; weight from
    the block's cache, see mixed_precision.rounded_weight); otherwise (float64, other
    arrays, autocast off) ()."""
    if type(b) is not MixedPrecisionBackend or not (type(x2) is np.ndarray and type(weight) is np.ndarray
                                                      and x2.dtype == weight.dtype == _FLOATS[0]):
        return ()
    dtype = b.compute_dtype
    bits = uses_onednn(x2.shape[0] * x2.shape[1] * weight.shape[0], dtype)
    x16 = _bits_written_for(ctx, x) if bits else None
    x16 = rounded_operand(x2, dtype, bits) if x16 is None else x16.reshape(x2.shape)
    return x16, rounded_weight(ctx, 1, weight, dtype, bits)


def _writes_output_bits(ctx, b, activation):
    """Whether the epilogue also writes the output's bfloat16 bits for a next layer's oneDNN GEMM:
    with a graph, bfloat16 on oneDNN, and an activation that saves the output (whose version
    the next layer checks, see _bits_written_for)."""
    return (type(ctx) is Context and activation in _SAVES_OUTPUT and b.compute_dtype == BFLOAT16
            and onednn.resolve() == "onednn")


def _bits_written_for(ctx, x):
    """The bfloat16 bits a linear layer's epilogue wrote for its output x, if x is that output
    and no in-place op changed it since (its version is the one the layer saved); else None."""
    parent = ctx.parents[0] if type(ctx) is Context else None
    if type(parent) is not Context or parent.fn is not Linear or not parent.saved_arrays:
        return None
    bits = getattr(parent, "output_bits", None)
    if bits is None or parent.saved_arrays[3] is not x:
        return None
    source, counter, version = parent.saved_meta[3]
    return bits if source is OWN_OUTPUT and counter[0] == version else None


def _keeps_x(ctx):
    """Whether a forward with 16-bit copies saves the float32 x: only when x is a leaf tensor
    (its array lives on in the leaf, so keeping it costs nothing)."""
    parents = getattr(ctx, "parents", None)  # None for an op run without a graph
    return parents is not None and isinstance(parents[0], Tensor)


def _standing_in_for_x(ctx, x16, on_tensors):
    """The (rows, in_features) float32 values of the 16-bit copy of x, for a backward that
    runs without the float32 x (on Tensors, or a gradient that is not float32): on Tensors it
    is connected to x's node, so second derivatives reach x as through a cast."""
    values = x16 if x16.dtype == _FLOATS[0] else (x16.astype(np.uint32) << 16).view(np.float32)
    parent = ctx.parents[0]
    return new_tensor(values, True, parent) if on_tensors and type(parent) is Context else values


def _reshape(xp, a, shape):
    """xp.reshape(a, shape); a NumPy array's own method skips NumPy's Python-level
    dispatch, which costs a small layer's step more than the reshape."""
    return a.reshape(shape) if type(a) is np.ndarray else xp.reshape(a, shape)


def _transpose(xp, a):
    """The transpose of a 2-d array (xp.matrix_transpose; `.T` for a NumPy array)."""
    return a.T if type(a) is np.ndarray else xp.matrix_transpose(a)


def linear(x, weight, bias=None, activation=None):
    """act(x @ weight.T + bias) with weight of shape (out_features, in_features), as
    PyTorch's F.linear; `activation` is None, 'relu', 'sigmoid', 'tanh', 'gelu' or
    'gelu_tanh' and is fused with the bias add.  x may have any leading axes.

    >>> import fastgrad as fg
    >>> x = fg.tensor([[1.0, 2.0]]); w = fg.tensor([[1.0, -1.0]]); b = fg.tensor([0.5])
    >>> fg.linear(x, w, b).tolist()
    [[-0.5]]
    >>> fg.linear(x, w, b, activation="relu").tolist()
    [[0.0]]
    """
    activation = _ALIASES.get(activation, activation)
    if activation not in ACTIVATIONS:
        raise ValueError(f"linear: unknown activation {activation!r}; expected None or one of "
                         f"{', '.join(repr(a) for a in ACTIVATIONS if a != 'none')}")
    x, weight, bias = _one_dtype(x, weight, bias)
    return Linear.apply(x, weight, bias, activation=activation)


def _one_dtype(x, weight, bias):
    """Promote the operands to one floating dtype (NumPy's rules), differentiably."""
    dtype = getattr(x, "dtype", None)
    if ((dtype is _FLOATS[0] or dtype is _FLOATS[1]) and getattr(weight, "dtype", None) is dtype
            and (bias is None or getattr(bias, "dtype", None) is dtype)):
        return x, weight, bias  # the usual case: one float dtype already
    dtypes = [getattr(a, "dtype", None) for a in (x, weight, bias) if a is not None]
    if any(d is None for d in dtypes):
        raise TypeError("linear: x, weight and bias must be tensors or arrays")
    try:
        dtype = np.result_type(*dtypes)
    except TypeError:
        return x, weight, bias  # dtypes of another array library: left to its matmul
    if dtype.kind not in "f":
        dtype = np.result_type(dtype, np.float32)
    return tuple(a if a is None or a.dtype == dtype else astype(a, dtype) for a in (x, weight, bias))
