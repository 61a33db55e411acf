"""fastgrad.testing: PyTorch's torch.testing for fastgrad tensors: assert_close, make_tensor and
the deprecated assert_allclose.

actual and expected are close where |actual - expected| <= atol + rtol * |expected|, with
PyTorch's default tolerances for their dtypes when rtol and atol are omitted (float32:
rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7; integers and bool: exact).  Tensors, NumPy
arrays, Python numbers, and sequences and mappings of them (compared item by item) are
accepted; a failure raises AssertionError listing the mismatched elements.

    from fastgrad.testing import assert_close
    assert_close(model(x), expected, rtol=1e-4, atol=1e-6)
"""
import collections.abc
import math
import numbers
import warnings

import numpy as np

from .autograd.tensor import Tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]

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


# assert_allclose's own (rtol, atol) per dtype, looser than assert_close's for float32 and float64.
_ALLCLOSE_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-3), np.dtype(np.float32): (1e-4, 1e-5),
                        np.dtype(np.float64): (1e-5, 1e-8)}


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated (FutureWarning): assert_close with check_dtype=False, equal_nan=True by default and,
    when rtol and atol are omitted, the looser of these per-dtype tolerances of actual and expected:
    float16 (1e-3, 1e-3), float32 (1e-4, 1e-5), float64 (1e-5, 1e-8), others exact. Numbers and
    lists become tensors (expected in actual's dtype).

    >>> assert_allclose(fastgrad.tensor([1.0]), [1.00001])     # within float32's rtol 1e-4
    """
    warnings.warn("fastgrad.testing.assert_allclose() is deprecated, as torch.testing.assert_allclose() is "
                  "since PyTorch 1.12; use fastgrad.testing.assert_close() instead.", FutureWarning, stacklevel=2)
    from .creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_TOLERANCES.get(np.dtype(t.dtype), (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False, msg=msg or None)


# make_tensor's default range [low, high) per kind of dtype
_DEFAULT_RANGES = {"b": (0, 2), "u": (0, 10), "i": (-9, 10), "f": (-9, 9), "c": (-9, 9)}


def _range_of(dtype, low, high):
    """[low, high) for make_tensor: the dtype's defaults where omitted, clamped to what it can hold."""
    kind = dtype.kind if dtype.kind in _DEFAULT_RANGES else "f"
    if kind == "b":
        return 0, 2
    for name, value in (("low", low), ("high", high)):
        if value is not None and not isinstance(value, numbers.Real):
            raise TypeError(f"make_tensor: `{name}` must be a real number or None, got {type(value).__name__}")
    if (low is not None and math.isnan(low)) or (high is not None and math.isnan(high)):
        raise ValueError(f"make_tensor: `low` and `high` cannot be NaN, but got low={low} and high={high}")
    default_low, default_high = _DEFAULT_RANGES[kind]
    low = default_low if low is None else low
    high = default_high if high is None else high
    if kind in "iu":
        info = np.iinfo(dtype)
    else:                                  # bfloat16 (not a NumPy kind) has float32's range
        info = np.finfo(dtype if dtype.kind in "fc" else np.float32)
    low, high = max(low, float(info.min)), min(high, float(info.max))
    if low > high or (low == high and kind in "iu"):
        raise ValueError(f"make_tensor: `low` must be less than `high`, but got {low} >= {high}")
    return low, high


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of `shape` (ints, or one sequence) filled with random values of `dtype`, drawn from
    fastgrad's generator (fastgrad.manual_seed) uniformly in [low, high):

        bool: False/True; unsigned integers: [0, 10); signed integers: [-9, 10) (integers: high is
        exclusive); floating point: [-9, 9); complex: real and imaginary parts each in [-9, 9).

    low and high are clamped to the dtype's finite range; low == high gives a tensor full of low
    (floating point). exclude_zero replaces zeros by 1 (bool, integers) or by the dtype's smallest
    normal number (real and imaginary parts for complex). noncontiguous returns a strided view
    (every other element of a buffer twice as long in the last axis) holding the same kind of
    values. requires_grad only for floating-point and complex dtypes. memory_format is accepted for
    PyTorch compatibility (None or torch's contiguous format: fastgrad's tensors are row-major).

    >>> make_tensor(2, 3, dtype=fastgrad.float32, device="cpu", low=0, high=1).shape
    (2, 3)
    """
    from .creation import default_generator, tensor
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    if not all(isinstance(n, numbers.Integral) and n >= 0 for n in shape):
        raise ValueError(f"make_tensor: the shape must be nonnegative integers, got {shape!r}")
    shape = tuple(int(n) for n in shape)
    dtype = np.dtype(dtype)
    if requires_grad and dtype.kind not in "fcV":
        raise ValueError(f"make_tensor: `requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dtype}")
    if memory_format is not None and "contiguous" not in str(memory_format):
        raise ValueError(f"make_tensor: memory_format {memory_format!r} is not supported (fastgrad's tensors are "
                         f"row-major; use None)")
    low, high = _range_of(dtype, low, high)
    drawn_shape = shape[:-1] + (shape[-1] * 2,) if noncontiguous and shape and math.prod(shape) > 1 else shape
    generator = default_generator()
    if dtype.kind == "b":
        values = generator.integers(0, 2, size=drawn_shape).astype(bool)
    elif dtype.kind in "iu":
        values = generator.integers(math.ceil(low), math.ceil(high), size=drawn_shape, endpoint=False)
    elif low == high:
        values = np.full(drawn_shape, low, dtype=np.float64)
    else:
        values = generator.uniform(low, high, size=drawn_shape)
        if dtype.kind == "c":
            values = values + 1j * generator.uniform(low, high, size=drawn_shape)
    values = values.astype(dtype)
    if exclude_zero:
        if dtype.kind in "biu":
            values[values == 0] = 1
        else:
            tiny = np.finfo(dtype if dtype.kind in "fc" else np.float32).tiny
            values[values == 0] = tiny + 1j * tiny if dtype.kind == "c" else tiny
    result = tensor(values, dtype=dtype, device=device)
    if drawn_shape != shape:               # every other element of the longer buffer: a strided view
        result = result[..., ::2].detach()
    return result.requires_grad_(True) if requires_grad else result
