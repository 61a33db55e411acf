"""A Tensor prints as PyTorch's does (autograd/printing.py): 4 digits, PyTorch's rule for
scientific notation, "3." for whole values, int64 and bool without a dtype; set_printoptions
changes tensors only, never NumPy's own print options."""
import numpy as np
import pytest

import fastgrad as fg

CASES = {
    "mixed magnitudes": [[1.23456789, -2.5], [3.0, 1e-5]],
    "0-d": 3.14159265,
    "whole": [1.0, 2.0],
    "whole with signs": [1.0, -10.0, 100.0],
    "fixed": [1.5, -2.25, 3.0],
    "nan and inf": [float("nan"), 1.0, float("inf")],
    "large": [1e10, 1.0],
    "small": [1e-5, 2e-5],
    "zeros": [0.0, 0.0],
    "mixed fixed": [-0.5, 1e-3],
    "integers": [0, 1, 2, 3],
    "bools": [True, False],
}
LITERAL = {
    "0-d": "tensor(3.1416)",
    "whole": "tensor([1., 2.])",
    "fixed": "tensor([ 1.5000, -2.2500,  3.0000])",
    "nan and inf": "tensor([nan, 1., inf])",
    "large": "tensor([1.0000e+10, 1.0000e+00])",
    "integers": "tensor([0, 1, 2, 3])",
    "bools": "tensor([ True, False])",
}


@pytest.mark.parametrize("name", sorted(LITERAL))
def test_prints_as_pytorch_prints(name):
    assert repr(fg.tensor(CASES[name])) == LITERAL[name]


@pytest.mark.parametrize("name", sorted(CASES))
def test_prints_as_pytorch_itself(name):
    torch = pytest.importorskip("torch")
    assert repr(fg.tensor(CASES[name])) == repr(torch.tensor(CASES[name]))


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (20,), (3, 40), (2000,)])
def test_layouts_match_pytorch(shape):
    torch = pytest.importorskip("torch")
    values = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    mine, theirs = repr(fg.tensor(values)), repr(torch.tensor(values))
    if shape == (2000,):  # PyTorch puts two spaces before its "..."
        theirs = theirs.replace(",  ...,", ", ...,")
    assert mine == theirs


def test_print_options_change_tensors_and_leave_numpy_alone():
    before = np.get_printoptions()
    x = fg.tensor([1.0 / 3, 2.0])
    try:
        fg.set_printoptions(precision=2)
        assert repr(x) == "tensor([0.33, 2.00])"
        fg.set_printoptions(sci_mode=True)
        assert repr(x) == "tensor([3.33e-01, 2.00e+00])"  # precision stays; sci_mode is set by every call
    finally:
        fg.set_printoptions(profile="default")
    assert np.get_printoptions() == before
    assert repr(x) == "tensor([0.3333, 2.0000])"


@pytest.mark.parametrize("values", [[1.5, 2.0, 3.0], [1.0, 1.0], [1e-6, 3.0], [-2.0, 0.25]])
def test_bfloat16_prints_as_pytorch_prints_it(values):
    torch = pytest.importorskip("torch")
    pytest.importorskip("ml_dtypes")
    mine = repr(fg.tensor(values).bfloat16())
    theirs = repr(torch.tensor(values).bfloat16()).replace("torch.bfloat16", "bfloat16")
    assert mine == theirs
