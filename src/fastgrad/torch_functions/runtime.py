"""PyTorch's set_printoptions and compile.

    import fastgrad as torch
    torch.set_printoptions(precision=3)
    model = torch.compile(model)        # runs eagerly: returned unchanged

fastgrad has no graph compiler behind `compile`: it returns the model or function it is given,
which then runs eagerly, as PyTorch itself does where it cannot compile.  (fastgrad.jit
captures and replays a function for speed; it has its own rules and is not used here.)
"""
import numpy as np

from ..autograd import printing

__all__ = ["compile", "set_printoptions"]

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=np.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """How tensors print (NumPy arrays keep NumPy's options): digits after the point, the element
    count above which the middle is summarized, the elements shown at each edge then, the line
    width, a profile ('default', 'short', 'full') that sets all four, and sci_mode (True: always
    scientific, False: never, None: PyTorch's rule).  As in PyTorch, sci_mode is set by each call
    (None when not given)."""
    options = {}
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"set_printoptions: argument '{name}' must be a non-negative number, got {value!r}")
            options[name] = value
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"set_printoptions: argument 'sci_mode' must be True, False or None, got {sci_mode!r}")
    options["sci_mode"] = sci_mode
    printing.OPTIONS.update(options)


_COMPILE_MODES = (None, "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """PyTorch's torch.compile, which here runs eagerly: returns `model` (a Module or a
    function) unchanged.  Its keyword arguments are checked and accepted; used as a decorator
    with arguments (@compile(mode=...)) it returns the decorator."""
    if mode not in _COMPILE_MODES:
        raise ValueError(f"compile: unknown mode {mode!r}; PyTorch's are {[m for m in _COMPILE_MODES if m]}")
    if mode is not None and options is not None:
        raise RuntimeError("compile: give either mode or options, not both")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile: argument 'options' must be a dict, got {type(options).__name__}")
    if not (isinstance(backend, str) or callable(backend)):
        raise TypeError(f"compile: argument 'backend' must be a name or a callable, got {backend!r}")
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise TypeError(f"compile: expects a Module or a function, got {type(model).__name__}")
    return model
