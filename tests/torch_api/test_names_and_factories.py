"""Module-level names PyTorch code reaches for: dtypes, device(), factories with dtype/device/
requires_grad, is_tensor, allclose, manual_seed, and .grad used as PyTorch code uses it."""
import numpy as np
import pytest

import fastgrad as fg

from torch_parity import needs_torch, torch

DTYPES = ["float", "float32", "float64", "double", "half", "float16", "long", "int64", "int32", "int",
          "bool", "uint8"]


@needs_torch
@pytest.mark.parametrize("name", DTYPES)
def test_dtype_names_mean_what_they_mean_in_pytorch(name):
    ours = np.dtype(getattr(fg, name))
    theirs = torch.zeros(1, dtype=getattr(torch, name)).numpy().dtype
    assert ours == theirs
    assert fg.zeros(2, dtype=getattr(fg, name)).dtype == theirs


@needs_torch
def test_device_objects():
    d = fg.device("cpu")
    assert d == "cpu" and d.type == "cpu" and d.index is None and repr(d) == repr(torch.device("cpu"))
    g = fg.device("cuda", 1)
    assert g.type == "cuda" and g.index == 1 and repr(g) == repr(torch.device("cuda", 1))
    assert fg.device("cuda:0") == "cuda:0" and fg.device(torch.device("cpu")) == "cpu"
    assert fg.zeros(2).device == fg.device("cpu")
    with pytest.raises(ValueError, match="device"):
        fg.device("tpu")
    assert fg.cuda.is_available() in (True, False) and fg.cuda.device_count() >= 0


FACTORIES = {
    "zeros": (lambda T, **kw: T.zeros(2, 3, **kw)),
    "ones": (lambda T, **kw: T.ones((2, 3), **kw)),
    "full": (lambda T, **kw: T.full((2, 3), 1.5, **kw)),
    "empty": (lambda T, **kw: T.empty(2, 3, **kw)),
    "rand": (lambda T, **kw: T.rand(2, 3, **kw)),
    "randn": (lambda T, **kw: T.randn(2, 3, **kw)),
    "arange": (lambda T, **kw: T.arange(0.0, 3.0, 0.5, **kw)),
    "linspace": (lambda T, **kw: T.linspace(-1, 1, 5, **kw)),
    "eye": (lambda T, **kw: T.eye(3, **kw)),
    "zeros_like": (lambda T, **kw: T.zeros_like(T.ones(2, 3), **kw)),
    "ones_like": (lambda T, **kw: T.ones_like(T.ones(2, 3), **kw)),
    "full_like": (lambda T, **kw: T.full_like(T.ones(2, 3), 7.0, **kw)),
    "empty_like": (lambda T, **kw: T.empty_like(T.ones(2, 3), **kw)),
    "rand_like": (lambda T, **kw: T.rand_like(T.ones(2, 3), **kw)),
    "randn_like": (lambda T, **kw: T.randn_like(T.ones(2, 3), **kw)),
    "tensor": (lambda T, **kw: T.tensor([[1.0, 2.0], [3.0, 4.0]], **kw)),
    "as_tensor": (lambda T, **kw: T.as_tensor([[1.0, 2.0]], **kw)),
}
DETERMINISTIC = {"zeros", "ones", "full", "arange", "linspace", "eye", "zeros_like", "ones_like", "full_like",
                 "tensor", "as_tensor"}


@needs_torch
@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_factories_take_dtype_device_and_requires_grad(name, dtype):
    make = FACTORIES[name]
    kwargs = {"dtype": getattr(fg, dtype), "device": fg.device("cpu")}
    theirs = make(torch, dtype=getattr(torch, dtype), device=torch.device("cpu"))
    ours = make(fg, **kwargs)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == theirs.numpy().dtype and ours.device == "cpu"
    if name in DETERMINISTIC:
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    if name != "as_tensor":
        leaf = make(fg, requires_grad=True, **kwargs)
        assert leaf.requires_grad and leaf.is_leaf


@needs_torch
def test_factory_dtype_inference_follows_pytorch():
    for ours, theirs in [(fg.arange(5), torch.arange(5)), (fg.full((2,), 3), torch.full((2,), 3)),
                         (fg.tensor([1, 2]), torch.tensor([1, 2])), (fg.tensor([1.0]), torch.tensor([1.0])),
                         (fg.randint(0, 5, (3,)), torch.randint(0, 5, (3,))), (fg.randperm(4), torch.randperm(4)),
                         (fg.full((2,), True), torch.full((2,), True))]:
        assert ours.dtype == theirs.numpy().dtype


def test_randint_takes_pytorchs_two_argument_form():
    """randint(high, size) draws from [0, high), as PyTorch's word-language-model generator calls it."""
    fg.manual_seed(0)
    drawn = fg.randint(3, (200,))
    assert drawn.shape == (200,) and drawn.dtype == fg.int64 and set(drawn.tolist()) == {0, 1, 2}
    assert fg.randint(18, (1, 1), dtype=fg.long).shape == (1, 1)
    assert fg.randint(4, fg.zeros(2, 3).shape).shape == (2, 3)          # a Size is a size too
    g1, g2 = fg.Generator().manual_seed(5), fg.Generator().manual_seed(5)
    assert fg.randint(7, (6,), generator=g1).tolist() == fg.randint(0, 7, (6,), generator=g2).tolist()
    with pytest.raises(TypeError, match="randint: got a size twice"):
        fg.randint(5, (2,), (3,))
    if torch is not None:
        assert fg.randint(5, (2,)).dtype == torch.randint(5, (2,)).numpy().dtype


def test_from_numpy_and_as_tensor_share_memory():
    a = np.arange(3.0)
    assert fg.from_numpy(a).numpy() is a
    assert fg.as_tensor(a).numpy() is a
    t = fg.tensor([1.0, 2.0])
    assert fg.as_tensor(t) is t and not np.shares_memory(fg.tensor(t).numpy(), t.numpy())   # tensor(a Tensor) copies, as PyTorch


def test_factories_refuse_what_they_cannot_do():
    with pytest.raises(RuntimeError, match="randint: only floating point tensors can require gradients"):
        fg.randint(0, 3, (2,), requires_grad=True)
    with pytest.raises(TypeError, match="zeros: out= is not supported"):
        fg.zeros(2, out=fg.zeros(2))
    with pytest.raises(ValueError, match="zeros: sizes must be non-negative integers"):
        fg.zeros(2, -1)
    with pytest.raises(RuntimeError, match="requires_grad"):
        fg.zeros(2, dtype=fg.long, requires_grad=True)


def test_manual_seed_repeats_draws():
    fg.manual_seed(11)
    first = (fg.randn(3).data, fg.rand(2).data, fg.randint(0, 9, (4,)).data)
    fg.manual_seed(11)
    second = (fg.randn(3).data, fg.rand(2).data, fg.randint(0, 9, (4,)).data)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


@needs_torch
def test_is_tensor_allclose_equal():
    x = fg.tensor([1.0, 2.0])
    assert fg.is_tensor(x) and fg.is_tensor(fg.nn.Parameter(x)) and not fg.is_tensor(np.ones(2))
    assert fg.allclose(x, x + 1e-9) == torch.allclose(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0]) + 1e-9)
    assert not fg.allclose(x, x + 1e-3) and fg.allclose(x, x + 1e-3, atol=1e-2)
    assert fg.equal(x, fg.tensor([1.0, 2.0])) and not fg.equal(x, fg.tensor([1.0]))
    assert fg.is_floating_point(x) and not fg.is_floating_point(fg.arange(2))


def test_numpy_namespace_keeps_axis():
    import fastgrad.numpy as fnp

    x = fg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(fnp.sum(x, axis=0).data, [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(fnp.max(x, axis=1).data, [2.0, 5.0])     # values, not (values, indices)
    np.testing.assert_array_equal(fg.sum(x, dim=0).data, [3.0, 5.0, 7.0])
    np.testing.assert_array_equal(fg.sum(x, axis=0).data, [3.0, 5.0, 7.0])  # PyTorch accepts axis= too


# ---- .grad as PyTorch code uses it ------------------------------------------------------------

@needs_torch
def test_grad_is_a_tensor_pytorch_code_can_use():
    w = fg.tensor([3.0, -4.0], requires_grad=True)
    tw = torch.tensor([3.0, -4.0], requires_grad=True)
    for t, lib in ((w, fg), (tw, torch)):
        (t * t).sum().backward()
    assert w.grad is not None and fg.is_tensor(w.grad) and not w.grad.requires_grad
    np.testing.assert_allclose(w.grad.norm().item(), tw.grad.norm().item())
    np.testing.assert_array_equal(w.grad.clone().data, tw.grad.clone().numpy())
    assert np.asarray(w.grad) is w.grad.numpy()            # zero-copy, as before
    copy = w.grad.clone()
    w.grad.zero_()
    tw.grad.zero_()
    np.testing.assert_array_equal(np.asarray(w.grad), tw.grad.numpy())
    np.testing.assert_array_equal(copy.data, [6.0, -8.0])  # a clone is its own array
    w.grad = None
    assert w.grad is None


def test_gradient_accumulates_and_zero_grad_keeps_or_drops_it():
    model = fg.nn.Linear(3, 2)
    x = fg.randn(4, 3)
    model(x).sum().backward()
    first = np.asarray(model.weight.grad).copy()
    model(x).sum().backward()
    np.testing.assert_allclose(np.asarray(model.weight.grad), 2 * first, rtol=1e-6)
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is not None and not np.any(np.asarray(model.weight.grad))
    model.zero_grad()
    assert model.weight.grad is None


def test_device_selection_names_of_pytorch_scripts():
    import importlib.util

    import fastgrad as torch

    assert torch.accelerator.is_available() == torch.cuda.is_available()
    assert torch.backends.mps.is_available() is False and torch.backends.mps.is_built() is False
    assert torch.backends.cudnn.is_available() is False and torch.backends.cudnn.version() is None
    flags = torch.backends.cudnn
    saved = flags.benchmark, flags.deterministic
    try:
        flags.benchmark, flags.deterministic = True, True  # as training scripts set them
        assert flags.benchmark is True and flags.deterministic is True
    finally:
        flags.benchmark, flags.deterministic = saved
    installed = importlib.util.find_spec("cupy") is not None
    assert (torch.accelerator.current_accelerator() == "cuda") == installed
    if not torch.cuda.is_available():
        assert torch.accelerator.current_accelerator(check_available=True) is None
        assert torch.accelerator.device_count() == 0


def test_backend_flags_import_as_submodules():
    """`import torch.backends.cudnn as cudnn` (the DCGAN and ImageNet examples) works, and a flag
    set through that name is the one `torch.backends.cudnn` shows."""
    import fastgrad
    import fastgrad.backends.cudnn as cudnn
    import fastgrad.backends.mkl
    import fastgrad.backends.mps
    import fastgrad.backends.openmp  # noqa: F401

    assert cudnn is fastgrad.backends.cudnn
    saved = cudnn.benchmark
    try:
        cudnn.benchmark = not saved
        assert fastgrad.backends.cudnn.benchmark is (not saved)
    finally:
        cudnn.benchmark = saved
    assert fastgrad.backends.mps.is_available() is False
    assert fastgrad.backends.mkl.is_available() == (fastgrad.get_blas() == "mkl")
    assert isinstance(fastgrad.backends.openmp.is_available(), bool)
