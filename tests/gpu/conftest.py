"""Shared pieces of the GPU tests: CuPy (or a skip that says what is missing) and the kernel emulator."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for `kernel_emulator` and `optim_steps`


def cupy_or_skip():
    """The cupy module when CuPy is installed and sees a GPU; otherwise skip, saying which is missing."""
    try:
        import cupy
    except ImportError:
        pytest.skip("CuPy is not installed (pip install cupy-cuda12x): the CuPy path needs it and a GPU")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver, driver too old, no device
        pytest.skip(f"CuPy is installed but no CUDA GPU can be used ({type(e).__name__}: {e})")
    if count < 1:
        pytest.skip("CuPy is installed but finds no CUDA GPU")
    return cupy


@pytest.fixture(scope="module")
def cp():
    return cupy_or_skip()
