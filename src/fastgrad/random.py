"""fastgrad.random: PyTorch's torch.random, the default generator's seeding and state.

    import fastgrad as torch
    state = torch.random.get_rng_state()
    with torch.random.fork_rng():
        noise = torch.randn(3)        # draws inside do not change the draws after the block
"""
import contextlib

from .creation import manual_seed
from .generator import Generator
from .torch_functions.sampling import get_rng_state, initial_seed, seed, set_rng_state

__all__ = ["Generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type=None):
    """Save the default generator's state on entry and restore it on exit, so the block's draws
    leave the stream after it as it was.  fastgrad's generator is on the host: `devices` may
    only be None or empty, and device_type None or 'cpu'.  enabled=False does nothing."""
    if devices is not None and len(devices) > 0:
        raise NotImplementedError(f"{_caller}: argument '{_devices_kw}' names devices {list(devices)!r}; fastgrad "
                                  "forks its host generator only (pass None or [])")
    if device_type not in (None, "cpu"):
        raise NotImplementedError(f"{_caller}: argument 'device_type' = {device_type!r}; fastgrad forks its host "
                                  "generator only")
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
