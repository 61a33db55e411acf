"""Dirichlet against torch.distributions.Dirichlet (float64 values and gradients), numerical
gradients of log_prob, sample moments, shapes and argument validation (rsample: test_gamma_rsample.py)."""
import numpy as np
import pytest

import fastgrad as fg
from distribution_parity import (TRIGAMMA_TOL, assert_moments, assert_shapes_match, check_cases, leaves, positive,
                                 summary_cases)
from fastgrad import distributions as D

pytest.importorskip("scipy")   # lgamma and digamma

CASES = {
    "log_prob": (lambda r: [positive(r, (3, 4)), r.dirichlet(np.ones(4), (2, 3))],
                 lambda d, a, x: d.Dirichlet(a).log_prob(x)),
    "log_prob unbatched": (lambda r: [positive(r, 5), r.dirichlet(np.ones(5), 3)],
                           lambda d, a, x: d.Dirichlet(a).log_prob(x)),
    "mode": (lambda r: [np.array([[1.5, 2.0, 3.0], [0.5, 1.7, 1.0]])], lambda d, a: d.Dirichlet(a).mode),
    "kl Dirichlet": (lambda r: [positive(r, (2, 4)), positive(r, 4)],
                     lambda d, a, b: d.kl_divergence(d.Dirichlet(a), d.Dirichlet(b))),
    **summary_cases("Dirichlet", lambda r: [positive(r, (2, 3))], lambda d, a: d.Dirichlet(a)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name, rng):
    check_cases(CASES, name, rng, TRIGAMMA_TOL)


def test_numerical_gradients(rng):
    a, x = leaves(positive(rng, (2, 3)), rng.dirichlet(np.ones(3), 2))
    assert fg.gradcheck(lambda c: D.Dirichlet(c).log_prob(x.detach()), [a])
    assert fg.gradcheck(lambda c: D.Dirichlet(c).entropy(), [a])


def test_mode_where_every_concentration_is_below_one_is_the_corner_of_the_largest():
    # PyTorch gives the first corner there (the argmax of a row of NaN); every corner is a pole
    mode = D.Dirichlet(fg.tensor([[0.5, 0.7, 0.2], [0.9, 0.3, 0.95]])).mode.numpy()
    np.testing.assert_array_equal(mode, [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def test_sample_moments_and_shapes():
    torch = pytest.importorskip("torch")
    a = np.array([[0.5, 2.0, 7.0], [1.0, 1.0, 1.0]])
    fg.manual_seed(0)
    samples = D.Dirichlet(fg.tensor(a)).sample((20000,)).numpy()
    np.testing.assert_allclose(samples.sum(-1), 1.0, rtol=1e-12)
    total = a.sum(-1, keepdims=True)
    assert_moments(samples, a / total, a * (total - a) / (total ** 2 * (total + 1)))
    assert_shapes_match(D.Dirichlet(fg.tensor(a)), torch.distributions.Dirichlet(torch.tensor(a)))


@pytest.mark.parametrize("call, words", [
    (lambda: D.Dirichlet(fg.tensor([1.0, -1.0])), "Dirichlet.*concentration"),
    (lambda: D.Dirichlet(fg.tensor(1.0)), "Dirichlet.*concentration.*one-dimensional"),
    (lambda: D.Dirichlet(fg.ones(3)).log_prob(fg.tensor([0.5, 0.6, -0.1])), "support"),
    (lambda: D.Dirichlet(fg.ones(3)).log_prob(fg.tensor([0.5, 0.5])), "event_shape"),
])
def test_bad_arguments(call, words):
    with pytest.raises(ValueError, match=words):
        call()
