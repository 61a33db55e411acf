"""index_add / index_add_, sum_to_size, storage_offset, data_ptr, apply_, map_, .real and
.imag: against PyTorch in float64 (values and gradients), central differences, and bad
arguments."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)


def _index(lib):
    return lib.tensor(np.array([2, 0, 2, 1]))


CASES = [
    ("index_add_dim0", lambda lib: lambda x, s: lib.index_add(x, 0, _index(lib), s), [(3, 2), (4, 2)]),
    ("index_add_dim1_alpha", lambda lib: lambda x, s: x.index_add(-1, _index(lib), s, alpha=-0.5),
     [(2, 3), (2, 4)]),
    ("index_add_in_place", lambda lib: lambda x, s: (x * 1).index_add_(1, _index(lib), s), [(2, 3, 2), (2, 4, 2)]),
    ("sum_to_size", lambda lib: lambda x: x.sum_to_size(1, 3), [(2, 3)]),
    ("sum_to_size_leading", lambda lib: lambda x: x.sum_to_size((4, 1)), [(2, 3, 4, 5)]),
    ("sum_to_size_same", lambda lib: lambda x: x.sum_to_size(2, 3), [(2, 3)]),
    ("real_of_real", lambda lib: lambda x: x.real * 2, [(3,)]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_pytorch(case, rng):
    torch = pytest.importorskip("torch")
    _, make, shapes = case
    check_against_torch(torch, make(fg), make(torch), [rng.standard_normal(s) for s in shapes], rng, TOL)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_central_differences(case, rng):
    _, make, shapes = case
    assert fg.gradcheck(make(fg), [fg.tensor(rng.standard_normal(s), requires_grad=True) for s in shapes])


def test_index_add_in_place_without_graph_writes_into_the_tensor():
    x = fg.zeros(3, 2)
    data = x.numpy()
    assert x.index_add_(0, fg.tensor([0, 0, 2]), fg.ones(3, 2), alpha=2) is x
    np.testing.assert_array_equal(data, [[4, 4], [0, 0], [2, 2]])


def test_storage_offset_and_data_ptr_follow_views_as_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = fg.arange(24.0).reshape(4, 6), torch.arange(24.0).reshape(4, 6)
    for view in [lambda t: t, lambda t: t[1:], lambda t: t[2, 3:], lambda t: t[:, 2], lambda t: t[1:, 1:].t()]:
        a, b = view(mine), view(theirs)
        assert a.storage_offset() == b.storage_offset()
        assert a.data_ptr() - mine.data_ptr() == b.data_ptr() - theirs.data_ptr()
    assert fg.zeros(0).data_ptr() == torch.zeros(0).data_ptr() == 0


def test_apply_and_map_replace_each_element_in_place():
    torch = pytest.importorskip("torch")
    x = np.arange(6.0).reshape(2, 3) - 2
    mine, theirs = fg.tensor(x), torch.tensor(x)
    assert mine.apply_(lambda v: v * v - 1) is mine
    theirs.apply_(lambda v: v * v - 1)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    other = np.array([10.0, -1.0, 0.5])
    mine.map_(fg.tensor(other), lambda a, b: max(a, b))
    theirs.map_(torch.tensor(other), lambda a, b: max(a, b))
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    ints = fg.tensor([1, 2, 3])
    ints.apply_(lambda v: v / 2)    # cast back to the tensor's dtype, as PyTorch
    np.testing.assert_array_equal(ints.numpy(), [0, 1, 1])


def test_apply_bumps_the_version_so_a_saved_tensor_is_not_silently_reused():
    w = fg.tensor([1.0, 2.0], requires_grad=True)
    x = fg.tensor([3.0, 4.0])
    y = (w * x).sum()
    x.apply_(lambda v: v + 1)
    with pytest.raises(RuntimeError):
        y.backward()


def test_real_of_a_real_tensor_is_itself_and_of_a_complex_one_its_real_part():
    x = fg.ones(3)
    assert x.real is x
    z = fg.tensor(np.array([1 + 2j, 3 - 1j]))
    np.testing.assert_array_equal(z.real.numpy(), [1.0, 3.0])
    np.testing.assert_array_equal(z.imag.numpy(), [2.0, -1.0])


BAD = [
    (lambda: fg.ones(2).imag, RuntimeError, "imag: is not implemented for tensors with non-complex dtypes"),
    (lambda: fg.ones(2, requires_grad=True).apply_(abs), RuntimeError, "apply_: cannot be called on a tensor that "
                                                                       "requires grad"),
    (lambda: fg.ones(2).map_(fg.ones(2, requires_grad=True), max), RuntimeError, "map_: cannot be called"),
    (lambda: fg.ones(2).apply_(3), TypeError, "apply_: argument 'callable'"),
    (lambda: fg.ones(2).map_(fg.ones(3), max), RuntimeError, "map_: argument 'tensor' of shape"),
    (lambda: fg.ones(2).map_([1.0, 2.0], max), TypeError, "map_: argument 'tensor'"),
    (lambda: fg.ones(2, 3).sum_to_size(3, 3), RuntimeError, "sum_to_size: size"),
    (lambda: fg.ones(3).sum_to_size(1, 3), RuntimeError, "sum_to_size: size"),
    (lambda: fg.ones(3).sum_to_size(1.5), TypeError, "sum_to_size: argument 'size'"),
    (lambda: fg.ones(3).index_add(0, fg.tensor([0]), fg.ones(2)), RuntimeError, "index_add: argument 'source'"),
    (lambda: fg.ones(3).index_add(0, fg.tensor([3]), fg.ones(1)), IndexError, "index_add: argument 'index'"),
    (lambda: fg.ones(3).index_add(0, fg.tensor([0.0]), fg.ones(1)), TypeError, "index_add: argument 'index'"),
    (lambda: fg.ones(3).index_add(1, fg.tensor([0]), fg.ones(1)), IndexError, "index_add: argument 'dim'"),
    (lambda: fg.ones(3).index_add(0, fg.tensor([0]), [1.0]), TypeError, "index_add: argument 'source'"),
    (lambda: fg.ones(3).index_add(0, fg.tensor([0]), fg.ones(1, dtype=fg.float64)), TypeError,
     "index_add: argument 'source' has dtype"),
    (lambda: fg.ones(3, requires_grad=True).index_add_(0, fg.tensor([0]), fg.ones(1)), RuntimeError,
     "index_add_: a leaf tensor that requires grad"),
]


@pytest.mark.parametrize("call, kind, message", BAD, ids=[b[2] for b in BAD])
def test_bad_arguments_raise_clear_errors(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
