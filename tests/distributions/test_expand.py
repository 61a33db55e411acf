"""Distribution.expand(batch_shape) against PyTorch's: shapes, log_prob and sample shapes of the
expanded distribution, gradients into the original parameters, and refusals."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import check, positive, probabilities
from fastgrad import distributions as D

# name: (arrays(rng), build(d, *leaves) -> a distribution, new batch shape, a value of the new shape)
CASES = {
    "Normal": (lambda r: [r.standard_normal(3), positive(r, 3)], lambda d, a, b: d.Normal(a, b), (2, 3)),
    "Normal scalar": (lambda r: [np.array(0.5), np.array(2.0)], lambda d, a, b: d.Normal(a, b), (4,)),
    "Gamma": (lambda r: [positive(r, (2, 1)), positive(r, 1)], lambda d, a, b: d.Gamma(a, b), (5, 2, 3)),
    "Bernoulli logits": (lambda r: [r.standard_normal(3)], lambda d, l: d.Bernoulli(logits=l), (2, 3)),
    "Binomial": (lambda r: [probabilities(r, 3)], lambda d, p: d.Binomial(5, p), (2, 3)),
    "Categorical": (lambda r: [positive(r, 4)], lambda d, p: d.Categorical(p), (2, 3)),
    "OneHotCategorical": (lambda r: [r.standard_normal((1, 4))], lambda d, l: d.OneHotCategorical(logits=l), (3,)),
    "Dirichlet": (lambda r: [positive(r, 3)], lambda d, a: d.Dirichlet(a), (2,)),
    "MultivariateNormal": (lambda r: [r.standard_normal(3), np.diag(positive(r, 3))],
                           lambda d, a, s: d.MultivariateNormal(a, s), (2, 4)),
    "Independent": (lambda r: [r.standard_normal((1, 3)), positive(r, 3)],
                    lambda d, a, b: d.Independent(d.Normal(a, b), 1), (4,)),
}


NEEDS_SCIPY = {"Gamma", "Binomial", "Dirichlet"}     # their log_prob uses lgamma


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand_matches_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    if name in NEEDS_SCIPY:
        pytest.importorskip("scipy")
    arrays, build, batch_shape = CASES[name]
    arrays = arrays(rng)
    mine, theirs = build(D, *[fg.tensor(a) for a in arrays]), build(torch.distributions, *map(torch.tensor, arrays))
    wide, wide_theirs = mine.expand(batch_shape), theirs.expand(torch.Size(batch_shape))
    assert wide.batch_shape == tuple(wide_theirs.batch_shape) and wide.event_shape == tuple(wide_theirs.event_shape)
    assert type(wide) is type(mine)
    value = wide_theirs.sample((2,))
    assert tuple(wide.sample((2,)).shape) == tuple(value.shape)
    check(lambda *a: build(D, *a).expand(batch_shape).log_prob(fg.tensor(value.numpy())),
          lambda *a: build(torch.distributions, *a).expand(torch.Size(batch_shape)).log_prob(value), arrays, rng)


def test_expand_refuses_shapes_it_cannot_broadcast_to():
    with pytest.raises(ValueError, match="Normal.expand: batch_shape"):
        D.Normal(fg.zeros(3), 1.0).expand((2, 4))
    with pytest.raises(ValueError, match="Normal.expand: batch_shape"):
        D.Normal(fg.zeros(2, 3), 1.0).expand((3,))
