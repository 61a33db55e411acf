"""fastgrad.func.rearrange against torch.func.rearrange (values, shapes, gradients, refused
patterns), replace_all_batch_norm_modules_ against PyTorch's (buffers, outputs in eval mode, vmap
over a model with BatchNorm), and debug_unwrap / functionalize (the same results as the function)."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import func as ffunc
from fastgrad import nn

PATTERNS = [
    ("a b c -> c (a b)", {}, (2, 3, 4)),
    ("a (b1 b2) c -> a b1 b2 c", dict(b1=3), (2, 6, 4)),
    ("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", dict(p1=2, p2=2), (2, 3, 4, 6)),
    ("... c -> c ...", {}, (2, 3, 4)),
    ("a ... -> ... a", {}, (5,)),
    ("a b c -> a b c 1", {}, (2, 3, 4)),
    ("a b c -> a () b c", {}, (2, 3, 4)),
    ("a 1 c -> c a", {}, (2, 1, 4)),
    ("a b c -> a (b 1) c", {}, (2, 3, 4)),
    ("a b c -> (c b a)", {}, (2, 3, 4)),
    ("(a b) c -> (b a) c", dict(a=2, b=3), (6, 2)),
]


@pytest.mark.parametrize("pattern, lengths, shape", PATTERNS, ids=[p[0] for p in PATTERNS])
def test_matches_pytorch(pattern, lengths, shape, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    mine, theirs = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    got = ffunc.rearrange(mine, pattern, **lengths)
    expected = torch.func.rearrange(theirs, pattern, **lengths)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(got.detach().numpy(), expected.detach().numpy())
    seed = rng.standard_normal(tuple(got.shape))
    (got * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    np.testing.assert_array_equal(mine.grad.numpy(), theirs.grad.numpy())


def test_a_list_of_tensors_is_stacked_first(rng):
    torch = pytest.importorskip("torch")
    xs = [rng.standard_normal((3, 4)) for _ in range(2)]
    got = ffunc.rearrange([fg.tensor(x) for x in xs], "n a b -> a (n b)")
    expected = torch.func.rearrange([torch.tensor(x) for x in xs], "n a b -> a (n b)")
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("pattern, lengths, words", [
    ("a b -> a b", {}, "the left side of 'a b -> a b' has 2 axes, the tensor has 3"),
    ("a b c -> a b", {}, "['c'] appear on only one side"),
    ("a (b d) c -> a b d c", {}, "cannot infer the sizes of ['b', 'd']"),
    ("a a c -> a c", {}, "names 'a' more than once"),
    ("a b c -> c b a", dict(a=3), "axis 0 has size 2"),
    ("a (b d) c -> a b d c", dict(b=2), "cannot be split by 2"),
    ("a b c -> c b a", dict(z=3), "axes_lengths names ['z']"),
    ("a b c", {}, "one string 'left -> right'"),
    ("a (b (c)) -> a b c", {}, "nested parentheses"),
    ("a b c -> a b c 2", {}, "only 1 may be written"),
])
def test_refused_patterns(pattern, lengths, words):
    with pytest.raises(ValueError) as info:
        ffunc.rearrange(fg.zeros(2, 3, 4), pattern, **lengths)
    assert words in str(info.value)


def _bn_model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.ReLU(), lib.nn.Linear(4, 2)).double()


def test_replace_all_batch_norm_modules_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    mine, theirs = _bn_model(fg), _bn_model(torch)
    for p, q in zip(mine.parameters(), theirs.parameters()):
        q.data = torch.tensor(p.detach().numpy())
    assert ffunc.replace_all_batch_norm_modules_(mine) is mine
    torch.func.replace_all_batch_norm_modules_(theirs)
    assert dict(mine.named_buffers()) == {} == dict(theirs.named_buffers())
    assert mine[1].track_running_stats is False and mine[1].running_mean is None
    x = rng.standard_normal((6, 3))
    for mode in ("train", "eval"):
        getattr(mine, mode)()
        getattr(theirs, mode)()
        np.testing.assert_allclose(mine(fg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                                   rtol=1e-12, atol=1e-14)


def test_vmap_over_a_model_with_batch_norm(rng):
    """Each vmapped slice is normalized with its own statistics once the running ones are gone."""
    model = ffunc.replace_all_batch_norm_modules_(_bn_model(fg))
    x = fg.tensor(rng.standard_normal((3, 5, 3)))
    batched = ffunc.vmap(model)(x)
    for i in range(3):
        np.testing.assert_allclose(batched[i].detach().numpy(), model(x[i]).detach().numpy(), rtol=1e-12)


def test_debug_unwrap_and_functionalize_are_the_function_itself(rng):
    x = fg.tensor(rng.standard_normal(4), requires_grad=True)
    assert ffunc.debug_unwrap(x) is x

    def f(t, out):
        out.add_(t.exp())           # an input mutated in place, as functionalize copies back
        return (out * t).sum()
    buffer = fg.zeros(4, dtype=fg.float64)
    value = ffunc.functionalize(f)(x, buffer)
    expected_buffer = np.exp(x.detach().numpy())
    np.testing.assert_allclose(buffer.numpy(), expected_buffer)
    np.testing.assert_allclose(value.item(), (expected_buffer * x.detach().numpy()).sum())
    grads = ffunc.grad(ffunc.functionalize(lambda t: (t.sin() ** 2).sum(), remove="mutations_and_views"))(x.detach())
    np.testing.assert_allclose(grads.numpy(), np.sin(2 * x.detach().numpy()), rtol=1e-12)
    with pytest.raises(ValueError, match="func.functionalize: remove"):
        ffunc.functionalize(f, remove="views")
