"""Gradient clipping: by global norm (one fused pass over all gradients) and by value."""
import math

import numpy as np

from ... import _C
from ...autograd.capture import replayed_call
from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...backend import namespace_of, same_device

_FUSED = (np.dtype(np.float32), np.dtype(np.float64))


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad._data for p in parameters if p.grad is not None]


def _split(grads, foreach=None):
    """{dtype: [grads the C kernels take as one list]} and the rest (every gradient with
    foreach=False: one call per gradient)."""
    fused, other = {}, []
    for g in grads:
        if foreach is not False and type(g) is np.ndarray and g.dtype in _FUSED and g.flags.c_contiguous:
            fused.setdefault(g.dtype, []).append(g)
        else:
            other.append(g)
    return fused, other


def _xp(g):
    return np if isinstance(g, np.ndarray) else namespace_of(g)


def _astype(a, dtype):
    xp = _xp(a)
    return xp.astype(a, dtype) if hasattr(xp, "astype") else a.astype(dtype)


def _f64(g):
    return _astype(g, _xp(g).float64)


def _part(g, norm_type):
    """One gradient's share of the total norm, a 0-d array in g's namespace (in double):
    max |g| for the inf-norm, else the sum of |g|^p."""
    xp = _xp(g)
    if norm_type == math.inf:
        return xp.max(xp.abs(_f64(g)))
    return xp.sum(xp.abs(_f64(g)) ** norm_type)


def _nonfinite_error(norm_type):
    return RuntimeError(f"clip_grad_norm_: the total norm of order {float(norm_type)} for gradients from "
                        "`parameters` is non-finite, so it cannot be clipped. To disable this error and "
                        "scale the gradients by the non-finite norm anyway, set error_if_nonfinite=False")


def _check_foreach(op, foreach):
    if foreach is not None and not isinstance(foreach, bool):
        raise TypeError(f"{op}: foreach must be None, True or False, got {foreach!r}")


def total_norm(grads, norm_type=2.0, foreach=None):
    """The norm of all gradients taken together, as a Python float (sum of squares in double)."""
    norm_type = float(norm_type)
    fused, other = _split(grads, foreach)
    if norm_type == math.inf:
        parts = [_C.max_abs(gs) for gs in fused.values()]
        parts += [float(_part(g, norm_type)) for g in other if g.size]
        if any(math.isnan(v) for v in parts):
            return math.nan
        return max(parts, default=0.0)
    if norm_type == 2.0:
        acc = sum(_C.sum_squares(gs) for gs in fused.values())
        acc += sum(float(_part(g, norm_type)) for g in other)
        return math.sqrt(acc)
    everything = [g for gs in fused.values() for g in gs] + other
    acc = sum(float(_part(g, norm_type)) for g in everything)
    return acc ** (1.0 / norm_type)


@replayed_call
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients in place so that their global norm is at most max_norm; return the norm.

        total = (sum over all gradient elements |g|^p)^(1/p)      (max |g| for p = inf)
        g <- g * min(1, max_norm / (total + 1e-6))

    The 2-norm and inf-norm are one fused C pass over every gradient (per
    dtype); the scaling is a second.  foreach=False takes one gradient per
    call instead (the same norm up to rounding).  Returns the total norm
    before clipping as a 0-d Tensor.

    >>> loss.backward()
    >>> nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> optimizer.step()
    """
    _check_foreach("clip_grad_norm_", foreach)
    grads = _grads(parameters)
    if not grads:
        return Tensor(np.array(0.0, dtype=np.float32))
    if not any(isinstance(g, np.ndarray) for g in grads):
        return _clip_on_device(grads, max_norm, norm_type, error_if_nonfinite)
    with no_grad():
        norm = total_norm(grads, norm_type, foreach)
        if error_if_nonfinite and not math.isfinite(norm):
            raise _nonfinite_error(norm_type)
        coef = float(max_norm) / (norm + 1e-6)
        if coef < 1.0 or math.isnan(coef):
            fused, other = _split(grads, foreach)
            for gs in fused.values():
                _C.scale_(gs, coef)
            for g in other:
                g[...] = g * coef
    dtype = grads[0].dtype if isinstance(grads[0], np.ndarray) else np.float64
    return Tensor(np.array(norm, dtype=dtype))


def _clip_on_device(grads, max_norm, norm_type, error_if_nonfinite):
    """clip_grad_norm_ for gradients on a device (CuPy, array-API): the norm and the
    scale stay there, so the step does not wait for the device; returns a 0-d Tensor
    on that device. Only error_if_nonfinite=True reads the norm back."""
    xp = _xp(grads[0])
    norm_type = float(norm_type)
    if norm_type == math.inf:
        parts = [_part(g, norm_type) for g in grads if g.size]
        norm = xp.max(xp.stack(parts)) if parts else xp.zeros((), dtype=xp.float64, **same_device(grads[0]))
    else:
        norm = sum(_part(g, norm_type) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(float(norm)):
        raise _nonfinite_error(norm_type)
    coef = xp.minimum(float(max_norm) / (norm + 1e-6), xp.ones_like(norm))
    for g in grads:
        g[...] = g * _astype(coef, g.dtype)
    return Tensor(_astype(norm, grads[0].dtype))


@replayed_call
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value], in place, one gradient per
    call whatever `foreach` says (None, True or False: the result is the same).

    >>> nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)
    """
    _check_foreach("clip_grad_value_", foreach)
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            if isinstance(g, np.ndarray):
                np.clip(g, -clip_value, clip_value, out=g)
            else:
                xp = _xp(g)
                g[...] = xp.clip(g, -clip_value, clip_value)


# ---- the two halves of clip_grad_norm_, and its deprecated name ----
def _tensors(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return [t for t in tensors if t is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of `tensors` (a Tensor or an iterable of them, typically the gradients) taken
    together, as a 0-d Tensor: (sum over all elements |t|^p)^(1/p), max |t| for p = inf.

    >>> get_total_norm([fastgrad.tensor([3.0]), fastgrad.tensor([4.0])]).item()
    5.0
    """
    _check_foreach("get_total_norm", foreach)
    arrays = [t._data if isinstance(t, Tensor) else np.asarray(t) for t in _tensors(tensors)]
    if not arrays:
        return Tensor(np.array(0.0, dtype=np.float32))
    if not any(isinstance(a, np.ndarray) for a in arrays):
        xp = _xp(arrays[0])
        p = float(norm_type)
        if p == math.inf:
            norm = xp.max(xp.stack([_part(a, p) for a in arrays if a.size])) if any(a.size for a in arrays) else \
                xp.zeros((), dtype=xp.float64, **same_device(arrays[0]))
        else:
            norm = sum(_part(a, p) for a in arrays) ** (1.0 / p)
        if error_if_nonfinite and not math.isfinite(float(norm)):
            raise _nonfinite_error(norm_type)
        return Tensor(_astype(norm, arrays[0].dtype))
    norm = total_norm(arrays, norm_type, foreach)
    if error_if_nonfinite and not math.isfinite(norm):
        raise _nonfinite_error(norm_type)
    return Tensor(np.array(norm, dtype=arrays[0].dtype))


@replayed_call
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of `parameters` in place by min(1, max_norm / (total_norm + 1e-6)),
    total_norm being a norm already computed (get_total_norm of the gradients).

    >>> norm = nn.utils.get_total_norm([p.grad for p in model.parameters() if p.grad is not None])
    >>> nn.utils.clip_grads_with_norm_(model.parameters(), 1.0, norm)
    """
    _check_foreach("clip_grads_with_norm_", foreach)
    grads = _grads(parameters)
    if not grads:
        return None
    norm = total_norm._data if isinstance(total_norm, Tensor) else total_norm
    with no_grad():
        if isinstance(grads[0], np.ndarray) and not isinstance(norm, (np.ndarray, float, int, np.generic)):
            norm = np.asarray(norm)
        if isinstance(norm, (float, int, np.generic)) or (isinstance(norm, np.ndarray) and norm.ndim == 0):
            coef = min(float(max_norm) / (float(norm) + 1e-6), 1.0)
            fused, other = _split(grads, foreach)
            for gs in fused.values():
                _C.scale_(gs, coef)
            for g in other:
                g[...] = g * coef
        else:  # a norm on a device stays there
            xp = _xp(norm)
            coef = xp.minimum(float(max_norm) / (norm + 1e-6), xp.ones_like(norm))
            for g in grads:
                g[...] = g * _astype(coef, g.dtype)
    return None


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated: clip_grad_norm_ under its old name (with PyTorch's FutureWarning)."""
    import warnings

    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)
