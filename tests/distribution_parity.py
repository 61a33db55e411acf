"""Shared checks of fastgrad.distributions: the same computation in fastgrad and PyTorch (values
and gradients in float64), and sample moments within bounds set by the sample size."""
import numpy as np
import pytest

import fastgrad as fg

TOL = dict(rtol=1e-10, atol=1e-12)
# Where a gradient goes through trigamma (digamma's derivative): PyTorch's float64 trigamma is
# accurate to about 1e-9 relative, SciPy's (fastgrad's) to about 1e-16.
TRIGAMMA_TOL = dict(rtol=1e-8, atol=1e-10)


def _leaves(arrays, lib):
    """Leaves requiring grad (float arrays) or plain tensors (integers), in fastgrad or PyTorch."""
    out = []
    for a in arrays:
        a = np.asarray(a)
        grad = a.dtype.kind == "f"
        out.append(fg.tensor(a, requires_grad=grad) if lib is None else lib.tensor(a, requires_grad=grad))
    return out


def check(fn_mine, fn_torch, arrays, rng, tol=TOL):
    """fn(leaves...) in both libraries: same values; the same gradients of one random weighting
    of the output in every float leaf (where PyTorch has one)."""
    torch = pytest.importorskip("torch")
    mine, theirs = _leaves(arrays, None), _leaves(arrays, torch)
    got, expected = fn_mine(*mine), fn_torch(*theirs)
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_allclose(got.numpy(), expected.detach().numpy(), **tol)
    if not expected.requires_grad:
        return
    seed = rng.standard_normal(tuple(got.shape))
    finite = np.isfinite(expected.detach().numpy())
    seed = np.where(finite, seed, 0.0)
    (got * fg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for m, t in zip(mine, theirs):
        if t.grad is None:
            assert m.grad is None or np.all(m.grad.numpy() == 0)
        else:
            np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), **tol)


def check_cases(cases, name, rng, tol=TOL):
    """One entry of a {name: (arrays(rng), build(distributions module, *leaves))} table, in both libraries."""
    torch = pytest.importorskip("torch")
    from fastgrad import distributions as D
    arrays, build = cases[name]
    check(lambda *a: build(D, *a), lambda *a: build(torch.distributions, *a), arrays(rng), rng, tol)


def positive(rng, shape):
    return rng.uniform(0.3, 2.0, shape)


def probabilities(rng, shape):
    return rng.uniform(0.05, 0.95, shape)


Z = 5.0   # standard errors allowed: a false alarm once in ~1.7 million checks per moment


def assert_moments(samples, mean, variance):
    """The sample mean and variance along axis 0 within Z standard errors of the given ones; the
    standard errors come from the sample itself (its variance, and that of its squared deviations)."""
    samples = np.asarray(samples, dtype=np.float64)
    n = samples.shape[0]
    deviations = samples - samples.mean(0)
    mean_error = np.sqrt(samples.var(0) / n)
    variance_error = np.sqrt((deviations ** 2).var(0) / n)
    assert np.all(np.abs(samples.mean(0) - mean) <= Z * mean_error + 1e-12), (samples.mean(0), mean)
    assert np.all(np.abs(samples.var(0) - variance) <= Z * variance_error + 1e-12), (samples.var(0), variance)


def summary_cases(prefix, arrays, make, parts=("mean", "variance", "stddev", "entropy")):
    """Table entries comparing each of mean, variance, stddev and entropy() of make(d, *leaves)."""
    def build(part):
        def value(d, *leaves):
            dist = make(d, *leaves)
            return dist.entropy() if part == "entropy" else getattr(dist, part)
        return value
    return {f"{prefix} {part}": (arrays, build(part)) for part in parts}


def gradcheck_seeded(fn, leaves):
    """fastgrad's numerical gradient check of fn, which draws from the generator: it is reseeded
    before every call, so each call sees the same draws."""
    def seeded(*args):
        fg.manual_seed(0)
        return fn(*args)
    return fg.gradcheck(seeded, leaves)


def leaves(*arrays):
    """float64 leaves requiring grad."""
    return [fg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]


def made_by_both(table, name, rng):
    """(fastgrad's, PyTorch's) distribution made by table[name] = (arrays, make) from the same
    parameters (arrays(rng) without its last entry, the value); skips without PyTorch."""
    torch = pytest.importorskip("torch")
    from fastgrad import distributions

    arrays, make = table[name]
    params = arrays(rng)[:-1]
    return make(distributions, *map(fg.tensor, params)), make(torch.distributions, *map(torch.tensor, params))


def assert_shapes_match(mine, theirs, sample_shape=(5, 2)):
    """batch_shape, event_shape, sample shapes and has_rsample of a fastgrad and a PyTorch distribution."""
    assert mine.has_rsample == theirs.has_rsample
    assert mine.batch_shape == tuple(theirs.batch_shape) and mine.event_shape == tuple(theirs.event_shape)
    assert tuple(mine.sample(sample_shape).shape) == tuple(theirs.sample(sample_shape).shape)
    assert tuple(mine.sample().shape) == tuple(theirs.sample().shape)


def gradcheck_log_prob_and_rsample(make, params, value):
    """Numerical gradients of make(*params).log_prob(value) in the params and the value, and of
    make(*params).rsample((4,)) in the params (float64 leaves)."""
    params, (value,) = leaves(*params), leaves(value)
    assert fg.gradcheck(lambda *a: make(*a[:-1]).log_prob(a[-1]), params + [value])
    assert gradcheck_seeded(lambda *a: make(*a).rsample((4,)), params)
