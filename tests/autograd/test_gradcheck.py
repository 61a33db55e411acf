"""gradcheck and gradgradcheck themselves: they pass right first and second derivatives and catch
wrong ones, whatever the layout; torch.autograd.gradcheck's keywords do what they say or refuse
by name."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck


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


class CubeDetached(Function):
    """x**3 whose backward is right but cut from the graph in part: a wrong second derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x.detach()


class SlightlyOff(Function):
    """exp(x) whose backward is 1e-4 too large."""

    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y + 1e-4


def _x():
    return fg.tensor([0.5, -1.25, 2.0], dtype=fg.float64, requires_grad=True)


# ---- torch.autograd.gradcheck's keywords, and gradgradcheck -----------------------------------


def test_the_pytorch_form_is_the_same_check():
    assert fg.autograd.gradcheck is fg.gradcheck is gradcheck
    assert gradcheck(lambda t: (t * t).exp(), (_x(),), eps=1e-6, atol=1e-4)
    from fastgrad.utils.gradcheck import GradcheckError as earlier_home
    assert earlier_home is GradcheckError


def test_raise_exception_false_returns_false():
    with pytest.raises(GradcheckError, match="gradient of input 0 at index"):
        gradcheck(WrongSquare.apply, (_x(),))
    assert gradcheck(WrongSquare.apply, (_x(),), raise_exception=False) is False


def test_nondet_tol_widens_the_absolute_tolerance():
    assert not gradcheck(SlightlyOff.apply, (_x(),), raise_exception=False)
    assert gradcheck(SlightlyOff.apply, (_x(),), nondet_tol=1e-3)


def test_check_grad_dtypes_holds_since_gradients_have_their_inputs_dtype():
    def through_float32(t):
        return t.float() * 2
    assert gradcheck(through_float32, (_x(),), eps=1e-2, atol=1e-4, check_grad_dtypes=True)  # linear: any eps
    x = _x()
    through_float32(x).sum().backward()
    assert x.grad.dtype == np.float64


@pytest.mark.parametrize("name", ["check_forward_ad", "check_batched_grad", "check_batched_forward_grad", "masked"])
def test_checks_that_are_not_implemented_refuse_by_name(name):
    with pytest.raises(NotImplementedError, match=f"gradcheck: {name} is not implemented"):
        gradcheck(lambda t: t * 2, (_x(),), **{name: True})


def test_check_backward_ad_false_checks_nothing_and_fast_mode_checks_everything():
    assert gradcheck(WrongSquare.apply, (_x(),), check_backward_ad=False)
    assert not gradcheck(WrongSquare.apply, (_x(),), fast_mode=True, raise_exception=False)


def test_gradgradcheck_passes_right_second_derivatives(rng):
    y = fg.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    assert gradgradcheck(lambda t: (t * t).exp(), (_x(),))
    assert gradgradcheck(lambda a, b: (a.sum() * b).tanh(), (_x(), y))
    assert gradgradcheck(lambda a: a.sin() * a, (_x(),), grad_outputs=[fg.ones(3, dtype=fg.float64)])


def test_gradgradcheck_catches_a_wrong_second_derivative():
    assert gradcheck(CubeDetached.apply, (_x(),))  # the first derivative is right
    with pytest.raises(GradcheckError):
        gradgradcheck(CubeDetached.apply, (_x(),))
    assert gradgradcheck(CubeDetached.apply, (_x(),), raise_exception=False) is False


def test_gradgradcheck_bad_arguments():
    with pytest.raises(ValueError, match=r"gradgradcheck: grad_outputs has shape \(2,\), fn's output \(3,\)"):
        gradgradcheck(lambda t: t * t, (_x(),), grad_outputs=np.ones(2))
    with pytest.raises(ValueError, match="gradgradcheck: no input is a Tensor that requires grad"):
        gradgradcheck(lambda t: t * t, (fg.ones(3),))
