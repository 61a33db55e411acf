"""F.affine_grid and F.grid_sample (ops/grid_sampling.py): values and the gradients in the input,
the grid and theta against PyTorch in float64 and float32 over every mode (bicubic on 4-d only, as
PyTorch), padding mode and align_corners, for 4-d and 5-d inputs; central differences; PyTorch's default warning; empty
outputs; bad arguments; and a spatial-transformer network trained as PyTorch's tutorial does."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import optim
from torch_parity import copy_weights, to_fastgrad

CASES = [(dims, mode, padding, corners) for dims in (2, 3) for mode in ("bilinear", "nearest", "bicubic")
         for padding in ("zeros", "border", "reflection") for corners in (False, True)
         if not (mode == "bicubic" and dims == 3)]
SHAPES = {2: ((2, 3, 4, 5), (2, 6, 7, 2)), 3: ((2, 2, 3, 4, 5), (2, 2, 3, 4, 3))}


def _inputs(rng, dims, dtype=np.float64, spread=1.6):
    """An input and a grid reaching past the input's edges (spread > 1), so padding matters."""
    x_shape, grid_shape = SHAPES[dims]
    return rng.standard_normal(x_shape).astype(dtype), rng.uniform(-spread, spread, grid_shape).astype(dtype)


def _both(torch, x, grid, weights, **kwargs):
    """grid_sample forward and backward (one weighting of the output) in fastgrad and PyTorch."""
    mine = [fg.tensor(a, requires_grad=True) for a in (x, grid)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, grid)]
    got, expected = F.grid_sample(*mine, **kwargs), torch.nn.functional.grid_sample(*theirs, **kwargs)
    (got * fg.tensor(weights(got.shape))).sum().backward()
    (expected * torch.tensor(weights(tuple(expected.shape)))).sum().backward()
    return [got.data, mine[0].grad.data, mine[1].grad.data], \
        [expected.detach().numpy(), theirs[0].grad.numpy(), theirs[1].grad.numpy()]


@pytest.mark.parametrize("dims, mode, padding, corners", CASES)
@pytest.mark.parametrize("dtype, tol", [(np.float64, dict(rtol=1e-10, atol=1e-12)),
                                        (np.float32, dict(rtol=1e-4, atol=5e-5))])  # sums of 16 float32 terms
def test_grid_sample_matches_pytorch(dims, mode, padding, corners, dtype, tol, rng):
    torch = pytest.importorskip("torch")
    x, grid = _inputs(rng, dims, dtype)
    weights = rng.standard_normal(SHAPES[dims][0][:2] + SHAPES[dims][1][1:-1]).astype(dtype)
    got, expected = _both(torch, x, grid, lambda shape: weights, mode=mode, padding_mode=padding,
                          align_corners=corners)
    for name, g, e in zip(("output", "input grad", "grid grad"), got, expected):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, e, err_msg=name, **tol)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("corners", [False, True])
def test_grid_sample_numerical_gradients(mode, padding, corners, rng):
    x, grid = rng.standard_normal((1, 2, 4, 5)), rng.uniform(-1.3, 1.3, (1, 3, 4, 2))
    assert fg.gradcheck(lambda a, g: F.grid_sample(a, g, mode=mode, padding_mode=padding, align_corners=corners),
                        [fg.tensor(x, requires_grad=True), fg.tensor(grid, requires_grad=True)])


def test_nearest_gives_the_grid_a_zero_gradient(rng):
    x, grid = _inputs(rng, 2)
    g = fg.tensor(grid, requires_grad=True)
    F.grid_sample(fg.tensor(x), g, mode="nearest", align_corners=False).sum().backward()
    assert g.grad is not None and not g.grad.data.any()


def test_identity_grid_reproduces_the_input(rng):
    x = rng.standard_normal((2, 3, 5, 4))
    for corners in (False, True):
        grid = F.affine_grid(fg.tensor(np.tile(np.eye(2, 3), (2, 1, 1))), x.shape, align_corners=corners)
        np.testing.assert_allclose(F.grid_sample(fg.tensor(x), grid, align_corners=corners).data, x, atol=1e-12)


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 3, 1, 1), (2, 1, 3, 4, 5)])
@pytest.mark.parametrize("corners", [False, True])
def test_affine_grid_matches_pytorch(size, corners, rng):
    torch = pytest.importorskip("torch")
    d = len(size) - 2
    theta = rng.standard_normal((size[0], d, d + 1))
    mine, theirs = fg.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    got = F.affine_grid(mine, size, align_corners=corners)
    expected = torch.nn.functional.affine_grid(theirs, size, align_corners=corners)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = rng.standard_normal(got.shape)
    (got * fg.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_default_align_corners_warns_as_pytorch_and_is_false(rng):
    x, grid = _inputs(rng, 2)
    theta = fg.tensor(rng.standard_normal((2, 2, 3)))
    with pytest.warns(UserWarning, match="align_corners=False"):
        default = F.grid_sample(fg.tensor(x), fg.tensor(grid))
    np.testing.assert_array_equal(default.data, F.grid_sample(fg.tensor(x), fg.tensor(grid), align_corners=False).data)
    with pytest.warns(UserWarning, match="align_corners=False"):
        default = F.affine_grid(theta, (2, 3, 4, 5))
    np.testing.assert_array_equal(default.data, F.affine_grid(theta, (2, 3, 4, 5), align_corners=False).data)


def test_empty_outputs_and_batches(rng):
    x = fg.tensor(rng.standard_normal((2, 3, 4, 5)), requires_grad=True)
    out = F.grid_sample(x, fg.zeros(2, 0, 3, 2, dtype=fg.float64), align_corners=False)
    assert out.shape == (2, 3, 0, 3)
    out.sum().backward()
    assert not x.grad.data.any()
    empty = F.grid_sample(fg.zeros(0, 3, 4, 5, dtype=fg.float64), fg.zeros(0, 2, 2, 2, dtype=fg.float64),
                          align_corners=True)
    assert empty.shape == (0, 3, 2, 2)


BAD = {
    "bicubic 5-d": (lambda x, g: F.grid_sample(fg.zeros(2, 3, 2, 4, 5, dtype=fg.float64),
                                               fg.zeros(2, 1, 1, 1, 3, dtype=fg.float64), mode="bicubic",
                                               align_corners=False),
                    ValueError, "grid_sample: mode 'bicubic' takes a 4-d input"),
    "mode": (lambda x, g: F.grid_sample(x, g, mode="area", align_corners=False), ValueError,
             "grid_sample: argument 'mode'"),
    "padding_mode": (lambda x, g: F.grid_sample(x, g, padding_mode="wrap", align_corners=False), ValueError,
                     "grid_sample: argument 'padding_mode'"),
    "3-d input": (lambda x, g: F.grid_sample(x[0], g, align_corners=False), ValueError,
                  "grid_sample: argument 'input' must be 4-d"),
    "grid last axis": (lambda x, g: F.grid_sample(x, fg.zeros(2, 3, 3, 3, dtype=fg.float64), align_corners=False),
                       ValueError, r"grid_sample: argument 'grid' must have shape \(N, \*output, 2\)"),
    "grid batch": (lambda x, g: F.grid_sample(x, g[:1], align_corners=False), ValueError,
                   "grid_sample: argument 'grid'.*N = 2"),
    "dtypes": (lambda x, g: F.grid_sample(x, g.float(), align_corners=False), TypeError,
               "grid_sample: input .float64. and grid .float32. must have the same dtype"),
    "integer input": (lambda x, g: F.grid_sample(fg.zeros(2, 3, 4, 5, dtype=fg.int64), g, align_corners=False),
                      TypeError, "grid_sample: argument 'input' must be a floating tensor"),
    "theta shape": (lambda x, g: F.affine_grid(fg.zeros(2, 3, 3, dtype=fg.float64), (2, 3, 4, 5),
                                               align_corners=False),
                    ValueError, r"affine_grid: argument 'theta' must have shape \(N, 2, 3\)"),
    "theta batch": (lambda x, g: F.affine_grid(fg.zeros(1, 2, 3, dtype=fg.float64), (2, 3, 4, 5),
                                               align_corners=False),
                    ValueError, "affine_grid: theta has 1 matrices but size asks for a batch of 2"),
    "size length": (lambda x, g: F.affine_grid(fg.zeros(2, 2, 3, dtype=fg.float64), (2, 3, 4),
                                               align_corners=False),
                    ValueError, "affine_grid: argument 'size' must be"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_arguments_raise_clear_errors(case, rng):
    call, error, message = BAD[case]
    x, grid = _inputs(rng, 2)
    with pytest.raises(error, match=message):
        call(fg.tensor(x), fg.tensor(grid))


SPATIAL_TRANSFORMER = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    """The spatial transformer tutorial's network, at 12x12 inputs."""

    def __init__(self):
        super().__init__()
        self.localization = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3), nn.MaxPool2d(2, stride=2), nn.ReLU(True))
        self.fc_loc = nn.Sequential(nn.Linear(4 * 5 * 5, 16), nn.ReLU(True), nn.Linear(16, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float64))
        self.classify = nn.Sequential(nn.Conv2d(1, 3, kernel_size=3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 10 * 10, 5))

    def stn(self, x):
        xs = self.localization(x).view(-1, 4 * 5 * 5)
        theta = self.fc_loc(xs).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        return F.log_softmax(self.classify(self.stn(x)), dim=1)
'''


def test_spatial_transformer_trains_as_pytorch(rng):
    torch = pytest.importorskip("torch")
    peer_scope, mine_scope = {}, {}
    exec(SPATIAL_TRANSFORMER, peer_scope)
    exec(to_fastgrad(SPATIAL_TRANSFORMER), mine_scope)
    torch.set_default_dtype(torch.float64)
    fg.set_default_dtype(fg.float64)
    try:
        torch.manual_seed(0)
        peer = peer_scope["Net"]()
        mine = mine_scope["Net"]()
    finally:
        torch.set_default_dtype(torch.float32)
        fg.set_default_dtype(fg.float32)
    # The tutorial starts from the identity transform, where every pixel centre sits on a kink of
    # the bilinear weights: one-ulp differences in the grid pick different one-sided gradients
    # there.  Both models move off it by the same small shift.
    with torch.no_grad():
        peer.fc_loc[2].bias.add_(torch.tensor([0.02, -0.01, 0.013, 0.015, -0.03, -0.021]))
    copy_weights(mine, peer)
    opt_t, opt_m = torch.optim.SGD(peer.parameters(), lr=0.05), optim.SGD(mine.parameters(), lr=0.05)
    x, y = rng.standard_normal((6, 1, 12, 12)), rng.integers(0, 5, 6)
    for _ in range(4):
        losses = []
        for model, opt, lib in ((peer, opt_t, torch), (mine, opt_m, fg)):
            opt.zero_grad()
            loss = lib.nn.functional.nll_loss(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[1], losses[0], rtol=1e-10)
    for (name, p), q in zip(mine.named_parameters(), peer.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-11, err_msg=name)
    assert np.abs(mine.fc_loc[2].weight.data).max() > 1e-4  # the transform itself was trained
