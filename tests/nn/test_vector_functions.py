"""F.normalize, F.cosine_similarity, F.pairwise_distance against PyTorch (float64 values and
gradients) and numerical gradients."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from torch_parity import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-12)

CASES = [
    ("normalize", dict(), [(4, 5)]),
    ("normalize", dict(dim=-1, p=1.0), [(2, 3, 4)]),
    ("normalize", dict(dim=0, p=3.0), [(4, 5)]),
    ("normalize", dict(dim=0), [(6,)]),
    ("cosine_similarity", dict(), [(4, 5), (4, 5)]),
    ("cosine_similarity", dict(dim=-1), [(2, 3, 4), (3, 4)]),
    ("cosine_similarity", dict(dim=0, eps=1e-6), [(5,), (5,)]),
    ("pairwise_distance", dict(), [(4, 5), (4, 5)]),
    ("pairwise_distance", dict(p=1.0, keepdim=True), [(4, 5), (1, 5)]),
    ("pairwise_distance", dict(p=3.0, eps=0.0), [(2, 3, 4), (2, 3, 4)]),
    ("pairwise_distance", dict(), [(5,), (5,)]),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1]}{c[2]}" for c in CASES])
def test_matches_pytorch_and_numerical_gradients(case, rng):
    torch = pytest.importorskip("torch")
    name, kwargs, shapes = case
    arrays = [rng.standard_normal(s) for s in shapes]
    mine = lambda *t: getattr(F, name)(*t, **kwargs)  # noqa: E731
    theirs = lambda *t: getattr(torch.nn.functional, name)(*t, **kwargs)  # noqa: E731
    check_against_torch(torch, mine, theirs, arrays, rng, TOL)
    assert fg.gradcheck(mine, [fg.tensor(a, requires_grad=True) for a in arrays])


def test_zero_vectors_are_kept_finite_by_eps():
    torch = pytest.importorskip("torch")
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_array_equal(F.normalize(fg.tensor(x)).numpy(), torch.nn.functional.normalize(torch.tensor(x)))
    cos = F.cosine_similarity(fg.tensor(x), fg.tensor(np.ones((2, 2))))
    np.testing.assert_allclose(cos.numpy(), torch.nn.functional.cosine_similarity(torch.tensor(x),
                                                                                  torch.ones(2, 2, dtype=torch.float64)))
    a = fg.tensor(x, requires_grad=True)
    F.normalize(a).sum().backward()
    assert np.all(np.isfinite(a.grad.numpy()))


def test_shapes_dtypes_and_errors():
    x = fg.ones(3, 4)
    assert F.normalize(x).dtype == np.float32
    assert F.normalize(fg.ones(0, 4)).shape == (0, 4)
    assert F.pairwise_distance(fg.ones(0, 4), fg.ones(0, 4)).shape == (0,)
    assert F.cosine_similarity(fg.ones(2, 3, 4), fg.ones(2, 3, 4), dim=1).shape == (2, 4)
    with pytest.raises(TypeError, match="normalize: out= is not supported"):
        F.normalize(x, out=fg.ones(3, 4))
    with pytest.raises(TypeError, match="cosine_similarity: argument 'x2' is None"):
        F.cosine_similarity(x, None)
    with pytest.raises(ValueError, match="pairwise_distance: the inputs must have at least 1 dimension"):
        F.pairwise_distance(fg.tensor(1.0), fg.tensor(2.0))
