"""The legacy torch.autograd.Variable: a Tensor, as in PyTorch since 0.4."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.autograd import Variable


def test_variable_is_a_leaf_tensor_sharing_the_data():
    t = fg.ones(3)
    v = Variable(t, requires_grad=True)
    assert type(v) is fg.Tensor and v.requires_grad and v.is_leaf
    with fg.no_grad():
        t.mul_(2)
    np.testing.assert_array_equal(v.numpy(), [2.0, 2.0, 2.0])
    assert isinstance(t, Variable) and isinstance(v, Variable) and not isinstance(np.ones(3), Variable)
    assert not Variable(t).requires_grad
    assert Variable().shape == (0,)


def test_variable_volatile_warns_and_data_must_be_a_tensor():
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        assert not Variable(fg.ones(2), volatile=True).requires_grad
    with pytest.raises(TypeError, match="Variable: data has to be a Tensor, but got list"):
        Variable([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Variable(fg.ones(2))
