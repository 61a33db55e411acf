"""Tensor.exponential_, geometric_, cauchy_, log_normal_ and random_: their samples follow the
distribution (Kolmogorov-Smirnov distance against the exact CDF, or each probability of a
discrete law within a few standard errors), they repeat under manual_seed and a Generator, keep
the tensor's dtype and shape, give the old values a zero gradient as PyTorch does, and refuse
bad parameters."""
import math

import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test

N = 40000
# The KS distance of N samples from their own law exceeds 1.95 / sqrt(N) with probability
# about 0.001; a law off by a few percent anywhere fails it.
KS_LIMIT = 1.95 / math.sqrt(N)

_erf = np.frompyfunc(math.erf, 1, 1)


def _ks_distance(samples, cdf):
    x = np.sort(np.asarray(samples, dtype=np.float64))
    f = np.asarray(cdf(x), dtype=np.float64)
    n = x.size
    return max(np.max(np.arange(1, n + 1) / n - f), np.max(f - np.arange(n) / n))


CONTINUOUS = [
    ("exponential_", (2.5,), lambda x: 1 - np.exp(-2.5 * np.maximum(x, 0))),
    ("exponential_", (), lambda x: 1 - np.exp(-np.maximum(x, 0))),
    ("cauchy_", (1.0, 0.5), lambda x: 0.5 + np.arctan((x - 1.0) / 0.5) / np.pi),
    ("cauchy_", (), lambda x: 0.5 + np.arctan(x) / np.pi),
    ("log_normal_", (0.3, 0.4), lambda x: 0.5 * (1 + _erf((np.log(x) - 0.3) / (0.4 * math.sqrt(2))))),
    ("log_normal_", (), lambda x: 0.5 * (1 + _erf((np.log(x) - 1.0) / (2.0 * math.sqrt(2))))),
]


@pytest.mark.parametrize("name, args, cdf", CONTINUOUS, ids=[f"{c[0]}{c[1]}" for c in CONTINUOUS])
@pytest.mark.parametrize("dtype", [fg.float32, fg.float64])
def test_continuous_samples_follow_their_law(name, args, cdf, dtype):
    fg.manual_seed(11)
    x = fg.empty(N, dtype=dtype)
    assert getattr(x, name)(*args) is x
    assert x.dtype == dtype and x.shape == (N,)
    assert _ks_distance(x.numpy(), cdf) < KS_LIMIT


def test_keyword_parameters_are_pytorchs():
    fg.manual_seed(2)
    a = fg.empty(N, dtype=fg.float64).exponential_(lambd=4.0)
    assert _ks_distance(a.numpy(), lambda x: 1 - np.exp(-4.0 * x)) < KS_LIMIT
    b = fg.empty(N, dtype=fg.float64).cauchy_(median=-2.0, sigma=3.0)
    assert _ks_distance(b.numpy(), lambda x: 0.5 + np.arctan((x + 2.0) / 3.0) / np.pi) < KS_LIMIT
    c = fg.empty(N, dtype=fg.float64).log_normal_(mean=0.0, std=1.0)
    assert _ks_distance(c.numpy(), lambda x: 0.5 * (1 + _erf(np.log(x) / math.sqrt(2)))) < KS_LIMIT
    d = fg.empty(N).geometric_(p=0.5)
    assert abs(float(d.mean()) - 2.0) < 5 * math.sqrt(2.0 / N)


def _frequencies_match(samples, values, probabilities):
    samples = np.asarray(samples)
    for v, p in zip(values, probabilities):
        observed = np.mean(samples == v)
        assert abs(observed - p) < 5 * math.sqrt(p * (1 - p) / samples.size) + 1e-12, (v, observed, p)


@pytest.mark.parametrize("dtype", [fg.float32, fg.int64, fg.int32])
def test_geometric_counts_trials_until_the_first_success(dtype):
    p = 0.3
    fg.manual_seed(5)
    x = fg.empty(N, dtype=dtype).geometric_(p)
    assert x.dtype == dtype and x.numpy().min() >= 1
    ks = np.arange(1, 9)
    _frequencies_match(x.numpy(), ks, (1 - p) ** (ks - 1) * p)


@pytest.mark.parametrize("dtype", [fg.float32, fg.float64, fg.int64, fg.int16, fg.uint8])
def test_random_draws_uniform_integers_in_its_range(dtype):
    fg.manual_seed(7)
    x = fg.empty(N, dtype=dtype)
    assert x.random_(2, 7) is x and x.dtype == dtype
    _frequencies_match(x.numpy(), range(2, 7), [0.2] * 5)
    assert set(np.unique(x.numpy()).tolist()) == {2, 3, 4, 5, 6}
    x.random_(3)
    assert set(np.unique(x.numpy()).tolist()) == {0, 1, 2}
    x.random_(to=4)
    assert set(np.unique(x.numpy()).tolist()) == {0, 1, 2, 3}


def test_random_without_bounds_covers_the_exact_integers_of_the_dtype():
    torch = pytest.importorskip("torch")
    fg.manual_seed(1)
    for dtype, torch_dtype in ((fg.uint8, torch.uint8), (fg.int8, torch.int8), (fg.float32, torch.float32)):
        mine = fg.empty(N, dtype=dtype).random_().numpy().astype(np.float64)
        theirs = torch.empty(N, dtype=torch_dtype).random_().numpy().astype(np.float64)
        assert mine.min() >= 0 and np.all(mine == np.round(mine))
        # both fill the same range [0, top]: their largest draws agree to a few percent
        assert abs(mine.max() - theirs.max()) <= 0.02 * theirs.max()
    flags = fg.empty(N, dtype=fg.bool_).random_().numpy()
    assert 0.48 < flags.mean() < 0.52


@pytest.mark.parametrize("name, args", [("exponential_", (1.5,)), ("geometric_", (0.4,)), ("cauchy_", ()),
                                        ("log_normal_", ()), ("random_", (0, 100))])
def test_samples_repeat_under_manual_seed_and_generator(name, args):
    fg.manual_seed(123)
    first = getattr(fg.empty(3, 4), name)(*args).numpy().copy()
    fg.manual_seed(123)
    again = getattr(fg.empty(3, 4), name)(*args).numpy()
    np.testing.assert_array_equal(first, again)
    g = fg.Generator().manual_seed(9)
    one = getattr(fg.empty(50), name)(*args, generator=g).numpy().copy()
    other = getattr(fg.empty(50), name)(*args, generator=g).numpy()
    g.manual_seed(9)
    np.testing.assert_array_equal(getattr(fg.empty(50), name)(*args, generator=g).numpy(), one)
    assert not np.array_equal(one, other)


def test_a_sample_gives_the_old_values_a_zero_gradient_as_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (fg, torch):
        x = lib.ones(4, dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.exponential_()
        (y * 3).sum().backward()
        assert x.grad.tolist() == [0.0] * 4
    leaf = fg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.cauchy_()
    with fg.no_grad():
        leaf.log_normal_()
    assert float(leaf.min()) > 0


def test_empty_and_zero_dim_tensors():
    assert fg.empty(0, 3).exponential_().shape == (0, 3)
    x = fg.tensor(1.0)
    x.random_(5, 6)
    assert x.item() == 5.0


test_refusals = refusal_test([
    (lambda: fg.empty(3).exponential_(0.0), ValueError, "'lambd' must be positive"),
    (lambda: fg.empty(3, dtype=fg.int64).exponential_(), TypeError, "floating-point"),
    (lambda: fg.empty(3).geometric_(1.5), ValueError, "(0, 1)"),
    (lambda: fg.empty(3).geometric_(), TypeError, "'p'"),
    (lambda: fg.empty(3).cauchy_(0.0, -1.0), ValueError, "'sigma' must be positive"),
    (lambda: fg.empty(3, dtype=fg.int32).cauchy_(), TypeError, "floating-point"),
    (lambda: fg.empty(3).log_normal_(1.0, 0.0), ValueError, "'std' must be positive"),
    (lambda: fg.empty(3).random_(5, 2), ValueError, "'from' < 'to'"),
    (lambda: fg.empty(3, dtype=fg.uint8).random_(-1, 5), ValueError, "does not fit"),
    (lambda: fg.empty(3).random_(1, 2, 3), TypeError, "at most 2"),
    (lambda: fg.empty(3).exponential_(rate=2.0), TypeError, "unexpected keyword"),
], "^(exponential_|geometric_|cauchy_|log_normal_|random_)")
