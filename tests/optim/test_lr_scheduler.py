"""Schedulers: the same rate as PyTorch's at every step; warmup-cosine and inverse-sqrt by formula."""
import math

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim
from fastgrad.optim import lr_scheduler as ls

STEPS = 60


def _fg_opt(cls=optim.SGD, **kw):
    params = [fg.tensor(np.ones(2), requires_grad=True), fg.tensor(np.ones(3), requires_grad=True)]
    return cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1, **kw)


def _torch_opt(torch, cls_name="SGD", **kw):
    params = [torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)]
    return getattr(torch.optim, cls_name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.05}], lr=0.1, **kw)


SCHEDULES = [
    ("StepLR", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.93)),
    ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=0.25, total_iters=6)),
    ("PolynomialLR", lambda m, o: m.PolynomialLR(o, total_iters=30, power=2.0)),
    ("SequentialLR2", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.5, total_iters=3), m.PolynomialLR(o, total_iters=20)], milestones=[8])),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=17, eta_min=1e-3)),
    ("CosineAnnealingWarmRestarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4)),
    ("CosineAnnealingWarmRestarts1", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=7)),
    ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=10)),
    ("LambdaLR", lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 0.97 ** e, lambda e: 1 / (1 + e)])),
    ("MultiplicativeLR", lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda e: 0.95)),
    ("MultiplicativeLR2", lambda m, o: m.MultiplicativeLR(o, lr_lambda=[lambda e: 0.9, lambda e: 1 + 1 / (e + 2)])),
    ("SequentialLR", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=20),
            m.ExponentialLR(o, gamma=0.9)], milestones=[5, 25])),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS + 1)),
    ("OneCycleLR3", lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=STEPS + 1, three_phase=True,
                                              anneal_strategy="linear")),
    ("CyclicLR", lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7)),
    ("CyclicLR2", lambda m, o: m.CyclicLR(o, [0.01, 0.02], [0.1, 0.3], 5, 3, mode="triangular2", base_momentum=0.7,
                                          max_momentum=0.95)),
    ("CyclicLRexp", lambda m, o: m.CyclicLR(o, 0.001, 0.2, 4, 9, mode="exp_range", gamma=0.97)),
    ("CyclicLRfn", lambda m, o: m.CyclicLR(o, 0.01, 0.1, 6, scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations",
                                           cycle_momentum=False)),
    ("ChainedScheduler", lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.1, total_iters=20),
                                                          m.ExponentialLR(o, gamma=0.9)])),
    ("ChainedScheduler3", lambda m, o: m.ChainedScheduler([m.LinearLR(o, 0.2, total_iters=6), m.StepLR(o, 9, 0.5),
                                                           m.CosineAnnealingLR(o, T_max=13)], optimizer=o)),
]


@pytest.mark.parametrize("name,make", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_matches_pytorch_step_by_step(name, make):
    torch = pytest.importorskip("torch")
    fopt, topt = _fg_opt(momentum=0.9), _torch_opt(torch, momentum=0.9)
    fs, ts = make(ls, fopt), make(torch.optim.lr_scheduler, topt)
    for step in range(STEPS):
        np.testing.assert_allclose(fs.get_last_lr(), ts.get_last_lr(), rtol=1e-12, err_msg=f"step {step}")
        assert [g["lr"] for g in fopt.param_groups] == pytest.approx([g["lr"] for g in topt.param_groups],
                                                                      rel=1e-12)
        assert [g["momentum"] for g in fopt.param_groups] == pytest.approx(
            [g["momentum"] for g in topt.param_groups], rel=1e-12)
        fopt.step()
        topt.step()
        fs.step()
        ts.step()


@pytest.mark.filterwarnings("ignore:Detected call of")
def test_one_cycle_cycles_adam_beta1_like_pytorch():
    torch = pytest.importorskip("torch")
    fopt, topt = _fg_opt(optim.Adam), _torch_opt(torch, "Adam")
    fs = ls.OneCycleLR(fopt, max_lr=0.3, epochs=4, steps_per_epoch=5)
    ts = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.3, epochs=4, steps_per_epoch=5)
    for _ in range(19):
        fs.step()
        ts.step()
        assert fopt.param_groups[0]["betas"][0] == pytest.approx(topt.param_groups[0]["betas"][0], rel=1e-12)
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)


@pytest.mark.parametrize("kw", [dict(), dict(mode="max", threshold_mode="abs", threshold=0.1, cooldown=2,
                                             patience=1, min_lr=[0.02, 0.0], factor=0.5)])
def test_reduce_on_plateau_matches_pytorch(kw):
    torch = pytest.importorskip("torch")
    fopt, topt = _fg_opt(), _torch_opt(torch)
    fs = ls.ReduceLROnPlateau(fopt, **kw)
    ts = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kw)
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.05 * rng.standard_normal(50)])
    for m in metrics:
        fs.step(m)
        ts.step(m)
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
    assert fs.get_last_lr()[0] < 0.1


def test_acceptance_11_warmup_cosine():
    """ACCEPTANCE 11: warmup 2000, total 100000, max 3e-4, min 3e-5."""
    f = lambda t: ls.warmup_cosine(t, 2000, 100000, 3e-4, 3e-5)  # noqa: E731
    assert f(0) == 0
    assert f(2000) == pytest.approx(3e-4, rel=1e-9)
    assert f(100000) == pytest.approx(3e-5, rel=1e-9)
    assert f(51000) == pytest.approx(1.65e-4, rel=1e-9)
    opt = _fg_opt()
    opt.param_groups[0]["lr"] = 3e-4
    sched = ls.WarmupCosineLR(opt, warmup_steps=2000, total_steps=100000, min_lr=3e-5)
    seen = {0: sched.get_last_lr()[0]}
    for t in range(1, 51001):
        sched.step()
        if t in (1000, 2000, 51000):
            seen[t] = sched.get_last_lr()[0]
    assert seen[0] == 0 and seen[1000] == pytest.approx(1.5e-4, rel=1e-9)
    assert seen[2000] == pytest.approx(3e-4, rel=1e-9) and seen[51000] == pytest.approx(1.65e-4, rel=1e-9)
    sched.step(100000)
    assert sched.get_last_lr()[0] == pytest.approx(3e-5, rel=1e-9)


def test_inverse_sqrt_with_warmup():
    opt = _fg_opt()
    sched = ls.InverseSqrtLR(opt, warmup_steps=10)
    lrs = [sched.get_last_lr()[0]]
    for _ in range(40):
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs[0] == 0 and lrs[5] == pytest.approx(0.05) and lrs[10] == pytest.approx(0.1)
    assert lrs[40] == pytest.approx(0.1 * math.sqrt(10 / 40))
    assert max(lrs) == pytest.approx(0.1)


def test_state_dict_resumes_the_schedule():
    opt = _fg_opt()
    sched = ls.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 4
    opt2 = _fg_opt()
    sched2 = ls.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(sd)
    opt2.load_state_dict(opt.state_dict())      # restores the groups' current rates
    for _ in range(5):
        sched.step()
        sched2.step()
        assert sched.get_last_lr() == sched2.get_last_lr()


def test_bad_arguments_raise():
    opt = _fg_opt()
    with pytest.raises(ValueError, match="start_factor"):
        ls.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="factor should be < 1.0"):
        ls.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="total_steps"):
        ls.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(TypeError, match="not an Optimizer"):
        ls.StepLR(object(), step_size=3)
    with pytest.raises(KeyError, match="initial_lr"):
        ls.StepLR(_fg_opt(), step_size=3, last_epoch=5)
    with pytest.raises(ValueError, match="milestones"):
        ls.SequentialLR(opt, [ls.StepLR(opt, 2), ls.StepLR(opt, 3)], milestones=[])


def test_multiplicative_lr_refuses_what_is_not_a_function_and_resumes_from_its_state():
    with pytest.raises(TypeError, match="MultiplicativeLR: argument 'lr_lambda' must be a function"):
        ls.MultiplicativeLR(_fg_opt(), lr_lambda=0.9)
    with pytest.raises(ValueError, match="expected 2 values for lr_lambda"):
        ls.MultiplicativeLR(_fg_opt(), lr_lambda=[lambda e: 0.9])
    opt = _fg_opt()
    sched = ls.MultiplicativeLR(opt, lr_lambda=lambda e: 0.5)
    for _ in range(3):
        sched.step()
    resumed = ls.MultiplicativeLR(_fg_opt(), lr_lambda=lambda e: 0.5)
    resumed.load_state_dict(sched.state_dict())
    assert resumed.last_epoch == 3 and resumed.get_last_lr() == pytest.approx([0.1 / 8, 0.05 / 8])
