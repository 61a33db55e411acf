"""fastgrad.func against torch.func: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian,
vmap and functional_call on Tensors in float64 (values, structures, nesting, has_aux), and bad
arguments."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.func as ffunc

TOL = dict(rtol=1e-10, atol=1e-12)


def _f(t):
    """A scalar function of two tensors, written once for both libraries."""
    return lambda x, w: (t.sin(x).sum(1) * (x @ w)).sum() + (w ** 3).sum()


def _same(got, expected):
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(expected)
        for g, e in zip(got, expected):
            _same(g, e)
        return
    if isinstance(expected, dict):
        assert isinstance(got, dict) and set(got) == set(expected)
        for k in expected:
            _same(got[k], expected[k])
        return
    assert isinstance(got, fg.Tensor)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), **TOL)


@pytest.fixture
def xw(rng):
    return rng.standard_normal((3, 4)), rng.standard_normal(4)


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1,)])
def test_grad_and_grad_and_value_match_pytorch(argnums, xw):
    torch = pytest.importorskip("torch")
    x, w = xw
    _same(ffunc.grad(_f(fg), argnums)(fg.tensor(x), fg.tensor(w)),
          torch.func.grad(_f(torch), argnums)(torch.tensor(x), torch.tensor(w)))
    _same(ffunc.grad_and_value(_f(fg), argnums)(fg.tensor(x), fg.tensor(w)),
          torch.func.grad_and_value(_f(torch), argnums)(torch.tensor(x), torch.tensor(w)))


def test_has_aux_returns_the_auxiliary_output_as_pytorch(xw):
    torch = pytest.importorskip("torch")
    x, w = xw

    def with_aux(t):
        return lambda x, w: (_f(t)(x, w), {"scaled": x * 2})

    got = ffunc.grad(with_aux(fg), has_aux=True)(fg.tensor(x), fg.tensor(w))
    expected = torch.func.grad(with_aux(torch), has_aux=True)(torch.tensor(x), torch.tensor(w))
    _same(got[0], expected[0])
    _same(got[1]["scaled"], expected[1]["scaled"])
    assert not got[1]["scaled"].requires_grad
    got = ffunc.grad_and_value(with_aux(fg), 1, has_aux=True)(fg.tensor(x), fg.tensor(w))
    expected = torch.func.grad_and_value(with_aux(torch), 1, has_aux=True)(torch.tensor(x), torch.tensor(w))
    _same(got[0], expected[0])
    _same(got[1][0], expected[1][0])
    _same(got[1][1]["scaled"], expected[1][1]["scaled"])


def test_nested_grad_gives_second_derivatives_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([0.3, -1.2, 2.0])

    def third(t):
        return lambda x: (x ** 4 / 12 + t.sin(x)).sum()

    def second(mod, t):
        return mod.grad(lambda x: mod.grad(third(t))(x).sum())

    _same(second(ffunc, fg)(fg.tensor(x)), second(torch.func, torch)(torch.tensor(x)))


def test_grad_of_a_float32_input_is_float32_tensor():
    g = ffunc.grad(lambda x: (x * x).sum())(fg.tensor([1.0, 2.0]))
    assert isinstance(g, fg.Tensor) and g.dtype == np.float32
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])


def test_vjp_and_jvp_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, y = rng.standard_normal((2, 3)), rng.standard_normal(3)

    def f(t):
        return lambda a, b: (a * b, t.exp(a).sum(0))

    out, pull = ffunc.vjp(f(fg), fg.tensor(x), fg.tensor(y))
    out_t, pull_t = torch.func.vjp(f(torch), torch.tensor(x), torch.tensor(y))
    _same(out, out_t)
    v = (rng.standard_normal((2, 3)), rng.standard_normal(3))
    _same(pull((fg.tensor(v[0]), fg.tensor(v[1]))), pull_t((torch.tensor(v[0]), torch.tensor(v[1]))))
    tangents = (rng.standard_normal((2, 3)), rng.standard_normal(3))
    got = ffunc.jvp(f(fg), (fg.tensor(x), fg.tensor(y)), tuple(fg.tensor(t) for t in tangents))
    expected = torch.func.jvp(f(torch), (torch.tensor(x), torch.tensor(y)), tuple(torch.tensor(t) for t in tangents))
    _same(got, expected)
    out, pull, aux = ffunc.vjp(lambda a: (a.sum(), a * 2), fg.tensor(y), has_aux=True)
    _same(pull(fg.tensor(1.0)), (torch.ones(3, dtype=torch.float64),))
    _same(aux, torch.tensor(y) * 2)


@pytest.mark.parametrize("name", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_jacobians_match_pytorch(name, argnums, rng):
    torch = pytest.importorskip("torch")
    x, w = rng.standard_normal((2, 3)), rng.standard_normal(3)

    def f(t):
        return lambda x, w: (t.tanh(x * w), (x ** 2).sum(1))

    _same(getattr(ffunc, name)(f(fg), argnums)(fg.tensor(x), fg.tensor(w)),
          getattr(torch.func, name)(f(torch), argnums)(torch.tensor(x), torch.tensor(w)))


def test_hessian_matches_pytorch(xw):
    torch = pytest.importorskip("torch")
    x, w = xw
    _same(ffunc.hessian(_f(fg), 1)(fg.tensor(x), fg.tensor(w)),
          torch.func.hessian(_f(torch), 1)(torch.tensor(x), torch.tensor(w)))
    _same(ffunc.hessian(_f(fg), (0, 1))(fg.tensor(x), fg.tensor(w)),
          torch.func.hessian(_f(torch), (0, 1))(torch.tensor(x), torch.tensor(w)))


@pytest.mark.parametrize("in_dims, out_dims", [(0, 0), ((1, None), 0), ((0, 0), 1), ((None, 1), (0, 1))])
def test_vmap_matches_pytorch(in_dims, out_dims, rng):
    torch = pytest.importorskip("torch")
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))

    def f(t):
        if isinstance(out_dims, tuple):
            return lambda x, y: (x.sum() * y + t.sin(y), (y * y).sum().reshape(1))
        return lambda x, y: x * y.sum()

    _same(ffunc.vmap(f(fg), in_dims, out_dims)(fg.tensor(a), fg.tensor(b)),
          torch.func.vmap(f(torch), in_dims, out_dims)(torch.tensor(a), torch.tensor(b)))


def test_per_sample_gradients_with_functional_call_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    mine, theirs = fg.nn.Sequential(fg.nn.Linear(3, 4), fg.nn.Tanh(), fg.nn.Linear(4, 1)), \
        torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    mine = mine.double()
    mine.load_state_dict({k: fg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 1))

    def loss(mod, t, model):
        return lambda params, xb, yb: ((mod.functional_call(model, params, (xb.unsqueeze(0),)) - yb) ** 2).sum()

    params = {k: v.detach() for k, v in mine.named_parameters()}
    params_t = {k: v.detach() for k, v in theirs.named_parameters()}
    got = ffunc.vmap(ffunc.grad(loss(ffunc, fg, mine)), in_dims=(None, 0, 0))(params, fg.tensor(x), fg.tensor(y))
    expected = torch.func.vmap(torch.func.grad(loss(torch.func, torch, theirs)), in_dims=(None, 0, 0))(
        params_t, torch.tensor(x), torch.tensor(y))
    _same(got, expected)
    assert mine[0].weight is dict(mine.named_parameters())["0.weight"]     # the module is left as it was
    np.testing.assert_array_equal(mine[0].weight.numpy(), theirs[0].weight.detach().numpy())


def test_gradients_flow_through_vmap_to_the_inputs(rng):
    torch = pytest.importorskip("torch")
    a = rng.standard_normal((3, 4))
    mine, theirs = fg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    (ffunc.vmap(lambda r: (r ** 2).sum())(mine) * fg.tensor([1.0, 2.0, 3.0], dtype=fg.float64)).sum().backward()
    (torch.func.vmap(lambda r: (r ** 2).sum())(theirs) * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)) \
        .sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), **TOL)


@pytest.mark.parametrize("call, error, words", [
    (lambda: ffunc.grad(3), TypeError, "func.grad_and_value: argument 'func' must be callable"),
    (lambda: ffunc.grad(lambda x: x.sum(), argnums=1.0), TypeError, "func.grad_and_value: argument 'argnums'"),
    (lambda: ffunc.grad(lambda x: (x.sum(), 1, 2), has_aux=True)(fg.ones(2)), TypeError,
     "func.grad_and_value: with has_aux=True the function must return a pair"),
    (lambda: ffunc.grad(lambda x: x * 2)(fg.ones(2)), TypeError, "must return a scalar"),
    (lambda: ffunc.jvp(lambda x: x, [fg.ones(2)], (fg.ones(2),)), TypeError, "func.jvp: argument 'primals'"),
    (lambda: ffunc.vmap(lambda x: x, in_dims=(0,))(fg.ones(2, 3), fg.ones(3)), ValueError,
     "func.vmap: in_dims has 1 entries"),
    (lambda: ffunc.vmap(lambda x, y: x)(fg.ones(2, 3), fg.ones(3)), ValueError, "different sizes [2, 3]"),
    (lambda: ffunc.vmap(lambda x: x, in_dims=None)(fg.ones(2)), ValueError, "func.vmap: no argument is batched"),
    (lambda: ffunc.vmap(lambda x: x, in_dims=2)(fg.ones(2)), ValueError, "func.vmap: in_dim 2 is out of range"),
    (lambda: ffunc.vmap(lambda x: x)(fg.ones(0, 2)), ValueError, "func.vmap: the batched dimension has size 0"),
    (lambda: ffunc.vmap(lambda x: 1.0)(fg.ones(2)), TypeError, "func.vmap: the function must return Tensors"),
    (lambda: ffunc.vmap(lambda x: x, randomness="same"), ValueError, "func.vmap: randomness='same'"),
    (lambda: ffunc.functional_call(fg.nn.Linear(2, 1), {"w": fg.ones(1, 2)}, (fg.ones(2),)), ValueError,
     "func.functional_call: ['w'] are not parameters"),
    (lambda: ffunc.functional_call(fg.nn.Linear(2, 1), {"bias": fg.ones(1)}, (fg.ones(2),), strict=True),
     ValueError, "func.functional_call: strict=True and ['weight'] are missing"),
])
def test_bad_arguments_are_refused_by_name(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
