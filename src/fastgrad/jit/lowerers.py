"""How each lowered op is written out in a plan (lowering.py): the array calls its rules make.

A lowerer mirrors one op's forward and backward on NumPy arrays of float32 or
float64 with the NumPy backend: the same kernel wrappers, ufuncs and gemm
calls, with the arguments the rules would compute folded in where they are
constants of the recording.  `accepts(op)` tells whether the recording took
the path it mirrors (otherwise the op stays on the tape); `forward` writes
the lines that set the op's output slot (into `buf` when given: a buffer of
the output's shape and dtype); `backward` writes the lines of its backward
and returns an expression (or None) per forward argument's gradient.

Lowered: the arithmetic operators the graph core runs as compiled rules
(+, -, *, /, unary -, ** by a number), the fused activations (relu, tanh,
sigmoid, silu, gelu, gelu_tanh), linear (except the gelus, which keep the
pre-activation), 2-d matmul, sum, and cross entropy with class indices.
"""
import math

import numpy as np

from .. import _C
from ..backend import gemm as gemm_module
from ..backend.numpy_backend import NumpyBackend
from ..backend.reference.linear import KEEPS_PREACTIVATION
from ..ops import activations
from ..ops.linalg import Matmul as MatmulOp
from ..ops.linear import Linear as LinearOp
from ..ops.losses import CrossEntropy as CrossEntropyOp
from ..ops.reductions import Sum as SumOp
from ..ops.broadcast import expand_reduced, normalize_axis
from .models import ArrayModel

# The graph core's compiled rules (autograd/_graph.pyx): rule code -> (operator, ufunc).
_ADD, _SUB, _MUL, _DIV, _NEG, _POW = 1, 2, 3, 4, 5, 6
_OPERATORS = {_ADD: ("+", np.add), _SUB: ("-", np.subtract), _MUL: ("*", np.multiply),
              _DIV: ("/", np.true_divide), _POW: ("**", None)}


class Lowerer:
    """The interface (see the module's doc); `buffer_shape` is the shape of the array the forward
    writes into when given a buffer (the output's own, unless the output is a view of it)."""

    def buffered(self, op):
        return True

    def buffer_shape(self, op):
        return op.out_model.shape


def _numpy_backend(op):
    return type(op.backend) is NumpyBackend


def _number(model):
    return type(model) in (float, int, bool)


def _maybe_scalar(op, expr):
    """An expression whose 0-d result NumPy may give as a scalar, as the 0-d array eager gives."""
    return f"_np.asarray({expr})" if op.out_model.shape == () else expr


def _float_array(model, dtype=None, shape=None):
    return (getattr(model, "float_array", None) is not None and model.float_array()
            and (dtype is None or model.dtype == dtype) and (shape is None or model.shape == shape))


class CompiledRule(Lowerer):
    """x + y, x - y, x * y, x / y, -x, x ** c: the ufunc (into a buffer) and the compiled
    backward's expressions."""

    def buffered(self, op):
        return op.rule != _POW  # `x ** 2` takes NumPy's fast paths (square, sqrt): kept as written

    def accepts(self, op):
        if op.rule not in (_ADD, _SUB, _MUL, _DIV, _NEG, _POW) or op.kwargs:
            return False
        if not all(getattr(a.model, "ndarray", False) or _number(a.model) for a in op.args):
            return False
        if op.rule == _POW:
            # ** by a number only, and no gradient for the exponent (else the Python rule runs)
            if type(op.args[1].model) not in (float, int) or (op.ctx is not None and op.ctx.needs[1]):
                return False
            return op.ctx is None or op.args[1].const
        return True

    def forward(self, src, op, buf):
        x = op.args[0].expr
        if op.rule == _NEG:
            call = f"_np.negative({x}, out={buf})" if buf else _maybe_scalar(op, f"-{x}")
        elif op.rule == _POW:
            call = _maybe_scalar(op, f"{x} ** {op.args[1].expr}")
        else:
            symbol, ufunc = _OPERATORS[op.rule]
            y = op.args[1].expr
            call = (f"{src.bind(ufunc, 'ufunc')}({x}, {y}, out={buf})" if buf
                    else _maybe_scalar(op, f"{x} {symbol} {y}"))
        src.line(f"s[{op.out}] = {call}")

    def backward(self, src, op, g):
        need = op.ctx.needs
        x = op.args[0].expr
        if op.rule == _NEG:
            return [f"-{g}"]
        y = op.args[1].expr
        if op.rule == _ADD:
            return [g if need[0] else None, g if need[1] else None]
        if op.rule == _SUB:
            return [g if need[0] else None, f"-{g}" if need[1] else None]
        if op.rule == _MUL:
            return [f"{g} * {y}" if need[0] else None, f"{g} * {x}" if need[1] else None]
        if op.rule == _DIV:
            return [f"{g} / {y}" if need[0] else None, f"-({g} / {y}) * {x} / {y}" if need[1] else None]
        exponent = op.args[1].spec[1]
        if exponent - 1 == 1 and type(exponent - 1) in (int, float) and _float_array(op.args[0].model):
            # x ** 1 is NumPy's `positive` (a copy of x, bit for bit): x itself gives the same product
            return [f"{g} * {y} * {x}" if need[0] else None, None]
        if exponent != 0:
            return [f"{g} * {y} * {x} ** {src.bind(exponent - 1)}" if need[0] else None, None]
        return [f"{g} * 0" if need[0] else None, None]


class Activation(Lowerer):
    """A fused activation: `<name>_fwd(x)` and `<name>_bwd(saved, g)`, saved the output or input."""

    def __init__(self, name, saves_output):
        self.forward_kernel = getattr(_C, name + "_fwd")
        self.backward_kernel = getattr(_C, name + "_bwd")
        self.saves_output = saves_output

    def accepts(self, op):
        if not _numpy_backend(op) or op.kwargs or len(op.args) != 1 or not _float_array(op.args[0].model):
            return False
        x = op.args[0].model
        return op.ctx is None or _float_array(op.grad, x.dtype, x.shape)

    def forward(self, src, op, buf):
        kernel = src.bind(self.forward_kernel, "kernel")
        x = op.args[0].expr
        src.line(f"s[{op.out}] = {kernel}({x}, out={buf})" if buf else f"s[{op.out}] = {kernel}({x})")

    def backward(self, src, op, g):
        saved = f"s[{op.out}]" if self.saves_output else op.args[0].expr
        return [f"{src.bind(self.backward_kernel, 'kernel')}({saved}, {g})"]


class Fresh(str):
    """An expression whose value is a new array that nothing else holds: C-contiguous, writeable and
    its own base (np.matmul of 2-d operands without `out`).  The engine would keep such a gradient
    as it is (engine._as_owned_array), so a plan hands it to `.grad` without looking (leaf_grads.py)."""


def _gemm_call(src, a, b, buf=None):
    """gemm(a, b) as NumpyBackend.matmul calls it, for 2-d operands.  On NumPy's own matmul
    (no external BLAS chosen) that is np.matmul(a, b, out=None), called here directly, into `buf`
    when given; the plan is then replayed only while no other BLAS is chosen (Plan.usable).
    An external BLAS is called through gemm on the arrays eager mode gives it."""
    if gemm_module._blas_gemm is None:
        src.requires_numpy_matmul = True
        matmul = src.bind(np.matmul, "matmul")
        return f"{matmul}({a}, {b}, out={buf})" if buf else Fresh(f"{matmul}({a}, {b})")
    return f"{src.bind(gemm_module.gemm, 'gemm')}({a}, {b})"


class Linear(Lowerer):
    """gemm into the output, the fused bias + activation in place; backward: the fused
    activation gradient and bias sum, then the two gemms (ops/linear.py)."""

    def accepts(self, op):
        bound = op.bind(("x", "weight", "bias", "activation"), {"bias": None, "activation": "none"})
        if bound is None or len(op.args) < 3 or not _numpy_backend(op) or op.backend is not op.out_model.backend:
            return False
        x, w, b, act = (bound[k].model for k in ("x", "weight", "bias", "activation"))
        if not (_float_array(x) and _float_array(w, x.dtype) and len(w.shape) == 2 and len(x.shape) >= 1):
            return False
        if b is not None and not _float_array(b, x.dtype):
            return False
        if act in KEEPS_PREACTIVATION or not isinstance(act, str) or not bound["activation"].const:
            return False
        if op.ctx is not None and "rows" not in op.ctx.attrs:
            return False
        return op.ctx is None or _float_array(op.grad, x.dtype, op.out_model.shape)

    def _bound(self, op):
        return op.bind(("x", "weight", "bias", "activation"), {"bias": None, "activation": "none"})

    def buffer_shape(self, op):
        """The gemm's (rows, out_features) output, of which the op's output is a view."""
        return (math.prod(op.out_model.shape[:-1]), op.out_model.shape[-1])

    def forward(self, src, op, buf):
        bound = self._bound(op)
        x, w, b = bound["x"], bound["weight"], bound["bias"]
        out_features, in_features = w.model.shape
        flat = len(x.model.shape) == 2  # (rows, in_features) already: no reshapes, as the op does
        lead = tuple(x.model.shape[:-1])
        x2 = x.expr if flat else f"{x.expr}.reshape({src.bind((math.prod(lead), in_features), 'shape')})"
        z = _gemm_call(src, x2, f"{w.expr}.T", buf)
        kernel = src.bind(_C.bias_act_fwd, "kernel")
        act = repr(bound["activation"].spec[1])
        y = f"{kernel}({z}, bias={b.expr}, activation={act}, inplace=True)[0]"
        src.line(f"s[{op.out}] = {y}" if flat else f"s[{op.out}] = {y}.reshape({src.bind(lead + (out_features,), 'shape')})")

    def backward(self, src, op, g):
        bound = self._bound(op)
        x, w = bound["x"], bound["weight"]
        need_x, need_w, need_b = op.ctx.needs[:3]
        out_features, in_features = w.model.shape
        rows = op.ctx.attrs["rows"]
        flat = len(x.model.shape) == 2
        gz, gb = src.local("gz"), src.local("gb")
        kernel = src.bind(_C.bias_act_bwd, "kernel")
        act = repr(bound["activation"].spec[1])
        if flat:
            saved, grad = f"s[{op.out}]", g
        else:
            out_2d = src.bind((rows, out_features), "shape")
            saved, grad = f"s[{op.out}].reshape({out_2d})", f"{g}.reshape({out_2d})"
        src.line(f"{gz}, {gb} = {kernel}({saved}, {grad}, bias_grad={bool(need_b)}, activation={act})")
        gx = gw = None
        if need_x:
            gx = src.local("gx")
            product = _gemm_call(src, gz, w.expr)
            src.line(f"{gx} = {product}" if flat else f"{gx} = {product}.reshape({src.bind(x.model.shape, 'shape')})")
            gx = Fresh(gx) if flat and isinstance(product, Fresh) else gx
        if need_w:
            gw = src.local("gw")
            x2 = x.expr if flat else f"{x.expr}.reshape({src.bind((rows, in_features), 'shape')})"
            product = _gemm_call(src, f'{gz}.T', x2)
            src.line(f"{gw} = {product}")
            gw = Fresh(gw) if isinstance(product, Fresh) else gw
        if need_b and _new_bias_grad(bound["activation"].spec[1], rows, out_features, x.model.dtype):
            gb = Fresh(gb)
        return [gx, gw, gb if need_b else None]


def _new_bias_grad(activation, rows, out_features, dtype):
    """Whether bias_act_bwd gives the bias gradient as a new array only it holds (lowerers.Fresh) for
    this shape and dtype: found by calling it once on zeros of that shape."""
    key = (activation, rows, out_features, dtype.str)
    found = _NEW_BIAS_GRAD.get(key)
    if found is None:
        saved = np.zeros((rows, out_features), dtype)
        grad = np.zeros((rows, out_features), dtype)
        _, gb = _C.bias_act_bwd(saved, grad, bias_grad=True, activation=activation)
        found = _NEW_BIAS_GRAD[key] = (type(gb) is np.ndarray and gb.base is None and gb.flags.writeable
                                       and gb.flags.c_contiguous and gb is not saved and gb is not grad)
    return found


_NEW_BIAS_GRAD = {}


class Matmul(Lowerer):
    """2-d x 2-d matmul: one gemm; backward g @ y.T and x.T @ g (ops/linalg.py)."""

    def accepts(self, op):
        if (op.kwargs or len(op.args) != 2 or not _numpy_backend(op)
                or op.backend is not op.out_model.backend):
            return False
        x, y = op.args[0].model, op.args[1].model
        if not (_float_array(x) and _float_array(y, x.dtype) and len(x.shape) == 2 and len(y.shape) == 2):
            return False
        return op.ctx is None or _float_array(op.grad, x.dtype, op.out_model.shape)

    def forward(self, src, op, buf):
        src.line(f"s[{op.out}] = {_gemm_call(src, op.args[0].expr, op.args[1].expr, buf)}")

    def backward(self, src, op, g):
        nx, ny = op.ctx.needs
        x, y = op.args[0].expr, op.args[1].expr
        return [_gemm_call(src, g, f"{y}.T") if nx else None, _gemm_call(src, f"{x}.T", g) if ny else None]


class Sum(Lowerer):
    """np.add.reduce over the normalised axes; backward: the gradient broadcast back."""

    def accepts(self, op):
        bound = op.bind(("x", "axis", "keepdims"), {"axis": None, "keepdims": False})
        if bound is None or not bound["axis"].const or not bound["keepdims"].const:
            return False
        return getattr(bound["x"].model, "ndarray", False)

    def _axes(self, op):
        bound = op.bind(("x", "axis", "keepdims"), {"axis": None, "keepdims": False})
        x = bound["x"]
        axes = normalize_axis(bound["axis"].spec[1], len(x.model.shape), "sum")
        return x, axes, bound["keepdims"].spec[1]

    def forward(self, src, op, buf):
        x, axes, keepdims = self._axes(op)
        reduce = src.bind(np.add.reduce, "reduce")
        axes_name = src.bind(axes, "axes")
        if buf:  # np.add.reduce(array, axis, dtype, out, keepdims)
            src.line(f"s[{op.out}] = {reduce}({x.expr}, {axes_name}, None, {buf}, {keepdims!r})")
        else:
            src.line(f"s[{op.out}] = _np.asarray({reduce}({x.expr}, {axes_name}, None, None, {keepdims!r}))")

    def backward(self, src, op, g):
        x, axes, keepdims = self._axes(op)
        shape = src.bind(x.model.shape, "shape")
        grad = op.grad
        if isinstance(grad, ArrayModel) and math.prod(grad.shape) == 1:
            # expand_reduced's read-only view of a one-element gradient at every position (of the
            # array NumPy makes of it, for a NumPy scalar), made directly
            view = src.local("g")
            strides = src.bind((0,) * len(x.model.shape), "strides")
            base = g if grad.ndarray else f"_np.asarray({g})"
            src.line(f"{view} = _np.ndarray({shape}, {src.bind(grad.dtype, 'dtype')}, {base}, 0, {strides})")
            src.line(f"{view}.flags.writeable = False")
            return [view]
        expand = src.bind(expand_reduced, "expand")
        return [f"{expand}(_np, {g}, {shape}, {src.bind(axes, 'axes')}, {keepdims!r})"]


class CrossEntropy(Lowerer):
    """The fused cross-entropy kernels with the 'mean' or 'sum' reduction and no class weights:
    the loss sum, the count of targets not ignored (read at every call: it depends on the
    targets), and the backward's scaled gradient (ops/losses.py)."""

    def buffered(self, op):
        return False

    NAMES = ("logits", "target", "weight", "ignore_index", "label_smoothing", "reduction")
    DEFAULTS = {"target": None, "weight": None, "ignore_index": -100, "label_smoothing": 0.0, "reduction": "mean"}

    def accepts(self, op):
        bound = op.bind(self.NAMES, self.DEFAULTS)
        if bound is None or not _numpy_backend(op):
            return False
        logits, target = bound["logits"].model, bound["target"].model
        if not (_float_array(logits) and len(logits.shape) == 2 and getattr(target, "ndarray", False)):
            return False
        if bound["weight"].model is not None or bound["reduction"].spec[1] not in ("mean", "sum"):
            return False
        if not all(bound[k].const for k in ("ignore_index", "label_smoothing", "reduction")):
            return False
        # the loss's gradient: a 0-d array (backward() of the loss), or a NumPy float (of a scaled loss)
        grad = op.grad
        return op.ctx is None or (isinstance(grad, ArrayModel) and grad.shape == ()
                                  and (grad.ndarray or issubclass(grad.kind, np.floating)))

    def forward(self, src, op, buf):
        bound = op.bind(self.NAMES, self.DEFAULTS)
        logits, target = bound["logits"], bound["target"]
        dtype = logits.model.dtype
        kernel = src.bind(_C.cross_entropy_fwd, "kernel")
        ignore, smoothing = bound["ignore_index"].spec[1], bound["label_smoothing"].spec[1]
        total, scale = src.local("total"), src.local("scale")
        op.scale_name = scale
        # loss.sum(dtype=d) is np.add.reduce(loss, None, d)
        add = src.bind(np.add.reduce, "reduce")
        src.line(f"{total} = {add}({kernel}({logits.expr}, target={target.expr}, weight=None, "
                 f"ignore_index={ignore!r}, label_smoothing={src.bind(smoothing)}), None, {src.bind(dtype, 'dtype')})")
        if bound["reduction"].spec[1] == "sum":
            src.line(f"{scale} = 1.0")
            value = total
        else:
            count = src.local("count")
            src.line(f"{count} = float({src.bind(np.count_nonzero, 'count')}({target.expr} != {ignore!r}))")
            src.line(f"{scale} = 1.0 / {count} if {count} else {src.bind(float('nan'))}")
            value = f"({total} / {count} if {count} else {total} * {src.bind(float('nan'))})"
        src.line(f"s[{op.out}] = _np.asarray({value})")

    def backward(self, src, op, g):
        bound = op.bind(self.NAMES, self.DEFAULTS)
        logits, target = bound["logits"], bound["target"]
        rows = logits.model.shape[0]
        kernel = src.bind(_C.cross_entropy_bwd, "kernel")
        # The reduced loss's gradient g * scale at every row, as ops/losses.py's _spread fills it, in an
        # array only the plan holds (the kernel reads it); its dtype is that of g * scale, found now.
        like_g = np.ones((), op.grad.dtype) if op.grad.ndarray else op.grad.kind(1)
        spread_dtype = (like_g * 0.5).dtype
        spread = src.bind(np.empty((rows,), spread_dtype), "spread")
        one = op.grad_value
        if (type(one) is np.ndarray and one.shape == () and one.dtype == spread_dtype and one == 1
                and spread_dtype in (np.float32, np.float64)):
            # the gradient of loss.backward(): 1 * scale, rounded to the dtype, is what fill rounds scale to
            src.line(f"{spread}.fill({op.scale_name})  # {g} is 1")
        else:
            src.line(f"{spread}.fill({g} * {op.scale_name})")
        ignore, smoothing = bound["ignore_index"].spec[1], bound["label_smoothing"].spec[1]
        return [f"{kernel}({logits.expr}, grad={spread}, target={target.expr}, weight=None, "
                f"ignore_index={ignore!r}, label_smoothing={src.bind(smoothing)})"]


_COMPILED = CompiledRule()
_BY_CLASS = {
    LinearOp: Linear(),
    MatmulOp: Matmul(),
    SumOp: Sum(),
    CrossEntropyOp: CrossEntropy(),
    activations.Relu: Activation("relu", True),
    activations.Tanh: Activation("tanh", True),
    activations.Sigmoid: Activation("sigmoid", True),
    activations.Silu: Activation("silu", False),
    activations.Gelu: Activation("gelu", False),
    activations.GeluTanh: Activation("gelu_tanh", False),
}


def find(op):
    """The lowerer of `op`, or None when it stays on the tape."""
    lowerer = _COMPILED if op.rule else _BY_CLASS.get(op.cls)
    if lowerer is None or not lowerer.accepts(op):
        return None
    return lowerer
