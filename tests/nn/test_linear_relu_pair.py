"""nn.Sequential runs a Linear followed by a ReLU as one op (relu in the linear layer's bias
pass), with the same bits as the two modules one after the other, and one by one whenever
a hook, a replaced forward or a subclass must see the pair."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


def mlp(library=nn):
    return library.Sequential(library.Linear(6, 16), library.ReLU(), library.Linear(16, 16),
                              library.ReLU(inplace=True), library.Linear(16, 3))


def one_by_one(model, x):
    for module in model:
        x = module(x)
    return x


def train(model, steps, sequential, x, y, grad_scale=None):
    opt = fg.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(steps):
        out = model(x) if sequential else one_by_one(model, x)
        loss = nn.functional.cross_entropy(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.numpy().tobytes())
    return losses, [p.detach().numpy().tobytes() for p in model.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
def test_the_fused_pair_gives_the_bits_of_the_modules_one_by_one(dtype, rng):
    x = fg.tensor(rng.standard_normal((32, 6)).astype(dtype))
    y = fg.tensor(rng.integers(0, 3, 32))
    fg.manual_seed(0)
    fused = mlp().to(dtype)
    fg.manual_seed(0)
    plain = mlp().to(dtype)
    assert train(fused, 30, True, x, y) == train(plain, 30, False, x, y)


def test_the_pair_runs_as_one_op(rng):
    model = mlp()
    out = model[0:2](fg.tensor(rng.standard_normal((4, 6)), requires_grad=True))
    assert out._node.name == "LinearBackward"  # no separate ReLU node after the linear layer
    assert type(one_by_one(model[0:2], fg.tensor(rng.standard_normal((4, 6)), requires_grad=True))._node.name) is str


def test_non_finite_gradients_where_the_unit_is_off_give_zero_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal((5, 6))
    model, peer = mlp(), mlp(torch.nn).double()
    model = model.double()
    peer.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    X, tx = fg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = model[0:2](X), peer[0:2](tx)
    seed = rng.choice([np.nan, np.inf, -1.0, 2.0], size=out.shape)
    out.backward(fg.tensor(seed))
    expected.backward(torch.tensor(seed))
    tight = dict(rtol=1e-12, atol=1e-12)  # NaN where PyTorch has NaN, and nowhere else
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tight)
    for (name, p), q in zip(model[0:2].named_parameters(), peer[0:2].parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), err_msg=name, **tight)
    np.testing.assert_allclose(X.grad.data, tx.grad.numpy(), **tight)


def test_hooks_replaced_forwards_and_subclasses_see_the_pair_one_by_one(rng):
    x = fg.tensor(rng.standard_normal((2, 6)))
    model = mlp()
    fused = model(x).numpy()
    seen = []
    handle = model[0].register_forward_hook(lambda module, args, output: seen.append(output.numpy().min()))
    np.testing.assert_array_equal(model(x).numpy(), fused)
    assert len(seen) == 1 and seen[0] < 0  # the hook saw the linear output before the relu
    handle.remove()

    class Leaky(nn.ReLU):
        def forward(self, input):
            return nn.functional.leaky_relu(input, 0.5)

    model[1] = Leaky()
    np.testing.assert_array_equal(model(x).numpy(), one_by_one(model, x).numpy())
    assert not np.array_equal(model(x).numpy(), fused)
    model[1] = nn.ReLU()
    np.testing.assert_array_equal(model(x).numpy(), fused)
    model[0].forward = lambda input: nn.functional.linear(input, model[0].weight, model[0].bias) * 0.0
    np.testing.assert_array_equal(model(x).numpy(), one_by_one(model, x).numpy())
