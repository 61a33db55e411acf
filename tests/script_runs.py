"""What a test needs to run one PyTorch script under fastgrad (imports changed, see
torch_parity.run_script) and under PyTorch from the same initial weights and the same random
draws, so that the two runs can be compared number by number in float64."""
import numpy as np


def numpy_state(module):
    """The module's state_dict as NumPy arrays (copies)."""
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def start_from(monkeypatch, cls, state, library, dropout_off=False):
    """Every `cls(...)` the script builds loads `state` (NumPy arrays) right after its own __init__,
    and with dropout_off its dropout probabilities are set to 0 (see switch_dropout_off)."""
    script_init = cls.__init__

    def __init__(self, *args, **kwargs):
        script_init(self, *args, **kwargs)
        self.load_state_dict({k: library.tensor(v) for k, v in state.items()})
        if dropout_off:
            switch_dropout_off(self)

    monkeypatch.setattr(cls, "__init__", __init__)


def switch_dropout_off(model):
    """p = 0 for every Dropout module in the model, and dropout = 0 for the layers that drop by a
    probability of their own (MultiheadAttention, RNN, LSTM, GRU), so a run draws nothing at random."""
    for module in model.modules():
        if type(module).__name__.startswith("Dropout"):
            module.p = 0.0
        elif isinstance(getattr(module, "dropout", None), float):
            module.dropout = 0.0


def shared_normal_draws(monkeypatch, library, seed):
    """`library.randn` and `library.randn_like` give the standard normal draws of one NumPy generator
    seeded with `seed`, so two libraries patched with the same seed draw the same numbers."""
    rng = np.random.default_rng(seed)

    def draw(shape, dtype):
        return library.tensor(rng.standard_normal(tuple(shape)), dtype=dtype or library.get_default_dtype())

    def randn(*size, dtype=None, device=None, requires_grad=False):
        shape = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
        return draw(shape, dtype).requires_grad_(requires_grad)

    def randn_like(t, dtype=None, device=None, requires_grad=False):
        return draw(t.shape, dtype or t.dtype).requires_grad_(requires_grad)

    monkeypatch.setattr(library, "randn", randn)
    monkeypatch.setattr(library, "randn_like", randn_like)


def assert_same_parameters(mine, theirs, rtol, atol):
    """The two modules' parameters, by name, are equal to the tolerance."""
    expected = dict(theirs.named_parameters())
    got = dict(mine.named_parameters())
    assert list(got) == list(expected)
    for name, p in expected.items():
        np.testing.assert_allclose(got[name].detach().numpy(), p.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=name)
