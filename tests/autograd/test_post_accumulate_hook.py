"""Tensor.register_post_accumulate_grad_hook: called once per backward, as soon as a leaf's .grad is complete."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn


def test_hook_sees_the_accumulated_gradient():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.copy()))
    (x * x).sum().backward()           # x is used twice by one node
    (x * 3).sum().backward()           # the second backward adds to .grad
    np.testing.assert_array_equal(seen[0], [2.0, 4.0])
    np.testing.assert_array_equal(seen[1], [5.0, 7.0])
    assert len(seen) == 2


def test_hook_fires_once_for_a_leaf_used_by_several_nodes():
    w = fg.tensor(np.array([3.0]), requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append(float(t.grad[0])))
    ((w * 2) + (w * w) + w.exp()).sum().backward()
    assert calls == [pytest.approx(2 + 6 + np.exp(3.0), rel=1e-12)]


def test_hook_runs_before_the_rest_of_backward():
    # The second layer's weight is complete before the first layer's backward has run.
    fg.manual_seed(0)
    first, second = nn.Linear(3, 4), nn.Linear(4, 2)
    state = {}
    second.weight.register_post_accumulate_grad_hook(lambda t: state.setdefault("first_grad", first.weight.grad))
    second(first(fg.randn(5, 3)).relu()).sum().backward()
    assert state["first_grad"] is None
    assert first.weight.grad is not None


def test_gradients_are_the_same_with_and_without_hooks():
    fg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = fg.tensor(np.random.default_rng(0).standard_normal((6, 3)))
    model.double()
    (model(x) ** 2).sum().backward()
    plain = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    handles = [p.register_post_accumulate_grad_hook(lambda t: None) for p in model.parameters()]
    (model(x) ** 2).sum().backward()
    for p, g in zip(model.parameters(), plain):
        np.testing.assert_array_equal(p.grad, g)
    for h in handles:
        h.remove()


def test_removed_hook_is_not_called_and_root_leaf_fires():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    handle = x.register_post_accumulate_grad_hook(lambda t: calls.append("removed"))
    handle.remove()
    x.register_post_accumulate_grad_hook(lambda t: calls.append("root"))
    x.backward(np.ones(2))             # the leaf is itself the root
    assert calls == ["root"]


def test_hooks_do_not_fire_for_autograd_grad_and_inputs():
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = fg.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append("x"))
    y.register_post_accumulate_grad_hook(lambda t: calls.append("y"))
    fg.autograd.grad((x * y).sum(), [x])        # .grad untouched, so no hook
    assert calls == [] and x.grad is None
    (x * y).sum().backward(inputs=[y])          # only y accumulates
    assert calls == ["y"] and x.grad is None


def test_hook_on_a_non_leaf_or_a_constant_is_refused():
    x = fg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only leaf tensors"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="does not require grad"):
        fg.tensor([1.0]).register_post_accumulate_grad_hook(lambda t: None)


def test_hooks_do_not_keep_their_tensor_alive():
    import gc
    import weakref

    x = fg.tensor([1.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: None)
    ref = weakref.ref(x)
    del x
    gc.collect()
    assert ref() is None


def test_engine_goes_back_to_the_plain_path_when_hooks_are_removed():
    import gc

    from fastgrad.autograd.tensor import POST_ACCUMULATE_GRAD_HOOKS

    gc.collect()      # tensors of earlier tests, with their hooks, are gone
    x = fg.tensor([1.0], requires_grad=True)
    handle = x.register_post_accumulate_grad_hook(lambda t: None)
    assert POST_ACCUMULATE_GRAD_HOOKS
    handle.remove()
    assert not POST_ACCUMULATE_GRAD_HOOKS
