"""get_rng_state / set_rng_state and Generator.get_state / set_state: a saved state draws the
same numbers again, and bad states are refused by name."""
import numpy as np
import pytest

import fastgrad as fg


def test_set_rng_state_replays_the_default_generator():
    fg.manual_seed(3)
    fg.rand(5)
    state = fg.get_rng_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    first = [fg.rand(4).numpy(), fg.randn(2, 3).numpy(), fg.randint(0, 100, (5,)).numpy()]
    fg.set_rng_state(state)
    again = [fg.rand(4).numpy(), fg.randn(2, 3).numpy(), fg.randint(0, 100, (5,)).numpy()]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert fg.initial_seed() == 3


def test_the_state_is_a_copy_and_covers_the_buffered_half_draw():
    g = fg.Generator().manual_seed(11)
    g.integers(0, 2 ** 31, dtype=np.uint32)   # PCG64 keeps the other 32-bit half buffered
    state = g.get_state()
    expected = g.integers(0, 2 ** 31, size=3, dtype=np.uint32)
    state_copy = state.clone()
    g.random(10)
    np.testing.assert_array_equal(state.numpy(), state_copy.numpy())
    other = fg.Generator().set_state(state)
    np.testing.assert_array_equal(other.integers(0, 2 ** 31, size=3, dtype=np.uint32), expected)
    assert other.initial_seed() == 11


def test_set_rng_state_refuses_what_get_rng_state_did_not_make():
    good = fg.get_rng_state()
    with pytest.raises(TypeError, match="set_state: argument 'new_state' must be a uint8 tensor"):
        fg.set_rng_state(fg.ones(good.shape[0]))
    with pytest.raises(ValueError, match="set_state: argument 'new_state' must have shape"):
        fg.set_rng_state(good[:-1])
    broken = good.clone()
    broken.numpy()[16] = 2   # an even PCG64 increment
    with pytest.raises(ValueError, match="not a state that get_state returned"):
        fg.set_rng_state(broken)


def test_manual_seed_reseeds_the_generator_a_loader_made_earlier_holds():
    loader = fg.utils.data.DataLoader(fg.utils.data.TensorDataset(fg.arange(20)), batch_size=20, shuffle=True)
    generator = fg.manual_seed(1)
    first = next(iter(loader))[0].numpy()
    assert fg.manual_seed(1) is generator   # the same default generator, reseeded, as PyTorch's
    np.testing.assert_array_equal(next(iter(loader))[0].numpy(), first)
