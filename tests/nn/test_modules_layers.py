"""Layers and loss modules: forward and input/parameter gradients match PyTorch (float64)."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn

from torch_parity import needs_torch, torch


def _copy_params(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(np.array(v.data)) for k, v in ours.state_dict().items()})


def _check(ours, theirs, x, rtol=1e-10, atol=1e-12, grad_of_input=True):
    ours.double()
    theirs.double()
    _copy_params(ours, theirs)
    xf = fg.tensor(x, requires_grad=grad_of_input)
    xt = torch.tensor(x, requires_grad=grad_of_input)
    yf, yt = ours(xf), theirs(xt)
    np.testing.assert_allclose(yf.data, yt.detach().numpy(), rtol=rtol, atol=atol)
    w = np.random.default_rng(5).standard_normal(yt.shape)
    (yf * fg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    if grad_of_input:
        np.testing.assert_allclose(xf.grad, xt.grad.numpy(), rtol=rtol, atol=atol)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, theirs_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name)
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.data, dict(theirs.named_buffers())[name].numpy(), rtol=rtol, atol=atol)


X = np.random.default_rng(0).standard_normal((6, 5))

LAYERS = [
    ("Linear", lambda m: m.Linear(5, 3)),
    ("LinearNoBias", lambda m: m.Linear(5, 3, bias=False)),
    ("Identity", lambda m: m.Identity()),
    ("ReLU", lambda m: m.ReLU()),
    ("LeakyReLU", lambda m: m.LeakyReLU(0.2)),
    ("Sigmoid", lambda m: m.Sigmoid()),
    ("Tanh", lambda m: m.Tanh()),
    ("SiLU", lambda m: m.SiLU()),
    ("GELUtanh", lambda m: m.GELU(approximate="tanh")),
    ("GELU", lambda m: m.GELU()),
    ("Softplus", lambda m: m.Softplus(beta=2.0, threshold=3.0)),
    ("Softmax", lambda m: m.Softmax(dim=1)),
    ("LogSoftmax", lambda m: m.LogSoftmax(dim=-1)),
    ("Flatten", lambda m: m.Flatten()),
    ("LayerNorm", lambda m: m.LayerNorm(5)),
    ("BatchNorm1d", lambda m: m.BatchNorm1d(5)),
    ("Sequential", lambda m: m.Sequential(m.Linear(5, 8), m.Tanh(), m.Linear(8, 2))),
]


@needs_torch
@pytest.mark.parametrize("name,make", LAYERS, ids=[n for n, _ in LAYERS])
def test_layer_matches_pytorch(name, make):
    _check(make(nn), make(torch.nn), X)


@needs_torch
def test_batchnorm_running_stats_and_eval_match_pytorch():
    ours, theirs = nn.BatchNorm1d(5, momentum=0.3).double(), torch.nn.BatchNorm1d(5, momentum=0.3).double()
    rng = np.random.default_rng(1)
    for _ in range(3):
        x = rng.standard_normal((7, 5, 4)) * 3 + 1
        ours(fg.tensor(x))
        theirs(torch.tensor(x))
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.data) == 3
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((4, 5, 4))
    _check(ours, theirs, x)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(5).train()(fg.tensor(np.ones((1, 5))))


def test_dropout_train_and_eval():
    fg.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = fg.tensor(np.ones((200, 50)), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert 0.7 < kept.mean() < 0.8
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, kept / 0.75)
    drop.eval()
    assert drop(x) is x or np.array_equal(drop(x).data, x.data)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


@needs_torch
def test_embedding_matches_pytorch_and_padding_row_gets_no_gradient():
    ours = nn.Embedding(10, 4, padding_idx=0, dtype=np.float64)
    theirs = torch.nn.Embedding(10, 4, padding_idx=0).double()
    _copy_params(ours, theirs)
    assert not np.any(ours.weight.data[0])
    ids = np.array([[1, 0, 3], [3, 9, 0]])
    yf, yt = ours(ids), theirs(torch.tensor(ids))
    np.testing.assert_allclose(yf.data, yt.detach().numpy())
    w = np.random.default_rng(0).standard_normal(yf.shape)
    (yf * fg.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)
    assert not np.any(ours.weight.grad[0])
    with pytest.raises(IndexError, match="out of range"):
        ours(np.array([10]))
    with pytest.raises(TypeError, match="integer"):
        ours(np.array([1.0]))
    frozen = nn.Embedding.from_pretrained(np.eye(3))
    assert not frozen.weight.requires_grad and frozen(np.array([2])).data.tolist() == [[0, 0, 1]]


LOGITS = np.random.default_rng(3).standard_normal((8, 5))
CLASSES = np.array([0, 4, 2, 2, 1, 3, 0, 4])
PROBS = 1 / (1 + np.exp(-np.random.default_rng(4).standard_normal((8, 5))))
BINARY = (np.random.default_rng(6).random((8, 5)) > 0.5).astype(np.float64)
TARGET = np.random.default_rng(7).standard_normal((8, 5))

LOSSES = [
    ("MSELoss", lambda m: m.MSELoss(), LOGITS, TARGET),
    ("MSELossSum", lambda m: m.MSELoss(reduction="sum"), LOGITS, TARGET),
    ("L1Loss", lambda m: m.L1Loss(), LOGITS, TARGET),
    ("HuberLoss", lambda m: m.HuberLoss(delta=0.5), LOGITS, TARGET),
    ("SmoothL1Loss", lambda m: m.SmoothL1Loss(beta=0.7, reduction="none"), LOGITS, TARGET),
    ("BCELoss", lambda m: m.BCELoss(), PROBS, BINARY),
    ("BCEWithLogitsLoss", lambda m: m.BCEWithLogitsLoss(), LOGITS, BINARY),
    ("BCEWithLogitsPosWeight", lambda m: m.BCEWithLogitsLoss(pos_weight=_t(m, np.linspace(0.5, 2, 5))),
     LOGITS, BINARY),
    ("CrossEntropyLoss", lambda m: m.CrossEntropyLoss(), LOGITS, CLASSES),
    ("CrossEntropyWeighted", lambda m: m.CrossEntropyLoss(weight=_t(m, np.linspace(0.5, 2, 5)), ignore_index=2),
     LOGITS, CLASSES),
    ("CrossEntropySmoothing", lambda m: m.CrossEntropyLoss(label_smoothing=0.1), LOGITS, CLASSES),
    ("NLLLoss", lambda m: m.NLLLoss(reduction="sum"), LOGITS, CLASSES),
]


def _t(m, a):
    return torch.tensor(a) if m is torch.nn else fg.tensor(a)


@needs_torch
@pytest.mark.parametrize("name,make,x,t", LOSSES, ids=[n[0] for n in LOSSES])
def test_loss_module_matches_pytorch(name, make, x, t):
    xf = fg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    tf = fg.tensor(t) if t.dtype.kind == "f" else t
    tt = torch.tensor(t)
    lf, lt = make(nn)(xf, tf), make(torch.nn)(xt, tt)
    np.testing.assert_allclose(lf.data, lt.detach().numpy(), rtol=1e-10, atol=1e-12)
    lf.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xf.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_loss_reduction_is_checked():
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="avg")


def test_linear_initialisation_follows_pytorch():
    fg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
        assert abs(float(np.std(p.data)) - bound / np.sqrt(3)) < 0.1 * bound
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)
    assert nn.Linear(3, 2, dtype=np.float64).weight.dtype == np.float64
