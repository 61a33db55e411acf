"""ctc_loss: connectionist temporal classification, as PyTorch's F.ctc_loss.

The loss of one sequence is -log of the total probability of every alignment of its target
(blanks between and around the labels, repeats collapsed) under the per-frame class
log-probabilities.  It is computed in log space over the extended target
(blank, l1, blank, l2, ..., blank) by the forward recursion (alpha) and, for the gradient,
the backward one (beta), for the whole batch at once, one frame at a time, in float64.

The gradient in log_probs[t, n, c] is -exp(logsumexp over the extended positions s holding
c of (alpha_t(s) + beta_t(s)) - log_probs[t, n, c] + loss_n): the share of the probability
mass that passes through class c at frame t.
"""
import numbers

import numpy as np

from ..autograd.primitive import Primitive
from ..autograd.tensor import Tensor
from ..backend import host_data

_NEG_INF = -np.inf


def _logaddexp(*terms):
    out = terms[0]
    for t in terms[1:]:
        out = np.logaddexp(out, t)
    return out


def _extended(targets, target_lengths, blank):
    """(N, 2 S + 1) extended labels, and where the skip over a blank is allowed (s - 2 -> s)."""
    n, s = targets.shape
    ext = np.full((n, 2 * s + 1), blank, np.int64)
    ext[:, 1::2] = targets
    skip = np.zeros(ext.shape, bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    return ext, skip


def _shifted(a, k):
    """a moved k places right along the last axis, -inf coming in."""
    out = np.full_like(a, _NEG_INF)
    out[:, k:] = a[:, :a.shape[1] - k]
    return out


def _alphas(lp, ext, skip, input_lengths, target_lengths):
    """alpha[t, n, s]: log probability of the prefixes ending at extended position s at frame t."""
    frames, n = lp.shape[:2]
    width = ext.shape[1]
    emit = np.take_along_axis(lp, np.broadcast_to(ext, (frames,) + ext.shape), axis=2)  # (T, N, 2S+1)
    alpha = np.full((frames, n, width), _NEG_INF)
    if frames == 0:
        return alpha, emit
    alpha[0, :, 0] = emit[0, :, 0]
    alpha[0, :, 1:2] = np.where(target_lengths[:, None] > 0, emit[0, :, 1:2], _NEG_INF)
    for t in range(1, frames):
        prev = alpha[t - 1]
        two_back = np.where(skip, _shifted(prev, 2), _NEG_INF)
        alpha[t] = _logaddexp(prev, _shifted(prev, 1), two_back) + emit[t]
    # Frames past a sequence's length hold no prefix (-inf): the gradient there is 0.
    past = np.arange(frames)[:, None] >= input_lengths[None, :]
    alpha = np.where(past[:, :, None], _NEG_INF, alpha)
    return alpha, emit


def _betas(emit, skip, input_lengths, target_lengths):
    """beta[t, n, s]: log probability of the suffixes from extended position s at frame t (emission at t included)."""
    frames, n, width = emit.shape
    beta = np.full((frames, n, width), _NEG_INF)
    last = 2 * target_lengths
    rows = np.arange(n)
    for t in range(frames - 1, -1, -1):
        ends_here = input_lengths - 1 == t
        nxt = beta[t + 1] if t + 1 < frames else np.full((n, width), _NEG_INF)
        ahead2 = np.full((n, width), _NEG_INF)
        ahead2[:, :-2] = np.where(skip[:, 2:], nxt[:, 2:], _NEG_INF)
        ahead1 = np.full((n, width), _NEG_INF)
        ahead1[:, :-1] = nxt[:, 1:]
        step = _logaddexp(nxt, ahead1, ahead2) + emit[t]
        start = np.full((n, width), _NEG_INF)
        start[rows, last] = emit[t, rows, last]
        has_label = last > 0
        start[rows[has_label], last[has_label] - 1] = emit[t, rows[has_label], last[has_label] - 1]
        beta[t] = np.where(ends_here[:, None], start, np.where((t < input_lengths - 1)[:, None], step, _NEG_INF))
    return beta


class CtcLoss(Primitive):
    """Per-sequence CTC losses (N,) of log_probs (T, N, C)."""

    @staticmethod
    def forward(ctx, b, log_probs, targets=None, input_lengths=None, target_lengths=None, blank=0,
                zero_infinity=False):
        lp = np.asarray(log_probs, np.float64)
        ext, skip = _extended(targets, target_lengths, blank)
        alpha, emit = _alphas(lp, ext, skip, input_lengths, target_lengths)
        n = lp.shape[1]
        rows, last_frame, last = np.arange(n), np.maximum(input_lengths - 1, 0), 2 * target_lengths
        final = alpha[last_frame, rows, last]
        with_label = np.where(target_lengths > 0, alpha[last_frame, rows, np.maximum(last - 1, 0)], _NEG_INF)
        loss = -np.logaddexp(final, with_label)
        loss = np.where(input_lengths == 0, np.where(target_lengths == 0, 0.0, np.inf), loss)
        infinite = np.isinf(loss)
        if zero_infinity:
            loss = np.where(infinite, 0.0, loss)
        ctx.parts = (lp, ext, skip, alpha, emit, loss, infinite, input_lengths, target_lengths, zero_infinity)
        ctx.save_for_backward(log_probs)  # only to connect create_graph's gradient to log_probs
        return loss.astype(log_probs.dtype)

    @staticmethod
    def backward(ctx, b, g):
        if isinstance(g, Tensor):
            (log_probs,) = ctx.saved_arrays
            return (_CtcGradientTimes.apply(g, log_probs, ctx_of_loss=ctx),)
        return (_gradient_map(ctx) * np.asarray(g, np.float64)[None, :, None]).astype(g.dtype)


def _gradient_map(ctx):
    """d loss_n / d log_probs[t, n, c], (T, N, C) in float64 (computed once, on first use)."""
    if getattr(ctx, "gradient", None) is not None:
        return ctx.gradient
    lp, ext, skip, alpha, emit, loss, infinite, input_lengths, target_lengths, zero_infinity = ctx.parts
    frames, n, classes = lp.shape
    beta = _betas(emit, skip, input_lengths, target_lengths)
    through = alpha + beta  # (T, N, 2S+1): paths through (t, s), emission counted twice
    mass = np.full((frames, n, classes), _NEG_INF)
    index = np.broadcast_to(ext, through.shape)
    for s in range(ext.shape[1]):  # logsumexp over the positions holding each class
        col = index[:, :, s:s + 1]
        current = np.take_along_axis(mass, col, axis=2)
        np.put_along_axis(mass, col, np.logaddexp(current, through[:, :, s:s + 1]), axis=2)
    with np.errstate(over="ignore", invalid="ignore"):
        grad = -np.exp(mass - lp + loss[None, :, None])
    if zero_infinity:
        grad = np.where(infinite[None, :, None], 0.0, grad)
    past = np.arange(frames)[:, None] >= input_lengths[None, :]
    ctx.gradient = np.where(past[:, :, None], 0.0, grad)
    return ctx.gradient


class _CtcGradientTimes(Primitive):
    """g times ctc_loss's gradient, recorded (create_graph=True): differentiable in g only.  Its
    derivative in log_probs is not implemented (as in PyTorch), and says so."""

    @staticmethod
    def forward(ctx, b, g, log_probs, ctx_of_loss=None):
        return (_gradient_map(ctx_of_loss) * np.asarray(g, np.float64)[None, :, None]).astype(g.dtype)

    @staticmethod
    def backward(ctx, b, gg):
        raise RuntimeError("ctc_loss: the derivative of ctc_loss's backward is not implemented (second derivatives "
                           "of ctc_loss are not supported, as in PyTorch)")


def _lengths(op, name, value, count, limit, limit_name):
    data = value._data if isinstance(value, Tensor) else value
    if isinstance(data, numbers.Integral) and count == 1:
        data = [data]
    array = np.asarray(data)
    if array.dtype.kind not in "iu" or array.shape != (count,):
        raise ValueError(f"{op}: argument '{name}' must hold {count} integer(s) (one per sequence), got {value!r}")
    array = array.astype(np.int64)
    bad = (array < 0) | (array > limit)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{op}: {name}[{i}] = {array[i]} must be between 0 and {limit_name} ({limit})")
    return array


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """The CTC loss of log_probs (T, N, C) (log-softmaxed over C; (T, C) for one sequence) against
    targets: (N, S) padded or 1-d concatenated class indices (no blank), with each sequence's
    input and target length.  reduction: 'none' (N,), 'sum', or 'mean' (each loss divided by its
    target length, then the batch mean), as PyTorch.  zero_infinity replaces infinite losses
    (no alignment fits) and their gradients by 0.

    The gradient in log_probs is the loss's own derivative.  PyTorch's adds exp(log_probs) to it
    (a term that log_softmax's backward cancels), so the two agree on the gradient of anything
    before a log_softmax, and differ by exp(log_probs) on log_probs made some other way.

    >>> import fastgrad as fg
    >>> lp = fg.log_softmax(fg.zeros(2, 1, 3), dim=-1)      # 2 frames, 3 classes, uniform
    >>> round(ctc_loss(lp, fg.tensor([[1]]), [2], [1], reduction="sum").item(), 4)   # -log(3/9)
    1.0986
    """
    op = "ctc_loss"
    if not hasattr(log_probs, "ndim"):
        raise TypeError(f"{op}: argument 'log_probs' must be a Tensor or an array, got {type(log_probs).__name__}")
    lp = log_probs if isinstance(log_probs, Tensor) else Tensor(log_probs)
    host_data(op, "log_probs", lp._data)  # the recursions run on the host
    if lp.dtype.kind != "f":
        raise TypeError(f"{op}: argument 'log_probs' must be a floating tensor, got dtype {lp.dtype}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{op}: argument 'reduction' must be 'mean', 'sum' or 'none', got {reduction!r}")
    unbatched = lp.ndim == 2
    if unbatched:
        lp = lp.unsqueeze(1)
    if lp.ndim != 3:
        raise ValueError(f"{op}: argument 'log_probs' must be (T, N, C) or (T, C), got shape {tuple(log_probs.shape)}")
    frames, n, classes = lp.shape
    if not (isinstance(blank, numbers.Integral) and 0 <= blank < classes):
        raise ValueError(f"{op}: argument 'blank' must be a class index in [0, {classes}), got {blank!r}")
    raw = np.asarray(targets._data if isinstance(targets, Tensor) else targets)
    if raw.dtype.kind not in "iu":
        raise TypeError(f"{op}: argument 'targets' must hold integer class indices, got dtype {raw.dtype}")
    if unbatched and raw.ndim == 1:
        raw = raw[None, :]
    input_lengths = _lengths(op, "input_lengths", input_lengths, n, frames, "the number of frames")
    longest = raw.shape[1] if raw.ndim == 2 else raw.size
    target_lengths = _lengths(op, "target_lengths", target_lengths, n, longest,
                              "the targets' length" if raw.ndim == 2 else "the concatenated targets' length")
    if raw.ndim == 2 and raw.shape[0] != n:
        raise ValueError(f"{op}: argument 'targets' has {raw.shape[0]} rows for a batch of {n}")
    if raw.ndim == 1:  # concatenated: padded into rows
        if target_lengths.sum() != raw.size:
            raise ValueError(f"{op}: the concatenated targets hold {raw.size} labels, but target_lengths sum to "
                             f"{int(target_lengths.sum())}")
        padded = np.full((n, int(target_lengths.max(initial=0))), blank, np.int64)
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        for i, (start, length) in enumerate(zip(starts, target_lengths)):
            padded[i, :length] = raw[start:start + length]
        raw = padded
    elif raw.ndim != 2:
        raise ValueError(f"{op}: argument 'targets' must be (N, S) or 1-d concatenated, got shape {raw.shape}")
    labels = raw.astype(np.int64)[:, :int(target_lengths.max(initial=0))]
    used = np.arange(labels.shape[1])[None, :] < target_lengths[:, None]
    bad = used & ((labels < 0) | (labels >= classes) | (labels == blank))
    if bad.any():
        row, col = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{op}: targets[{row}][{col}] = {labels[row, col]} must be a class in [0, {classes}) other "
                         f"than blank ({blank})")
    labels = np.where(used, labels, blank)
    losses = CtcLoss.apply(lp, targets=labels, input_lengths=input_lengths, target_lengths=target_lengths,
                           blank=int(blank), zero_infinity=bool(zero_infinity))
    if reduction == "none":
        return losses[0] if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    scale = 1.0 / np.maximum(target_lengths, 1).astype(lp.dtype)
    return (losses * Tensor(scale)).mean()
