"""HIPS autograd's `autograd.util` names: quick_grad_check (deprecated there
too; use fastgrad.test_util.check_grads), subval and subvals."""
import warnings

__all__ = ["quick_grad_check", "subval", "subvals"]


def subvals(x, ivs):
    """The tuple x with x[i] = v for each (i, v) in ivs."""
    x = list(x)
    for i, v in ivs:
        x[i] = v
    return tuple(x)


def subval(x, i, v):
    """The tuple x with x[i] = v."""
    return subvals(x, [(i, v)])


def quick_grad_check(fun, arg0, extra_args=(), kwargs=None, verbose=True, eps=1e-4, rtol=1e-4, atol=1e-6,
                     rs=None):
    """Deprecated: check_grads(lambda x: fun(x, *extra_args, **kwargs), modes=["rev"], order=1)(arg0).

    The check itself is check_grads's (central differences in float64 along
    random directions, 1e-6 tolerances); eps, rtol, atol, rs and verbose are
    accepted for old code and not used."""
    from .test_util import check_grads

    warnings.warn("quick_grad_check is deprecated: use fastgrad.test_util.check_grads(fun, modes=['rev'], order=1)",
                  DeprecationWarning, stacklevel=2)
    kwargs = kwargs or {}
    check_grads(lambda x: fun(x, *extra_args, **kwargs), modes=["rev"], order=1)(arg0)
