"""skip_init: a module made without caring about its parameters' initial values."""
import inspect


def skip_init(module_cls, *args, **kwargs):
    """module_cls(*args, **kwargs), for code that fills the parameters itself afterwards, as
    PyTorch's torch.nn.utils.skip_init.  PyTorch builds the module on its meta device and leaves
    the memory uninitialized; fastgrad has no meta device, so the module is built as usual and its
    values are simply not to be relied on.  As in PyTorch, the class must accept a `device`
    argument (the mark of a module whose construction can be redirected).

    >>> layer = skip_init(fastgrad.nn.Linear, 4, 2)
    >>> layer.weight.shape
    (2, 4)
    """
    if not isinstance(module_cls, type):
        raise TypeError(f"skip_init: argument 'module_cls' must be a Module class, got {type(module_cls).__name__}")
    from ..modules.module import Module

    if not issubclass(module_cls, Module):
        raise TypeError(f"skip_init: argument 'module_cls' must be a subclass of Module, got {module_cls.__name__}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError(f"skip_init: {module_cls.__name__} must support a 'device' argument to skip "
                           "initialization")
    return module_cls(*args, **kwargs)
