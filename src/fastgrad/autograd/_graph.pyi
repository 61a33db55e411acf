"""Type stub of the compiled module fastgrad.autograd._graph, written by tools/make_stubs.py; do not edit."""
from typing import Any

class Context(Any): ...

class GradState(Any): ...

class ScratchContext(Any): ...

class TensorBase(Any): ...

def apply_function(cls: Any, *args: Any, **kwargs: Any) -> Any:
    """Primitive.apply: unwrap Tensors, choose the backend once, run forward,"""
    ...

def binary_operator(cls: Any, promote: Any = ..., true_division: Any = ...) -> Any:
    """A Tensor method `(self, other) -> cls.apply(self, other)`, compiled, promoting with `promote`."""
    ...

def compiled_backward(node: Any, g: Any) -> Any:
    """The compiled rule's backward of a node given to compiled_forward."""
    ...

def compiled_forward(rule: Any, datas: Any, cls: Any = ..., backend: Any = ..., parents: Any = ...) -> Any:
    """A compiled rule's forward: its output (0-d results as arrays), or, given the inputs'"""
    ...

def compiled_rule_of(cls: Any) -> Any:
    """The compiled rule `cls` runs with on NumPy arrays and numbers (0: its Python rules)."""
    ...

def has_floating_dtype(data: Any) -> Any:
    """True when the array's dtype is real or complex floating (the dtypes gradients flow"""
    ...

def new_tensor(data: Any, requires_grad: Any, node: Any) -> Any:
    """Wrap an array without checks (the fast path used by every op)."""
    ...

def promotion_free(x: Any, y: Any, true_division: Any = ...) -> Any:
    """True when x <op> y needs no dtype promotion: the compiled operators' first check."""
    ...

def reflected_operator(cls: Any, promote: Any = ..., true_division: Any = ...) -> Any:
    """A Tensor method `(self, other) -> cls.apply(other, self)`, compiled, promoting with `promote`."""
    ...

def register_compiled_rule(cls: Any, name: Any) -> Any:
    """Run `cls` with the compiled rule `name` ("add", "sub", "mul", "div", "neg", "pow"), or"""
    ...

def run_nodes(start: Any, grads: Any, leaf_grads: Any, retain_graph: Any, create_graph: Any, capture_nodes: Any, diff_backend: Any, leaf_done: Any = ..., leaf_inputs: Any = ...) -> Any:
    """Run the backward of every node reachable from `start`, in reverse topological order."""
    ...

def set_anomaly_active(active: Any) -> Any:
    """Called by anomaly.py: whether any thread has anomaly detection on."""
    ...

def set_profiler(profiler: Any) -> Any:
    """Called by fastgrad.profiler: shown every op and every backward step with their times, or None."""
    ...

def set_recorder(recorder: Any) -> Any:
    """Called by autograd/capture.py: the recorder shown every op, or None."""
    ...

def set_tensor_type(cls: Any) -> Any:
    """Tell the core which class new tensors are (fastgrad.Tensor)."""
    ...

def store_fresh_grad(leaf: Any, g: Any, taken: Any) -> Any:
    """The usual end of a backward for one leaf: a leaf without hooks and without a .grad"""
    ...

def unary_operator(cls: Any) -> Any:
    """A Tensor method `self -> cls.apply(self)`, compiled (operators run per op)."""
    ...
