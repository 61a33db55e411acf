"""nn.AdaptiveLogSoftmaxWithLoss against PyTorch's: the same parameters give the same outputs,
loss, gradients, log_prob and predict; its probabilities sum to one; bad targets are refused."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

rng = np.random.default_rng(2)


def _copy_parameters(ours, theirs):
    import torch

    state = {k: v.detach().numpy().astype(np.float64) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict({k: fg.tensor(v) for k, v in state.items()})
    theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()})


@pytest.mark.parametrize("head_bias", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_equals_pytorchs(head_bias, batched):
    torch = pytest.importorskip("torch")
    ours = nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0, head_bias=head_bias).double()
    theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [4, 10, 15], div_value=2.0, head_bias=head_bias).double()
    _copy_parameters(ours, theirs)
    x = rng.standard_normal((12, 16) if batched else (16,))
    target = rng.integers(0, 20, 12) if batched else np.array(17)
    results = []
    for lib, module in ((fg, ours), (torch, theirs)):
        inp = lib.tensor(x, requires_grad=True)
        out, loss = module(inp, lib.tensor(target))
        (loss + out.sum() * 0.5).backward()
        rows = inp if batched else inp.unsqueeze(0)   # PyTorch's log_prob and predict take (N, in_features)
        results.append([t.detach().numpy() for t in (out, loss, module.log_prob(rows), module.predict(rows))]
                       + [inp.grad.numpy()] + [None if p.grad is None else p.grad.numpy()
                                               for p in module.parameters()])
    for a, b in zip(*results):
        assert (a is None) == (b is None)   # a cluster no target falls in gets no gradient in either
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_probabilities_sum_to_one_and_a_model_learns():
    fg.manual_seed(0)
    module = nn.AdaptiveLogSoftmaxWithLoss(8, 30, [5, 15])
    x = fg.randn(40, 8)
    np.testing.assert_allclose(module.log_prob(x).exp().sum(1).detach().numpy(), 1.0, rtol=1e-5)
    target = fg.tensor(rng.integers(0, 30, 40))
    opt = fg.optim.Adam(module.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = module(x, target).loss
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] - 1.0   # memorising the random labels


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique, positive integers"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3])
    with pytest.raises(ValueError, match="cutoffs should be a sequence of length larger than 0"):
        nn.AdaptiveLogSoftmaxWithLoss(8, 10, [])
    module = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5])
    with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 9\]"):
        module(fg.randn(2, 8), fg.tensor([1, 10]))
    with pytest.raises(RuntimeError, match="needs a target of shape"):
        module(fg.randn(2, 8), fg.tensor([1]))
