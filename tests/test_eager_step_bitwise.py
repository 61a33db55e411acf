"""The eager training step of the T2 MLP (64-32-10, batch 32, cross-entropy, Adam) equals, bit for
bit over 100 steps, the same kernels called by hand in the same order: the graph machinery
(op dispatch, saved arrays, the backward walk, gradient accumulation, the optimizer's lists)
never changes a number."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import _C, optim
from fastgrad.backend.gemm import gemm
from fastgrad.demo import workloads
from fastgrad.nn import functional as F

STEPS = 100
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8


class HandStep:
    """Linear -> ReLU -> Linear -> mean cross-entropy -> Adam on arrays, one kernel call at a time."""

    def __init__(self, weights, x, y, x_grad):
        self.params = [a.copy() for pair in weights for a in pair]  # w0, b0, w1, b1 (model.parameters() order)
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.x, self.y, self.x_grad, self.t = x, y, x_grad, 0
        self.grads, self.gx = None, None

    def step(self):
        w0, b0, w1, b1 = self.params
        y0, _ = _C.bias_act_fwd(gemm(self.x, w0.T), bias=b0, activation="none", inplace=True)
        h = _C.relu_fwd(y0)
        logits, _ = _C.bias_act_fwd(gemm(h, w1.T), bias=b1, activation="none", inplace=True)
        rows = _C.cross_entropy_fwd(logits, target=self.y, weight=None, ignore_index=-100, label_smoothing=0.0)
        count = float(np.count_nonzero(self.y != -100))
        loss = np.add.reduce(rows, dtype=np.float32) / count
        spread = np.empty(len(self.y), np.float32)
        spread.fill(np.ones((), np.float32) * (1.0 / count))
        g_logits = _C.cross_entropy_bwd(logits, grad=spread, target=self.y, weight=None, ignore_index=-100,
                                        label_smoothing=0.0)
        gz1, gb1 = _C.bias_act_bwd(g_logits, g_logits, bias_grad=True, activation="none")
        gh = gemm(gz1, w1)
        gw1 = gemm(gz1.T, h)
        gz0, gb0 = _C.bias_act_bwd(*[_C.relu_bwd(h, gh)] * 2, bias_grad=True, activation="none")
        if self.x_grad:
            self.gx = gemm(gz0, w0)
        self.grads = [gemm(gz0.T, self.x), gb0, gw1, gb1]
        self.t += 1
        _C.adam_step(self.params, self.grads, self.m, self.v, None, lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS,
                     weight_decay=0.0, step_size=LR / (1.0 - BETA1 ** self.t),
                     bias_correction2_sqrt=math.sqrt(1.0 - BETA2 ** self.t))
        return loss


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("x_grad", [False, True], ids=["x-constant", "x-requires-grad"])
def test_t2_adam_steps_equal_the_kernels_by_hand_bitwise(x_grad):
    x, y, weights = workloads.mlp_problem(*workloads.MLPS["T2"])
    model = workloads.fastgrad_mlp(weights)
    opt = optim.Adam(model.parameters(), lr=LR, betas=(BETA1, BETA2), eps=EPS)
    xt = fg.tensor(x, requires_grad=x_grad)
    hand = HandStep(weights, x, y, x_grad)
    for i in range(STEPS):
        if x_grad:
            xt.grad = None
        loss = F.cross_entropy(model(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        expected = hand.step()
        assert same_bits(loss.data, expected), f"step {i}: loss {loss.item()!r} != {float(expected)!r}"
    for k, (p, want, g, m, v) in enumerate(zip(model.parameters(), hand.params, hand.grads, hand.m, hand.v)):
        state = opt.state[p]
        assert state["step"] == STEPS
        assert same_bits(p.data, want), f"parameter {k}"
        assert same_bits(p.grad.data, g), f"gradient {k}"
        assert same_bits(state["exp_avg"], m) and same_bits(state["exp_avg_sq"], v), f"Adam state {k}"
    if x_grad:
        assert same_bits(xt.grad.data, hand.gx)
