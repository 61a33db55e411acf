"""The one registry of differentiable NumPy functions.

FUNCTIONS maps a NumPy function (np.sum, np.linalg.inv, ...) to its
implementation on Tensors, UFUNCS maps a ufunc (np.exp, np.add, ...) to a
differentiable function of the same arguments.  Tensor.__array_function__ /
__array_ufunc__ and the `fastgrad.numpy` namespace are both built from them.

Functions whose result carries no gradient (argmax, floor, isnan, ...) are
listed in NON_DIFFERENTIABLE: they run on the plain data.  QUERIES (np.shape,
np.ndim, ...) return what NumPy returns.
"""
from ..autograd.grad_mode import STATE
from ..autograd.tensor import Tensor

FUNCTIONS = {}
UFUNCS = {}
NON_DIFFERENTIABLE = set()
QUERIES = set()


def implements(*numpy_functions):
    """Register the decorated function as the Tensor version of `numpy_functions`."""

    def register(fn):
        for np_fn in numpy_functions:
            FUNCTIONS[np_fn] = fn
        return fn

    return register


def numpy_name(fn):
    """'numpy.linalg.inv' for np.linalg.inv, 'numpy.exp' for the ufunc np.exp."""
    return f"{getattr(fn, '__module__', None) or 'numpy'}.{fn.__name__}"


def plain(a):
    """The array inside a Tensor; anything else unchanged."""
    return a._data if isinstance(a, Tensor) else a


def plain_tree(a):
    """Replace Tensors by their arrays inside (nested) lists, tuples and dicts."""
    if isinstance(a, Tensor):
        return a._data
    if type(a) in (list, tuple):
        return type(a)(plain_tree(x) for x in a)
    if type(a) is dict:
        return {k: plain_tree(v) for k, v in a.items()}
    return a


def any_tensor(args):
    """True when a Tensor is among `args`, or inside a list or tuple among them."""
    for a in args:
        if isinstance(a, Tensor):
            return True
        if type(a) in (list, tuple):
            for x in a:
                if isinstance(x, Tensor):
                    return True
    return False


def needs_grad(args):
    """True when a Tensor that requires grad is among `args` (or inside lists, tuples, dicts)."""
    if not STATE.enabled:
        return False
    for a in args:
        if isinstance(a, Tensor):
            if a._requires_grad:
                return True
        elif type(a) in (list, tuple) and needs_grad(a):
            return True
        elif type(a) is dict and needs_grad(a.values()):
            return True
    return False


def on_host(name, device):
    """NumPy's device= (NumPy 2): only 'cpu' (or None), where NumPy arrays live."""
    if device is not None and device != "cpu":
        raise ValueError(f"{name}: device must be 'cpu' or None (NumPy arrays live in host memory), got {device!r}")


def not_on_tensors(name, **options):
    """Reject options (given as not None) that the Tensor version does not implement."""
    for key, value in options.items():
        if value is not None:
            raise TypeError(f"{name}: {key}= is not supported on Tensors")


def no_out(name, out):
    """Reject `out=`: a result written into an existing array cannot carry a gradient."""
    if out is not None:
        raise TypeError(f"{name}: out= is not supported on Tensors (a result written into an existing "
                        "array cannot carry a gradient); use the returned value")


def unsupported(name, **options):
    """Reject NumPy options that the Tensor version does not implement."""
    for key, value in options.items():
        if value is not NOVALUE and value is not None:
            raise TypeError(f"{name}: the option {key}= is not supported on Tensors")


class _NoValue:
    def __repr__(self):
        return "<no value>"


NOVALUE = _NoValue()
