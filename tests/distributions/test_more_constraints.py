"""The constraints square, symmetric, positive_semidefinite, lower_triangular, positive_integer,
MixtureSameFamilyConstraint, dependent_property and is_dependent against
torch.distributions.constraints (check results, event_dim, is_discrete, repr)."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.distributions import constraints as C


def _values(rng):
    a = rng.standard_normal((2, 3, 3))
    symmetric = a + np.swapaxes(a, -1, -2)
    return {
        "lower": np.tril(a), "general": a, "symmetric": symmetric, "psd": a @ np.swapaxes(a, -1, -2),
        "rank one": np.ones((3, 3)), "indefinite": symmetric - 10 * np.eye(3), "wide": rng.standard_normal((2, 2, 3)),
        "integers": np.array([-1.0, 0.0, 1.0, 2.0, 2.5]),
    }


NAMES = ["square", "symmetric", "positive_semidefinite", "lower_triangular", "positive_integer"]


@pytest.mark.parametrize("name", NAMES)
def test_checks_match_pytorch(name, rng):
    torch = pytest.importorskip("torch")
    mine, theirs = getattr(C, name), getattr(torch.distributions.constraints, name)
    assert repr(mine) == repr(theirs)
    assert mine.event_dim == theirs.event_dim and mine.is_discrete == theirs.is_discrete
    for label, value in _values(rng).items():
        if (label == "integers") != (name == "positive_integer"):
            continue
        got = np.asarray(mine.check(fg.tensor(value)))
        expected = theirs.check(torch.tensor(value)).numpy()
        np.testing.assert_array_equal(got, expected, err_msg=label)


def test_mixture_same_family_constraint_and_dependence():
    torch = pytest.importorskip("torch")
    assert repr(C.MixtureSameFamilyConstraint(C.positive)) == repr(
        torch.distributions.constraints.MixtureSameFamilyConstraint(torch.distributions.constraints.positive))
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)

    class Box:
        def __init__(self, high):
            self.high = high

        @C.dependent_property(is_discrete=False, event_dim=0)
        def support(self):
            return C.interval(0.0, self.high)
    assert C.is_dependent(Box.support) and Box.support.event_dim == 0 and not Box.support.is_discrete
    assert repr(Box(2.0).support) == "Interval(lower_bound=0.0, upper_bound=2.0)"
    with pytest.raises(ValueError, match="dependent"):
        Box.support.check(fg.zeros(1))
