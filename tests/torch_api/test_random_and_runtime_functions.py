"""Generator, seed, initial_seed, normal, poisson, logspace, set_printoptions and compile, as
PyTorch scripts use them."""
import copy
import pickle

import numpy as np
import pytest

import fastgrad as fg


def test_generator_seeding_repeats_streams_and_reports_its_seed():
    g = fg.Generator()
    assert g.initial_seed() == 67280421310721 == fg.Generator().initial_seed()   # PyTorch's default seed
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    first = fg.randn(4, generator=g, dtype=fg.float64).numpy()
    np.testing.assert_array_equal(fg.randn(4, generator=fg.Generator().manual_seed(7), dtype=fg.float64).numpy(),
                                  first)
    assert not np.array_equal(fg.randn(4, generator=g, dtype=fg.float64).numpy(), first)
    drawn = g.seed()
    assert isinstance(drawn, int) and g.initial_seed() == drawn
    assert fg.Generator().manual_seed(-1).initial_seed() == 2 ** 64 - 1    # wraps as PyTorch's
    assert g.device == "cpu"


def test_generator_is_accepted_by_fastgrads_random_functions():
    def draws(g):
        return [fg.rand(3, generator=g).numpy(), fg.randint(0, 10, (3,), generator=g).numpy(),
                fg.randperm(5, generator=g).numpy(), fg.normal(fg.zeros(3), 1.0, generator=g).numpy(),
                fg.poisson(fg.ones(3), generator=g).numpy(), fg.bernoulli(fg.full((3,), 0.5), generator=g).numpy(),
                fg.multinomial(fg.ones(4), 2, generator=g).numpy()]

    for a, b in zip(draws(fg.Generator().manual_seed(3)), draws(fg.Generator().manual_seed(3))):
        np.testing.assert_array_equal(a, b)


def test_generator_survives_pickling_and_copying_mid_stream():
    g = fg.Generator().manual_seed(11)
    g.random(5)
    for other in (pickle.loads(pickle.dumps(g)), copy.deepcopy(g)):
        assert isinstance(other, fg.Generator) and other.initial_seed() == 11
        np.testing.assert_array_equal(other.random(3), copy.deepcopy(g).random(3))


def test_manual_seed_returns_a_generator_and_sets_initial_seed():
    g = fg.manual_seed(123)
    assert isinstance(g, fg.Generator) and fg.initial_seed() == 123
    a = fg.randn(3).numpy()
    fg.manual_seed(123)
    np.testing.assert_array_equal(fg.randn(3).numpy(), a)
    s = fg.seed()
    assert fg.initial_seed() == s
    fg.manual_seed(123)


def test_bad_generator_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="Generator: argument 'device'"):
        fg.Generator("cuda")
    with pytest.raises(TypeError, match="manual_seed: argument 'seed' must be an int"):
        fg.Generator().manual_seed(1.5)
    with pytest.raises(ValueError, match="manual_seed: seed must lie in"):
        fg.Generator().manual_seed(2 ** 64)
    with pytest.raises(TypeError, match="normal: argument 'generator'"):
        fg.normal(fg.zeros(2), 1.0, generator=3)


def test_normal_shapes_dtypes_and_moments_as_pytorch():
    torch = pytest.importorskip("torch")
    g = fg.Generator().manual_seed(0)
    mean = fg.tensor(np.linspace(-3, 3, 4000).reshape(2, 2000))
    std = fg.tensor(np.full((1, 2000), 2.0))
    for mine, theirs in [
        (fg.normal(mean, std, generator=g), torch.normal(torch.tensor(mean.numpy()), torch.tensor(std.numpy()))),
        (fg.normal(mean, 2.0, generator=g), torch.normal(torch.tensor(mean.numpy()), 2.0)),
        (fg.normal(1.0, std, generator=g), torch.normal(1.0, torch.tensor(std.numpy()))),
        (fg.normal(2.0, 3.0, (2, 2000), generator=g), torch.normal(2.0, 3.0, (2, 2000))),
        (fg.normal(2.0, 3.0, size=(2, 2000), dtype=fg.float64, generator=g),
         torch.normal(2.0, 3.0, size=(2, 2000), dtype=torch.float64)),
    ]:
        assert mine.shape == tuple(theirs.shape)
        assert str(mine.dtype) == str(theirs.dtype).replace("torch.", "")
    z = (fg.normal(mean, std, generator=g) - mean).numpy() / 2.0
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1) < 0.05


def test_normal_and_poisson_give_zero_gradients_as_pytorch():
    torch = pytest.importorskip("torch")
    mean = fg.tensor(np.array([1.0, np.inf, 2.0]), requires_grad=True)
    sample = fg.normal(mean, 1.0)
    assert sample.requires_grad and np.isinf(sample.numpy()[1])
    sample.sum().backward()
    theirs = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.normal(theirs, 1.0).sum().backward()
    np.testing.assert_array_equal(mean.grad.numpy(), np.zeros(3))
    np.testing.assert_array_equal(theirs.grad.numpy(), np.zeros(2))
    rates = fg.tensor(np.array([0.5, 4.0]), requires_grad=True)
    fg.poisson(rates).sum().backward()
    np.testing.assert_array_equal(rates.grad.numpy(), np.zeros(2))


def test_poisson_values_and_bad_arguments():
    counts = fg.poisson(fg.full((20000,), 3.0), generator=fg.Generator().manual_seed(1))
    assert counts.dtype == np.float32 and np.all(counts.numpy() == np.round(counts.numpy()))
    assert abs(counts.numpy().mean() - 3.0) < 0.05
    assert fg.poisson(fg.zeros(0, 2)).shape == (0, 2)
    with pytest.raises(ValueError, match="poisson: argument 'input' must hold non-negative rates"):
        fg.poisson(fg.tensor([-1.0]))
    with pytest.raises(TypeError, match="poisson: argument 'input' must be a floating-point"):
        fg.poisson(fg.tensor([1, 2]))
    with pytest.raises(ValueError, match="normal: argument 'std' must be non-negative"):
        fg.normal(fg.zeros(2), -1.0)
    with pytest.raises(TypeError, match="normal: with a number mean and std, give size="):
        fg.normal(0.0, 1.0)
    with pytest.raises(TypeError, match="normal: size= is for a number mean and std"):
        fg.normal(fg.zeros(2), 1.0, (2,))
    with pytest.raises(ValueError, match="normal: mean of shape"):
        fg.normal(fg.zeros(2), fg.ones(3))


@pytest.mark.parametrize("args, kwargs", [((0, 2, 3), {}), ((-1, 1, 5), dict(base=2.0)), ((1, 1, 1), {}),
                                          ((0, 3, 0), {}), ((0, 2, 4), dict(dtype="float64"))])
def test_logspace_matches_pytorch(args, kwargs):
    torch = pytest.importorskip("torch")
    mine = fg.logspace(*args, **kwargs)
    theirs = torch.logspace(*args, **{k: getattr(torch, v) if k == "dtype" else v for k, v in kwargs.items()})
    assert str(mine.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="logspace: argument 'steps'"):
        fg.logspace(0, 1, -2)


def test_set_printoptions_changes_how_tensors_print():
    x = fg.tensor([1.0 / 3, 2.0], dtype=fg.float64)
    try:
        fg.set_printoptions(precision=2)
        assert "0.33," in repr(x) and "0.333" not in repr(x)
        fg.set_printoptions(sci_mode=True)
        assert "e-01" in repr(x)
        fg.set_printoptions(profile="full", sci_mode=False)
        assert "1e" not in repr(fg.zeros(2000)) and "..." not in repr(fg.zeros(2000))
        fg.set_printoptions(profile="default")
        assert "..." in repr(fg.zeros(2000)) and "0.3333" in repr(x)
    finally:
        fg.set_printoptions(profile="default")  # sci_mode back to None: PyTorch's rule
    with pytest.raises(ValueError, match="set_printoptions: profile"):
        fg.set_printoptions(profile="long")
    with pytest.raises(ValueError, match="set_printoptions: argument 'precision'"):
        fg.set_printoptions(precision=-1)


def test_compile_runs_eagerly_and_accepts_pytorchs_arguments():
    model = fg.nn.Linear(3, 2)
    assert fg.compile(model) is model
    assert fg.compile(model, mode="reduce-overhead", fullgraph=True, dynamic=False, backend="inductor") is model

    @fg.compile(mode="max-autotune")
    def f(x):
        return (x * 2).sum()

    assert float(f(fg.ones(3))) == 6.0
    assert fg.compile(f, disable=True) is f
    with pytest.raises(ValueError, match="compile: unknown mode"):
        fg.compile(model, mode="fast")
    with pytest.raises(RuntimeError, match="compile: give either mode or options"):
        fg.compile(model, mode="default", options={})
    with pytest.raises(TypeError, match="compile: expects a Module or a function"):
        fg.compile(3)
