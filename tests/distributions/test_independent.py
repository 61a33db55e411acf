"""Independent against torch.distributions.Independent (float64 values and gradients), its shapes,
rsample gradients, KL and argument validation."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import check_cases, gradcheck_seeded, leaves, positive
from fastgrad import distributions as D

CASES = {
    "log_prob": (lambda r: [r.standard_normal((2, 3, 4)), positive(r, 4), r.standard_normal((5, 2, 3, 4))],
                 lambda d, loc, scale, x: d.Independent(d.Normal(loc, scale), 2).log_prob(x)),
    "entropy": (lambda r: [r.standard_normal((2, 3)), positive(r, 3)],
                lambda d, loc, scale: d.Independent(d.Laplace(loc, scale), 1).entropy()),
    "mean": (lambda r: [positive(r, (2, 3))], lambda d, rate: d.Independent(d.Exponential(rate), 1).mean),
    "variance": (lambda r: [positive(r, (2, 3))], lambda d, rate: d.Independent(d.Exponential(rate), 1).variance),
    "no reinterpreted axes": (lambda r: [r.standard_normal(3), positive(r, 3), r.standard_normal((2, 3))],
                              lambda d, loc, scale, x: d.Independent(d.Normal(loc, scale), 0).log_prob(x)),
    "kl Independent": (lambda r: [r.standard_normal((2, 3)), positive(r, 3), r.standard_normal(3), positive(r, 3)],
                       lambda d, a, b, c, e: d.kl_divergence(d.Independent(d.Normal(a, b), 1),
                                                             d.Independent(d.Normal(c, e), 1))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng)


def test_shapes_support_and_flags_match_pytorch():
    torch = pytest.importorskip("torch")
    mine = D.Independent(D.Normal(fg.zeros(4, 2, 3, dtype=fg.float64), 1.0), 2)
    theirs = torch.distributions.Independent(torch.distributions.Normal(torch.zeros(4, 2, 3), 1.0), 2)
    assert mine.batch_shape == tuple(theirs.batch_shape) == (4,)
    assert mine.event_shape == tuple(theirs.event_shape) == (2, 3)
    assert mine.sample((5,)).shape == tuple(theirs.sample((5,)).shape)
    assert mine.has_rsample and mine.support.event_dim == 2
    bern = D.Independent(D.Bernoulli(fg.full((3,), 0.5)), 1)
    assert not bern.has_rsample and not bern.has_enumerate_support
    assert D.Independent(D.Bernoulli(fg.full((3,), 0.5)), 0).has_enumerate_support
    assert repr(D.Independent(D.Normal(0.0, 1.0), 0)) == "Independent(Normal(loc: 0.0, scale: 1.0), 0)"


def test_rsample_gradients(rng):
    loc, scale = leaves(rng.standard_normal((2, 3)), positive(rng, 3))
    assert gradcheck_seeded(lambda a, b: D.Independent(D.Normal(a, b), 1).rsample((2,)), [loc, scale])


def test_bad_arguments():
    with pytest.raises(ValueError, match="Independent: reinterpreted_batch_ndims must be at most"):
        D.Independent(D.Normal(fg.zeros(3), 1.0), 2)
    with pytest.raises(ValueError, match="Independent: reinterpreted_batch_ndims"):
        D.Independent(D.Normal(fg.zeros(3), 1.0), -1)
    with pytest.raises(ValueError, match="support"):
        D.Independent(D.Exponential(fg.ones(3)), 1).log_prob(fg.tensor([1.0, -1.0, 1.0]))
    with pytest.raises(NotImplementedError, match="reinterpret"):
        D.kl_divergence(D.Independent(D.Normal(fg.zeros(2, 3), 1.0), 1),
                        D.Independent(D.Normal(fg.zeros(2, 3), 1.0), 2))
    with pytest.raises(NotImplementedError, match="cartesian"):
        D.Independent(D.Bernoulli(fg.full((3,), 0.5)), 1).enumerate_support()
    assert np.all(np.isfinite(D.Independent(D.Normal(fg.zeros(3), 1.0), 1).sample().numpy()))
