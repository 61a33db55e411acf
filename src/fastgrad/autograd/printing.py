"""How a Tensor prints: PyTorch's defaults (4 digits after the point; scientific notation when
the values span more than 1000x, reach 1e8 or fall below 1e-4; "3." for whole values; the middle
summarized above 1000 elements), changed by fastgrad.set_printoptions.  NumPy arrays keep NumPy's
own print options."""
import numpy as np

OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


def array_body(host):
    """The bracketed values of a NumPy array as a Tensor's repr shows them."""
    options = dict(separator=", ", prefix="tensor(", threshold=OPTIONS["threshold"],
                   edgeitems=OPTIONS["edgeitems"], max_line_width=OPTIONS["linewidth"] + len("tensor("))
    if host.dtype.name == "bfloat16":   # ml_dtypes' bfloat16 is not a NumPy float kind: shown as its float32 values
        host = host.astype(np.float32)
    if host.dtype.kind != "f" or host.size == 0:
        return np.array2string(host, **options)
    values = _shown(host).astype(np.float64, copy=False)  # PyTorch looks at what it shows
    finite = values[np.isfinite(values)]
    scientific = _wide_range(finite) if OPTIONS["sci_mode"] is None else OPTIONS["sci_mode"]
    if scientific:
        text = _scientific_format(finite, OPTIONS["precision"])
    elif finite.size and (finite == np.round(finite)).all():
        text = _whole_format(finite)
    else:
        text = _fixed_format(finite, OPTIONS["precision"])
    options["formatter"] = {"float_kind": text}
    # PyTorch's line breaks: as many elements as fit in linewidth after the indent.
    width = max((len(text(v)) for v in (finite.min(), finite.max())), default=3) if finite.size else 3
    per_line = max(1, (OPTIONS["linewidth"] - len("tensor(") - max(host.ndim - 1, 0)) // (width + 2))
    options["max_line_width"] = len("tensor(") + max(host.ndim, 1) + per_line * (width + 2)
    return np.array2string(host, **options)


def _shown(host):
    """The elements a summarized print shows: edgeitems at each end of every long axis."""
    if host.size <= OPTIONS["threshold"]:
        return host
    edge = OPTIONS["edgeitems"]
    for axis in range(host.ndim):
        if host.shape[axis] > 2 * edge:
            host = np.concatenate([np.take(host, np.arange(edge), axis),
                                   np.take(host, np.arange(host.shape[axis] - edge, host.shape[axis]), axis)], axis)
    return host


def _wide_range(finite):
    """PyTorch's rule for scientific notation."""
    nonzero = np.abs(finite[finite != 0])
    if nonzero.size == 0:
        return False
    return bool(nonzero.max() / nonzero.min() > 1000.0 or nonzero.max() > 1e8 or nonzero.min() < 1e-4)


def _scientific_format(finite, digits):
    pad = " " if (finite < 0).any() else ""

    def text(v):
        out = np.format_float_scientific(v, precision=digits, unique=False) if np.isfinite(v) else str(v)
        return out if out.startswith("-") else pad + out
    return text


def _fixed_format(finite, digits):
    width = max(len(f"{v:.{digits}f}") for v in (finite.min(), finite.max())) if finite.size else 0
    return lambda v: (f"{v:.{digits}f}" if np.isfinite(v) else str(v)).rjust(width)


def _whole_format(finite):
    width = max(len(f"{v:.0f}.") for v in (finite.min(), finite.max()))  # nan and inf are not padded to
    return lambda v: (f"{v:.0f}." if np.isfinite(v) else str(v)).rjust(width)
