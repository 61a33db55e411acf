"""Fixtures for the backend tests: `blas_name` runs a test under each GEMM BLAS."""
import os
import sys

import pytest

import fastgrad as fg
from fastgrad.backend import blas

sys.path.insert(0, os.path.dirname(__file__))  # for `twin_checks`

BLAS_NAMES = ("numpy", "mkl")


def mkl_or_skip():
    if blas.find_mkl_library() is None:
        pytest.skip("the mkl package is not installed (pip install mkl): MKL's GEMM path is not tested")


@pytest.fixture(params=BLAS_NAMES)
def blas_name(request):
    """Switch fastgrad's GEMM to the parametrized BLAS for one test, then back."""
    if request.param == "mkl":
        mkl_or_skip()
    before = fg.get_blas()
    fg.set_blas(request.param)
    assert fg.get_blas() == request.param
    yield request.param
    fg.set_blas(before)


@pytest.fixture
def mkl():
    """MKL's GEMM for one test (skipped when the mkl package is absent), then back."""
    mkl_or_skip()
    before = fg.get_blas()
    fg.set_blas("mkl")
    yield
    fg.set_blas(before)
