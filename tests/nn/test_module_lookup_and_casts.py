"""Module.get_submodule / get_parameter / get_buffer, half / bfloat16 / type, compile, and the
Tensor helpers scripts call beside them (retains_grad, pin_memory, is_pinned), as PyTorch's."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


def _model(lib):
    return lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.BatchNorm1d(4), lib.nn.Sequential(lib.nn.Linear(4, 2)))


def test_lookup_by_qualified_name_matches_pytorch():
    torch = pytest.importorskip("torch")
    mine, theirs = _model(fg), _model(torch)
    for path in ("", "0", "2", "2.0"):
        assert type(mine.get_submodule(path)).__name__ == type(theirs.get_submodule(path)).__name__
    assert mine.get_parameter("2.0.weight") is mine[2][0].weight
    assert mine.get_buffer("1.running_mean") is mine[1].running_mean
    assert tuple(mine.get_parameter("0.bias").shape) == tuple(theirs.get_parameter("0.bias").shape)


@pytest.mark.parametrize("call, message", [
    (lambda m: m.get_submodule("3"), "get_submodule: Sequential has no submodule '3'"),
    (lambda m: m.get_submodule("0.inner"), "get_submodule: Linear has no submodule 'inner'"),
    (lambda m: m.get_parameter("0.gamma"), "get_parameter: Linear has no parameter 'gamma'"),
    (lambda m: m.get_buffer("1.weight"), "get_buffer: BatchNorm1d has no buffer 'weight'"),
])
def test_lookup_of_a_missing_name_raises_attribute_error(call, message):
    with pytest.raises(AttributeError, match=message):
        call(_model(fg))


def test_casts_change_floating_parameters_and_buffers_only():
    model = _model(fg)
    assert model.half() is model
    assert model[0].weight.dtype == np.float16 and model[1].running_mean.dtype == np.float16
    assert model[1].num_batches_tracked.dtype == np.int64
    model.eval()
    assert model(fg.ones(2, 3, dtype=fg.float16)).dtype == np.float16
    assert model.type(fg.float64)[2][0].bias.dtype == np.float64
    pytest.importorskip("ml_dtypes")
    assert model.bfloat16()[0].weight.dtype == fg.bfloat16


def test_compile_runs_the_module_eagerly():
    model = nn.Linear(2, 2)
    x = fg.ones(1, 2)
    before = model(x).numpy().copy()
    assert model.compile(mode="reduce-overhead") is None
    np.testing.assert_array_equal(model(x).numpy(), before)
    with pytest.raises(ValueError, match="compile: unknown mode 'fastest'"):
        model.compile(mode="fastest")


def test_retains_grad_and_pinned_memory():
    x = fg.ones(2, requires_grad=True)
    y = x * 2
    assert not x.retains_grad and not y.retains_grad
    y.retain_grad()
    y.retain_grad()  # once is enough: the gradient is not added twice
    assert y.retains_grad
    y.sum().backward()
    np.testing.assert_array_equal(y.grad.numpy(), [1.0, 1.0])
    assert not x.is_pinned()
    if not fg.cuda.is_available():
        with pytest.raises(RuntimeError, match="pin_memory: Cannot access accelerator device when none is available"):
            x.pin_memory()
