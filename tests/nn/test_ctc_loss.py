"""F.ctc_loss and nn.CTCLoss (ops/ctc_loss.py): losses and gradients against PyTorch through
log_softmax (float64 and float32) over reductions, zero_infinity, repeated labels, empty targets,
sequences too short for their targets, padded and concatenated targets, unbatched input; central
differences in the log-probabilities themselves; create_graph; bad arguments; and a small
recurrent recogniser trained as in PyTorch."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn, optim
from torch_parity import copy_weights

T, N, C, S = 12, 5, 6, 4


def _problem(rng, repeats=False, short=False):
    """Logits (T, N, C), padded targets (N, S) without blank 0, and lengths; `short` leaves some
    sequences fewer frames than their targets need (an infinite loss)."""
    logits = rng.standard_normal((T, N, C))
    targets = np.full((N, S), 2) if repeats else rng.integers(1, C, (N, S))
    target_lengths = np.array([S, 0, 1, S - 1, 2])
    input_lengths = np.array([T, T - 3, 1, T - 1, 2 if short else 5])
    return logits, targets, input_lengths, target_lengths


def _both(torch, logits, targets, input_lengths, target_lengths, weights, **kwargs):
    mine, theirs = fg.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    got = F.ctc_loss(mine.log_softmax(-1), fg.tensor(targets), input_lengths, target_lengths, **kwargs)
    expected = torch.nn.functional.ctc_loss(theirs.log_softmax(-1), torch.tensor(targets),
                                            torch.tensor(input_lengths), torch.tensor(target_lengths), **kwargs)
    (got * fg.tensor(weights(got.shape))).sum().backward()
    (expected * torch.tensor(weights(tuple(expected.shape)))).sum().backward()
    return (got.data, mine.grad.data), (expected.detach().numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("repeats, short", [(False, False), (True, False), (False, True)])
@pytest.mark.parametrize("dtype, tol", [(np.float64, dict(rtol=1e-10, atol=1e-12)),
                                        (np.float32, dict(rtol=2e-5, atol=2e-6))])
def test_matches_pytorch(reduction, zero_infinity, repeats, short, dtype, tol, rng):
    torch = pytest.importorskip("torch")
    logits, targets, il, tl = _problem(rng, repeats, short)
    weights = rng.standard_normal(N).astype(dtype)
    (loss, grad), (loss_t, grad_t) = _both(torch, logits.astype(dtype), targets, il, tl,
                                           lambda shape: weights if shape else weights[0],
                                           reduction=reduction, zero_infinity=zero_infinity)
    assert loss.dtype == dtype and grad.dtype == dtype
    np.testing.assert_allclose(loss, loss_t, **tol)
    # Where a loss is infinite, both give NaN gradients (unless zero_infinity).
    np.testing.assert_array_equal(np.isnan(grad), np.isnan(grad_t))
    np.testing.assert_allclose(np.nan_to_num(grad), np.nan_to_num(grad_t), **tol)


def test_concatenated_targets_and_length_forms_equal_padded(rng):
    logits, targets, il, tl = _problem(rng)
    lp = fg.tensor(logits).log_softmax(-1)
    padded = F.ctc_loss(lp, targets, il, tl, reduction="none")
    flat = np.concatenate([row[:n] for row, n in zip(targets, tl)])
    for lengths in ((il, tl), (fg.tensor(il), fg.tensor(tl)), (list(il), tuple(tl))):
        np.testing.assert_array_equal(F.ctc_loss(lp, flat, *lengths, reduction="none").data, padded.data)


def test_unbatched_input_is_one_sequence(rng):
    logits, targets, il, tl = _problem(rng)
    lp = fg.tensor(logits).log_softmax(-1)
    batched = F.ctc_loss(lp, targets, il, tl, reduction="none")
    one = F.ctc_loss(lp[:, 0], targets[0], int(il[0]), int(tl[0]), reduction="none")
    assert one.shape == ()
    np.testing.assert_allclose(one.data, batched.data[0], rtol=1e-12)


def test_gradient_in_the_log_probabilities_matches_central_differences(rng):
    logits, targets, il, tl = _problem(rng)
    lp = fg.tensor(logits).log_softmax(-1).detach().requires_grad_()
    assert fg.gradcheck(lambda a: F.ctc_loss(a, targets, il, tl, reduction="sum"), [lp])


def test_leaf_log_probs_gradient_is_pytorchs_less_exp_log_probs(rng):
    """PyTorch's gradient in log_probs themselves carries an extra exp(log_probs), which its
    log_softmax backward cancels; fastgrad's is the derivative (checked above by central differences)."""
    torch = pytest.importorskip("torch")
    logits, targets, il, tl = _problem(rng)
    lp = fg.tensor(logits).log_softmax(-1).numpy()
    mine, theirs = fg.tensor(lp, requires_grad=True), torch.tensor(lp, requires_grad=True)
    F.ctc_loss(mine, targets, il, tl, reduction="sum").backward()
    torch.nn.functional.ctc_loss(theirs, torch.tensor(targets), torch.tensor(il), torch.tensor(tl),
                                 reduction="sum").backward()
    inside = np.arange(T)[:, None, None] < il[None, :, None]
    np.testing.assert_allclose(mine.grad.data + np.where(inside, np.exp(lp), 0.0), theirs.grad.numpy(),
                               rtol=1e-10, atol=1e-12)


def test_small_example_by_hand():
    # Two uniform frames over {blank, a, b}, target "a": alignments a-, -a, aa out of 9.
    lp = fg.tensor(np.log(np.full((2, 1, 3), 1 / 3)))
    np.testing.assert_allclose(F.ctc_loss(lp, [[1]], [2], [1], reduction="sum").item(), -np.log(3 / 9))
    # Target "aa" needs a blank between: a-a, at least 3 frames; with 2 the loss is infinite.
    assert F.ctc_loss(lp, [[1, 1]], [2], [2], reduction="sum").item() == np.inf
    assert F.ctc_loss(lp, [[1, 1]], [2], [2], reduction="sum", zero_infinity=True).item() == 0.0


def test_module_equals_function_and_repr(rng):
    logits, targets, il, tl = _problem(rng)
    lp = fg.tensor(logits).log_softmax(-1)
    module = nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    assert repr(module) == "CTCLoss(reduction='sum')"
    np.testing.assert_array_equal(module(lp, targets, il, tl).data,
                                  F.ctc_loss(lp, targets, il, tl, reduction="sum", zero_infinity=True).data)


def test_other_blank_index(rng):
    torch = pytest.importorskip("torch")
    logits, targets, il, tl = _problem(rng)
    targets = np.where(targets == C - 1, 1, targets)  # no label equals the blank C - 1
    (loss, grad), (loss_t, grad_t) = _both(torch, logits, targets, il, tl, lambda shape: np.ones(shape),
                                           blank=C - 1, reduction="none")
    np.testing.assert_allclose(loss, loss_t, rtol=1e-10)
    np.testing.assert_allclose(grad, grad_t, rtol=1e-10, atol=1e-12)


def test_create_graph_gives_first_derivatives_and_refuses_second(rng):
    logits, targets, il, tl = _problem(rng)
    x = fg.tensor(logits, requires_grad=True)
    loss = F.ctc_loss(x.log_softmax(-1), targets, il, tl)
    (g,) = fg.autograd.grad(loss, x, create_graph=True)
    y = fg.tensor(logits, requires_grad=True)
    F.ctc_loss(y.log_softmax(-1), targets, il, tl).backward()
    np.testing.assert_allclose(g.data, y.grad.data, rtol=1e-12)
    with pytest.raises(RuntimeError, match="ctc_loss: the derivative of ctc_loss's backward is not implemented"):
        (g * g).sum().backward()


BAD = {
    "blank": (dict(blank=C), ValueError, r"ctc_loss: argument 'blank' must be a class index in \[0, 6\)"),
    "reduction": (dict(reduction="batchmean"), ValueError, "ctc_loss: argument 'reduction'"),
    "label is blank": (dict(targets=np.zeros((N, S), np.int64)), ValueError,
                       r"ctc_loss: targets\[0\]\[0\] = 0 must be a class in \[0, 6\) other than blank \(0\)"),
    "label too large": (dict(targets=np.full((N, S), C)), ValueError, r"targets\[0\]\[0\] = 6 must be a class"),
    "float targets": (dict(targets=np.ones((N, S))), TypeError, "ctc_loss: argument 'targets' must hold integer"),
    "input length": (dict(input_lengths=[T + 1] * N), ValueError,
                     r"ctc_loss: input_lengths\[0\] = 13 must be between 0 and the number of frames \(12\)"),
    "target length": (dict(target_lengths=[S + 1] * N), ValueError, r"target_lengths\[0\] = 5 must be between 0"),
    "lengths count": (dict(input_lengths=[T] * (N - 1)), ValueError,
                      r"ctc_loss: argument 'input_lengths' must hold 5 integer\(s\)"),
    "targets rows": (dict(targets=np.ones((N - 1, S), np.int64)), ValueError, "has 4 rows for a batch of 5"),
    "concatenated count": (dict(targets=np.ones(3, np.int64)), ValueError,
                           "the concatenated targets hold 3 labels, but target_lengths sum to"),
    "log_probs rank": (dict(log_probs=fg.zeros(2, 3, 4, 5)), ValueError,
                       r"ctc_loss: argument 'log_probs' must be \(T, N, C\) or \(T, C\)"),
    "integer log_probs": (dict(log_probs=fg.zeros(T, N, C, dtype=fg.int64)), TypeError,
                          "ctc_loss: argument 'log_probs' must be a floating tensor"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_raise_clear_errors(case, rng):
    changes, error, message = BAD[case]
    logits, targets, il, tl = _problem(rng)
    args = dict(log_probs=fg.tensor(logits).log_softmax(-1), targets=targets, input_lengths=il,
                target_lengths=np.full(N, 2) if case == "concatenated count" else tl)
    args.update(changes)
    with pytest.raises(error, match=message):
        F.ctc_loss(**args)


def test_recurrent_recogniser_trains_as_pytorch(rng):
    torch = pytest.importorskip("torch")

    def build(lib):
        class Recogniser(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = lib.nn.LSTM(4, 8, bidirectional=True)
                self.head = lib.nn.Linear(16, C)

            def forward(self, x):
                return self.head(self.rnn(x)[0]).log_softmax(-1)
        return Recogniser().double()

    torch.manual_seed(0)
    peer, mine = build(torch), build(fg)
    copy_weights(mine, peer)
    x = rng.standard_normal((T, N, 4))
    _, targets, il, tl = _problem(rng)
    opt_t, opt_m = torch.optim.Adam(peer.parameters(), lr=0.01), optim.Adam(mine.parameters(), lr=0.01)
    ctc_t, ctc_m = torch.nn.CTCLoss(zero_infinity=True), nn.CTCLoss(zero_infinity=True)
    for _ in range(3):
        opt_t.zero_grad()
        loss_t = ctc_t(peer(torch.tensor(x)), torch.tensor(targets), torch.tensor(il), torch.tensor(tl))
        loss_t.backward()
        opt_t.step()
        opt_m.zero_grad()
        loss_m = ctc_m(mine(fg.tensor(x)), targets, il, tl)
        loss_m.backward()
        opt_m.step()
        np.testing.assert_allclose(loss_m.item(), loss_t.item(), rtol=1e-10)
    for (name, p), q in zip(mine.named_parameters(), peer.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-8, atol=1e-10, err_msg=name)
