"""fastgrad.special against torch.special (and the top-level lgamma, digamma, polygamma, erfc,
erfinv, logit, xlogy, i0, sinc with their Tensor methods): float64 values and input gradients,
central differences, edge values and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

pytest.importorskip("scipy")
TOL = dict(rtol=1e-9, atol=1e-12)


def _uniform(low, high):
    return lambda rng, shape: rng.uniform(low, high, shape)


def _normal(rng, shape):
    return rng.standard_normal(shape)


# (name, extra args, kwargs, input makers, shapes)
CASES = [
    ("gammaln", (), {}, [_uniform(0.2, 6)], [(3, 4)]),
    ("digamma", (), {}, [_uniform(0.2, 6)], [(5,)]),
    ("psi", (), {}, [_uniform(0.2, 6)], [()]),
    ("erf", (), {}, [_normal], [(3, 4)]),
    ("erfc", (), {}, [_normal], [(2, 3)]),
    ("erfinv", (), {}, [_uniform(-0.95, 0.95)], [(3, 4)]),
    ("expit", (), {}, [_normal], [(4,)]),
    ("logit", (), {}, [_uniform(0.05, 0.95)], [(3, 4)]),
    ("logit", (), dict(eps=0.2), [_uniform(0.05, 0.95)], [(20,)]),
    ("xlogy", (), {}, [_normal, _uniform(0.1, 3)], [(3, 4), (4,)]),
    ("xlog1py", (), {}, [_normal, _uniform(-0.5, 3)], [(3, 4), (3, 4)]),
    ("i0", (), {}, [_normal], [(3, 4)]),
    ("i1", (), {}, [_normal], [(5,)]),
    ("bessel_j0", (), {}, [_uniform(-5, 5)], [(6,)]),
    ("bessel_j1", (), {}, [_uniform(-5, 5)], [(6,)]),
    ("entr", (), {}, [_uniform(0.1, 3)], [(3, 4)]),
    ("sinc", (), {}, [_normal], [(3, 4)]),
    ("ndtr", (), {}, [_normal], [(3, 4)]),
    ("exp2", (), {}, [_normal], [(3,)]),
    ("expm1", (), {}, [_normal], [(3,)]),
    ("log1p", (), {}, [_uniform(-0.5, 2)], [(3,)]),
    ("logsumexp", (1,), {}, [_normal], [(3, 4)]),
    ("softmax", (0,), {}, [_normal], [(3, 4)]),
    ("log_softmax", (-1,), {}, [_normal], [(3, 4)]),
    ("multigammaln", (3,), {}, [_uniform(1.2, 5)], [(4,)]),
    ("gammaincc", (), {}, [_uniform(0.5, 3), _uniform(0.2, 4)], [(4,), (4,)]),
    ("gammainc", (), {}, [_uniform(0.5, 3), _uniform(0.2, 4)], [(3, 1), (3, 2)]),
    ("gammaln", (), {}, [_uniform(0.2, 6)], [(0, 2)]),
]


def _call(module, name, args, kwargs):
    return lambda *xs: getattr(module.special, name)(*xs, *args, **kwargs)


def _ids(cases):
    return [f"{c[0]}{c[1]}{c[2]}{c[4]}" for c in cases]


def _leaves(t, arrays, name):
    """gammainc/gammaincc: no gradient with respect to the shape a (the first argument)."""
    return [t.tensor(a, requires_grad=not (name.startswith("gammainc") and i == 0)) for i, a in enumerate(arrays)]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    name, args, kwargs, makers, shapes = case
    arrays = [make(rng, s) for make, s in zip(makers, shapes)]
    if name.startswith("gammainc"):
        a = arrays[0]
        mine = _call(fg, name, args, kwargs)
        theirs = _call(torch, name, args, kwargs)
        check_against_torch(torch, lambda x: mine(fg.tensor(a), x), lambda x: theirs(torch.tensor(a), x),
                            arrays[1:], rng, TOL)
        return
    if name.startswith("bessel"):
        # PyTorch's are approximations good to about 1e-8 (SciPy's, used here: 1e-15) and have no
        # gradient (fastgrad's is checked against central differences below)
        got = _call(fg, name, args, kwargs)(fg.tensor(arrays[0]))
        expected = _call(torch, name, args, kwargs)(torch.tensor(arrays[0]))
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-7, atol=1e-9)
        return
    check_against_torch(torch, _call(fg, name, args, kwargs), _call(torch, name, args, kwargs), arrays, rng, TOL)


@pytest.mark.parametrize("case", [c for c in CASES if all(np.prod(s) for s in c[4])],
                         ids=_ids([c for c in CASES if all(np.prod(s) for s in c[4])]))
def test_gradients_match_central_differences(case, rng):
    name, args, kwargs, makers, shapes = case
    arrays = [make(rng, s) for make, s in zip(makers, shapes)]
    if name == "logit" and kwargs:      # keep central differences away from the clamp's corners
        arrays[0] = np.concatenate([rng.uniform(0.05, 0.15, 10), rng.uniform(0.25, 0.75, 10)])
    if name.startswith("gammainc"):
        a = fg.tensor(arrays[0])
        assert fg.gradcheck(lambda x: getattr(fg.special, name)(a, x), [fg.tensor(arrays[1], requires_grad=True)])
        return
    assert fg.gradcheck(_call(fg, name, args, kwargs), [fg.tensor(x, requires_grad=True) for x in arrays])


@pytest.mark.parametrize("name", ["lgamma", "digamma", "erfc", "erfinv", "logit", "i0", "sinc"])
def test_top_level_functions_and_methods_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(0.1, 0.9, (3, 4))
    check_against_torch(torch, getattr(fg, name), getattr(torch, name), [x], rng, TOL)
    np.testing.assert_allclose(getattr(fg.tensor(x), name)().numpy(), getattr(torch.tensor(x), name)().numpy(),
                               **TOL)


def test_polygamma_and_xlogy_at_the_top_level_and_as_methods(rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(0.5, 4, (3, 4))
    for n in (0, 1, 3):
        check_against_torch(torch, lambda t: fg.polygamma(n, t), lambda t: torch.polygamma(n, t), [x], rng, TOL)
        np.testing.assert_allclose(fg.tensor(x).polygamma(n).numpy(), torch.tensor(x).polygamma(n).numpy(), **TOL)
    y = rng.uniform(0.5, 2, (4,))
    check_against_torch(torch, fg.xlogy, torch.xlogy, [x, y], rng, TOL)
    np.testing.assert_allclose(fg.tensor(x).xlogy(fg.tensor(y)).numpy(), torch.tensor(x).xlogy(torch.tensor(y)),
                               **TOL)
    np.testing.assert_allclose(fg.xlogy(2.0, fg.tensor(y)).numpy(), torch.xlogy(2.0, torch.tensor(y)).numpy(), **TOL)
    np.testing.assert_allclose(fg.xlogy(fg.tensor(x), 3.0).numpy(), torch.xlogy(torch.tensor(x), 3.0).numpy(), **TOL)


def test_edge_values_and_their_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    cases = [("xlogy", [np.array([0.0, 0.0, 1.0, 0.0, 2.0, 0.0]), np.array([0.0, 3.0, 0.0, np.nan, 1.0, -1.0])]),
             ("xlog1py", [np.array([0.0, 0.0, 1.0, 0.0, 0.0]), np.array([-1.0, 3.0, -1.0, np.nan, -2.0])]),
             ("entr", [np.array([0.0, 1.0, -1.0, np.nan, 0.5])]),
             ("sinc", [np.array([0.0, 1.0, -0.5, 2.5])]),
             ("logit", [np.array([0.0, 1.0, 0.5])]),
             ("erfinv", [np.array([-1.0, 1.0, 0.0])])]
    for name, arrays in cases:
        mine = [fg.tensor(a, requires_grad=True) for a in arrays]
        theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
        with np.errstate(all="ignore"):      # log(0) at the edges, as intended
            got = getattr(fg.special, name)(*mine)
            got.sum().backward()
        expected = getattr(torch.special, name)(*theirs)
        np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), err_msg=name, **TOL)
        expected.sum().backward()
        for m, t in zip(mine, theirs):
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), err_msg=name, **TOL)


def test_integer_input_is_promoted_to_the_default_dtype_as_pytorch():
    torch = pytest.importorskip("torch")
    for name in ("gammaln", "erfc", "i0", "sinc", "expit", "entr"):
        got = getattr(fg.special, name)(fg.tensor([1, 2, 3]))
        expected = getattr(torch.special, name)(torch.tensor([1, 2, 3]))
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6, err_msg=name)


def test_second_derivative_of_gammaln_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.uniform(0.5, 4, 5)
    mine = fg.tensor(x, requires_grad=True)
    (g,) = fg.autograd.grad(fg.lgamma(mine).sum(), [mine], create_graph=True)
    (h,) = fg.autograd.grad(g.sum(), [mine])
    theirs = torch.tensor(x, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.lgamma(theirs).sum(), [theirs], create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), [theirs])
    np.testing.assert_allclose(h.numpy(), ht.numpy(), **TOL)


@pytest.mark.parametrize("call, error, words", [
    (lambda: fg.special.gammaln(fg.tensor([1j])), TypeError, "special.gammaln: argument 'input' must be a real"),
    (lambda: fg.special.polygamma(-1, fg.ones(2)), ValueError, "special.polygamma: argument 'n'"),
    (lambda: fg.special.polygamma(1.5, fg.ones(2)), ValueError, "special.polygamma: argument 'n'"),
    (lambda: fg.special.multigammaln(fg.ones(2), 0), ValueError, "special.multigammaln: argument 'p'"),
    (lambda: fg.special.multigammaln(fg.ones(2), 3), ValueError, "special.multigammaln: all elements"),
    (lambda: fg.special.logit(fg.ones(2), eps=0.7), ValueError, "special.logit: argument 'eps'"),
    (lambda: fg.special.gammainc(fg.ones(2, requires_grad=True), fg.ones(2)), ValueError,
     "special.gammainc: the gradient with respect to argument 'input'"),
    (lambda: fg.special.xlogy(fg.ones(2), fg.tensor([1j, 2j])), TypeError, "special.xlogy: argument 'other'"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
