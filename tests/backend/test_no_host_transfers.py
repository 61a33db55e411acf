"""A training step on arrays that live on a device never reads them back on the host.

array-api-strict arrays on its "device1" cannot become NumPy arrays, and here
their float/bool/int conversions are refused too, so any hidden host
round-trip (a mask drawn on the host, a loss count read back, a norm turned
into a Python float) fails the step. On a GPU each such read would wait for the
device in every step.
"""
import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn, optim

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")

HOST_READS = ("__float__", "__bool__", "__int__", "__index__", "__complex__", "__array__")


@pytest.fixture
def device(monkeypatch):
    """array-api-strict's second device, with every read back to the host refused."""
    dev = xp.Device("device1")
    array_type = type(xp.asarray(0.0))
    for name in HOST_READS:
        original = getattr(array_type, name)

        def refuse(self, *args, _name=name, _original=original, **kwargs):
            if self.device == dev:
                raise AssertionError(f"host read {_name} of an array on {dev}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(array_type, name, refuse)
    return dev


def on(dev, array):
    return xp.asarray(np.array(array, copy=True), device=dev)   # array-api-strict would share the memory


def host(array):
    return np.asarray(xp.asarray(array, device=xp.Device("CPU_DEVICE"))) if not isinstance(array, np.ndarray) \
        else array


def make_model():
    fg.manual_seed(3)
    return nn.Sequential(nn.Embedding(10, 8), nn.Flatten(), nn.Linear(16, 32), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(32, 4))


def step(model, tokens, labels, optimizer, loss_kind):
    logits = model(tokens)
    if loss_kind == "cross_entropy":
        loss = F.cross_entropy(logits, labels, ignore_index=3, label_smoothing=0.1)
    else:
        loss = F.nll_loss(F.log_softmax(logits, dim=1), labels)
    optimizer.zero_grad()
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
    optimizer.step()
    return loss, norm


@pytest.mark.parametrize("loss_kind", ["cross_entropy", "nll"])
@pytest.mark.parametrize("make_optimizer", [lambda ps: optim.Adam(ps, lr=1e-2),
                                            lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)],
                         ids=["adam", "sgd"])
def test_training_step_on_a_device_reads_nothing_back(device, loss_kind, make_optimizer):
    rng = np.random.default_rng(0)
    tokens_np = rng.integers(0, 10, size=(16, 2))
    labels_np = rng.integers(0, 4, size=16)

    reference = make_model()
    for p in reference.parameters():
        p._data = np.asarray(p._data, dtype=np.float64)
    moved = make_model()
    for p, q in zip(moved.parameters(), reference.parameters()):
        p._data = on(device, q._data)
    ref_opt, dev_opt = make_optimizer(reference.parameters()), make_optimizer(moved.parameters())

    for i in range(3):
        fg.manual_seed(11)   # the same dropout masks on both
        ref_loss, ref_norm = step(reference, fg.tensor(tokens_np), fg.tensor(labels_np), ref_opt, loss_kind)
        fg.manual_seed(11)
        dev_loss, dev_norm = step(moved, fg.tensor(on(device, tokens_np)), fg.tensor(on(device, labels_np)),
                                  dev_opt, loss_kind)
        assert dev_loss._data.device == device and dev_norm._data.device == device
        np.testing.assert_allclose(host(dev_loss._data), host(ref_loss._data), rtol=1e-10, err_msg=f"step {i}")
        np.testing.assert_allclose(host(dev_norm._data), host(ref_norm._data), rtol=1e-10)
    for p, q in zip(moved.parameters(), reference.parameters()):
        assert p._data.device == device
        np.testing.assert_allclose(host(p._data), q._data, rtol=1e-9, atol=1e-12)


def test_out_of_range_targets_raise_on_the_host_and_give_nan_on_a_device(device):
    logits = np.random.default_rng(1).standard_normal((4, 3))
    labels = np.array([0, 1, 5, 2])
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(fg.tensor(logits), fg.tensor(labels))
    x = fg.tensor(on(device, logits), requires_grad=True)
    loss = F.cross_entropy(x, fg.tensor(on(device, labels)), reduction="none")
    values = host(loss._data)
    assert np.isnan(values[2]) and np.all(np.isfinite(values[[0, 1, 3]]))
    loss.sum().backward()
    grad = host(x.grad._data)
    assert np.all(np.isnan(grad[2])) and np.all(np.isfinite(grad[[0, 1, 3]]))


def test_clip_grad_norm_on_a_device_returns_a_device_scalar(device):
    w = fg.tensor(on(device, np.array([3.0, 4.0])), requires_grad=True)
    (w * w).sum().backward()              # grad (6, 8): norm 10
    norm = nn.utils.clip_grad_norm_([w], max_norm=1.0)
    assert norm._data.device == device and norm.shape == ()
    assert abs(host(norm._data) - 10.0) < 1e-12
    np.testing.assert_allclose(host(w.grad._data), np.array([6.0, 8.0]) / (10.0 + 1e-6))
