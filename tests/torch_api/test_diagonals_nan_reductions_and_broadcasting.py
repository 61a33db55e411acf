"""diagonal, diag_embed, block_diag, sgn, frac, nansum, nanmean, aminmax, broadcast_tensors,
atleast_1d/2d/3d and take: against PyTorch in float64 (values and input gradients), against
central differences, as Tensor methods, and on bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)
NAN = float("nan")


def _stacked(pair):
    """Two same-shape outputs (aminmax, broadcast_tensors) as one, so one check covers both."""
    return lambda lib: lambda *ts: lib.stack(list(pair(lib, *ts)))


def _index(lib):
    return lib.tensor(np.array([[0, 5], [-1, 3]]))


# (id, function of the library giving the function of the tensors, input shapes, prepare arrays)
CASES = [
    ("diagonal", lambda lib: lambda x: lib.diagonal(x), [(3, 4)], None),
    ("diagonal_offset", lambda lib: lambda x: lib.diagonal(x, offset=1, dim1=-1, dim2=0), [(3, 4, 2)], None),
    ("diagonal_below", lambda lib: lambda x: x.diagonal(-2, 1, 2), [(2, 5, 3)], None),
    ("diagonal_empty", lambda lib: lambda x: lib.diagonal(x, 5), [(3, 4)], None),
    ("diag_embed", lambda lib: lambda x: lib.diag_embed(x), [(2, 3)], None),
    ("diag_embed_offset", lambda lib: lambda x: lib.diag_embed(x, offset=2, dim1=0, dim2=2), [(2, 3)], None),
    ("diag_embed_negative", lambda lib: lambda x: x.diag_embed(-1, -1, -2), [(4,)], None),
    ("block_diag", lambda lib: lambda a, b, c: lib.block_diag(a, b, c), [(2, 3), (), (4,)], None),
    ("block_diag_empty_block", lambda lib: lambda a, b: lib.block_diag(a, b), [(0, 2), (2, 1)], None),
    ("sgn", lambda lib: lambda x: lib.sgn(x) * x, [(3, 4)], lambda a: [np.where(a[0] > 1, 0.0, a[0])]),
    ("frac", lambda lib: lambda x: lib.frac(x * 3), [(3, 4)], None),
    ("frac_method", lambda lib: lambda x: (x * 3).frac(), [()], None),
    ("nansum", lambda lib: lambda x: lib.nansum(x, dim=1), [(3, 4)], lambda a: [np.where(a[0] > 0.8, NAN, a[0])]),
    ("nansum_all", lambda lib: lambda x: x.nansum(), [(3, 4)], lambda a: [np.where(a[0] > 0.8, NAN, a[0])]),
    ("nansum_keepdim", lambda lib: lambda x: lib.nansum(x, (0, 2), keepdim=True), [(2, 3, 2)], None),
    ("nanmean", lambda lib: lambda x: lib.nanmean(x, 0), [(3, 4)], lambda a: [np.where(a[0] > 0.5, NAN, a[0])]),
    ("nanmean_all", lambda lib: lambda x: x.nanmean(), [(5,)], lambda a: [np.where(a[0] > 0.5, NAN, a[0])]),
    ("aminmax", _stacked(lambda lib, x: lib.aminmax(x, dim=1)), [(3, 4)], None),
    ("aminmax_all_keepdim", _stacked(lambda lib, x: x.aminmax(keepdim=True)), [(3, 4)], None),
    ("aminmax_ties", _stacked(lambda lib, x: lib.aminmax(x.round(), dim=0)), [(6, 2)], lambda a: [a[0] * 0.4]),
    ("broadcast_tensors", _stacked(lambda lib, a, b: lib.broadcast_tensors(a, b)), [(3, 1), (4,)], None),
    ("atleast_1d", lambda lib: lambda x: lib.atleast_1d(x), [()], None),
    ("atleast_2d", lambda lib: lambda x: lib.atleast_2d(x), [(3,)], None),
    ("atleast_3d", lambda lib: lambda x: lib.atleast_3d(x), [(2, 3)], None),
    ("atleast_3d_vector", lambda lib: lambda x: lib.atleast_3d(x), [(3,)], None),
    ("take", lambda lib: lambda x: lib.take(x, _index(lib)), [(2, 3)], None),
    ("take_method", lambda lib: lambda x: x.take(_index(lib)), [(6,)], None),
]
IDS = [c[0] for c in CASES]


def _arrays(case, rng):
    _, _, shapes, prepare = case
    arrays = [rng.standard_normal(s) for s in shapes]
    return prepare(arrays) if prepare else arrays


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    make = case[1]
    check_against_torch(torch, make(fg), make(torch), _arrays(case, rng), rng, TOL)


@pytest.mark.parametrize("case", [c for c in CASES if not c[0].endswith("ties")], ids=[i for i in IDS
                                                                                        if not i.endswith("ties")])
def test_gradients_match_central_differences(case, rng):
    arrays = _arrays(case, rng)
    if case[0].startswith("frac"):   # away from the jumps of frac
        arrays = [np.round(a * 3) / 3 + 0.1 for a in arrays]
    assert fg.gradcheck(case[1](fg), [fg.tensor(a, requires_grad=True) for a in arrays])


def test_sgn_of_complex_and_nan_matches_pytorch():
    torch = pytest.importorskip("torch")
    z = np.array([3 + 4j, 0j, -2j, 1 + 1j])
    np.testing.assert_allclose(fg.sgn(fg.tensor(z)).numpy(), torch.sgn(torch.tensor(z)).numpy(), **TOL)
    x = np.array([-2.0, 0.0, 3.0, NAN, -0.0])
    np.testing.assert_array_equal(fg.tensor(x).sgn().numpy(), torch.tensor(x).sgn().numpy())
    np.testing.assert_array_equal(fg.sgn(fg.tensor([-3, 0, 4])).numpy(), [-1, 0, 1])


def test_nanmean_of_all_nan_slice_is_nan_and_nansum_keeps_integers():
    torch = pytest.importorskip("torch")
    x = np.array([[NAN, NAN], [1.0, NAN]])
    np.testing.assert_array_equal(fg.nanmean(fg.tensor(x), dim=1).numpy(), torch.nanmean(torch.tensor(x), 1).numpy())
    total = fg.nansum(fg.tensor(np.array([1, 2, 3])))
    assert total.item() == 6 and total.dtype == np.int64
    assert fg.nansum(fg.tensor(np.arange(4.0)), dtype=fg.float32).dtype == np.float32


def test_aminmax_propagates_nan_and_names_its_fields():
    low, high = fg.aminmax(fg.tensor([1.0, NAN, 3.0]))
    assert np.isnan(low.item()) and np.isnan(high.item())
    result = fg.aminmax(fg.tensor([[2.0, -1.0], [0.5, 4.0]]), dim=0)
    np.testing.assert_array_equal(result.min.numpy(), [0.5, -1.0])
    np.testing.assert_array_equal(result.max.numpy(), [2.0, 4.0])


def test_block_diag_of_nothing_and_of_mixed_blocks_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert fg.block_diag().shape == tuple(torch.block_diag().shape)
    blocks = [np.array(2.0), np.arange(3.0), np.ones((2, 2))]
    np.testing.assert_array_equal(fg.block_diag(*map(fg.tensor, blocks)).numpy(),
                                  torch.block_diag(*map(torch.tensor, blocks)).numpy())


def test_diag_embed_is_inverted_by_diagonal(rng):
    v = fg.tensor(rng.standard_normal((2, 3, 4)))
    for offset, d1, d2 in [(0, -2, -1), (1, 0, 3), (-2, 2, 1)]:
        np.testing.assert_array_equal(fg.diag_embed(v, offset, d1, d2).diagonal(offset, d1, d2).numpy(), v.numpy())


def test_atleast_functions_take_several_tensors_or_one_list():
    a, b = fg.tensor(1.0), fg.ones(2, 3)
    shapes = [t.shape for t in fg.atleast_3d(a, b)]
    assert shapes == [(1, 1, 1), (2, 3, 1)]
    assert [t.shape for t in fg.atleast_2d([a])] == [(1, 1)]
    assert fg.atleast_1d(b) is b


BAD = [
    (lambda: fg.diagonal(fg.ones(3)), RuntimeError, "diagonal: input"),
    (lambda: fg.diagonal(fg.ones(3, 3), 0, 1, 1), RuntimeError, "'dim1' and 'dim2'"),
    (lambda: fg.diagonal(fg.ones(3, 3), 0, 0, 2), IndexError, "diagonal: argument 'dim2'"),
    (lambda: fg.diagonal(fg.ones(3, 3), 1.5), TypeError, "diagonal: argument 'offset'"),
    (lambda: fg.diag_embed(fg.tensor(1.0)), RuntimeError, "diag_embed: input"),
    (lambda: fg.diag_embed(fg.ones(2), 0, -2, 0), RuntimeError, "diag_embed: arguments 'dim1' and 'dim2'"),
    (lambda: fg.block_diag(fg.ones(2, 2, 2)), RuntimeError, "block_diag: argument 'tensors'"),
    (lambda: fg.frac(fg.tensor([1, 2])), TypeError, "frac: argument 'input'"),
    (lambda: fg.nanmean(fg.tensor([1, 2])), TypeError, "nanmean: argument 'input'"),
    (lambda: fg.nansum(fg.ones(2), dim=1.0), TypeError, "nansum: argument 'dim'"),
    (lambda: fg.aminmax(fg.ones(0)), RuntimeError, "aminmax: cannot reduce over an empty"),
    (lambda: fg.aminmax(fg.ones(2), dim=(0,)), TypeError, "aminmax: argument 'dim'"),
    (lambda: fg.broadcast_tensors(fg.ones(2), fg.ones(3)), RuntimeError, "broadcast_tensors: shapes (2,), (3,)"),
    (lambda: fg.atleast_2d(None), TypeError, "atleast_2d"),
    (lambda: fg.take(fg.ones(3), fg.tensor([3])), IndexError, "take: argument 'index' holds 3"),
    (lambda: fg.take(fg.ones(3), fg.tensor([-4])), IndexError, "take: argument 'index' holds -4"),
    (lambda: fg.take(fg.ones(3), fg.tensor([1.0])), TypeError, "take: argument 'index'"),
]


@pytest.mark.parametrize("call, kind, message", BAD, ids=[b[2] for b in BAD])
def test_bad_arguments_raise_clear_errors(call, kind, message):
    with pytest.raises(kind, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
