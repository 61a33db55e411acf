"""More of PyTorch's runtime switches and questions, with what they mean here:

- set_anomaly_enabled(mode, check_nan=True), is_anomaly_enabled(), is_anomaly_check_nan_enabled():
  fastgrad.autograd's anomaly detection, switched for this thread as set_detect_anomaly does;
- set_deterministic_debug_mode('default' | 'warn' | 'error', or 0 | 1 | 2) and
  get_deterministic_debug_mode(): another spelling of use_deterministic_algorithms(mode, warn_only);
- set_warn_always(b) / is_warn_always_enabled(): the flag is recorded and reported (fastgrad has
  no warnings shown only once to switch);
- set_num_interop_threads(n) / get_num_interop_threads(), init_num_threads(): fastgrad runs
  one op at a time (no inter-op pool), so the number is recorded and reported only;
- set_flush_denormal(mode): NumPy cannot flush denormal numbers to zero, so True is refused
  (the call returns False, as PyTorch does where it is unsupported) and False succeeds;
- has_lapack, has_spectral (NumPy's LAPACK and FFT: True), has_mkl (fastgrad's GEMMs run on
  MKL; fastgrad.has_mkl asks only when read), has_openmp (the C kernels were built with OpenMP).

    import fastgrad as torch
    torch.set_anomaly_enabled(True)
    torch.set_deterministic_debug_mode("warn")
"""
import operator
import os

from .runtime_flags import (are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
                            use_deterministic_algorithms)

__all__ = ["get_deterministic_debug_mode", "get_num_interop_threads", "has_lapack", "has_openmp",
           "has_spectral", "init_num_threads", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
           "is_warn_always_enabled", "set_anomaly_enabled", "set_deterministic_debug_mode", "set_flush_denormal",
           "set_num_interop_threads", "set_warn_always"]

_STATE = {"warn_always": False, "interop_threads": os.cpu_count() or 1}
_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def has_mkl():
    """Whether fastgrad's GEMMs run on MKL (read as fastgrad.has_mkl, a bool, which asks the GEMM
    layer only then: importing fastgrad never loads MKL)."""
    from ..backends import mkl

    return bool(mkl.is_available())


def _has_openmp():
    from ..backends import openmp

    return bool(openmp.is_available())


has_lapack = True
has_spectral = True
has_openmp = _has_openmp()


def set_anomaly_enabled(mode, check_nan=True):
    """Turn anomaly detection on or off in this thread (until switched again)."""
    from ..autograd import set_detect_anomaly

    set_detect_anomaly(bool(mode), check_nan)


def is_anomaly_enabled():
    """True when anomaly detection is on in this thread."""
    from ..autograd import anomaly

    return anomaly.is_anomaly_enabled()


def is_anomaly_check_nan_enabled():
    """True when anomaly detection is on and also checks gradients for NaN and inf."""
    from ..autograd import anomaly

    return anomaly.is_anomaly_check_nan_enabled()


def set_deterministic_debug_mode(debug_mode):
    """'default' (0): deterministic algorithms not required; 'warn' (1): required, warn only;
    'error' (2): required."""
    mode = _DEBUG_MODES.get(debug_mode, debug_mode)
    if isinstance(mode, bool) or mode not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode: debug_mode must be 'default', 'warn', 'error', 0, 1 or 2, "
                           f"got {debug_mode!r}")
    use_deterministic_algorithms(mode > 0, warn_only=mode == 1)


def get_deterministic_debug_mode():
    """0, 1 or 2 as set_deterministic_debug_mode (or use_deterministic_algorithms) left it."""
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def set_warn_always(b):
    """Record whether warnings shown once should be shown every time."""
    if not isinstance(b, bool):
        raise TypeError(f"set_warn_always: argument 'b' must be a bool, got {type(b).__name__}")
    _STATE["warn_always"] = b


def is_warn_always_enabled():
    """The flag last given to set_warn_always (False until then)."""
    return _STATE["warn_always"]


def set_num_interop_threads(num):
    """Record the number of inter-op threads (fastgrad runs one op at a time)."""
    num = operator.index(num)
    if num < 1:
        raise RuntimeError(f"set_num_interop_threads: the number of threads must be positive, got {num}")
    _STATE["interop_threads"] = num


def get_num_interop_threads():
    """The number last given to set_num_interop_threads (the CPU count until then)."""
    return _STATE["interop_threads"]


def init_num_threads():
    """Nothing to do: fastgrad's threads (OpenMP) start with the first kernel that uses them."""


def set_flush_denormal(mode):
    """Whether denormal numbers can be flushed as asked: False for mode=True (NumPy cannot), True
    for mode=False (they never are)."""
    return not bool(mode)
