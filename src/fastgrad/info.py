"""`fastgrad info`: what this installation is built with and can use."""
import platform

import numpy as np


def collect():
    """A dict of facts about the installation."""
    from . import __version__, _C

    facts = {
        "fastgrad": __version__,
        "python": platform.python_version(),
        "c_extension": _C.__file__,
        "openmp": _C.openmp_enabled(),
        "threads": _C.get_num_threads(),
        "compile_flags": _C.compile_flags(),
        "numpy": np.__version__,
        "blas": _numpy_blas(),
        "gemm_blas": _gemm_blas(),
        "bf16_gemm": _bf16_gemm(),
        "convolutions": _convolutions(),
        "recurrent": _recurrent(),
        "cupy": _cupy_status(),
        "mpi": _mpi_status(),
    }
    return facts


def _numpy_blas():
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # numpy's config layout is not a stable API
        return "unknown"


def _gemm_blas():
    """The BLAS fastgrad's matrix products use (MKL or numpy's), with its version."""
    from .backend.blas import blas_description

    return blas_description(numpy_blas=_numpy_blas())


def _bf16_gemm():
    """How autocast's bfloat16 GEMMs run: oneDNN (with its version) or emulated, and why."""
    from .backend.onednn import bf16_gemm_description

    return bf16_gemm_description()


def _convolutions():
    """How float32 convolutions run: oneDNN (with its version) or im2col, and why."""
    from .backend.onednn_conv import conv_description

    return conv_description()


def _recurrent():
    """Where the RNN, LSTM and GRU layers' float32 products run: oneDNN (with its version) or the GEMM layer."""
    from .backend.onednn_gemm import recurrent_gemm_description

    return recurrent_gemm_description()


def _cupy_status():
    try:
        import cupy
    except ImportError:
        return "not installed"
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, no device
        return f"cupy {cupy.__version__}, no usable GPU ({type(e).__name__})"
    return f"cupy {cupy.__version__}, {n} GPU(s)"


def _mpi_status():
    """mpi4py for fastgrad.distributed (not imported: that would start MPI)."""
    from importlib import metadata

    try:
        version = metadata.version("mpi4py")
    except metadata.PackageNotFoundError:
        return "mpi4py not installed (pip install 'fastgrad[distributed]' for data-parallel training)"
    return f"mpi4py {version}"


def print_info():
    for key, value in collect().items():
        print(f"{key:>14}: {value}")
