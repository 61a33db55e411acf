"""C1: one training step (forward, cross-entropy, backward, Adam) of a LeNet-style CNN.

conv 1->16 k5, relu, max pool 2, conv 16->32 k5, relu, max pool 2, linear 512->10;
batch 64 of 28x28 float32 images.  One group compares, on identical data and
weights with the same thread count: fastgrad (nn.Conv2d / MaxPool2d / Linear,
F.cross_entropy, optim.Adam), PyTorch (the same model; its convolutions run in
oneDNN), and the floor: the bare GEMMs of fastgrad's step (per convolution
col @ W^T, gz^T @ col and, for the second, gz @ W; per linear layer its three)
through fastgrad's GEMM entry point into preallocated outputs.  fastgrad's
float32 convolutions run in oneDNN when it is installed (fastgrad[onednn]), else
as im2col + GEMM; FASTGRAD_CONV=im2col (or =onednn) chooses (backend/onednn_conv.py).
Each ReLU after a convolution runs in that convolution's output pass (nn.Sequential's
fused pairs): oneDNN's relu post-op, or the bias epilogue after the GEMM.

Target: <= 1.3x PyTorch's step time.

Run:  pytest bench/bench_cnn.py --benchmark-only --benchmark-group-by=group \
          --benchmark-columns=median,iqr,rounds
"""
import numpy as np
import pytest

from fastgrad.backend.gemm import gemm
from peers import library
from training_step import adam_step, training_problem

GROUP = "C1 training step: LeNet (conv5 16, pool, conv5 32, pool, linear 512-10), batch 64, 28x28, Adam, float32"
BATCH = 64


def lenet(nn):
    return nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 10))


def problem():
    """The initial weights (PyTorch's initialization of a seeded model), the loss, images and labels."""
    return training_problem(lenet, "cross_entropy", (BATCH, 1, 28, 28), lambda rng: rng.integers(0, 10, BATCH))


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_step(benchmark, peer):
    lib = library(peer)
    benchmark.group, benchmark.name = GROUP, peer
    benchmark(adam_step(lib, lenet, *problem()))


def test_gemm_floor(benchmark):
    """The GEMMs of fastgrad's step alone: what im2col + GEMM cannot go below."""
    benchmark.group, benchmark.name = GROUP, "floor: the step's GEMMs"
    rng = np.random.default_rng(0)
    f32 = np.float32
    # (rows, K, out) of each convolution as a GEMM: rows = batch * output pixels, K = C * kh * kw
    convs = [(BATCH * 24 * 24, 25, 16, False), (BATCH * 8 * 8, 400, 32, True)]
    work = []
    for rows, k, out, input_grad in convs:
        col, w, gz = (rng.standard_normal(s).astype(f32) for s in ((rows, k), (out, k), (rows, out)))
        work.append((col, w, gz, np.empty((rows, out), f32), np.empty((out, k), f32),
                     np.empty((rows, k), f32) if input_grad else None))
    x, w, gz = (rng.standard_normal(s).astype(f32) for s in ((BATCH, 512), (10, 512), (BATCH, 10)))
    lin = (x, w, gz, np.empty((BATCH, 10), f32), np.empty((10, 512), f32), np.empty((BATCH, 512), f32))

    def gemms():
        for a, w, g, z, gw, ga in work + [lin]:
            gemm(a, w, out=z, trans_b=True)
            gemm(g, a, out=gw, trans_a=True)
            if ga is not None:
                gemm(g, w, out=ga)

    gemms()
    benchmark(gemms)


TRANSPOSED_GROUP = ("C2 conv_transpose2d 32->16 k4 stride 2 padding 1 (x2 upsampling), batch 16, 16x16, "
                    "float32: forward + backward")


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_conv_transpose2d(benchmark, peer):
    """A decoder's upsampling layer: fastgrad runs it on oneDNN (when installed) as the backward-data
    pass of the convolution it is the adjoint of, PyTorch in its own oneDNN deconvolution."""
    lib = library(peer)
    benchmark.group, benchmark.name = TRANSPOSED_GROUP, peer
    rng = np.random.default_rng(0)
    x, w, b = (lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
               for s in ((16, 32, 16, 16), (32, 16, 4, 4), (16,)))

    def step():
        lib.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1).sum().backward()

    step()
    benchmark(step)


CONV3D_GROUP = "C3 conv3d 16->32 k3 padding 1, batch 4, 16x16x16, float32: forward + backward"


@pytest.mark.parametrize("peer", ["fastgrad", "torch"])
def test_conv3d(benchmark, peer):
    """A volumetric layer: fastgrad runs it as one 2-d convolution over the stacked depth slices
    (oneDNN when installed, else im2col + GEMM), PyTorch in its own 3-d convolution."""
    lib = library(peer)
    benchmark.group, benchmark.name = CONV3D_GROUP, peer
    rng = np.random.default_rng(0)
    x, w, b = (lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
               for s in ((4, 16, 16, 16, 16), (32, 16, 3, 3, 3), (32,)))

    def step():
        lib.nn.functional.conv3d(x, w, b, padding=1).sum().backward()

    step()
    benchmark(step)
