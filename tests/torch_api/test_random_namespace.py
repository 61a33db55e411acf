"""fastgrad.random (torch.random): its names, and fork_rng restoring the default stream."""
import numpy as np
import pytest

import fastgrad as fg


def test_names_match_pytorchs_torch_random():
    torch = pytest.importorskip("torch")
    for name in ["Generator", "fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]:
        assert hasattr(torch.random, name) and hasattr(fg.random, name), name
    fg.random.manual_seed(4)
    assert fg.random.initial_seed() == 4


def test_fork_rng_leaves_the_stream_after_the_block_unchanged():
    fg.manual_seed(0)
    expected = fg.rand(3).numpy()
    fg.manual_seed(0)
    with fg.random.fork_rng():
        fg.randn(10)
        fg.manual_seed(99)
        fg.rand(2)
    np.testing.assert_array_equal(fg.rand(3).numpy(), expected)
    assert fg.initial_seed() == 0


def test_fork_rng_restores_after_an_exception_and_does_nothing_when_disabled():
    fg.manual_seed(1)
    expected = fg.rand(2).numpy()
    fg.manual_seed(1)
    with pytest.raises(KeyError):
        with fg.random.fork_rng(devices=[]):
            fg.rand(5)
            raise KeyError("inside")
    np.testing.assert_array_equal(fg.rand(2).numpy(), expected)
    fg.manual_seed(1)
    with fg.random.fork_rng(enabled=False):
        fg.rand(2)
    assert not np.array_equal(fg.rand(2).numpy(), expected)


@pytest.mark.parametrize("kwargs, message", [(dict(devices=[0]), "fork_rng: argument 'devices'"),
                                             (dict(device_type="cuda"), "fork_rng: argument 'device_type'")])
def test_fork_rng_refuses_devices(kwargs, message):
    with pytest.raises(NotImplementedError, match=message):
        with fg.random.fork_rng(**kwargs):
            pass
