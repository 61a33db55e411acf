"""The kernel registry is complete: every C kernel declared in csrc/fastgrad.h
has a float32 and a float64 version compiled into the extension, a Cython
wrapper and a reference twin of the same name, and every twin has its kernel.
Elementwise-convention kernels are what the NumPy backend runs.
"""
import ctypes
import pathlib
import re

import pytest

from fastgrad import _C
from fastgrad.backend import NUMPY, reference
from fastgrad.backend.base import Backend

HEADER = pathlib.Path(__file__).resolve().parents[2] / "csrc" / "fastgrad.h"
KERNEL = re.compile(r"\bfg_(\w+?_(?:fwd|bwd|step))_(f32|f64)\s*\(")


def declared_kernels():
    """{kernel name: {dtype suffixes}} from the header's declarations."""
    if not HEADER.exists():
        pytest.skip("csrc/fastgrad.h is not in this installation (tests run from an installed wheel)")
    found = {}
    for name, suffix in KERNEL.findall(HEADER.read_text()):
        found.setdefault(name, set()).add(suffix)
    return found


def test_the_header_declares_the_families():
    names = set(declared_kernels())
    for expected in ("sigmoid_fwd", "relu_bwd", "gelu_tanh_fwd", "softmax_fwd", "cross_entropy_bwd",
                     "binary_cross_entropy_with_logits_fwd", "bias_act_bwd"):
        assert expected in names


def test_every_kernel_has_both_dtypes_compiled_in():
    library = ctypes.CDLL(_C.__file__)
    for name, suffixes in declared_kernels().items():
        assert suffixes == {"f32", "f64"}, f"fg_{name} is declared for {sorted(suffixes)} only"
        for suffix in suffixes:
            assert hasattr(library, f"fg_{name}_{suffix}"), f"fg_{name}_{suffix} is declared but not compiled in"


def test_every_kernel_has_a_wrapper_and_a_twin():
    missing = []
    for name in declared_kernels():
        if not callable(getattr(_C, name, None)):
            missing.append(f"fg_{name}: no wrapper fastgrad._C.{name}")
        if name not in reference.TWINS:
            missing.append(f"fg_{name}: no reference twin {name}(xp, ...)")
    assert not missing, "\n".join(missing)


def test_every_twin_has_a_kernel_and_a_wrapper():
    declared = declared_kernels()
    orphans = [name for name in reference.TWINS if name not in declared or not hasattr(_C, name)]
    assert not orphans, f"twins without a C kernel or wrapper: {orphans}"


def test_every_wrapper_has_a_kernel():
    declared = declared_kernels()
    wrappers = [n for n in dir(_C) if n.endswith(("_fwd", "_bwd", "_step")) and callable(getattr(_C, n))]
    assert sorted(set(wrappers) - set(declared)) == []


def test_the_numpy_backend_runs_the_c_kernels():
    for name in reference.TWINS:
        if name.endswith("_step"):
            continue  # optimizer steps are dispatched by the optimizers
        assert getattr(type(NUMPY), name) is not getattr(Backend, name), f"NumpyBackend.{name} is the twin"


def test_twins_are_documented_by_their_kernel_family():
    for module in reference.FAMILIES:
        assert module.__doc__, module.__name__
