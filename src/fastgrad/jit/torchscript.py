"""torch.jit's TorchScript entry points, for scripts written against PyTorch.

fastgrad has no TorchScript: `script` and `trace` return what they are given, which then runs
eagerly with the same results; `ignore`, `unused` and `export` return the function they
decorate.  (fastgrad's own compiler is `fastgrad.jit(fn)`: it records a step and replays it.)
"""


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """Returns `obj` (a Module or a function) unchanged: it runs eagerly."""
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """Returns `func` (a Module or a function) unchanged: it runs eagerly, following the Python
    control flow of each call (where PyTorch's trace would fix the one taken for example_inputs)."""
    return func


def ignore(drop=False, **kwargs):
    """@ignore or @ignore(drop=...): leaves the function as it is."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    """@unused: leaves the function as it is."""
    return fn


def export(fn):
    """@export: leaves the function as it is."""
    return fn


def is_scripting():
    """False: nothing here runs as TorchScript."""
    return False


def is_tracing():
    """False: nothing here runs under torch.jit.trace."""
    return False
