"""F.dropout2d and nn.Dropout2d: whole channels x[n, c] dropped, PyTorch's shapes and warnings."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn


def _channel_values(y):
    """Each channel y[n, c] as one row (axes 2.. flattened)."""
    return y.reshape(y.shape[0], y.shape[1], -1)


def test_whole_channels_are_dropped_and_the_rest_scaled():
    x = fg.tensor(np.ones((40, 30, 3, 4)), requires_grad=True)
    fg.manual_seed(3)
    y = F.dropout2d(x, p=0.4)
    per_channel = _channel_values(y.data.numpy())
    first = per_channel[:, :, :1]
    assert np.all(per_channel == first)                       # one draw per (n, c)
    assert set(np.unique(first)) == {0.0, 1 / 0.6}
    assert abs((first != 0).mean() - 0.6) < 0.05
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.data.numpy())           # d y / d x = mask / (1 - p)
    fg.manual_seed(3)
    np.testing.assert_array_equal(F.dropout2d(x, p=0.4).data.numpy(), y.data.numpy())


def test_numerical_gradient_with_a_fixed_mask():
    x = fg.tensor(np.random.default_rng(0).standard_normal((3, 5, 2, 2)), requires_grad=True)

    def fixed_mask(a):
        fg.manual_seed(11)
        return F.dropout2d(a, p=0.5)

    assert fg.gradcheck(fixed_mask, [x])


def test_module_training_and_evaluation():
    m = nn.Dropout2d(p=0.5)
    assert repr(m) == "Dropout2d(p=0.5, inplace=False)"
    x = fg.ones(4, 6, 2, 2)
    m.eval()
    assert m(x) is x
    m.train()
    fg.manual_seed(0)
    y = m(fg.ones(16, 16, 2, 2)).data.numpy()
    assert np.all(y.reshape(16, 16, 4) == y.reshape(16, 16, 4)[:, :, :1]) and (y == 0).any() and (y == 2).any()


def test_edge_cases():
    x = fg.tensor(np.ones((2, 3, 4, 4)))
    assert F.dropout2d(x, training=False) is x
    assert F.dropout2d(x, p=0.0) is x
    np.testing.assert_array_equal(F.dropout2d(x, p=1.0).data.numpy(), np.zeros((2, 3, 4, 4)))
    assert F.dropout2d(fg.ones(0, 3, 2, 2)).shape == (0, 3, 2, 2)
    assert F.dropout2d(fg.ones(2, 3, 0, 2)).shape == (2, 3, 0, 2)
    with pytest.raises(ValueError, match="dropout2d: probability has to be between 0 and 1"):
        F.dropout2d(x, p=-0.1)
    with pytest.raises(ValueError, match="Dropout: probability"):
        nn.Dropout2d(p=2.0)
    with pytest.raises(ValueError, match="dropout2d: the input must have at least 2 axes"):
        F.dropout2d(fg.ones(5))


def test_inplace_writes_into_the_input():
    h = fg.ones(8, 8, 2, 2)
    fg.manual_seed(1)
    out = F.dropout2d(h, p=0.5, inplace=True)
    assert out is h and (h.numpy() == 0).any()
    with pytest.raises(TypeError, match="inplace=True needs a Tensor"):
        F.dropout2d(np.ones((2, 2, 2, 2)), inplace=True)


def test_3d_input_is_read_as_batch_channels_length_with_a_warning_as_in_pytorch():
    fg.manual_seed(2)
    with pytest.warns(UserWarning, match=r"3-d input, read as \(N, C, L\)"):
        y = F.dropout2d(fg.ones(30, 20, 5), p=0.5).data.numpy()
    assert np.all(y == y[:, :, :1]) and (y == 0).any() and (y == 2).any()
    with pytest.warns(UserWarning, match="2-d input"):
        F.dropout2d(fg.ones(4, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.dropout2d(fg.ones(2, 3, 4, 4))


def test_same_structure_as_pytorch():
    torch = pytest.importorskip("torch")
    for shape in [(6, 7, 3, 3), (6, 7, 3)]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = torch.nn.functional.dropout2d(torch.ones(shape, dtype=torch.float64), 0.5).numpy()
            ours = F.dropout2d(fg.ones(shape, dtype=np.float64), 0.5).data.numpy()
        for y in (theirs, ours):
            flat = _channel_values(y)
            assert np.all(flat == flat[:, :, :1])
            assert set(np.unique(flat)) <= {0.0, 2.0}
        assert ours.shape == theirs.shape
