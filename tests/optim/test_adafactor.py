"""optim.Adafactor against torch.optim.Adafactor: parameters after several steps (matrices, stacks
of matrices, vectors, scalars; weight decay, maximize, eps1 given or not), state shapes, checks."""
import numpy as np
import pytest

import fastgrad as fg
from training import mse_losses

rng = np.random.default_rng(4)
SHAPES = [(5, 3), (2, 4, 3), (6,), ()]


def _run(lib, values, grads, **options):
    params = [lib.tensor(v, requires_grad=True) for v in values]
    opt = lib.optim.Adafactor(params, **options)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in params], opt


@pytest.mark.parametrize("options", [{}, dict(lr=0.05, weight_decay=0.1), dict(maximize=True, d=2.0),
                                     dict(eps=(1e-20, 1e-2), beta2_decay=-0.5), dict(lr=1.0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_steps_equal_pytorchs(options, dtype):
    torch = pytest.importorskip("torch")
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(6)]
    ours, opt = _run(fg, values, grads, **options)
    theirs, _ = _run(torch, values, grads, **options)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5 if dtype == np.float32 else 1e-12, atol=1e-7)
    state = opt.state[opt.param_groups[0]["params"][1]]
    assert state["step"] == 6 and state["row_var"].shape == (2, 4, 1) and state["col_var"].shape == (2, 1, 3)
    assert set(opt.state[opt.param_groups[0]["params"][2]]) == {"step", "variance"}


def test_a_model_trains_and_bad_hyperparameters_are_refused():
    fg.manual_seed(0)
    model = fg.nn.Sequential(fg.nn.Linear(4, 16), fg.nn.Tanh(), fg.nn.Linear(16, 1))
    opt = fg.optim.Adafactor(model.parameters(), lr=0.05)
    x = fg.randn(64, 4)
    y = (x[:, :1] * 2 - x[:, 1:2]).tanh()
    losses = mse_losses(model, opt, x, y, 60)
    assert losses[-1] < 0.2 * losses[0]
    params = [fg.ones(2, requires_grad=True)]
    for kwargs, message in ((dict(lr=-1), "Learning rate should be >= 0"), (dict(beta2_decay=0.5), "beta2_decay"),
                            (dict(eps=(None, -1.0)), "epsilon2"), (dict(weight_decay=-1), "weight_decay"),
                            (dict(d=0.5), "Clipping threshold")):
        with pytest.raises(ValueError, match=message):
            fg.optim.Adafactor(params, **kwargs)
