"""Which BLAS runs fastgrad's matrix products of NumPy arrays.

"mkl":   Intel MKL's cblas_sgemm/cblas_dgemm, from the `mkl` package on PyPI
         (`pip install fastgrad[mkl]`), loaded at run time from its shared
         library inside this environment and called from C without the GIL.
         MKL uses the GNU OpenMP threading layer, so its threads are the same
         thread pool as fastgrad's own kernels and follow
         `fastgrad.set_num_threads`.
"numpy": np.matmul, i.e. the BLAS NumPy was built with (OpenBLAS in its wheels).
"auto":  "mkl" when the mkl package is installed and loads, else "numpy".

Why MKL matters beyond its GEMM speed: NumPy's OpenBLAS has a pthread pool of
its own, which falls asleep while fastgrad's kernels run on libgomp's pool and
must be woken for the next GEMM.  On a 2-core AMD EPYC VM, where the GEMMs
alone are within 5% in either BLAS, one 784-512-256-10 Adam step took a median
8.0 ms with OpenBLAS at 2 threads (about one 4 ms scheduler tick to wake its
pool), 3.9 ms with OpenBLAS at 1 thread, and 2.45 ms with MKL on the shared
pool, which is the step's GEMM floor.

The choice comes from `fastgrad.set_blas(...)`, else the FASTGRAD_BLAS
environment variable, else "auto"; it is made on first use, so importing
fastgrad never loads MKL.
"""
import glob
import os
import sys

from .. import _C
from . import gemm as _gemm
from .optional_library import active_or_from_environment, choose_library

CHOICES = ("auto", "mkl", "numpy")
ENV_VAR = "FASTGRAD_BLAS"
_MKL_NAMES = ("libmkl_rt.so*", "libmkl_rt.*dylib", "mkl_rt*.dll")

_state = {"active": None, "note": ""}


def find_mkl_library():
    """Path of MKL's single dynamic library (libmkl_rt) in this environment, or None.

    Looks in the files the installed `mkl` distribution lists, then in the
    environment's library folders (where conda puts it)."""
    for path in _listed_by_mkl_distribution() + _in_environment_folders():
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def _listed_by_mkl_distribution():
    import fnmatch
    from importlib import metadata

    try:
        dist = metadata.distribution("mkl")
    except metadata.PackageNotFoundError:
        return []
    files = dist.files or []
    found = [str(dist.locate_file(f)) for f in files
             if any(fnmatch.fnmatch(f.name, pattern) for pattern in _MKL_NAMES)]
    return sorted(found, key=_prefer_plain_soname)


def _in_environment_folders():
    found = []
    for folder in (os.path.join(sys.prefix, "lib"), os.path.join(sys.prefix, "Library", "bin")):
        for pattern in _MKL_NAMES:
            found.extend(glob.glob(os.path.join(folder, pattern)))
    return sorted(found, key=_prefer_plain_soname)


def _prefer_plain_soname(path):
    # real libraries (libmkl_rt.so.2) before other files (libmkl_rt.so.2.dbg); versioned names first
    name = os.path.basename(path)
    return (not name.rstrip("0123456789.").endswith(("so", "dylib", "dll")), -len(name), name)


def set_blas(name="auto"):
    """Choose the BLAS for matrix products of NumPy arrays: "auto", "mkl" or "numpy".

    "mkl" raises RuntimeError when the mkl package is missing or cannot be
    loaded; "auto" then quietly uses NumPy's matmul.  Returns the BLAS now in
    use.  MKL, once loaded, stays loaded; choosing "numpy" only stops using it.

    Example::

        fastgrad.set_blas("numpy")   # np.matmul for every matmul and linear layer
        fastgrad.get_blas()          # 'numpy'
    """
    return choose_library("set_blas", name, CHOICES, "mkl", "numpy", find_mkl_library,
                          "the mkl package is not installed (pip install mkl, or fastgrad[mkl])", _C.blas_load,
                          _activate)


def get_blas():
    """The BLAS matrix products of NumPy arrays use now: "mkl" or "numpy"."""
    if _state["active"] is None:
        resolve()
    return _state["active"]


def blas_description(numpy_blas="numpy's BLAS"):
    """One line naming the BLAS in use and its version (for `fastgrad info`)."""
    active = get_blas()
    if active == "mkl":
        info = _C.blas_info()
        return (f"mkl: {info['version']} (threading layer {info['threading_layer']}, "
                f"{info['max_threads']} threads, {info['integers']} integers)")
    return f"numpy: np.matmul with {numpy_blas} ({_state['note']})"


def resolve():
    """Apply FASTGRAD_BLAS (default "auto") unless set_blas already chose."""
    return active_or_from_environment(_state, ENV_VAR, CHOICES, set_blas, "using numpy's matmul")


def _activate(active, note):
    _state["active"] = active
    _state["note"] = note
    _gemm._use_blas(_C.blas_gemm if active == "mkl" else None)
    return active

