"""optim.swa_utils: AveragedModel (SWA and EMA, avg_fn and multi_avg_fn, with and without
use_buffers), SWALR and update_bn against PyTorch in float64 through a training run with
BatchNorm; the equal-weight average by hand; restored modes and momenta; bad arguments."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.optim import swa_utils
from torch_parity import copy_weights

AVERAGES = {
    "swa": lambda su: {},
    "ema multi_avg_fn": lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
    "ema avg_fn": lambda su: {"avg_fn": su.get_ema_avg_fn(0.8)},
    "swa avg_fn": lambda su: {"avg_fn": su.get_swa_avg_fn()},
    "swa multi_avg_fn": lambda su: {"multi_avg_fn": su.get_swa_multi_avg_fn()},
    "ema use_buffers": lambda su: {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9), "use_buffers": True},
}


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.BatchNorm1d(8), lib.nn.ReLU(), lib.nn.Linear(8, 3)).double()


@pytest.mark.parametrize("kind", sorted(AVERAGES))
@pytest.mark.parametrize("strategy, anneal_epochs", [("cos", 3), ("linear", 2), ("cos", 0)])
def test_training_with_averaging_matches_pytorch(kind, strategy, anneal_epochs, rng):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    peer, mine = _model(torch), _model(fg)
    copy_weights(mine, peer)
    avg_t = torch.optim.swa_utils.AveragedModel(peer, **AVERAGES[kind](torch.optim.swa_utils))
    avg_m = swa_utils.AveragedModel(mine, **AVERAGES[kind](swa_utils))
    opt_t, opt_m = torch.optim.SGD(peer.parameters(), lr=0.1), fg.optim.SGD(mine.parameters(), lr=0.1)
    sched_t = torch.optim.swa_utils.SWALR(opt_t, swa_lr=0.05, anneal_epochs=anneal_epochs,
                                          anneal_strategy=strategy)
    sched_m = swa_utils.SWALR(opt_m, swa_lr=0.05, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    x, y = rng.standard_normal((36, 4)), rng.integers(0, 3, 36)
    for i in range(6):
        for model, opt, lib in ((peer, opt_t, torch), (mine, opt_m, fg)):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(model(lib.tensor(x[6 * i:6 * i + 6])), lib.tensor(y[6 * i:6 * i + 6])).backward()
            opt.step()
        avg_t.update_parameters(peer)
        avg_m.update_parameters(mine)
        sched_t.step()
        sched_m.step()
        np.testing.assert_allclose(sched_m.get_last_lr(), sched_t.get_last_lr(), rtol=1e-15)
    torch.optim.swa_utils.update_bn([torch.tensor(x[:20]), (torch.tensor(x[20:]),)], avg_t)
    swa_utils.update_bn([fg.tensor(x[:20]), (fg.tensor(x[20:]),)], avg_m)
    theirs = avg_t.state_dict()
    assert list(avg_m.state_dict()) == list(theirs)
    # PyTorch's get_swa_multi_avg_fn divides 1 by the averaged count held in an integer tensor,
    # which gives a float32 weight; fastgrad's weight is exact.
    tol = dict(rtol=1e-7, atol=1e-9) if kind == "swa multi_avg_fn" else dict(rtol=1e-12, atol=1e-14)
    for name, value in avg_m.state_dict().items():
        np.testing.assert_allclose(value.numpy(), theirs[name].numpy(), err_msg=name, **tol)
    assert avg_m.n_averaged.item() == 6 and avg_m.n_averaged.dtype == np.int64
    np.testing.assert_allclose(avg_m(fg.tensor(x)).numpy(), avg_t(torch.tensor(x)).detach().numpy(), **tol)


def test_equal_weight_average_is_the_mean_of_the_snapshots(rng):
    model = fg.nn.Linear(3, 2)
    averaged = swa_utils.AveragedModel(model)
    snapshots = []
    for _ in range(5):
        with fg.no_grad():
            model.weight.copy_(fg.tensor(rng.standard_normal((2, 3)).astype(np.float32)))
        snapshots.append(model.weight.numpy().copy())
        averaged.update_parameters(model)
    np.testing.assert_allclose(averaged.module.weight.numpy(), np.mean(snapshots, axis=0), rtol=1e-6)
    assert averaged.module is not model and averaged.module.weight is not model.weight


def test_update_bn_restores_mode_and_momenta_and_skips_models_without_batchnorm(rng):
    model = fg.nn.Sequential(fg.nn.Linear(3, 4), fg.nn.BatchNorm1d(4, momentum=0.3)).eval()
    x = rng.standard_normal((10, 3)).astype(np.float32)
    swa_utils.update_bn([fg.tensor(x)], model)
    assert not model.training and model[1].momentum == 0.3
    with fg.no_grad():
        h = model[0](fg.tensor(x)).numpy()
    np.testing.assert_allclose(model[1].running_mean.numpy(), h.mean(0), rtol=1e-5, atol=1e-6)
    plain = fg.nn.Linear(3, 4)
    swa_utils.update_bn([fg.tensor(x)], plain)  # nothing to update: no pass is run
    assert plain.training


def test_bad_arguments():
    model = fg.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="AveragedModel: give avg_fn or multi_avg_fn, not both"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(), multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(TypeError, match="AveragedModel: argument 'model' must be a Module"):
        swa_utils.AveragedModel(lambda x: x)
    for make in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided. Please provide a value in \[0,1\]"):
            make(1.5)
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="SWALR: anneal_strategy must be one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, swa_lr=0.01, anneal_strategy="step")
    with pytest.raises(ValueError, match="SWALR: anneal_epochs must be equal or greater than 0"):
        swa_utils.SWALR(opt, swa_lr=0.01, anneal_epochs=-1)
    averaged = swa_utils.AveragedModel(model)
    with pytest.raises(ValueError, match="update_parameters: the model has 4 tensors to average, the averaged copy 2"):
        averaged.update_parameters(fg.nn.Sequential(fg.nn.Linear(2, 2), fg.nn.Linear(2, 2)))
    assert fg.optim.swa_utils is swa_utils
