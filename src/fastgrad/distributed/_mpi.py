"""mpi4py, imported on first use, with a clear message when it is missing."""

INSTALL_HINT = ("fastgrad.distributed needs mpi4py and an MPI library: "
                "pip install 'fastgrad[distributed]' (mpi4py with the mpich wheel), "
                "or pip install mpi4py next to a system MPI")


def mpi():
    """The `mpi4py.MPI` module (importing it initializes MPI)."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(f"{INSTALL_HINT} ({e})") from e
    return MPI


def is_available():
    """True when mpi4py can be imported (MPI is not initialized by this check)."""
    import importlib.util

    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):
        return False
