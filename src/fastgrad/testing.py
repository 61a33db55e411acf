"""fastgrad.testing.assert_close: PyTorch's torch.testing.assert_close for fastgrad tensors.

actual and expected are close where |actual - expected| <= atol + rtol * |expected|, with
PyTorch's default tolerances for their dtypes when rtol and atol are omitted (float32:
rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7; integers and bool: exact).  Tensors, NumPy
arrays, Python numbers, and sequences and mappings of them (compared item by item) are
accepted; a failure raises AssertionError listing the mismatched elements.

    from fastgrad.testing import assert_close
    assert_close(model(x), expected, rtol=1e-4, atol=1e-6)
"""
import collections.abc
import numbers

import numpy as np

from .autograd.tensor import Tensor

__all__ = ["assert_close"]

# (rtol, atol) per dtype, as PyTorch's; dtypes not listed compare exactly.
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}
_SHOWN_MISMATCHES = 10


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless actual and expected are close (see the module's docstring).

    equal_nan=True counts NaN as equal to NaN; check_dtype=False compares values of different
    dtypes (with the looser of their tolerances); check_device compares where the data lives;
    check_stride compares the strides of tensors; msg (a str, or a function of the generated
    message) replaces the message.  Every tensor is strided, so check_layout always holds.

    >>> assert_close(fastgrad.tensor([1.0, 2.0]), fastgrad.tensor([1.0, 2.0 + 1e-7]))
    """
    if (rtol is None) != (atol is None):
        raise ValueError(f"assert_close: both 'rtol' and 'atol' must be given or both omitted, got rtol={rtol!r} "
                         f"and atol={atol!r}")
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype, check_stride=check_stride)
    failure = _compare(actual, expected, options)
    if failure is not None:
        if msg is not None:
            failure = msg(failure) if callable(msg) else msg
        raise AssertionError(failure)


def _compare(actual, expected, options):
    """None when close, else the message saying why not."""
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        if set(actual) != set(expected):
            missing = sorted(map(str, set(expected) - set(actual)))
            extra = sorted(map(str, set(actual) - set(expected)))
            return f"The keys of the mappings do not match: missing in actual {missing}, additional in actual {extra}"
        return _first_failure(((k, actual[k], expected[k]) for k in expected), options)
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            return f"The length of the sequences do not match: {len(actual)} != {len(expected)}"
        return _first_failure(((i, a, e) for i, (a, e) in enumerate(zip(actual, expected))), options)
    if isinstance(actual, numbers.Number) and isinstance(expected, numbers.Number):
        if options["check_dtype"] and type(actual) is not type(expected):
            return f"The (d)types do not match: {type(actual)} != {type(expected)}"
        return _compare_arrays(np.asarray(actual), np.asarray(expected), options, "Scalars")
    kinds = (Tensor, np.ndarray)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)
            and isinstance(actual, Tensor) == isinstance(expected, Tensor)):
        raise TypeError(f"assert_close: no comparison for inputs of type {type(actual).__name__} and "
                        f"{type(expected).__name__} (both must be tensors, NumPy arrays, numbers, or sequences "
                        "or mappings of them)")
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        return f"The types do not match: {type(actual)} != {type(expected)} (allow_subclasses=False)"
    if options["check_device"] and isinstance(actual, Tensor) and str(actual.device) != str(expected.device):
        return f"The values for attribute 'device' do not match: {actual.device} != {expected.device}"
    a, e = _host(actual), _host(expected)
    if a.shape != e.shape:
        return f"The values for attribute 'shape' do not match: {a.shape} != {e.shape}"
    if options["check_dtype"] and a.dtype != e.dtype:
        return f"The values for attribute 'dtype' do not match: {a.dtype} != {e.dtype}"
    if options["check_stride"] and a.strides != e.strides:
        return f"The values for attribute 'stride' do not match: {a.strides} != {e.strides}"
    return _compare_arrays(a, e, options, "Tensor-likes")


def _is_sequence(x):
    return isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes))


def _first_failure(items, options):
    for key, a, e in items:
        failure = _compare(a, e, options)
        if failure is not None:
            return f"{failure}\n\nThe failure occurred for item [{key!r}]"
    return None


def _host(x):
    data = x._data if isinstance(x, Tensor) else x
    return np.asarray(data.get() if hasattr(data, "__cuda_array_interface__") else data)


def _compare_arrays(a, e, options, what):
    rtol, atol = options["rtol"], options["atol"]
    if rtol is None:
        rtol, atol = (max(values) for values in zip(*(_TOLERANCES.get(d, (0.0, 0.0)) for d in (a.dtype, e.dtype))))
    exact = rtol == 0 and atol == 0
    if exact and a.dtype.kind in "biu" and e.dtype.kind in "biu":
        close = a == e
        a, e = a.astype(np.float64), e.astype(np.float64)
    else:
        wide = np.complex128 if "c" in (a.dtype.kind, e.dtype.kind) else np.float64
        a, e = a.astype(wide), e.astype(wide)
        with np.errstate(invalid="ignore", over="ignore"):
            close = (a == e) | (np.isfinite(a) & np.isfinite(e) & (np.abs(a - e) <= atol + rtol * np.abs(e)))
        if options["equal_nan"]:
            close |= np.isnan(a) & np.isnan(e)
    if close.all():
        return None
    return _mismatch_report(a, e, ~close, rtol, atol, what, "equal" if exact else "close")


def _mismatch_report(a, e, bad, rtol, atol, what, word):
    with np.errstate(divide="ignore", invalid="ignore"):
        absolute = np.abs(a - e)
        relative = absolute / np.abs(e)
    lines = [f"{what} are not {word}!", "",
             f"Mismatched elements: {int(bad.sum())} / {bad.size} ({100.0 * bad.sum() / bad.size:.1f}%)"]
    for name, diff, allowed in (("absolute", absolute, atol), ("relative", relative, rtol)):
        worst = np.where(bad, np.where(np.isnan(diff), np.inf, diff), -1.0)
        at = np.unravel_index(int(np.argmax(worst)), bad.shape)
        limit = "" if word == "equal" else f" (up to {allowed} allowed)"
        lines.append(f"Greatest {name} difference: {diff[at]} at index {tuple(int(i) for i in at)}{limit}")
    positions = np.argwhere(bad)[:_SHOWN_MISMATCHES]
    shown = ", ".join(f"{tuple(int(i) for i in p)}: {a[tuple(p)]} vs {e[tuple(p)]}" for p in positions)
    more = " ..." if bad.sum() > _SHOWN_MISMATCHES else ""
    lines.append(f"Mismatches (index: actual vs expected): {shown}{more}")
    return "\n".join(lines)
