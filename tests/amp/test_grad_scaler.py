"""fastgrad.amp.GradScaler: PyTorch's API and dynamic loss scaling; a step with inf/NaN is skipped."""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from fastgrad.amp import GradScaler


def setup(seed=0):
    rng = np.random.default_rng(seed)
    model = nn.Linear(6, 3)
    x = fg.tensor(rng.standard_normal((8, 6)).astype(np.float32))
    y = fg.tensor(rng.standard_normal((8, 3)).astype(np.float32))
    return model, x, y


def test_scale_backward_step_equals_the_unscaled_step():
    model, x, y = setup()
    reference, _, _ = setup()
    for p, q in zip(model.parameters(), reference.parameters()):
        q._data[...] = p._data
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = fg.optim.SGD(reference.parameters(), lr=0.1)
    scaler = GradScaler(init_scale=1024.0)
    scaled = scaler.scale(F.mse_loss(model(x), y))
    np.testing.assert_allclose(scaled.item(), 1024.0 * F.mse_loss(model(x), y).item(), rtol=1e-6)
    scaled.backward()
    assert scaler.step(opt) is None
    scaler.update()
    F.mse_loss(reference(x), y).backward()
    ref_opt.step()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad._data, q.grad._data, rtol=1e-6)  # unscaled in place
        np.testing.assert_allclose(p._data, q._data, rtol=1e-6)
    assert scaler.get_scale() == 1024.0


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_step_with_a_non_finite_gradient_is_skipped_and_the_scale_backs_off(bad):
    model, x, y = setup()
    opt = fg.optim.Adam(model.parameters(), lr=0.1)
    scaler = GradScaler(init_scale=256.0, backoff_factor=0.25)
    scaler.scale(F.mse_loss(model(x), y)).backward()
    model.bias.grad._data[1] = bad
    before = [p._data.copy() for p in model.parameters()]
    scaler.step(opt)
    scaler.update()
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p._data, old)
    assert scaler.get_scale() == 64.0
    assert opt.state == {} or all(not s for s in opt.state.values()), "Adam's state must not advance"


def test_float16_overflow_under_autocast_skips_then_recovers():
    """The realistic case: a huge scale overflows the float16 GEMMs of the backward to inf."""
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.01)
    scaler = GradScaler(init_scale=2.0 ** 40, growth_interval=1)
    scales, losses = [], []
    for _ in range(40):
        opt.zero_grad()
        with fg.autocast(dtype="float16"):
            loss = F.mse_loss(model(x), y)
        before = model.weight._data.copy()
        scaler.scale(loss).backward()
        scaler.step(opt)
        stepped = not np.array_equal(before, model.weight._data)
        scales.append((scaler.get_scale(), stepped))
        scaler.update()
        losses.append(loss.item())
    assert scales[0] == (2.0 ** 40, False), "the first step overflows float16 and is skipped"
    assert any(stepped for _, stepped in scales), "the scale backs off until steps are taken"
    assert all(np.isfinite(p._data).all() for p in model.parameters())
    assert losses[-1] < losses[0]


def test_growth_after_growth_interval_clean_steps():
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.0)
    scaler = GradScaler(init_scale=4.0, growth_factor=3.0, growth_interval=3)
    seen = []
    for _ in range(7):
        opt.zero_grad()
        scaler.scale(F.mse_loss(model(x), y)).backward()
        scaler.step(opt)
        scaler.update()
        seen.append(scaler.get_scale())
    assert seen == [4.0, 4.0, 12.0, 12.0, 12.0, 36.0, 36.0]
    assert scaler.state_dict()["_growth_tracker"] == 1


def test_matches_torch_grad_scaler_trajectory():
    torch = pytest.importorskip("torch")
    pattern = [False, True, False, False, True, False, False, False]  # inf in the gradient or not
    ours = GradScaler(init_scale=8.0, growth_interval=2)
    theirs = torch.amp.GradScaler("cpu", init_scale=8.0, growth_interval=2)
    p = nn.Parameter(fg.tensor(np.ones(3, dtype=np.float32)))
    tp = torch.nn.Parameter(torch.ones(3))
    opt, topt = fg.optim.SGD([p], lr=0.1), torch.optim.SGD([tp], lr=0.1)
    for bad in pattern:
        ours.scale((p * 2.0).sum()).backward()
        theirs.scale((tp * 2.0).sum()).backward()
        if bad:
            p.grad._data[0] = np.inf
            tp.grad[0] = float("inf")
        ours.step(opt)
        theirs.step(topt)
        ours.update()
        theirs.update()
        assert ours.get_scale() == theirs.get_scale()
        np.testing.assert_allclose(p._data, tp.detach().numpy(), rtol=1e-6)
        opt.zero_grad()
        topt.zero_grad()
    assert ours.state_dict() == {k: (v.item() if hasattr(v, "item") else v) for k, v in theirs.state_dict().items()}


def test_unscale_then_clip_then_step():
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    scaler = GradScaler(init_scale=512.0)
    scaler.scale(F.mse_loss(model(x), y)).backward()
    scaler.unscale_(opt)
    norm = fg.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e9)
    F_grads = [p.grad._data.copy() for p in model.parameters()]
    model.zero_grad()
    F.mse_loss(model(x), y).backward()
    for g, p in zip(F_grads, model.parameters()):
        np.testing.assert_allclose(g, p.grad._data, rtol=1e-5)
    assert np.isfinite(float(norm))
    with pytest.raises(RuntimeError, match="already called"):
        scaler.unscale_(opt)
    scaler.step(opt)  # does not unscale a second time
    with pytest.raises(RuntimeError, match="already called"):
        scaler.step(opt)
    with pytest.raises(RuntimeError, match="after step"):
        scaler.unscale_(opt)
    scaler.update()


def test_state_dict_round_trip_and_errors():
    scaler = GradScaler(init_scale=32.0, growth_factor=4.0, backoff_factor=0.125, growth_interval=7)
    state = scaler.state_dict()
    assert state == {"scale": 32.0, "growth_factor": 4.0, "backoff_factor": 0.125, "growth_interval": 7,
                     "_growth_tracker": 0}
    other = GradScaler()
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert (other.get_growth_factor(), other.get_backoff_factor(), other.get_growth_interval()) == (4.0, 0.125, 7)
    with pytest.raises(RuntimeError, match="empty"):
        other.load_state_dict({})
    with pytest.raises(KeyError, match="growth_interval"):
        other.load_state_dict({"scale": 1.0})
    with pytest.raises(RuntimeError, match="no inf checks"):
        other.update()
    other.update(new_scale=5.0)
    assert other.get_scale() == 5.0
    other.update(new_scale=fg.tensor([2.0]))
    assert other.get_scale() == 2.0


def test_disabled_scaler_is_a_pass_through():
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    scaler = GradScaler(enabled=False)
    loss = F.mse_loss(model(x), y)
    assert scaler.scale(loss) is loss
    loss.backward()
    before = model.weight._data.copy()
    scaler.step(opt)
    scaler.update()
    assert not np.array_equal(before, model.weight._data)
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()


def test_scale_of_a_list_and_bad_arguments():
    scaler = GradScaler(init_scale=2.0)
    a, b = fg.tensor(1.0), fg.tensor(3.0)
    out = scaler.scale([a, (b,)])
    assert out[0].item() == 2.0 and out[1][0].item() == 6.0
    with pytest.raises(TypeError, match="outputs"):
        scaler.scale(3.0)
    with pytest.raises(ValueError, match="init_scale"):
        GradScaler(init_scale=0.0)
    with pytest.raises(ValueError, match="growth_factor"):
        GradScaler(growth_factor=1.0)
    with pytest.raises(ValueError, match="backoff_factor"):
        GradScaler(backoff_factor=1.5)
    with pytest.raises(ValueError, match="growth_interval"):
        GradScaler(growth_interval=0)
    with pytest.raises(ValueError, match="device"):
        GradScaler("cuda")
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(RuntimeError, match="closure"):
        scaler.step(opt, closure=lambda: 0.0)


def test_an_enabled_scaler_refuses_to_be_recorded_by_jit():
    model, x, y = setup()
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    scaler = GradScaler()

    @fg.jit
    def step(xb, yb):
        loss = F.mse_loss(model(xb), yb)
        opt.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss

    with pytest.raises(RuntimeError, match="fastgrad.jit"):
        step(x, y)
