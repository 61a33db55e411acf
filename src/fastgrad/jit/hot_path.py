"""The check a call of the recording replayed last makes instead of finding its recording.

A jitted function called again and again with inputs of one signature finds its
recording through the fast key (signature.fast_key), two dict lookups and the
recording's guards (Tape.still_valid).  `hot_check(fast, guards)` writes those
tests out as one function of the call's positional arguments for the signature
replayed last: it is True exactly when fast_key(args) would equal `fast` and
every guard holds, so the call may replay that recording directly.
"""
import numpy as np

from ..autograd.grad_mode import STATE
from ..dtypes import get_default_dtype


def hot_check(fast, guards):
    """check(args) -> bool for the fast key `fast` (grad mode, default dtype, then per argument
    (class, shape, strides, dtype[, requires_grad])) and `guards` (Tape.guards)."""
    grad_enabled, default_dtype, *parts = fast
    names = {"_STATE": STATE, "_default_dtype": get_default_dtype, "_ndarray": np.ndarray,
             "_enabled": grad_enabled, "_dtype": default_dtype}
    n = len(parts)
    lines = ["def check(args):",
             f"    if len(args) != {n} or _STATE.enabled != _enabled or _default_dtype() != _dtype:",
             "        return False"]
    if n:
        lines.append(f"    {', '.join(f'a{i}' for i in range(n))}, = args")
    for i, part in enumerate(parts):
        kind, shape, strides, dtype = part[:4]
        names.update({f"K{i}": kind, f"S{i}": shape, f"T{i}": strides, f"D{i}": dtype})
        lines += [f"    if type(a{i}) is not K{i}:", "        return False"]
        if kind is np.ndarray:
            lines.append(f"    d{i} = a{i}")
            tensor_test = ""
        else:
            lines.append(f"    d{i} = a{i}._data")
            names[f"R{i}"] = part[4]
            tensor_test = f" or a{i}._requires_grad != R{i}"
        lines += [f"    if (type(d{i}) is not _ndarray or d{i}.shape != S{i} or d{i}.strides != T{i}",
                  f"            or (d{i}.dtype is not D{i} and d{i}.dtype != D{i}){tensor_test}):",
                  "        return False"]
    if n > 1:  # no two arguments share an array (fast_key's condition)
        lines += [f"    if len({{{', '.join(f'id(d{i})' for i in range(n))}}}) != {n}:", "        return False"]
    for j, (tensor, kind, shape, dtype, requires_grad) in enumerate(guards):
        names.update({f"g{j}": tensor, f"gk{j}": kind, f"gs{j}": shape, f"gd{j}": dtype, f"gr{j}": requires_grad})
        lines += [f"    a = g{j}._data",
                  f"    if (type(a) is not gk{j} or a.shape != gs{j} or (a.dtype is not gd{j} and a.dtype != gd{j})",
                  f"            or g{j}._requires_grad != gr{j}):",
                  "        return False"]
    lines.append("    return True")
    exec(compile("\n".join(lines) + "\n", "<fastgrad.jit hot check>", "exec"), names)
    return names["check"]
