"""F.conv_tbc (time-batch-channel 1-d convolution) and F.native_channel_shuffle against PyTorch."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("pad", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_tbc_matches_torch(pad, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in ((7, 2, 3), (3, 3, 4), (4,))]
    ours = [fg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, ty = F.conv_tbc(*ours, pad), torch.nn.functional.conv_tbc(*theirs, pad)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    y.backward(fg.tensor(g))
    ty.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


def test_conv_tbc_gradcheck_and_checks():
    rng = np.random.default_rng(1)
    args = [fg.tensor(rng.standard_normal(s), requires_grad=True) for s in ((5, 2, 2), (2, 2, 3), (3,))]
    assert fg.gradcheck(lambda x, w, b: F.conv_tbc(x, w, b, 1), args)
    with pytest.raises(ValueError, match="conv_tbc: input has 2 channels"):
        F.conv_tbc(args[0], fg.ones(2, 3, 3), args[2])
    with pytest.raises(ValueError, match="conv_tbc: argument 'input' must be 3-d"):
        F.conv_tbc(fg.ones(5, 2), args[1], args[2])


def test_native_channel_shuffle_matches_torch():
    a = np.arange(2 * 6 * 3, dtype=np.float64).reshape(2, 6, 3)
    np.testing.assert_array_equal(F.native_channel_shuffle(fg.tensor(a), 3).numpy(),
                                  torch.nn.functional.native_channel_shuffle(torch.tensor(a), 3).numpy())
