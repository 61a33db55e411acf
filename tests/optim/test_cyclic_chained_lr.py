"""CyclicLR and ChainedScheduler beyond the step-by-step table of test_lr_scheduler.py: Adam's beta1
cycled, state_dict round trips, and bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import optim
from fastgrad.optim import lr_scheduler as ls


def _params():
    return [fg.tensor(np.ones(2), requires_grad=True)]


def test_cyclic_lr_cycles_adam_beta1_like_pytorch():
    torch = pytest.importorskip("torch")
    fopt = optim.Adam(_params(), lr=0.1)
    topt = torch.optim.Adam([torch.ones(2, requires_grad=True)], lr=0.1)
    fs = ls.CyclicLR(fopt, 0.001, 0.01, step_size_up=3, mode="triangular2", base_momentum=0.85, max_momentum=0.95)
    ts = torch.optim.lr_scheduler.CyclicLR(topt, 0.001, 0.01, step_size_up=3, mode="triangular2",
                                           base_momentum=0.85, max_momentum=0.95)
    for _ in range(20):
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
        assert fopt.param_groups[0]["betas"] == pytest.approx(topt.param_groups[0]["betas"], rel=1e-12)
        fopt.step()
        topt.step()
        fs.step()
        ts.step()


def test_cyclic_lr_state_dict_round_trip_resumes_the_schedule():
    opt = optim.SGD(_params(), lr=0.1, momentum=0.9)
    sched = ls.CyclicLR(opt, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.9)
    for _ in range(6):
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 6
    expected = []
    for _ in range(5):
        sched.step()
        expected.append(sched.get_last_lr())
    opt2 = optim.SGD(_params(), lr=0.1, momentum=0.9)
    resumed = ls.CyclicLR(opt2, 0.01, 0.1, step_size_up=4, mode="exp_range", gamma=0.9)
    resumed.load_state_dict(state)
    got = []
    for _ in range(5):
        resumed.step()
        got.append(resumed.get_last_lr())
    assert got == expected


def test_chained_scheduler_state_dict_holds_each_scheduler():
    opt = optim.SGD(_params(), lr=1.0)
    chain = ls.ChainedScheduler([ls.StepLR(opt, 2, 0.5), ls.ExponentialLR(opt, 0.9)])
    for _ in range(3):
        chain.step()
    state = chain.state_dict()
    assert len(state["_schedulers"]) == 2 and state["_schedulers"][1]["gamma"] == 0.9
    assert chain.get_last_lr() == pytest.approx([0.5 * 0.9 ** 3], rel=1e-12)
    fresh = ls.ChainedScheduler([ls.StepLR(opt, 2, 0.5), ls.ExponentialLR(opt, 0.9)])
    fresh.load_state_dict(state)
    assert fresh._schedulers[0].last_epoch == 3 and fresh._schedulers[1].last_epoch == 3


def test_bad_arguments():
    opt = optim.SGD(_params(), lr=0.1)
    with pytest.raises(ValueError, match="momentum or beta1"):
        ls.CyclicLR(optim.Adagrad(_params(), lr=0.1), 0.01, 0.1)     # no momentum nor betas to cycle
    with pytest.raises(ValueError, match="mode"):
        ls.CyclicLR(opt, 0.01, 0.1, mode="sine", cycle_momentum=False)
    with pytest.raises(ValueError, match="scale_mode"):
        ls.CyclicLR(opt, 0.01, 0.1, scale_fn=lambda x: 1.0, scale_mode="epochs", cycle_momentum=False)
    with pytest.raises(ValueError, match="expected 1 values for max_lr"):
        ls.CyclicLR(opt, 0.01, [0.1, 0.2], cycle_momentum=False)
    with pytest.raises(TypeError, match="not an Optimizer"):
        ls.CyclicLR(object(), 0.01, 0.1)
    with pytest.raises(ValueError, match="at least one scheduler"):
        ls.ChainedScheduler([])
    other = optim.SGD(_params(), lr=0.1)
    with pytest.raises(ValueError, match="same optimizer"):
        ls.ChainedScheduler([ls.StepLR(opt, 2), ls.StepLR(other, 2)])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        ls.ChainedScheduler([ls.StepLR(opt, 2), ls.ReduceLROnPlateau(opt)])
