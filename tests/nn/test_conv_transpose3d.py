"""F.conv_transpose3d / nn.ConvTranspose3d against PyTorch (values, gradients), the adjoint
identity with conv3d, gradcheck in float64 and the argument checks."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn

torch = pytest.importorskip("torch")

CASES = [  # in, out, groups, kernel, stride, padding, output_padding, dilation
    (2, 3, 1, (2, 3, 2), (2, 1, 2), (1, 0, 1), (1, 0, 0), 1),
    (4, 6, 2, (3, 2, 2), (3, 2, 1), (1, 1, 0), (2, 1, 0), (2, 1, 1)),
    (2, 2, 1, 1, 1, 0, 0, 1),
    (2, 4, 2, 2, 1, 0, 0, (3, 1, 2)),
    (3, 2, 1, (1, 2, 3), (2, 2, 2), (0, 1, 1), (1, 1, 1), 1),
]


def _arrays(cin, cout, groups, kernel, dtype, batch=(2,)):
    rng = np.random.default_rng(0)
    kernel = (kernel,) * 3 if isinstance(kernel, int) else kernel
    x = rng.standard_normal(batch + (cin, 3, 4, 5)).astype(dtype)
    w = rng.standard_normal((cin, cout // groups) + kernel).astype(dtype)
    b = rng.standard_normal(cout).astype(dtype)
    return x, w, b


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_values_and_gradients_match_torch(case, dtype):
    cin, cout, groups, kernel, stride, padding, output_padding, dilation = case
    x, w, b = _arrays(cin, cout, groups, kernel, dtype)
    ours = [fg.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.conv_transpose3d(*ours, stride, padding, output_padding, groups, dilation)
    ty = torch.nn.functional.conv_transpose3d(*theirs, stride, padding, output_padding, groups, dilation)
    assert tuple(y.shape) == tuple(ty.shape) and y.dtype == ours[0].dtype
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).standard_normal(ty.shape).astype(dtype)
    y.backward(fg.tensor(g))
    ty.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("case", CASES[:2])
def test_is_the_adjoint_of_conv3d(case):
    cin, cout, groups, kernel, stride, padding, output_padding, dilation = case
    x, w, _ = _arrays(cin, cout, groups, kernel, np.float64)
    y = F.conv_transpose3d(fg.tensor(x), fg.tensor(w), None, stride, padding, output_padding, groups, dilation)
    z = np.random.default_rng(2).standard_normal(tuple(y.shape))
    back = F.conv3d(fg.tensor(z), fg.tensor(w), None, stride, padding, dilation, groups)
    np.testing.assert_allclose((y.numpy() * z).sum(), (back.numpy() * x).sum(), rtol=1e-10)


def test_gradcheck():
    rng = np.random.default_rng(3)
    x = fg.tensor(rng.standard_normal((1, 2, 2, 3, 2)), requires_grad=True)
    w = fg.tensor(rng.standard_normal((2, 1, 2, 2, 2)), requires_grad=True)
    b = fg.tensor(rng.standard_normal(2), requires_grad=True)
    assert fg.gradcheck(lambda a, v, c: F.conv_transpose3d(a, v, c, stride=(2, 1, 2), padding=(1, 0, 0),
                                                           output_padding=(1, 0, 1), groups=2), [x, w, b])


def test_unbatched_non_contiguous_and_empty_batch():
    x, w, b = _arrays(2, 3, 1, 2, np.float64, batch=())
    y = F.conv_transpose3d(fg.tensor(x), fg.tensor(w), fg.tensor(b), stride=2)
    ty = torch.nn.functional.conv_transpose3d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride=2)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10)
    wide = np.random.default_rng(4).standard_normal((1, 2, 3, 4, 10))
    strided = fg.tensor(wide)[..., ::2]
    np.testing.assert_allclose(F.conv_transpose3d(strided, fg.tensor(w)).numpy(),
                               torch.nn.functional.conv_transpose3d(torch.tensor(wide)[..., ::2],
                                                                    torch.tensor(w)).numpy(), rtol=1e-10)
    assert F.conv_transpose3d(fg.zeros(0, 2, 3, 4, 5), fg.tensor(w)).shape == (0, 3, 4, 5, 6)


def test_bad_arguments():
    x, w = fg.ones(1, 2, 3, 3, 3), fg.ones(2, 1, 2, 2, 2)
    with pytest.raises(ValueError, match="conv_transpose3d: output_padding"):
        F.conv_transpose3d(x, w, output_padding=1)
    with pytest.raises(ValueError, match="conv_transpose3d: input has 3 channels"):
        F.conv_transpose3d(fg.ones(1, 3, 3, 3, 3), w)
    with pytest.raises(ValueError, match="conv_transpose3d: weight must be 5-d"):
        F.conv_transpose3d(x, fg.ones(2, 1, 2, 2))
    with pytest.raises(ValueError, match="conv_transpose3d: bias"):
        F.conv_transpose3d(x, w, fg.ones(3))
    with pytest.raises(ValueError, match="conv_transpose3d: the output would be empty"):
        F.conv_transpose3d(x, w, padding=5)


def test_module_matches_torch_with_copied_weights_and_round_trips():
    torch.manual_seed(0)
    theirs = torch.nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=2, padding=(0, 1, 0), output_padding=(1, 0, 0),
                                      groups=2, dilation=(1, 1, 2))
    ours = nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=2, padding=(0, 1, 0), output_padding=(1, 0, 0), groups=2,
                              dilation=(1, 1, 2))
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    bound = 1 / np.sqrt(3 * 2 * 3 * 2)
    assert np.abs(ours.weight.numpy()).max() <= bound
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((2, 4, 3, 4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(fg.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    out = ours(fg.tensor(x), output_size=(2, 6, 7, 8, 8))
    assert out.shape == tuple(theirs(torch.tensor(x), output_size=(2, 6, 7, 8, 8)).shape)
    copy = nn.ConvTranspose3d(4, 6, (2, 3, 2), stride=2, groups=2)
    copy.load_state_dict(ours.state_dict())
    np.testing.assert_array_equal(copy.weight.numpy(), ours.weight.numpy())
