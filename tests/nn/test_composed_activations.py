"""Activations composed from differentiable ops: values and gradients against PyTorch (float64,
kinks included), numerical gradients, modules, inplace flags and argument errors."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)

# name: (fastgrad function, the PyTorch function of torch.nn.functional with the same arguments)
ELEMENTWISE = {
    "elu": (lambda x: F.elu(x), lambda T, x: T.nn.functional.elu(x)),
    "elu alpha": (lambda x: F.elu(x, 0.5), lambda T, x: T.nn.functional.elu(x, 0.5)),
    "celu": (lambda x: F.celu(x), lambda T, x: T.nn.functional.celu(x)),
    "celu alpha": (lambda x: F.celu(x, 2.0), lambda T, x: T.nn.functional.celu(x, 2.0)),
    "selu": (F.selu, lambda T, x: T.nn.functional.selu(x)),
    "hardtanh": (F.hardtanh, lambda T, x: T.nn.functional.hardtanh(x)),
    "hardtanh bounds": (lambda x: F.hardtanh(x, -2.0, 3.0), lambda T, x: T.nn.functional.hardtanh(x, -2.0, 3.0)),
    "relu6": (F.relu6, lambda T, x: T.nn.functional.relu6(x)),
    "hardsigmoid": (F.hardsigmoid, lambda T, x: T.nn.functional.hardsigmoid(x)),
    "hardswish": (F.hardswish, lambda T, x: T.nn.functional.hardswish(x)),
    "mish": (F.mish, lambda T, x: T.nn.functional.mish(x)),
    "logsigmoid": (F.logsigmoid, lambda T, x: T.nn.functional.logsigmoid(x)),
    "softsign": (F.softsign, lambda T, x: T.nn.functional.softsign(x)),
    "tanhshrink": (F.tanhshrink, lambda T, x: T.nn.functional.tanhshrink(x)),
}

# Every kink of the functions above, and points on both sides of each.
KINKS = np.array([-3.0, -2.0, -1.0, 0.0, 1.0, 3.0, 6.0])
POINTS = np.concatenate([KINKS, KINKS - 1e-3, KINKS + 1e-3, [-30.0, -8.0, 8.0, 30.0, 25.0, -25.0, 0.5]])


# PyTorch's float64 hardsigmoid backward multiplies by 1/6 rounded to float32.
GRAD_TOL = {"hardsigmoid": dict(rtol=1e-7, atol=1e-12)}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_values_and_gradients_match_pytorch_at_and_around_the_kinks(name, rng):
    torch = pytest.importorskip("torch")
    mine, theirs = ELEMENTWISE[name]
    for x in (POINTS.reshape(4, 7), rng.standard_normal((3, 5)) * 4):
        check_against_torch(torch, mine, lambda a: theirs(torch, a), [x], rng, TOL, GRAD_TOL.get(name))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_numerical_gradients(name, rng):
    mine, _ = ELEMENTWISE[name]
    x = rng.standard_normal((4, 5)) * 3
    x[np.abs(np.abs(x) - np.round(np.abs(x))) < 1e-3] += 0.01    # away from the kinks
    assert fg.gradcheck(mine, [fg.tensor(x, requires_grad=True)])


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3)])
def test_empty_and_0d_inputs(name, shape):
    mine, _ = ELEMENTWISE[name]
    x = fg.tensor(np.full(shape, 0.5), requires_grad=True)
    y = mine(x)
    assert y.shape == shape and y.dtype == np.float64
    y.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = fg.tensor(np.linspace(-4, 4, 9).astype(dtype))
    for mine, _ in ELEMENTWISE.values():
        assert mine(x).dtype == dtype


def test_glu_matches_pytorch_along_each_dim(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((4, 6, 2))
    for dim in (-1, 0, 1, -2):
        check_against_torch(torch, lambda a: F.glu(a, dim), lambda a: torch.nn.functional.glu(a, dim), [x], rng, TOL)
    assert fg.gradcheck(lambda a: F.glu(a, 1), [fg.tensor(x, requires_grad=True)])
    assert F.glu(fg.ones(0, 4)).shape == (0, 2)


def test_glu_errors():
    with pytest.raises(ValueError, match="glu: .*dimension 1 has size 5"):
        F.glu(fg.ones(3, 5), 1)
    with pytest.raises(ValueError, match="glu: does not support 0-d"):
        F.glu(fg.tensor(1.0))
    with pytest.raises(IndexError, match="glu: dim 2 is out of range"):
        F.glu(fg.ones(2, 2), 2)


def test_softmin_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((3, 4, 5))
    for dim in (0, 1, -1):
        check_against_torch(torch, lambda a: F.softmin(a, dim), lambda a: torch.nn.functional.softmin(a, dim),
                            [x], rng, TOL)
    assert fg.gradcheck(lambda a: F.softmin(a, -1), [fg.tensor(x, requires_grad=True)])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        y = F.softmin(fg.tensor(x[0]))
    np.testing.assert_allclose(y.numpy().sum(axis=1), 1.0)
    assert F.softmin(fg.tensor(x), dim=1, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("shape,weight", [((2, 3, 4), (3,)), ((2, 3, 4), (1,)), ((5,), (1,)), ((4, 3), (3,)),
                                          ((2, 3, 2, 2), (3,))])
def test_prelu_matches_pytorch(shape, weight, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    x.flat[0] = 0.0                                 # the kink: the gradient there is the weight
    w = rng.uniform(0.1, 0.5, weight)
    check_against_torch(torch, F.prelu, torch.nn.functional.prelu, [x, w], rng, TOL)
    assert fg.gradcheck(F.prelu, [fg.tensor(x + 0.01 * (x == 0), requires_grad=True),
                                  fg.tensor(w, requires_grad=True)])


def test_prelu_weight_errors():
    with pytest.raises(ValueError, match=r"prelu: argument 'weight' must hold 1 value or one per channel \(3\)"):
        F.prelu(fg.ones(2, 3), fg.ones(2))
    with pytest.raises(ValueError, match="one per channel"):
        F.prelu(fg.ones(3), fg.ones(3))


def test_prelu_module_learns_its_slopes():
    m = nn.PReLU(3, init=0.1)
    assert repr(m) == "PReLU(num_parameters=3)" and m.weight.dtype == np.float32
    np.testing.assert_array_equal(m.weight.numpy(), np.full(3, 0.1, np.float32))
    assert [name for name, _ in m.named_parameters()] == ["weight"]
    x = fg.tensor(-np.ones((2, 3, 4), np.float32))
    m(x).sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), np.full(3, -8.0))
    assert nn.PReLU(dtype=np.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match="PReLU: num_parameters must be a positive int"):
        nn.PReLU(0)


def test_modules_reprs_defaults_and_forward():
    x = fg.tensor(np.linspace(-5, 5, 11))
    cases = [(nn.ELU(), "ELU(alpha=1.0)", F.elu(x)), (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)", None),
             (nn.CELU(2.0), "CELU(alpha=2.0)", F.celu(x, 2.0)), (nn.SELU(), "SELU()", F.selu(x)),
             (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)", F.hardtanh(x)),
             (nn.Hardtanh(-2, 3), "Hardtanh(min_val=-2, max_val=3)", F.hardtanh(x, -2, 3)),
             (nn.ReLU6(), "ReLU6()", F.relu6(x)), (nn.Hardsigmoid(), "Hardsigmoid()", F.hardsigmoid(x)),
             (nn.Hardswish(), "Hardswish()", F.hardswish(x)), (nn.Mish(), "Mish()", F.mish(x)),
             (nn.LogSigmoid(), "LogSigmoid()", F.logsigmoid(x)), (nn.Softsign(), "Softsign()", F.softsign(x)),
             (nn.Tanhshrink(), "Tanhshrink()", F.tanhshrink(x)), (nn.GLU(), "GLU(dim=-1)", None),
             (nn.Softmin(0), "Softmin(dim=0)", F.softmin(x, 0))]
    for module, text, expected in cases:
        assert repr(module) == text
        if expected is not None:
            np.testing.assert_array_equal(module(x).numpy(), expected.numpy())
    np.testing.assert_array_equal(nn.GLU(0)(fg.ones(4, 3)).numpy(), F.glu(fg.ones(4, 3), 0).numpy())


def test_modules_match_pytorch_reprs():
    torch = pytest.importorskip("torch")
    for name, args in [("ELU", ()), ("CELU", (0.5,)), ("SELU", ()), ("Hardtanh", (-2.0, 3.0)), ("ReLU6", ()),
                       ("GLU", (1,)), ("Mish", ()), ("Hardswish", ()), ("Hardsigmoid", ()), ("LogSigmoid", ()),
                       ("Softsign", ()), ("Softmin", (1,)), ("Tanhshrink", ()), ("PReLU", (4,))]:
        assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_hardtanh_arguments():
    with pytest.raises(ValueError, match=r"Hardtanh: min_val \(2\) cannot be greater than max_val \(1\)"):
        nn.Hardtanh(2, 1)
    with pytest.raises(ValueError, match="hardtanh: min_val cannot be greater than max_val"):
        F.hardtanh(fg.ones(2), 2.0, 1.0)
    with pytest.warns(DeprecationWarning, match="min_value"):
        m = nn.Hardtanh(min_value=-0.5)
    assert m.min_val == -0.5
    with pytest.raises(ValueError, match="celu: alpha must not be 0"):
        F.celu(fg.ones(2), 0.0)


INPLACE = ["elu", "celu", "selu", "hardtanh", "relu6", "hardsigmoid", "hardswish", "mish"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_flag_writes_into_the_input_and_keeps_gradients(name, rng):
    fn = getattr(F, name)
    x = rng.standard_normal(7) * 4
    expected = fn(fg.tensor(x))
    h = fg.tensor(x.copy())
    assert fn(h, inplace=True) is h
    np.testing.assert_array_equal(h.numpy(), expected.numpy())
    leaf = fg.tensor(x, requires_grad=True)
    hidden = leaf * 1.0
    fn(hidden, inplace=True).sum().backward()
    ref = fg.tensor(x, requires_grad=True)
    fn(ref).sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), ref.grad.numpy())
    with pytest.raises(TypeError, match=rf"{name}: inplace=True needs a Tensor"):
        fn(x, inplace=True)


def test_none_input_is_refused_by_name():
    for name in ["elu", "glu", "prelu", "softmin", "logsigmoid"]:
        with pytest.raises(TypeError, match=rf"{name}: argument 'input' is None"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                getattr(F, name)(None, *([fg.ones(1)] if name == "prelu" else []))
