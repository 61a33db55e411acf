"""The installed package is the compiled one."""
import os

import numpy as np

import fastgrad as fg
from fastgrad import _C


def test_c_extension_is_compiled_module():
    assert _C.__file__.endswith((".so", ".pyd")), _C.__file__


def test_installed_copy_is_imported_when_ci_asks():
    # .ci/run sets FASTGRAD_EXPECT_INSTALLED to the checkout's path: the package
    # under test must come from the virtual environment, not the source tree.
    checkout = os.environ.get("FASTGRAD_EXPECT_INSTALLED")
    if checkout:
        assert not os.path.abspath(fg.__file__).startswith(os.path.abspath(checkout) + os.sep)


def test_threads_roundtrip():
    n = fg.get_num_threads()
    fg.set_num_threads(1)
    assert fg.get_num_threads() == 1 or not _C.openmp_enabled()
    fg.set_num_threads(n)
    assert fg.get_num_threads() == n


def test_set_num_threads_rejects_zero():
    import pytest

    with pytest.raises(ValueError, match="set_num_threads"):
        fg.set_num_threads(0)


def test_info_lists_build(capsys):
    from fastgrad.__main__ import main

    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for key in ("fastgrad", "openmp", "threads", "compile_flags", "numpy", "blas", "bf16_gemm", "convolutions", "cupy"):
        assert key in out
    assert "-O3" in out
    from fastgrad.backend.onednn_conv import get_conv_algorithm

    conv_line = next(line for line in out.splitlines() if line.strip().startswith("convolutions:"))
    assert conv_line.split(":", 1)[1].strip().startswith({"onednn": "onednn", "im2col": "im2col"}[get_conv_algorithm()])


def test_kernels_run_on_float32():
    x = np.linspace(-3, 3, 7, dtype=np.float32)
    assert np.allclose(_C.relu_fwd(x), np.maximum(x, 0))
