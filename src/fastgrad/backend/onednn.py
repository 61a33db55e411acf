"""oneDNN's bfloat16 matmul: where it is found, whether this CPU runs it fast, loading it.

oneDNN comes from PyPI as `onednn-cpu-gomp` (its GNU OpenMP build, which runs
on the same thread pool as fastgrad's kernels; `pip install fastgrad[onednn]`)
or `onednn`.  Its shared library libdnnl is loaded at run time, like MKL (see
blas.py), and only its C API's matmul is used.  The bfloat16 GEMM goes to
oneDNN when the CPU has bfloat16 dot-product instructions (AVX512-BF16 or
AMX-BF16); elsewhere it is emulated (backend/gemm16.py), which gives the same
values at float32 speed.

The choice comes from `fastgrad.amp.set_bf16_gemm(...)`, else the
FASTGRAD_BF16_GEMM environment variable, else "auto"; it is made on first use,
so importing fastgrad never loads oneDNN.
"""
import fnmatch
import glob
import os
import sys

import numpy as np

from .. import _C
from .optional_library import active_or_from_environment, choose_library

CHOICES = ("auto", "onednn", "emulate")
ENV_VAR = "FASTGRAD_BF16_GEMM"
DISTRIBUTIONS = ("onednn-cpu-gomp", "onednn")
_NAMES = ("libdnnl.so*", "libdnnl.*dylib")
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
_F32 = np.dtype(np.float32)


ONEDNN_MISSING = "oneDNN is not installed (pip install onednn-cpu-gomp, or fastgrad[onednn])"


def find_onednn_library():
    """Path of libdnnl from an installed oneDNN distribution or this environment's lib folder, or None."""
    for path in _listed_by_distributions() + _in_environment_folder():
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def _listed_by_distributions():
    from importlib import metadata

    found = []
    for name in DISTRIBUTIONS:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found.extend(str(dist.locate_file(f)) for f in dist.files or []
                     if any(fnmatch.fnmatch(f.name, pattern) for pattern in _NAMES))
    return sorted(found, key=len)  # libdnnl.so before libdnnl.so.3.2: the same file


def _in_environment_folder():
    found = []
    for pattern in _NAMES:
        found.extend(glob.glob(os.path.join(sys.prefix, "lib", pattern)))
    return sorted(found, key=len)


def cpu_bf16_flags(cpuinfo="/proc/cpuinfo"):
    """The CPU's bfloat16 dot-product features (from /proc/cpuinfo; empty elsewhere)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return tuple(flag for flag in BF16_CPU_FLAGS if flag in flags)
    except OSError:
        pass
    return ()


class OnednnChoice:
    """Whether oneDNN or its fallback runs one kind of work: chosen by a setter (`choose`), else
    an environment variable, else "auto", on first use (`resolve`), so that importing fastgrad
    never loads oneDNN.  `refuse_auto()` gives why "auto" should not use oneDNN here, or None."""

    def __init__(self, setter, choices, env_var, fallback, fallback_text, refuse_auto=lambda: None):
        self.setter, self.choices, self.env_var = setter, choices, env_var
        self.fallback, self.fallback_text, self.refuse_auto = fallback, fallback_text, refuse_auto
        self.state = {"active": None, "note": ""}

    def choose(self, name):
        if name == "auto" and (reason := self.refuse_auto()):
            return self._activate(self.fallback, reason)
        return choose_library(self.setter, name, self.choices, "onednn", self.fallback, find_onednn_library,
                              ONEDNN_MISSING, _C.onednn_load, self._activate)

    def resolve(self):
        active = self.state["active"]
        if active is None:
            active = active_or_from_environment(self.state, self.env_var, self.choices, self.choose,
                                                self.fallback_text)
        return active

    def takes(self, arrays):
        """Whether work on these arrays (None for missing ones) goes to oneDNN: all float32 NumPy
        arrays, and oneDNN chosen."""
        for a in arrays:
            if a is not None and (type(a) is not np.ndarray or a.dtype != _F32):
                return False
        return self.resolve() == "onednn"

    def describe(self, onednn_detail, fallback_text):
        """One line naming what runs (for `fastgrad info`)."""
        if self.resolve() == "onednn":
            return f"onednn {_C.onednn_info()['version']} ({self.state['note']}{onednn_detail()})"
        return f"{fallback_text} ({self.state['note']})"

    def _activate(self, active, note):
        self.state["active"] = active
        self.state["note"] = note
        return active


def _no_bf16_instructions():
    if not cpu_bf16_flags():
        return "the CPU has no bfloat16 dot-product instructions (avx512_bf16 / amx_bf16)"
    return None


_choice = OnednnChoice("set_bf16_gemm", CHOICES, ENV_VAR, "emulate", "emulating bf16 GEMMs", _no_bf16_instructions)
_state = _choice.state


def set_bf16_gemm(name="auto"):
    """Choose how bfloat16 GEMMs run: "auto", "onednn" or "emulate".

    "onednn": oneDNN's matmul (raises RuntimeError when oneDNN is missing or
    cannot be loaded); "emulate": both operands rounded to bfloat16, then a
    float32 GEMM (the same values, float32 speed); "auto": oneDNN when it is
    installed and the CPU has AVX512-BF16 or AMX, else emulation.  Returns the
    choice in effect.

    Example::

        fastgrad.amp.set_bf16_gemm("emulate")   # every bf16 GEMM emulated
    """
    return _choice.choose(name)


def get_bf16_gemm():
    """How bfloat16 GEMMs run now: "onednn" or "emulate"."""
    return _choice.resolve()


resolve = _choice.resolve  # FASTGRAD_BF16_GEMM (default "auto") applied unless set_bf16_gemm already chose


def bf16_gemm_description():
    """One line naming how bfloat16 GEMMs run (for `fastgrad info`)."""
    return _choice.describe(lambda: f"; CPU: {', '.join(cpu_bf16_flags())}",
                            "emulated: operands rounded to bfloat16, float32 GEMM")
