"""A1: scaled dot-product attention forward + backward; A2: a training step of a small
transformer encoder layer.

A1: batch 8, heads 4, sequence 256, head dim 64, float32, causal off: fastgrad's
F.scaled_dot_product_attention (GEMMs + the fused softmax kernel) and PyTorch's, forward
and backward of sum(out * seed); the floor is the four GEMMs of the step's backward and the
two of its forward (q k^T, p v, g v^T, p^T g, gs k, gs^T q) through fastgrad's GEMM entry
point into preallocated outputs.  Target: <= 1.2x PyTorch.

A2: nn.TransformerEncoderLayer(d_model 128, nhead 4, dim_feedforward 512, dropout 0,
batch_first), batch 16, sequence 64, float32; forward, MSE to a fixed target, zero_grad,
backward, Adam; the same weights (PyTorch's initialisation of a seeded fastgrad layer) in
both libraries.  PyTorch's training step takes its composite (non fast-path) route.

Run:  pytest bench/bench_transformer.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend.gemm import gemm
from fastgrad.nn import functional as F
from peers import library, torch_or_skip
from training_step import adam_step, first_loss, normal_target, training_problem

ATTENTION_GROUP = "A1 scaled_dot_product_attention forward+backward: batch 8, heads 4, seq 256, dim 64, float32"
LAYER_GROUP = "A2 training step: TransformerEncoderLayer(128, 4, 512), batch 16, seq 64, Adam, float32"
B, H, L, D = 8, 4, 256, 64


def attention_problem():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((B, H, L, D)).astype(np.float32) for _ in range(4)]  # q, k, v, output seed


def test_fastgrad_attention(benchmark):
    benchmark.group, benchmark.name = ATTENTION_GROUP, "fastgrad"
    q, k, v, seed = attention_problem()
    leaves = [fg.tensor(a, requires_grad=True) for a in (q, k, v)]
    seed = fg.tensor(seed)

    def step():
        out = F.scaled_dot_product_attention(*leaves)
        (out * seed).sum().backward()
        return out

    step()
    benchmark(step)


def test_torch_attention(benchmark):
    torch = torch_or_skip()
    benchmark.group, benchmark.name = ATTENTION_GROUP, "torch"
    q, k, v, seed = attention_problem()
    leaves = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    seed = torch.tensor(seed)

    def step():
        out = torch.nn.functional.scaled_dot_product_attention(*leaves)
        out.backward(seed)
        return out

    step()
    benchmark(step)


def test_attention_gemm_floor(benchmark):
    """The six batched GEMMs of attention's forward and backward, one (L, D) x (D, L) or
    (L, L) x (L, D) product per batch and head."""
    benchmark.group, benchmark.name = ATTENTION_GROUP, "floor: the step's GEMMs"
    q, k, v, g = (a.reshape(B * H, L, D) for a in attention_problem())
    scores = np.empty((B * H, L, L), np.float32)
    outs = [np.empty((B * H, L, D), np.float32) for _ in range(4)]
    grad_scores = np.empty((B * H, L, L), np.float32)

    def gemms():
        for i in range(B * H):
            gemm(q[i], k[i], out=scores[i], trans_b=True)            # s = q k^T
            gemm(scores[i], v[i], out=outs[0][i])                    # out = p v
            gemm(g[i], v[i], out=grad_scores[i], trans_b=True)       # gp = g v^T
            gemm(scores[i], g[i], out=outs[1][i], trans_a=True)      # gv = p^T g
            gemm(grad_scores[i], k[i], out=outs[2][i])               # gq = gs k
            gemm(grad_scores[i], q[i], out=outs[3][i], trans_a=True)  # gk = gs^T q

    gemms()
    benchmark(gemms)


def encoder_layer(nn):
    return nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)


def layer_problem():
    return training_problem(encoder_layer, "mse_loss", (16, 64, 128), normal_target((16, 64, 128)))


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_encoder_layer_step(benchmark, peer):
    lib = library(peer)
    benchmark.group, benchmark.name = LAYER_GROUP, peer
    benchmark(adam_step(lib, encoder_layer, *layer_problem()))


def test_the_two_steps_agree():
    """Same weights, same data: the first losses agree (what is timed is the same work)."""
    torch = torch_or_skip()
    expected = first_loss(torch, encoder_layer, *layer_problem())
    assert first_loss(fg, encoder_layer, *layer_problem()) == pytest.approx(expected, rel=1e-5)
