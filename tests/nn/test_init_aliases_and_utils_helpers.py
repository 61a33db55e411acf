"""The deprecated nn.init names (FutureWarning, as PyTorch), nn.utils.get_total_norm,
clip_grads_with_norm_, clip_grad_norm (deprecated), skip_init and nn.utils.rnn.invert_permutation."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

torch = pytest.importorskip("torch")

ALIASES = [("uniform", (-1.0, 1.0)), ("normal", (0.0, 2.0)), ("constant", (0.5,)), ("eye", ()), ("dirac", ()),
           ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()), ("kaiming_normal", ()),
           ("orthogonal", ()), ("sparse", (0.5,))]


@pytest.mark.parametrize("name, args", ALIASES)
def test_deprecated_init_names_warn_and_fill_as_the_new_ones(name, args):
    shape = (4, 4, 3) if name == "dirac" else (6, 4)
    t = fg.empty(*shape)
    with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`"):
        out = getattr(nn.init, name)(t, *args)
    with pytest.warns(FutureWarning):
        getattr(torch.nn.init, name)(torch.empty(shape), *args)
    assert out is t
    fg.manual_seed(3)
    expected = getattr(nn.init, name + "_")(fg.empty(*shape), *args).numpy()
    fg.manual_seed(3)
    with pytest.warns(FutureWarning):
        np.testing.assert_array_equal(getattr(nn.init, name)(fg.empty(*shape), *args).numpy(), expected)
    assert name in nn.init.__all__


def _grads(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (5,), (2, 2, 2)]
    ours, theirs = [], []
    for s in shapes:
        g = (rng.standard_normal(s) * 3).astype(dtype)
        p, tp = nn.Parameter(fg.zeros(*s, dtype=dtype)), torch.nn.Parameter(torch.zeros(s, dtype=torch.tensor(g).dtype))
        p.grad, tp.grad = fg.tensor(g.copy()), torch.tensor(g.copy())
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_get_total_norm_and_clip_grads_with_norm_match_torch(norm_type, dtype):
    ours, theirs = _grads(dtype=dtype)
    norm = nn.utils.get_total_norm([p.grad for p in ours], norm_type)
    tnorm = torch.nn.utils.get_total_norm([p.grad for p in theirs], norm_type)
    assert norm.shape == () and norm.dtype == ours[0].dtype
    np.testing.assert_allclose(norm.item(), tnorm.item(), rtol=1e-5)
    assert nn.utils.clip_grads_with_norm_(ours, 2.0, norm) is None
    torch.nn.utils.clip_grads_with_norm_(theirs, 2.0, tnorm)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-7)
    before = [p.grad.numpy().copy() for p in ours]
    nn.utils.clip_grads_with_norm_(ours, 1e6, norm)                  # a large limit leaves them alone
    for p, b in zip(ours, before):
        np.testing.assert_allclose(p.grad.numpy(), b)


def test_get_total_norm_edge_cases():
    assert nn.utils.get_total_norm([]).item() == 0.0
    assert nn.utils.get_total_norm(fg.tensor([3.0, 4.0])).item() == 5.0
    assert nn.utils.get_total_norm([fg.tensor([3.0]), None, fg.tensor([4.0])]).item() == 5.0
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.get_total_norm([fg.tensor([math.inf])], error_if_nonfinite=True)
    assert math.isinf(nn.utils.get_total_norm([fg.tensor([math.inf])]).item())
    with pytest.raises(TypeError, match="get_total_norm: foreach"):
        nn.utils.get_total_norm([fg.ones(2)], foreach="yes")
    nn.utils.clip_grads_with_norm_([nn.Parameter(fg.ones(2))], 1.0, 5.0)   # no gradients: nothing to do


def test_clip_grad_norm_is_the_deprecated_name():
    ours, theirs = _grads(1)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.clip_grad_norm` is now deprecated"):
        norm = nn.utils.clip_grad_norm(ours, 1.0)
    with pytest.warns(FutureWarning):
        tnorm = torch.nn.utils.clip_grad_norm(theirs, 1.0)
    np.testing.assert_allclose(norm.item(), tnorm.item(), rtol=1e-10)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-10)


def test_skip_init():
    layer = nn.utils.skip_init(nn.Linear, 4, 2, bias=False)
    assert type(layer) is nn.Linear and layer.weight.shape == (2, 4) and layer.bias is None
    conv = nn.utils.skip_init(nn.Conv2d, 1, 3, kernel_size=2)
    assert conv.weight.shape == (3, 1, 2, 2)

    class NoDevice(nn.Module):
        def __init__(self, n):
            super().__init__()

    with pytest.raises(RuntimeError, match="must support a 'device' argument"):
        nn.utils.skip_init(NoDevice, 3)
    with pytest.raises(TypeError, match="skip_init: argument 'module_cls'"):
        nn.utils.skip_init(nn.Linear(2, 2))


def test_invert_permutation():
    rnn = nn.utils.rnn
    perm = np.random.default_rng(0).permutation(7)
    ours = rnn.invert_permutation(fg.tensor(perm))
    theirs = torch.nn.utils.rnn.invert_permutation(torch.tensor(perm))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == fg.int64
    np.testing.assert_array_equal(ours.numpy()[perm], np.arange(7))
    assert rnn.invert_permutation(None) is None
    assert rnn.invert_permutation(fg.tensor(np.array([], np.int64))).shape == (0,)
    with pytest.raises(ValueError, match="invert_permutation: argument 'permutation' must hold each"):
        rnn.invert_permutation(fg.tensor([0, 0, 1]))
    with pytest.raises(ValueError, match="must be 1-d"):
        rnn.invert_permutation(fg.tensor([[0, 1]]))
    with pytest.raises(TypeError, match="must hold integers"):
        rnn.invert_permutation(fg.tensor([0.0, 1.0]))
