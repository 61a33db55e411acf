"""custom_fwd / custom_bwd: decorators for the forward and backward of a custom
`fastgrad.autograd.Function`, so it behaves predictably under autocast; and
is_autocast_available.

    class ScaledMatmul(fastgrad.autograd.Function):
        @staticmethod
        @fastgrad.amp.custom_fwd(device_type="cpu", cast_inputs=fastgrad.float32)
        def forward(ctx, a, b):              # under autocast: runs with autocast off, a and b float32
            ctx.save_for_backward(a, b)
            return a @ b

        @staticmethod
        @fastgrad.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):                # runs in the autocast state forward ran in
            a, b = ctx.saved_tensors
            return g @ b.mT, a.mT @ g

custom_fwd without cast_inputs only records whether autocast was on (and its dtype) when forward
ran; with cast_inputs, when autocast is on, forward runs with autocast off and its floating-point
Tensor arguments (float64 excepted, also inside lists, tuples and dicts) cast to cast_inputs.
custom_bwd runs backward in the state forward recorded, wherever backward() is called from.
fastgrad's autocast runs on "cpu" only, so for "cuda" both decorators leave the calls unchanged.
"""
import functools

from ..autograd.tensor import Tensor
from .autocast_mode import autocast, get_autocast_dtype, is_autocast_enabled

__all__ = ["custom_bwd", "custom_fwd", "is_autocast_available"]

_KNOWN_DEVICES = ("cpu", "cuda", "xpu", "mps", "hpu", "xla", "meta", "mtia", "privateuseone")


def _device_type(op, device_type):
    if not isinstance(device_type, str):
        raise ValueError(f"{op}: expected `device_type` of type `str`, got: `{type(device_type)}`")
    name = device_type.split(":")[0]
    if name not in _KNOWN_DEVICES:
        raise RuntimeError(f"{op}: expected one of {', '.join(_KNOWN_DEVICES)} device type, got {device_type!r}")
    return name


def is_autocast_available(device_type):
    """Whether autocast can run on `device_type`: True for "cpu", False for the other device types
    (fastgrad's autocast computes the CPU's products only).

    >>> fastgrad.amp.is_autocast_available("cpu")
    True
    """
    return _device_type("is_autocast_available", device_type) == "cpu"


def _cast(value, dtype):
    """value with its floating-point Tensors other than float64 cast to dtype (containers walked)."""
    if isinstance(value, Tensor):
        floating = value.dtype.kind == "f" and value.dtype.itemsize < 8
        return value.to(dtype) if floating else value
    if isinstance(value, dict):
        return {k: _cast(v, dtype) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        cast = [_cast(v, dtype) for v in value]
        return type(value)(cast) if not hasattr(value, "_fields") else type(value)(*cast)
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorate a custom Function's forward (see the module's docstring); usable as
    `@custom_fwd(device_type="cpu")` or `custom_fwd(forward, device_type="cpu")`."""
    name = _device_type("custom_fwd", device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def forward(*args, **kwargs):
        ctx = args[0]
        enabled = name == "cpu" and is_autocast_enabled("cpu")
        if cast_inputs is None:
            ctx._fwd_used_autocast = enabled
            ctx._dtype = get_autocast_dtype("cpu") if enabled else None
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast, ctx._dtype = False, None
        if not enabled:
            return fwd(*args, **kwargs)
        with autocast("cpu", enabled=False):
            return fwd(ctx, *_cast(args[1:], cast_inputs), **_cast(kwargs, cast_inputs))
    return forward


def custom_bwd(bwd=None, *, device_type):
    """Decorate a custom Function's backward: it runs with autocast as forward had it (forward
    must be decorated with custom_fwd)."""
    name = _device_type("custom_bwd", device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def backward(*args, **kwargs):
        ctx = args[0]
        if not hasattr(ctx, "_fwd_used_autocast"):
            raise RuntimeError("custom_bwd: the Function's forward was not decorated with custom_fwd, so the "
                               "autocast state it ran in is unknown")
        if name != "cpu":
            return bwd(*args, **kwargs)
        with autocast("cpu", dtype=ctx._dtype, enabled=ctx._fwd_used_autocast):
            return bwd(*args, **kwargs)
    return backward
