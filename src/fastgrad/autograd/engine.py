"""The backward engine: reverse topological order, without recursion.

1. Walk the graph from the roots (an explicit stack) and count, for each node,
   how many recorded edges point at it.
2. Run nodes whose count has dropped to zero (Kahn's algorithm): a node's
   gradient is complete once every consumer has contributed.  Gradients of
   intermediates are dropped as soon as their node has run.
3. Leaves collect their total gradient, run their hooks, then add it to `.grad`
   (a Tensor over the gradient array).

With create_graph=True the gradients are Tensors and every backward rule runs
on Tensors through the differentiable backend, so the result can itself be
differentiated.
"""
import numpy as np

from ..backend import namespace_of, same_device
from ..backend.base import Backend
from . import capture
from ._graph import run_nodes, store_fresh_grad
from .tensor import POST_ACCUMULATE_GRAD_HOOKS, Tensor, new_tensor



def backward(tensors, grad_tensors=None, retain_graph=False, create_graph=False, inputs=None):
    """Accumulate gradients of `tensors` into the `.grad` of the graph's leaves."""
    tensors = list(tensors)
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    only = None if inputs is None else _as_tensor_list(inputs)
    # Arrays the caller passed in, or already stored on another leaf, are copied
    # before being stored: every .grad is a Tensor over an array that nothing else
    # references.
    taken = set()
    for g in grad_tensors:
        if g is not None:
            taken.add(id(g._data if isinstance(g, Tensor) else g))
    leaf_done = None
    hooks_after = bool(POST_ACCUMULATE_GRAD_HOOKS)
    if only is None and hooks_after:
        # Someone waits for single leaves (e.g. data-parallel gradient buckets):
        # store each leaf's gradient as soon as it is complete, not at the end.
        def leaf_done(leaf, g):
            _accumulate_into_leaf(leaf, g, taken, True)
    leaf_grads = _run(tensors, grad_tensors, retain_graph, create_graph, only, leaf_done)
    for leaf, g in leaf_grads.items():
        if hooks_after or not store_fresh_grad(leaf, g, taken):
            _accumulate_into_leaf(leaf, g, taken, hooks_after)
    recorder = capture.recording() if capture.RECORDER is not None else None
    if recorder is not None:
        recorder.leaves_accumulated(leaf_grads, grad_tensors)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """Gradients of `outputs` with respect to `inputs`, returned as Tensors.

    `.grad` of the leaves is left untouched.  With create_graph=True the
    returned Tensors carry a graph, so they can be differentiated again.
    """
    outputs = _as_tensor_list(outputs)
    inputs = _as_tensor_list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    captured = _run(outputs, list(grad_outputs), retain_graph, create_graph, inputs)
    results = []
    for i, t in enumerate(inputs):
        g = captured.get(t)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} was not used to compute the outputs; pass allow_unused=True "
                    "to get None for it")
            results.append(None)
        elif isinstance(g, Tensor):
            results.append(g)
        else:
            results.append(new_tensor(capture.run(_as_owned_array, g, set()), False, None))
    return tuple(results)


def _as_tensor_list(x):
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _run(roots, root_grads, retain_graph, create_graph, only, leaf_done=None):
    """Run backward from `roots`; return {leaf or captured input: gradient}."""
    if len(root_grads) != len(roots):
        raise ValueError(f"backward: got {len(root_grads)} gradients for {len(roots)} tensors")
    grads = {}
    leaf_grads = {}
    start = []
    recorder = capture.recording() if capture.RECORDER is not None else None
    if recorder is not None:
        recorder.backward_started(create_graph, leaf_done is not None)
    for i, (t, g) in enumerate(zip(roots, root_grads)):
        if not isinstance(t, Tensor):
            raise TypeError(f"backward: element {i} is a {type(t).__name__}, not a Tensor")
        if not t._requires_grad:
            raise RuntimeError(f"backward: element {i} of tensors does not require grad and does not have a grad_fn")
        g = _root_gradient(t, g, create_graph)
        if recorder is not None:
            recorder.root_gradient(t, g)
        node = t._node
        if node is None:
            leaf_grads[t] = g if t not in leaf_grads else leaf_grads[t] + g
            continue
        if node in grads:
            grads[node] = grads[node] + g
        else:
            grads[node] = g
            start.append(node)

    capture_nodes = {}
    leaf_inputs = None
    if only is not None:
        # Only what leads to the inputs runs (not the inputs' own backward, nor what lies past them).
        leaf_inputs = set()
        for t in only:
            if t._node is not None:
                capture_nodes[t._node] = t
            else:
                leaf_inputs.add(t)
    diff_backend = _differentiable_backend() if create_graph else None
    captured = run_nodes(start, grads, leaf_grads, retain_graph, create_graph, capture_nodes, diff_backend,
                         leaf_done, leaf_inputs)
    if recorder is not None:
        recorder.backward_finished(leaf_grads)

    if only is None:
        return leaf_grads
    for t in only:
        if t._node is None and t in leaf_grads:
            captured[t] = _apply_leaf_hooks(t, leaf_grads[t])
    return captured


def _root_gradient(t, g, create_graph):
    if g is None:
        data = t._data
        if data.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for scalar outputs; this tensor has "
                f"shape {t.shape}, so pass `gradient` of that shape")
        if type(data) is np.ndarray:
            g = np.empty(data.shape, dtype=data.dtype)  # np.ones, without its Python-level wrapper
            g.fill(1)
        else:
            g = namespace_of(data).ones(data.shape, dtype=data.dtype, **same_device(data))
    else:
        data = g._data if isinstance(g, Tensor) else g
        if not hasattr(data, "shape"):
            data = np.asarray(data, dtype=t._data.dtype)
        if tuple(data.shape) != tuple(t.shape):
            raise RuntimeError(
                f"backward: gradient has shape {tuple(data.shape)}, but the tensor has shape {tuple(t.shape)}")
        if data.dtype != t._data.dtype:
            data = data.astype(t._data.dtype)
        if create_graph and isinstance(g, Tensor):
            return g
        g = data
    return new_tensor(g, False, None) if create_graph else g












def _accumulate_into_leaf(leaf, g, taken, hooks_after=True):
    """hooks_after: whether any tensor has post-accumulate hooks (looked up only then)."""
    if leaf._hooks:
        g = _apply_leaf_hooks(leaf, g)
    if isinstance(g, Tensor):
        g = g._data
    if leaf._grad is None:
        g = _as_owned_array(g, taken)
        taken.add(id(g))
        leaf._grad = new_tensor(g, False, None)
    else:
        leaf._grad = new_tensor(leaf._grad._data + g, False, None)
    if hooks_after:
        after = POST_ACCUMULATE_GRAD_HOOKS.get(leaf)
        if after:
            for hook in list(after):
                hook(leaf)


def _apply_leaf_hooks(leaf, g):
    if leaf._hooks:
        for hook in leaf._hooks:
            replaced = hook(g)
            if replaced is not None:
                g = replaced
    return g


def _as_owned_array(g, seen):
    """A gradient array that nothing else references: copy views, read-only and taken arrays."""
    if isinstance(g, np.generic):
        return np.array(g)
    if isinstance(g, np.ndarray):
        if g.base is not None or id(g) in seen:
            return np.array(g, order="C")
        flags = g.flags
        if not flags.writeable or not flags.c_contiguous:
            return np.array(g, order="C")
        return g
    if id(g) in seen or getattr(g, "base", None) is not None:
        copy = getattr(g, "copy", None)  # CuPy arrays have one; array-API arrays may not
        return copy() if copy is not None else namespace_of(g).asarray(g, copy=True)
    return g


_DIFFERENTIABLE = []  # the backend that create_graph runs backward rules on


def set_differentiable_namespace(xp):
    """Tell the engine which namespace runs backward rules when create_graph=True
    (fastgrad.numpy registers itself when it is imported)."""
    backend = Backend(xp)
    backend.name = "differentiable"
    _DIFFERENTIABLE[:] = [backend]


def _differentiable_backend():
    if not _DIFFERENTIABLE:
        raise RuntimeError("backward(create_graph=True): no differentiable namespace is registered; "
                           "import fastgrad (which registers fastgrad.numpy)")
    return _DIFFERENTIABLE[0]
