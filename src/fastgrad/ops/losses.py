"""Losses on fused, numerically stable kernels (softmax itself is in softmax_family.py).

The primitives work on the layout their kernels take ((rows, classes) for
cross entropy, one shape for pointwise losses); the public functions move axes, reshape and broadcast with
differentiable ops around them, so the primitives save only their own inputs
and outputs.  Names and defaults follow PyTorch.
"""
import warnings

import numpy as np

from ..autograd.primitive import Primitive as Function
from ..autograd.tensor import Tensor
from ..backend import backend_for, same_device
from ..backend.reference.losses import clamped_logs
from .activations import softplus
from .shape import astype, broadcast_to, permute, reshape

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: argument 'reduction' must be 'mean', 'sum' or 'none', got {reduction!r}")


def _data(a):
    return a._data if isinstance(a, Tensor) else a


def _shape(a):
    return tuple(getattr(a, "shape", ()))


def _spread(xp, value, rows):
    """The 0-d gradient of a reduced loss as one value per row: a filled NumPy array
    (no Python-level NumPy calls), a broadcast view for other arrays."""
    if type(value) is np.ndarray or isinstance(value, np.generic):
        spread = np.empty(rows, dtype=value.dtype)
        spread.fill(value)
        return spread
    return xp.broadcast_to(xp.reshape(value, (1,)), (rows,))


# ---- cross entropy ---------------------------------------------------------------------------

_HALF = {}  # dtype -> whether it is a 16-bit float (str(dtype) costs more than a loss's sum)


def _is_half(dtype):
    half = _HALF.get(dtype)
    if half is None:
        half = _HALF[dtype] = str(dtype) in ("float16", "bfloat16")
    return half


def _sum_dtype(xp, dtype):
    """The dtype a loss of `dtype` is summed in: float32 for 16-bit floats, whose
    range ends at 65504 (a sum or a count of rows overflows long before the mean)."""
    return xp.float32 if _is_half(dtype) else dtype


def _cast(xp, a, dtype):
    """A reduced loss back in the loss's dtype."""
    if a.dtype == dtype:
        return a
    return a.astype(dtype) if hasattr(a, "astype") else xp.astype(a, dtype)


def _mean_of(xp, total, count):
    """total / count, NaN for a count of 0 (as PyTorch), without a warning.  A count
    that is a device array stays on the device (0 / 0 is NaN there without a check)."""
    if not isinstance(count, (int, float)):
        return total / count
    return total / count if count else total * float("nan")


class CrossEntropy(Function):
    """Softmax cross entropy of (rows, C) logits with (rows,) class indices."""

    @staticmethod
    def forward(ctx, b, logits, target=None, weight=None, ignore_index=-100, label_smoothing=0.0,
                reduction="mean"):
        xp = b.xp
        loss = b.cross_entropy_fwd(logits, target=target, weight=weight, ignore_index=ignore_index,
                                   label_smoothing=label_smoothing)
        ctx.save_for_backward(logits)
        ctx.kwargs = {"target": target, "weight": weight, "ignore_index": ignore_index,
                      "label_smoothing": label_smoothing}
        ctx.reduction = reduction
        if reduction == "none":
            return loss
        acc = _sum_dtype(xp, logits.dtype)
        numpy = type(loss) is np.ndarray
        # np.add.reduce is what ndarray.sum calls, without its Python-level wrapper
        total = np.add.reduce(loss, dtype=acc) if numpy else xp.sum(loss, dtype=acc)
        if reduction == "sum":
            ctx.scale = 1.0
            return _cast(xp, total, logits.dtype)
        valid = target != ignore_index
        if weight is None:
            count = np.count_nonzero(valid) if numpy else xp.sum(xp.astype(valid, acc))
        else:
            picked = xp.take(weight, xp.where(valid, target, xp.zeros_like(target)))
            count = xp.sum(xp.where(valid, picked, xp.zeros_like(picked)), dtype=acc)
        if isinstance(logits, np.ndarray):
            count = float(count)
            ctx.scale = 1.0 / count if count else float("nan")
        else:  # a device array: the count stays there (no wait for the device)
            ctx.scale = 1.0 / count
        return _cast(xp, _mean_of(xp, total, count), logits.dtype)

    @staticmethod
    def backward(ctx, b, g):
        (logits,) = ctx.saved_arrays
        xp = b.xp
        rows = logits.shape[0]
        if ctx.reduction == "none":
            grad = g
        else:
            grad = _spread(xp, g * ctx.scale, rows)
        return b.cross_entropy_bwd(logits, grad=grad, **ctx.kwargs)


class SoftCrossEntropy(Function):
    """Cross entropy of (rows, C) logits with (rows, C) class probabilities."""

    @staticmethod
    def forward(ctx, b, logits, target, weight=None, label_smoothing=0.0, reduction="mean"):
        xp = b.xp
        loss = b.soft_cross_entropy_fwd(logits, target, weight=weight, label_smoothing=label_smoothing)
        ctx.save_for_backward(logits, target)
        ctx.params = (weight, label_smoothing, reduction)
        if reduction == "none":
            return loss
        total = xp.sum(loss, dtype=_sum_dtype(xp, logits.dtype))
        ctx.scale = 1.0 if reduction == "sum" else (1.0 / logits.shape[0] if logits.shape[0] else float("nan"))
        return _cast(xp, total if reduction == "sum" else _mean_of(xp, total, logits.shape[0]), logits.dtype)

    @staticmethod
    def backward(ctx, b, g):
        logits, target = ctx.saved_arrays
        weight, label_smoothing, reduction = ctx.params
        xp = b.xp
        rows = logits.shape[0]
        grad = g if reduction == "none" else _spread(xp, g * ctx.scale, rows)
        need_logits, need_target = ctx.needs_input_grad[:2]
        g_logits = g_target = None
        if need_logits:
            g_logits = b.soft_cross_entropy_bwd(logits, target, grad=grad, weight=weight,
                                                label_smoothing=label_smoothing)
        if need_target:
            # d loss_r / d q_c = -(1 - e) w_c log p_c
            log_p = b.log_softmax_fwd(logits)
            w = 1 if weight is None else xp.reshape(weight, (1, -1))
            g_target = -(1 - label_smoothing) * w * log_p * xp.reshape(grad, (-1, 1))
        return g_logits, g_target


def _as_class_rows(x, classes, ndim=None):
    """(C,), (N, C) or (N, C, d1, ...) -> (rows, C) through differentiable ops
    (a 2-d input is passed through, so its gradient needs no reshaping); `ndim`: x's, if known."""
    if ndim is None:
        ndim = len(_shape(x))
    if ndim == 2:
        return x
    if ndim > 2:
        x = permute(x, (0,) + tuple(range(2, ndim)) + (1,))
    return reshape(x, (-1, classes))


def _as_rows(x, target, probabilities):
    """Logits as (rows, C) and the target as (rows,) or (rows, C); also the
    shape of a reduction='none' result."""
    shape = _shape(x)
    if len(shape) == 0:
        raise ValueError("cross_entropy: argument 'input' must have a class axis, got a 0-d tensor")
    classes = shape[0] if len(shape) == 1 else shape[1]
    out_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    if probabilities:
        if _shape(target) != shape:
            raise ValueError(f"cross_entropy: probability target has shape {_shape(target)}, expected the "
                             f"input's shape {shape}")
        if target.dtype != x.dtype:  # converted only once its shape is known to fit
            target = astype(target, x.dtype)
        return _as_class_rows(x, classes), _as_class_rows(target, classes), out_shape
    if _shape(target) != out_shape:
        raise ValueError(f"cross_entropy: target has shape {_shape(target)}, expected {out_shape} for an input "
                         f"of shape {shape}")
    t = _data(target)
    rows = t.reshape(-1) if type(t) is np.ndarray else backend_for(t).xp.reshape(t, (-1,))
    return _as_class_rows(x, classes, len(shape)), rows, out_shape


def _is_index_target(target):
    dtype = getattr(_data(target), "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kind is not None:
        return kind in "iu"
    return "int" in str(dtype)


def _class_loss_inputs(op, input, target, reduction):
    """(input as a Tensor, target as an array when given as Python data), after the reduction check."""
    _check_reduction(op, reduction)
    if not isinstance(input, Tensor):
        input = Tensor(input)
    if isinstance(target, (list, tuple, int, np.generic)):
        target = np.asarray(target)
    return input, target


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross entropy, fused and stable (log-sum-exp with the maximum subtracted).

    input: (C,), (N, C) or (N, C, d1, ...) logits.  target: class indices of
    shape (), (N,) or (N, d1, ...), or class probabilities of the input's
    shape.  With smoothing e and class weights w, the loss of one row is
    (1 - e) w_t (lse - x_t) + (e / C) sum_c w_c (lse - x_c); reduction='mean'
    divides the sum by the total weight of the non-ignored targets (by N for
    probability targets), as PyTorch.

    >>> import fastgrad as fg, numpy as np
    >>> x = fg.tensor([[0.0, 0.0]], requires_grad=True)
    >>> loss = fg.cross_entropy(x, np.array([1]))
    >>> round(loss.item(), 4)
    0.6931
    """
    input, target = _class_loss_inputs("cross_entropy", input, target, reduction)
    weight = _data(weight)
    if weight is not None:
        weight = _array_of_dtype(weight, input.dtype)
    probabilities = not _is_index_target(target)
    x2, t2, out_shape = _as_rows(input, target, probabilities)
    if probabilities:
        loss = SoftCrossEntropy.apply(x2, t2, weight=weight, label_smoothing=float(label_smoothing),
                                      reduction=reduction)
    else:
        loss = CrossEntropy.apply(x2, target=t2, weight=weight, ignore_index=int(ignore_index),
                                  label_smoothing=float(label_smoothing), reduction=reduction)
    return reshape(loss, out_shape) if reduction == "none" else loss


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log likelihood of log-probabilities: -w_t input[t] per sample.

    input: (C,), (N, C) or (N, C, d1, ...); target: class indices.
    reduction='mean' divides by the total weight of the non-ignored targets.

    >>> import fastgrad as fg, numpy as np
    >>> fg.nll_loss(fg.tensor([[-1.0, -2.0]]), np.array([1])).item()
    2.0
    """
    input, target = _class_loss_inputs("nll_loss", input, target, reduction)
    x2, t2, out_shape = _as_rows(input, target, probabilities=False)
    classes = x2.shape[1]
    if not isinstance(t2, np.ndarray) and hasattr(t2, "dtype") and not isinstance(x2._data, np.ndarray):
        return _nll_loss_on_device(x2, t2, weight, ignore_index, reduction, out_shape)
    t2 = np.asarray(t2)
    if t2.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: target has dtype {t2.dtype}; class indices must be integers")
    w = None if weight is None else np.asarray(_data(weight), dtype=input.dtype)
    loss = NllLoss.apply(x2, target=t2, weight=w, ignore_index=int(ignore_index), reduction=reduction)
    return reshape(loss, out_shape) if reduction == "none" else loss


class NllLoss(Function):
    """-w_t x[r, t] per row of (rows, C) log-probabilities x with (rows,) class indices, reduced as
    PyTorch: the mean divides by the total weight of the targets not ignored.  One op, the targets
    an argument (so fastgrad.jit replays it with each call's targets); the arithmetic is that of
    the composition -(x[rows, t] * w_rows), summed (in float32 for 16-bit floats), divided."""

    @staticmethod
    def forward(ctx, b, x, target=None, weight=None, ignore_index=-100, reduction="mean"):
        rows, classes = x.shape
        valid = target != ignore_index
        bad = valid & ((target < 0) | (target >= classes))
        if bad.any():
            i = int(np.argmax(bad))
            raise IndexError(f"nll_loss: target {int(target[i])} at position {i} is out of bounds for "
                             f"{classes} classes")
        safe = np.where(valid, target, 0)
        w = np.ones(classes, dtype=x.dtype) if weight is None else weight
        w_rows = np.where(valid, w[safe], 0).astype(x.dtype)
        index = (np.arange(rows), safe)
        loss = -(x[index] * w_rows)
        ctx.index, ctx.w_rows, ctx.x_shape, ctx.reduction = index, w_rows, x.shape, reduction
        if reduction == "none":
            return loss
        acc = _sum_dtype(np, x.dtype)
        total = np.add.reduce(loss.astype(acc) if acc != x.dtype else loss)
        if reduction == "mean":
            ctx.count = float(w_rows.sum(dtype=np.float64))
            total = _mean_of(np, total, ctx.count)
        return _cast(np, np.asarray(total), x.dtype)

    @staticmethod
    def backward(ctx, b, g):
        w_rows = ctx.w_rows
        g = np.asarray(g)
        if ctx.reduction != "none":
            acc = _sum_dtype(np, w_rows.dtype)
            g = g.astype(acc) if g.dtype != acc else g
            if ctx.reduction == "mean":
                g = _mean_of(np, g, ctx.count)
            g = g.astype(w_rows.dtype) if g.dtype != w_rows.dtype else g
        gx = np.zeros(ctx.x_shape, dtype=w_rows.dtype)
        gx[ctx.index] += (-g) * w_rows   # one entry per row: adds to +0.0 as the composition did
        return gx


def _nll_loss_on_device(x2, t2, weight, ignore_index, reduction, out_shape):
    """nll_loss with targets on a device (CuPy, array-API): the rows are picked by a
    one-hot mask and nothing is read back on the host; rows whose target is out of
    range come out NaN instead of raising (checking would wait for the device)."""
    xp = backend_for(t2).xp
    classes = x2.shape[1]
    dtype = x2._data.dtype
    valid = t2 != ignore_index
    bad = valid & ((t2 < 0) | (t2 >= classes))
    column = xp.reshape(t2, (-1, 1))
    hot = (column == xp.reshape(xp.arange(classes, **same_device(t2)), (1, classes))) & xp.reshape(valid, (-1, 1))
    w = xp.ones((1, classes), dtype=dtype, **same_device(t2)) if weight is None \
        else xp.reshape(xp.astype(_data(weight), dtype), (1, classes))
    w_rows = xp.sum(xp.where(hot, w, xp.zeros_like(w)), axis=1)
    picked = (x2 * Tensor(xp.astype(hot, dtype))).sum(axis=1)
    loss = -(picked * Tensor(w_rows))
    loss = loss + Tensor(xp.where(bad, xp.asarray(float("nan"), dtype=dtype, **same_device(t2)),
                                  xp.zeros_like(w_rows)))
    if reduction == "none":
        return reshape(loss, out_shape)
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / Tensor(xp.sum(w_rows))


# ---- pointwise losses ------------------------------------------------------------------------

class _Pointwise(Function):
    """loss(x, t) elementwise on one shape, reduced in the same pass when asked."""

    kernel = None

    @classmethod
    def forward(cls, ctx, b, x, t, reduction="mean", **params):
        fwd = getattr(b, cls.kernel + "_fwd")
        ctx.save_for_backward(x, t)
        ctx.reduction = reduction
        ctx.params = params
        n = x.size
        if reduction == "none":
            return fwd(x, t, reduction="none", **params)
        total = fwd(x, t, reduction="sum", **params)  # float32 or wider, also for 16-bit inputs
        ctx.scale = 1.0 if reduction == "sum" else (1.0 / n if n else float("nan"))
        return _cast(b.xp, total if reduction == "sum" else _mean_of(b.xp, total, n), x.dtype)

    @classmethod
    def backward(cls, ctx, b, g):
        x, t = ctx.saved_arrays
        bwd = getattr(b, cls.kernel + "_bwd")
        if ctx.reduction == "none":
            gx = bwd(x, t, g, **ctx.params)
        else:
            gx = bwd(x, t, scale=g * ctx.scale, **ctx.params)
        need_x, need_t = ctx.needs_input_grad[:2]
        return (gx if need_x else None), (cls.target_grad(ctx, b, x, t, g, gx) if need_t else None)

    @staticmethod
    def target_grad(ctx, b, x, t, g, gx):
        # Losses of d = x - t: d/dt = -d/dx.
        return -gx


class MSELoss(_Pointwise):
    kernel = "mse_loss"


class L1Loss(_Pointwise):
    kernel = "l1_loss"


class HuberLoss(_Pointwise):
    kernel = "huber_loss"


def _reduced_grad(ctx, b, g, x):
    """The upstream gradient per element: g itself, or g * scale broadcast."""
    if ctx.reduction == "none":
        return g
    return b.xp.broadcast_to(g * ctx.scale, x.shape)


class BCEWithLogits(_Pointwise):
    kernel = "binary_cross_entropy_with_logits"

    @staticmethod
    def target_grad(ctx, b, x, t, g, gx):
        # d loss / dt = -x + (pw - 1) softplus(-x)
        xp = b.xp
        pw = ctx.params.get("pos_weight")
        grad = -x
        if pw is not None:
            softplus_neg = xp.maximum(-x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))
            grad = grad + (pw - 1) * softplus_neg
        return _reduced_grad(ctx, b, g, x) * grad


class BCE(_Pointwise):
    kernel = "binary_cross_entropy"

    @staticmethod
    def target_grad(ctx, b, x, t, g, gx):
        # d loss / dt = log(1 - p) - log p, each clamped at -100
        log_p, log_q = clamped_logs(b.xp, x)
        return _reduced_grad(ctx, b, g, x) * (log_q - log_p)


def _array_of_dtype(a, dtype):
    """A constant argument as an array of `dtype` in its own namespace (NumPy for numbers and lists)."""
    if not hasattr(a, "__array_namespace__") and not hasattr(a, "astype"):  # CuPy arrays have only astype
        return np.asarray(a, dtype=dtype)
    if a.dtype == dtype:
        return a
    return a.astype(dtype) if hasattr(a, "astype") else a.__array_namespace__().astype(a, dtype)


def _pair(op, input, target, broadcast):
    """input and target as Tensors/arrays of one shape and dtype (differentiably)."""
    if not isinstance(input, Tensor):
        input = Tensor(input)
    if not isinstance(target, Tensor):
        target = Tensor(np.asarray(target) if not hasattr(target, "shape") else target)
    # Shapes are checked before anything is converted or copied.
    shape = input.shape
    if input.shape != target.shape:
        if not broadcast:
            raise ValueError(f"{op}: target shape {tuple(target.shape)} differs from input shape "
                             f"{tuple(input.shape)}; they must be the same")
        try:
            shape = np.broadcast_shapes(input.shape, target.shape)
        except ValueError:
            raise ValueError(f"{op}: input shape {tuple(input.shape)} and target shape "
                             f"{tuple(target.shape)} do not broadcast") from None
        warnings.warn(f"{op}: using a target size {tuple(target.shape)} that is different to the input size "
                      f"{tuple(input.shape)}; this will likely lead to incorrect results due to broadcasting",
                      UserWarning, stacklevel=3)
    if target.dtype != input.dtype:
        target = astype(target, input.dtype)
    if target.shape != shape or input.shape != shape:
        input = input if input.shape == shape else broadcast_to(input, shape)
        target = target if target.shape == shape else broadcast_to(target, shape)
    return input, target


def _wide_sum(loss):
    """The sum of a loss Tensor, accumulated (and returned) in float32 for 16-bit floats."""
    return (astype(loss, np.float32) if _is_half(loss.dtype) else loss).sum()


def _narrow(total, dtype):
    return total if total.dtype == dtype else astype(total, dtype)


def _reduce(loss, reduction, wide=False):
    """An elementwise loss Tensor reduced: 'sum' and 'mean' sum in float32 for 16-bit floats
    (wide=True keeps the float32 result, else it is rounded back to the loss's dtype); the
    mean of no elements is NaN (without a warning), as PyTorch."""
    if reduction == "none":
        return loss
    total = _wide_sum(loss)
    if reduction == "mean":
        total = total * (1.0 / loss.size) if loss.size else total * float("nan")
    return total if wide else _narrow(total, loss.dtype)


def _weighted(loss, weight, reduction, wide=False):
    """Rescale an elementwise loss by `weight` (broadcast, in the loss's dtype), then
    reduce as _reduce does."""
    if not isinstance(weight, Tensor):
        weight = Tensor(weight)
    if weight.dtype != loss.dtype:
        weight = astype(weight, loss.dtype)
    return _reduce(loss * weight, reduction, wide)


def _sample_weighted(op, fn, x, t, weight, reduction, by_weight_sum, **params):
    """A pointwise loss rescaled by a `weight` of the input's size; 'mean' divides by
    sum(weight) (by_weight_sum) or by the element count, as PyTorch does for each loss."""
    if tuple(getattr(weight, "shape", ())) != tuple(x.shape):
        raise ValueError(f"{op}: weight of shape {tuple(getattr(weight, 'shape', ()))} must have the input's "
                         f"size {tuple(x.shape)}")
    loss = fn.apply(x, t, reduction="none", **params)
    if not (by_weight_sum and reduction == "mean"):
        return _weighted(loss, weight, reduction)
    total = _weighted(loss, weight, "sum", wide=True)
    weight_sum = _weighted(Tensor(np.ones(x.shape, dtype=x.dtype)), weight, "sum", wide=True)
    return _narrow(total / weight_sum, loss.dtype)


def _pointwise(op, fn, input, target, reduction, weight, by_weight_sum, **params):
    """A pointwise loss primitive over input and target broadcast together, reduced, with
    optional per-element weights (see _sample_weighted)."""
    _check_reduction(op, reduction)
    x, t = _pair(op, input, target, broadcast=True)
    if weight is not None:
        return _sample_weighted(op, fn, x, t, weight, reduction, by_weight_sum=by_weight_sum, **params)
    return fn.apply(x, t, reduction=reduction, **params)


def mse_loss(input, target, reduction="mean", weight=None):
    """Mean squared error: (input - target)^2, reduced; with `weight` (the input's
    size) each term is rescaled and 'mean' divides by sum(weight), as PyTorch.

    >>> import fastgrad as fg
    >>> fg.mse_loss(fg.tensor([1.0, 3.0]), fg.tensor([0.0, 0.0])).item()
    5.0
    """
    return _pointwise("mse_loss", MSELoss, input, target, reduction, weight, by_weight_sum=True)


def l1_loss(input, target, reduction="mean", weight=None):
    """Mean absolute error: |input - target|, reduced (sign(0) = 0 in the gradient);
    `weight` as in mse_loss.

    >>> import fastgrad as fg
    >>> fg.l1_loss(fg.tensor([1.0, -3.0]), fg.tensor([0.0, 0.0])).item()
    2.0
    """
    return _pointwise("l1_loss", L1Loss, input, target, reduction, weight, by_weight_sum=True)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """d^2 / 2 where |d| < delta, else delta (|d| - delta / 2), d = input - target;
    with `weight` (the input's size) each term is rescaled and 'mean' stays the
    element mean, as PyTorch.

    >>> import fastgrad as fg
    >>> fg.huber_loss(fg.tensor([0.5, 3.0]), fg.tensor([0.0, 0.0])).item()
    1.3125
    """
    return _pointwise("huber_loss", HuberLoss, input, target, reduction, weight, by_weight_sum=False,
                      delta=float(delta))


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """d^2 / (2 beta) where |d| < beta, else |d| - beta / 2; beta = 0 gives l1_loss.
    Equal to huber_loss(delta=beta) / beta.

    >>> import fastgrad as fg
    >>> fg.smooth_l1_loss(fg.tensor([0.5, 3.0]), fg.tensor([0.0, 0.0])).item()
    1.3125
    """
    _check_reduction("smooth_l1_loss", reduction)
    beta = float(beta)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: argument 'beta' must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    x, t = _pair("smooth_l1_loss", input, target, broadcast=True)
    loss = HuberLoss.apply(x, t, reduction=reduction, delta=beta)
    return loss if beta == 1.0 else loss * (1.0 / beta)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Sigmoid and binary cross entropy in one stable pass:
    (1 - t) x + (1 + (pw - 1) t) log(1 + exp(-x)), optionally rescaled by `weight`.

    >>> import fastgrad as fg
    >>> round(fg.binary_cross_entropy_with_logits(fg.tensor([0.0]), fg.tensor([1.0])).item(), 4)
    0.6931
    """
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    x, t = _pair("binary_cross_entropy_with_logits", input, target, broadcast=False)
    if isinstance(pos_weight, Tensor) and pos_weight.requires_grad:   # a learned pos_weight: composed
        loss = _bce_with_logits_composed(x, t, pos_weight)
        return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction)
    pos_weight = _data(pos_weight)
    if pos_weight is not None:
        pos_weight = _array_of_dtype(pos_weight, x.dtype)
    if weight is None:
        return BCEWithLogits.apply(x, t, reduction=reduction, pos_weight=pos_weight)
    loss = BCEWithLogits.apply(x, t, reduction="none", pos_weight=pos_weight)
    return _weighted(loss, weight, reduction)


def _bce_with_logits_composed(x, t, pos_weight):
    """(1 - t) x + (1 + (pw - 1) t) softplus(-x) from differentiable ops, so that a pos_weight that
    requires grad gets d loss / d pw = t softplus(-x) (the fused kernel treats it as a constant)."""
    pw = pos_weight if pos_weight.dtype == x.dtype else astype(pos_weight, x.dtype)
    return (1 - t) * x + (1 + (pw - 1) * t) * softplus(-x)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) on probabilities p, each log clamped at -100
    as PyTorch does; optionally rescaled by `weight`.

    >>> import fastgrad as fg
    >>> round(fg.binary_cross_entropy(fg.tensor([0.5]), fg.tensor([1.0])).item(), 4)
    0.6931
    """
    _check_reduction("binary_cross_entropy", reduction)
    x, t = _pair("binary_cross_entropy", input, target, broadcast=False)
    if weight is None:
        return BCE.apply(x, t, reduction=reduction)
    return _weighted(BCE.apply(x, t, reduction="none"), weight, reduction)
