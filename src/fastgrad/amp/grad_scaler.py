"""GradScaler: dynamic loss scaling for float16 training, PyTorch's API (torch.amp.GradScaler).

float16 has few exponent bits: small gradients underflow to zero in a float16
GEMM, large ones overflow to inf.  The scaler multiplies the loss by a scale S
before backward, so gradients are S times larger through the 16-bit GEMMs;
`step` divides them by S again (unscale_) and runs the optimizer only when
they are all finite.  `update` then adapts S:

    any inf/NaN found:  S <- S * backoff_factor, and the step was skipped
    growth_interval finite steps in a row:  S <- S * growth_factor

The usual loop::

    scaler = fastgrad.amp.GradScaler()
    with fastgrad.autocast(dtype="float16"):
        loss = loss_fn(model(x), y)
    scaler.scale(loss).backward()
    scaler.step(optimizer)       # unscales; skips optimizer.step() on inf/NaN
    scaler.update()
"""
import math

from .. import _C
from ..autograd import capture
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import namespace_of
from ..nn.utils.clip_grad import _split

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class GradScaler:
    """Dynamic loss scaling (see the module docstring).  enabled=False makes every method a
    pass-through: scale() returns its input and step() just calls optimizer.step()."""

    def __init__(self, device="cpu", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        if device != "cpu":
            raise ValueError(f"GradScaler: argument 'device' must be 'cpu', got {device!r}")
        _check_positive("init_scale", init_scale)
        if not growth_factor > 1.0:
            raise ValueError(f"GradScaler: argument 'growth_factor' must be > 1, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: argument 'backoff_factor' must be in (0, 1), got {backoff_factor}")
        _check_interval(growth_interval)
        self._enabled = bool(enabled)
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer = {}  # id(optimizer) -> {"stage": ..., "found_inf": bool}

    # ---- the loop ----
    def scale(self, outputs):
        """outputs * scale: a Tensor, or every Tensor in a (nested) list or tuple."""
        if not self._enabled:
            return outputs
        if capture.recording() is not None:
            raise RuntimeError("GradScaler.scale: an enabled GradScaler cannot be recorded by fastgrad.jit "
                               "(its scale changes between steps, and a replay would keep the recorded one)")
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise TypeError(f"GradScaler.scale: argument 'outputs' must be a Tensor or a list/tuple of Tensors, "
                        f"got {type(outputs).__name__}")

    def unscale_(self, optimizer):
        """Divide the gradients of `optimizer`'s parameters by the scale, in place, and note
        whether any is inf or NaN.  At most once per optimizer between update() calls."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("GradScaler.unscale_: already called on this optimizer since the last update()")
        if state["stage"] == _STEPPED:
            raise RuntimeError("GradScaler.unscale_: called after step(); call update() first")
        grads = [p.grad._data for group in optimizer.param_groups for p in group["params"]
                 if p.grad is not None]
        state["found_inf"] = _unscale_and_find_nonfinite(grads, 1.0 / self._scale)
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """unscale_(optimizer) if not done yet, then optimizer.step(*args, **kwargs) unless a
        gradient was inf or NaN (then the step is skipped).  Returns what step() returned, or None."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("GradScaler.step: a closure is not supported while the scaler is enabled")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("GradScaler.step: already called on this optimizer since the last update()")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None
        if not state["found_inf"]:
            result = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """Set the scale for the next iteration: `new_scale` if given (a float or a
        one-element Tensor), else back off after an inf/NaN or grow after
        growth_interval clean steps."""
        if not self._enabled:
            return
        if new_scale is not None:
            value = float(new_scale.item() if isinstance(new_scale, Tensor) else new_scale)
            _check_positive("new_scale", value, "GradScaler.update")
            self._scale = value
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values() if s["stage"] != _READY]
            if not found:
                raise RuntimeError("GradScaler.update: no inf checks were recorded; call step() (or "
                                   "unscale_()) on an optimizer before update()")
            if any(found):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    if math.isfinite(grown):
                        self._scale = grown
                    self._growth_tracker = 0
        self._per_optimizer = {}

    # ---- settings ----
    def get_scale(self):
        """The current scale (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def is_enabled(self):
        return self._enabled

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        if not new_factor > 1.0:
            raise ValueError(f"GradScaler.set_growth_factor: must be > 1, got {new_factor}")
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        if not 0.0 < new_factor < 1.0:
            raise ValueError(f"GradScaler.set_backoff_factor: must be in (0, 1), got {new_factor}")
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        _check_interval(new_interval)
        self._growth_interval = int(new_interval)

    def state_dict(self):
        """scale, growth_factor, backoff_factor, growth_interval, _growth_tracker ({} when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("GradScaler.load_state_dict: the state dict is empty, possibly because it "
                               "was saved from a disabled GradScaler")
        missing = {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"} - set(state_dict)
        if missing:
            raise KeyError(f"GradScaler.load_state_dict: missing {sorted(missing)}")
        _check_positive("scale", float(state_dict["scale"]), "GradScaler.load_state_dict")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])

    def _state(self, optimizer):
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": False})


def _unscale_and_find_nonfinite(grads, inv_scale):
    """g *= inv_scale for every gradient, in place; True when any element is inf or NaN."""
    found = False
    fused, other = _split(grads)
    with no_grad():
        for gs in fused.values():
            _C.scale_(gs, inv_scale)
            found = found or not math.isfinite(_C.max_abs(gs))
        for g in other:
            g[...] = g * inv_scale
            xp = namespace_of(g)
            found = found or not bool(xp.all(xp.isfinite(g)))
    return found


def _check_positive(name, value, op="GradScaler"):
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"{op}: argument '{name}' must be a finite number > 0, got {value!r}")


def _check_interval(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"GradScaler: argument 'growth_interval' must be an int >= 1, got {value!r}")
