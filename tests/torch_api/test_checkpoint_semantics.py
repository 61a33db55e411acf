"""checkpoint with PyTorch's use_reentrant=False semantics: data inputs, parameters reached
through closures, and preserve_rng_state."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.utils.checkpoint import checkpoint

from torch_parity import needs_torch, torch


def _grads(lib, use_checkpoint, **kwargs):
    rng = np.random.default_rng(0)
    w1, w2, x = rng.standard_normal((4, 3)), rng.standard_normal((3,)), rng.standard_normal((5, 4))
    if lib is torch:
        from torch.utils.checkpoint import checkpoint as run_checkpointed
        W1, W2 = torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)
        X = torch.tensor(x)                                  # data: needs no gradient
    else:
        run_checkpointed = checkpoint
        W1, W2 = fg.tensor(w1, requires_grad=True), fg.tensor(w2, requires_grad=True)
        X = fg.tensor(x)

    def block(inp):                                          # parameters reached through a closure
        return (inp @ W1).tanh() @ W2

    out = run_checkpointed(block, X, **kwargs) if use_checkpoint else block(X)
    (out ** 2).sum().backward()
    return [np.asarray(W1.grad if lib is fg else W1.grad.numpy()), np.asarray(W2.grad if lib is fg else W2.grad.numpy())]


@needs_torch
@pytest.mark.parametrize("use_reentrant", [False, True, None])
def test_closure_parameters_get_gradients_when_the_input_is_data(use_reentrant):
    plain = _grads(fg, False)
    ours = _grads(fg, True, use_reentrant=use_reentrant)
    theirs = _grads(torch, True, use_reentrant=False)
    for a, b, c in zip(ours, plain, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)
        np.testing.assert_allclose(a, c, rtol=1e-10)


@pytest.mark.parametrize("preserve", [True, False])
def test_preserve_rng_state_replays_dropout_or_not(preserve):
    fg.manual_seed(0)
    w = fg.ones(200, requires_grad=True, dtype=fg.float64)
    drop = fg.nn.Dropout(0.5)
    out = checkpoint(lambda inp: drop(inp * w), fg.ones(200, dtype=fg.float64), preserve_rng_state=preserve)
    kept = out.data != 0
    out.sum().backward()
    replayed = np.asarray(w.grad) != 0
    if preserve:
        np.testing.assert_array_equal(replayed, kept)        # the same mask in backward
    else:
        assert not np.array_equal(replayed, kept)            # a fresh mask (200 draws: never equal)


def test_bad_use_reentrant_and_non_tensor_output_are_refused():
    x = fg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="checkpoint: use_reentrant must be"):
        checkpoint(lambda t: t, x, use_reentrant="yes")
    with pytest.raises(TypeError, match="checkpoint: the function must return a single Tensor"):
        checkpoint(lambda t: (t, t), x)
