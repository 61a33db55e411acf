"""PyTorch's arguments that fastgrad accepts are implemented, or refused by name: the
legacy loss flags, layers' device=, Embedding's options (scale_grad_by_freq, max_norm; sparse refused), clipping's foreach,
checkpoint_sequential's options, autocast queries per device, memory_format,
repeat_interleave's output_size and tensor's pin_memory."""
import warnings

import numpy as np
import pytest

import fastgrad as fg
import fastgrad.nn.functional as F
from fastgrad import nn
from fastgrad.utils.checkpoint import checkpoint_sequential
from torch_parity import needs_torch, torch

# (size_average, reduce) -> the reduction PyTorch maps them to
LEGACY = [((None, False), "none"), ((False, None), "sum"), ((True, True), "mean"), ((False, True), "sum"),
          ((True, False), "none")]
LOSSES = ["MSELoss", "L1Loss", "SmoothL1Loss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]


@pytest.mark.parametrize("name", LOSSES + ["CrossEntropyLoss", "NLLLoss"])
@pytest.mark.parametrize("flags, reduction", LEGACY)
def test_loss_modules_map_size_average_and_reduce_to_the_reduction(name, flags, reduction):
    size_average, reduce = flags
    with pytest.warns(DeprecationWarning, match="size_average and reduce are deprecated"):
        loss = getattr(nn, name)(size_average=size_average, reduce=reduce)
    assert loss.reduction == reduction


@needs_torch
@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("flags, reduction", LEGACY[:2])
def test_legacy_flags_give_pytorchs_values(name, flags, reduction):
    rng = np.random.default_rng(0)
    x, t = rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0.1, 0.9, (4, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = getattr(nn, name)(size_average=flags[0], reduce=flags[1])(fg.tensor(x), fg.tensor(t))
        theirs = getattr(torch.nn, name)(size_average=flags[0], reduce=flags[1])(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


def test_a_bad_reduction_is_refused_by_name():
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"):
        nn.MSELoss(reduction="avg")
    assert nn.KLDivLoss(reduction="batchmean").reduction == "batchmean"


LAYERS = {
    "Linear": lambda **kw: nn.Linear(3, 2, **kw),
    "Conv2d": lambda **kw: nn.Conv2d(2, 3, 3, **kw),
    "ConvTranspose2d": lambda **kw: nn.ConvTranspose2d(2, 3, 3, **kw),
    "BatchNorm1d": lambda **kw: nn.BatchNorm1d(4, **kw),
    "InstanceNorm2d": lambda **kw: nn.InstanceNorm2d(4, affine=True, **kw),
    "GroupNorm": lambda **kw: nn.GroupNorm(2, 4, **kw),
    "LayerNorm": lambda **kw: nn.LayerNorm(4, **kw),
    "Embedding": lambda **kw: nn.Embedding(5, 3, **kw),
    "MultiheadAttention": lambda **kw: nn.MultiheadAttention(4, 2, **kw),
    "TransformerEncoderLayer": lambda **kw: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, **kw),
    "RNN": lambda **kw: nn.RNN(3, 4, **kw),
    "LSTM": lambda **kw: nn.LSTM(3, 4, num_layers=2, proj_size=2, **kw),
    "GRU": lambda **kw: nn.GRU(3, 4, bidirectional=True, **kw),
    "LSTMCell": lambda **kw: nn.LSTMCell(3, 4, **kw),
    "GRUCell": lambda **kw: nn.GRUCell(3, 4, **kw),
    "RNNCell": lambda **kw: nn.RNNCell(3, 4, **kw),
}


@pytest.mark.parametrize("name", LAYERS)
def test_layers_take_device_and_check_it(name):
    fg.manual_seed(0)
    plain = LAYERS[name]()
    fg.manual_seed(0)
    on_cpu = LAYERS[name](device=fg.device("cpu"))
    for (k, p), (_, q) in zip(plain.state_dict().items(), on_cpu.state_dict().items()):
        assert type(q._data) is np.ndarray
        np.testing.assert_array_equal(p.data, q.data, err_msg=k)
    with pytest.raises(ValueError, match="device: expected 'cpu', 'cuda' or 'cuda:N', got 'tpu'"):
        LAYERS[name](device="tpu")


@pytest.mark.skipif(fg.cuda.is_available(), reason="checks the error given without a GPU")
def test_a_layer_asked_for_cuda_without_a_gpu_says_what_is_missing():
    with pytest.raises(RuntimeError, match="device 'cuda'"):
        nn.Linear(3, 2, device="cuda")


def _frequency_scaled(padding_idx):
    """Embedding of picks with repeats (and the padding row) under scale_grad_by_freq, and the
    gradient a random weighting of its output gives the weight."""
    w = np.random.default_rng(0).standard_normal((5, 3))
    idx = np.array([[1, 2, 1], [4, 1, 0]])
    seed = np.random.default_rng(1).standard_normal((2, 3, 3))
    layer = nn.Embedding(5, 3, padding_idx=padding_idx, scale_grad_by_freq=True, _weight=w)
    (layer(idx) * fg.tensor(seed)).sum().backward()
    return w, idx, seed, layer


@pytest.mark.parametrize("padding_idx", [None, 0])
def test_scale_grad_by_freq_divides_each_rows_gradient_by_its_count(padding_idx):
    w, idx, seed, layer = _frequency_scaled(padding_idx)
    expected = np.zeros_like(w)
    np.add.at(expected, idx, seed)
    expected /= np.maximum(np.bincount(idx.ravel(), minlength=5), 1)[:, None]
    if padding_idx is not None:
        expected[padding_idx] = 0
    np.testing.assert_allclose(layer.weight.grad.data, expected, rtol=1e-14)
    assert repr(layer).endswith("scale_grad_by_freq=True)")


@needs_torch
@pytest.mark.parametrize("padding_idx", [None, 0])
def test_scale_grad_by_freq_matches_pytorch(padding_idx):
    w, idx, seed, layer = _frequency_scaled(padding_idx)
    theirs = torch.nn.Embedding(5, 3, padding_idx=padding_idx, scale_grad_by_freq=True, _weight=torch.tensor(w))
    (theirs(torch.tensor(idx)) * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(layer.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-14)


@needs_torch
def test_sparse_embedding_trains_as_pytorch_with_sgd():
    """sparse=True: dense gradients holding the sparse gradient's values, so SGD takes PyTorch's steps."""
    rng = np.random.default_rng(3)
    table, targets = rng.standard_normal((8, 3)), rng.standard_normal((4, 3))
    batches = [rng.integers(0, 8, 4) for _ in range(5)]
    ours = nn.Embedding(8, 3, sparse=True, _weight=fg.tensor(table))
    theirs = torch.nn.Embedding(8, 3, sparse=True, _weight=torch.tensor(table))
    assert repr(ours) == repr(theirs) == "Embedding(8, 3, sparse=True)"
    for layer, lib in ((ours, fg), (theirs, torch)):
        opt = lib.optim.SGD(layer.parameters(), lr=0.1)
        for idx in batches:
            opt.zero_grad()
            ((layer(lib.tensor(idx)) - lib.tensor(targets)) ** 2).sum().backward()
            opt.step()
    assert theirs.weight.grad.is_sparse and not ours.weight.grad.is_sparse
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.to_dense().numpy(), rtol=1e-12)
    picked = F.embedding(np.array([1]), fg.ones(5, 3), sparse=True)
    np.testing.assert_array_equal(picked.numpy(), np.ones((1, 3)))


def test_embedding_module_renormalizes_with_max_norm_and_norm_type():
    layer = nn.Embedding(6, 3, max_norm=0.5, norm_type=1.0)
    assert repr(layer) == "Embedding(6, 3, max_norm=0.5, norm_type=1.0)"
    idx = np.array([0, 2, 2, 5])
    before = layer.weight._version[0]
    out = layer(idx)
    norms = np.abs(layer.weight.data[[0, 2, 5]]).sum(axis=1)
    assert np.all(norms <= 0.5 + 1e-6)
    np.testing.assert_array_equal(out.data, layer.weight.data[idx])
    assert layer.weight._version[0] == before + 1     # the weight was written in place


@needs_torch
def test_embedding_module_max_norm_matches_pytorch():
    w = np.random.default_rng(2).standard_normal((6, 3))
    idx = np.array([[0, 2], [5, 2]])
    ours = nn.Embedding(6, 3, max_norm=1.0, _weight=w.copy())
    theirs = torch.nn.Embedding(6, 3, max_norm=1.0, _weight=torch.tensor(w.copy()))
    out_m, out_t = ours(idx), theirs(torch.tensor(idx))
    np.testing.assert_allclose(out_m.data, out_t.detach().numpy(), rtol=1e-6)
    out_m.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)


def test_max_norm_after_a_use_that_saved_the_weight_is_detected_at_backward():
    layer = nn.Embedding(4, 2, max_norm=0.1)
    layer.weight.data.copy_(fg.ones(4, 2))
    tied = (layer.weight * layer.weight).sum()      # saves the weight
    layer(np.array([1]))                             # renormalizes row 1 in place
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        tied.backward()


def _params_with_grads(seed, dtypes=(np.float32, np.float64, np.float32)):
    rng = np.random.default_rng(seed)
    params = []
    for i, dtype in enumerate(dtypes):
        p = fg.tensor(np.zeros((3, i + 2), dtype=dtype), requires_grad=True)
        p.grad = rng.standard_normal((3, i + 2)).astype(dtype) * 3
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_foreach_false_gives_the_same_norm_and_gradients(norm_type):
    fused, single = _params_with_grads(0), _params_with_grads(0)
    n_fused = nn.utils.clip_grad_norm_(fused, 1.0, norm_type=norm_type)
    n_single = nn.utils.clip_grad_norm_(single, 1.0, norm_type=norm_type, foreach=False)
    np.testing.assert_allclose(float(n_single), float(n_fused), rtol=1e-6)
    for a, b in zip(fused, single):
        np.testing.assert_allclose(b.grad.data, a.grad.data, rtol=1e-6)


@needs_torch
def test_clip_grad_norm_foreach_false_matches_pytorch():
    ours = _params_with_grads(1, dtypes=(np.float64,) * 3)
    theirs = [torch.tensor(np.zeros(p.shape), requires_grad=True) for p in ours]
    for p, q in zip(ours, theirs):
        q.grad = torch.tensor(np.array(p.grad.data))
    n_ours = nn.utils.clip_grad_norm_(ours, 1.0, foreach=False)
    n_theirs = torch.nn.utils.clip_grad_norm_(theirs, 1.0, foreach=False)
    np.testing.assert_allclose(float(n_ours), float(n_theirs), rtol=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("clip", [lambda ps: nn.utils.clip_grad_norm_(ps, 1.0, foreach="yes"),
                                  lambda ps: nn.utils.clip_grad_value_(ps, 1.0, foreach=1)])
def test_clipping_refuses_a_foreach_that_is_not_a_bool(clip):
    with pytest.raises(TypeError, match="foreach must be None, True or False"):
        clip(_params_with_grads(0))


@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_value_is_the_same_for_any_foreach(foreach):
    params = _params_with_grads(3)
    expected = [np.clip(p.grad.data, -0.5, 0.5) for p in params]
    nn.utils.clip_grad_value_(params, 0.5, foreach=foreach)
    for p, e in zip(params, expected):
        np.testing.assert_array_equal(p.grad.data, e)


def _dropout_net():
    fg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.5), nn.Linear(8, 8), nn.Dropout(0.5), nn.Linear(8, 2))


@pytest.mark.parametrize("preserve", [True, False])
def test_checkpoint_sequential_passes_preserve_rng_state(preserve):
    x = np.random.default_rng(0).standard_normal((5, 4))
    grads = []
    for use_checkpoint in (False, True):
        net = _dropout_net()
        fg.manual_seed(11)
        xt = fg.tensor(x)
        out = checkpoint_sequential(net, 2, xt, preserve_rng_state=preserve) if use_checkpoint else net(xt)
        out.sum().backward()
        grads.append(net[0].weight.grad.data.copy())
    same = np.array_equal(grads[0], grads[1])
    assert same == preserve   # without preserved state the recomputation draws new dropout masks


def test_checkpoint_sequential_refuses_unknown_keywords_and_bad_use_reentrant():
    net = _dropout_net()
    with pytest.raises(TypeError, match="checkpoint_sequential: unexpected keyword arguments: context_fn"):
        checkpoint_sequential(net, 2, fg.ones(2, 4), context_fn=None)
    with pytest.raises(ValueError, match="use_reentrant must be True, False or None"):
        checkpoint_sequential(net, 2, fg.ones(2, 4, requires_grad=True), use_reentrant="yes")


def test_autocast_queries_answer_per_device_type():
    with fg.autocast("cpu", dtype="float16"):
        assert fg.amp.is_autocast_enabled("cpu") and fg.amp.get_autocast_dtype("cpu") == "float16"
        assert not fg.amp.is_autocast_enabled("cuda") and fg.amp.get_autocast_dtype("cuda") is None
    with pytest.raises(ValueError, match="is_autocast_enabled: argument 'device_type' must be 'cpu' or 'cuda'"):
        fg.amp.is_autocast_enabled("xpu")


@pytest.mark.parametrize("call", [lambda x: x.contiguous(memory_format="channels_last"),
                                  lambda x: x.is_contiguous(memory_format="channels_last"),
                                  lambda x: x.float(memory_format="channels_last"),
                                  lambda x: x.to(np.float64, memory_format="channels_last")])
def test_memory_format_other_than_the_default_is_refused(call):
    with pytest.raises(ValueError, match="argument 'memory_format' is not supported"):
        call(fg.ones(2, 3))


def test_memory_format_left_unset_works():
    x = fg.ones(2, 3)
    assert x.contiguous() is x and x.is_contiguous() and x.double().dtype == np.float64


def test_type_passes_non_blocking_to_to():
    assert fg.ones(2).type(np.float64, non_blocking=True).dtype == np.float64


@pytest.mark.parametrize("args, kwargs, length", [((fg.tensor([1.0, 2.0]), 2), {}, 4),
                                                   ((fg.tensor([[1.0, 2.0]]), fg.tensor([1, 3])), {"dim": 1}, 4),
                                                   ((fg.tensor([2, 1]),), {}, 3)])
def test_repeat_interleave_checks_output_size(args, kwargs, length):
    assert fg.repeat_interleave(*args, **kwargs, output_size=length).shape[kwargs.get("dim", 0)] == length
    with pytest.raises(RuntimeError, match=f"output_size is {length + 1} but the result has {length}"):
        fg.repeat_interleave(*args, **kwargs, output_size=length + 1)


def test_tensor_pin_memory_warns_that_it_has_no_effect():
    with pytest.warns(UserWarning, match="tensor: pin_memory=True has no effect"):
        t = fg.tensor([1.0, 2.0], pin_memory=True)
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
