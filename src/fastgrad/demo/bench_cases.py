"""The cases of `fastgrad bench`: short runs of the workloads of bench/ (demo/workloads.py).

Each case gives one callable per peer on identical inputs (fastgrad, plain
NumPy, PyTorch when installed) and, where one exists, a floor: the least time
the work can take, timed beside them.  On a GPU (`--device cuda`) fastgrad runs
on CuPy beside PyTorch CUDA, with no NumPy column.
"""
from dataclasses import dataclass
from typing import Callable, Optional

from . import workloads as w
from .optional import optional_import


@dataclass
class Case:
    name: str
    fastgrad: Callable
    numpy: Optional[Callable] = None
    numpy_label: str = "NumPy"
    torch: Optional[Callable] = None
    floor: Optional[Callable] = None     # timed like the peers
    floor_label: str = ""


def _torch(device):
    """PyTorch when installed (with CUDA for a GPU device), else None: its column stays empty."""
    torch = optional_import("torch")
    if torch is None or (device != "cpu" and not torch.cuda.is_available()):
        return None
    return torch


def _where(device):
    return "" if device == "cpu" else ", GPU"


def overhead_case(steps):
    torch = _torch("cpu")
    return Case(f"per-op overhead: {2 * steps} ops on (16,), fwd+bwd", w.overhead_fastgrad(steps),
                w.overhead_numpy(steps), "NumPy (fwd only)", torch and w.overhead_torch(torch, steps))


def activation_case(name, n, device):
    torch = _torch(device)
    return Case(f"{name} fwd+bwd, {_count(n)} float32{_where(device)}", w.activation_fastgrad(name, n, device),
                w.activation_numpy(name, n) if device == "cpu" else None, "NumPy",
                torch and w.activation_torch(torch, name, n, device=device),
                w.activation_floor(n, device), "activations: one pass moving the same 20 B/element")


def adam_case(sizes, device):
    torch = _torch(device)
    label = f"{_count(sizes[0])} float32" if len(sizes) == 1 else f"{len(sizes)} x {_count(sizes[0])} float32"
    return Case(f"Adam step, {label}{_where(device)}", w.adam_fastgrad(sizes, device),
                w.adam_numpy(sizes) if device == "cpu" else None, "NumPy",
                torch and w.adam_torch(torch, sizes, "fused", device=device),
                w.adam_floor(sizes, device), "Adam: one pass moving the same 28 B/parameter")


def mlp_case(sizes, batch, device, with_floor=True):
    torch = _torch(device)
    return Case(f"{w.mlp_name(sizes, batch)} step{_where(device)}", w.mlp_fastgrad(sizes, batch, device),
                w.mlp_numpy(sizes, batch) if device == "cpu" else None, "NumPy (by hand)",
                torch and w.mlp_torch(torch, sizes, batch, "default" if device == "cpu" else "fused", device),
                w.mlp_gemm_floor(sizes, batch, device) if with_floor else None, "MLP: the step's GEMMs alone")


def _count(n):
    for div, unit in ((1_000_000, "M"), (1_000, "k")):
        if n >= div and n % div == 0:
            return f"{n // div}{unit}"
    return str(n)


def all_cases(device="cpu", quick=False):
    """(key, builder) pairs in table order; quick uses tiny sizes (for tests)."""
    if device != "cpu":
        big = 1_000_000 if quick else 100_000_000
        medium, large = (([32, 16, 8, 4], 8), ([64, 32, 32, 4], 16)) if quick else (w.MLPS["T3"], w.MLPS["T4"])
        return [
            ("sigmoid", lambda: activation_case("sigmoid", big, device)),
            ("relu", lambda: activation_case("relu", big, device)),
            ("adam", lambda: adam_case([big], device)),
            ("mlp-medium", lambda: mlp_case(*medium, device)),
            ("mlp-large", lambda: mlp_case(*large, device)),
        ]
    act, adam_one, adam_many = (4096, [4096], [256] * 4) if quick else (1_000_000, [1_000_000], [10_000] * 100)
    medium, batch = ([32, 16, 8, 4], 8) if quick else w.MLPS["T3"]
    return [
        ("overhead", lambda: overhead_case(steps=10 if quick else 100)),
        ("sigmoid", lambda: activation_case("sigmoid", act, device)),
        ("relu", lambda: activation_case("relu", act, device)),
        ("adam", lambda: adam_case(adam_one, device)),
        ("adam-many", lambda: adam_case(adam_many, device)),
        ("mlp-small", lambda: mlp_case(*w.MLPS["T2"], device, with_floor=False)),
        ("mlp-medium", lambda: mlp_case(medium, batch, device)),
    ]
