"""gradcheck itself: it passes right gradients and catches wrong ones, whatever the layout."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import Function
from fastgrad.utils.gradcheck import GradcheckError


class WrongSquare(Function):
    """x**2 with a backward that is off by a factor 3."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 6 * x * g


def test_passes_a_correct_gradient():
    x = fg.tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    assert fg.gradcheck(lambda t: (t * t).exp(), (x,))


def test_names_the_worst_mismatch():
    x = fg.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at index \(2,\)"):
        fg.gradcheck(WrongSquare.apply, (x,))


def test_non_contiguous_input_is_perturbed():
    base = np.arange(12.0).reshape(3, 4) / 10
    x = fg.from_numpy(base.T).requires_grad_()  # a transposed, non-contiguous view
    assert not x._data.flags.c_contiguous
    assert fg.gradcheck(lambda t: t.sin() * t, (x,))
    with pytest.raises(GradcheckError):
        fg.gradcheck(WrongSquare.apply, (fg.tensor(base.T + 1.0, requires_grad=True),))


def test_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="no input"):
        fg.gradcheck(lambda t: t * 2, (fg.tensor(np.ones(2)),))
