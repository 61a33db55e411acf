"""torch.jit's TorchScript names on fastgrad.jit: a PyTorch script that scripts or traces its
model runs unchanged, eagerly; fastgrad.jit itself is still the recording compiler."""
import numpy as np

import fastgrad as torch


def test_script_and_trace_return_what_they_are_given_and_it_runs_eagerly(rng):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    x = torch.tensor(rng.standard_normal((5, 3)).astype(np.float32))
    assert torch.jit.script(model) is model
    traced = torch.jit.trace(model, x)
    assert traced is model
    np.testing.assert_array_equal(traced(x).numpy(), model(x).numpy())

    def double(t):
        return t * 2
    assert torch.jit.script(double) is double and torch.jit.trace(double, (x,)) is double


def test_decorators_and_queries():
    @torch.jit.ignore
    def a(v):
        return v + 1

    @torch.jit.ignore(drop=True)
    def b(v):
        return v + 2

    @torch.jit.unused
    def c(v):
        return v + 3

    @torch.jit.export
    def d(v):
        return v + 4
    assert (a(0), b(0), c(0), d(0)) == (1, 2, 3, 4)
    assert torch.jit.is_scripting() is False and torch.jit.is_tracing() is False
    from fastgrad.jit import script
    assert script is torch.jit.script


def test_fastgrad_jit_still_records_and_replays():
    step = torch.jit(lambda w: (w * w).sum())
    for _ in range(3):
        assert float(step(torch.ones(3))) == 3.0
    assert isinstance(step, torch.jit.JitFunction)
