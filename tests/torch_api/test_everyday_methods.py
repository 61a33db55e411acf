"""Edge cases of the everyday methods and functions (nonzero, argsort, stride, type, finfo, one_hot of a Tensor),
against PyTorch; their common use is checked by the `everyday_methods` script in test_tutorial_scripts."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F

from torch_parity import needs_torch, torch


@needs_torch
@pytest.mark.parametrize("values", [np.zeros((0, 3)), np.array(2.0), np.array(0.0), np.array([[0, 1], [2, 0]]),
                                    np.array([0.0, -3.0, 0.5]), np.zeros((2, 0, 2))])
def test_nonzero_matches_pytorch(values):
    ours, theirs = fg.tensor(values), torch.tensor(values)
    assert ours.nonzero().tolist() == theirs.nonzero().tolist()
    assert tuple(ours.nonzero().shape) == tuple(theirs.nonzero().shape) and ours.nonzero().dtype == np.int64
    assert [t.tolist() for t in ours.nonzero(as_tuple=True)] == [t.tolist() for t in theirs.nonzero(as_tuple=True)]


@needs_torch
def test_argsort_is_stable_and_matches_pytorch():
    values = np.array([[3, 1, 3, 1, 2], [0, 0, 0, 1, 1]], dtype=np.float32)
    for kwargs in ({}, {"descending": True}, {"dim": 0}, {"dim": 0, "descending": True}):
        assert fg.tensor(values).argsort(**kwargs).tolist() == \
            torch.tensor(values).argsort(stable=True, **kwargs).tolist(), kwargs


@needs_torch
def test_stride_and_contiguity_of_views_match_pytorch():
    ours, theirs = fg.arange(24.0).reshape(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4)
    for view in (lambda t: t, lambda t: t.transpose(0, 2), lambda t: t[:, ::2, 1:], lambda t: t.permute(1, 2, 0)):
        assert view(ours).stride() == view(theirs).stride()
        assert view(ours).is_contiguous() == view(theirs).is_contiguous()
    assert not ours.is_cuda and ours.is_floating_point() and not ours.long().is_floating_point()


def test_type_names_and_casts():
    x = fg.tensor([1.5, -2.5])
    assert [x.type(), x.long().type(), x.bool().type(), x.byte().type()] == \
        ["fastgrad.FloatTensor", "fastgrad.LongTensor", "fastgrad.BoolTensor", "fastgrad.ByteTensor"]
    assert x.type(fg.float64).dtype == np.float64 and x.short().dtype == np.int16 and x.char().dtype == np.int8


@needs_torch
def test_one_hot_of_a_tensor_matches_pytorch():
    labels = np.array([[0, 3], [2, 2]])
    np.testing.assert_array_equal(F.one_hot(fg.tensor(labels)).numpy(),
                                  torch.nn.functional.one_hot(torch.tensor(labels)).numpy())
    assert F.one_hot(fg.tensor(labels), num_classes=6).shape == (2, 2, 6)


@needs_torch
def test_finfo_and_iinfo_take_fastgrad_dtypes():
    for ours, theirs in ((fg.float32, torch.float32), (fg.float64, torch.float64), (fg.half, torch.half)):
        assert fg.finfo(ours).eps == torch.finfo(theirs).eps and fg.finfo(ours).max == torch.finfo(theirs).max
        assert fg.finfo(ours).tiny == torch.finfo(theirs).tiny
    assert fg.iinfo(fg.long).max == torch.iinfo(torch.long).max and fg.iinfo(fg.uint8).min == 0
