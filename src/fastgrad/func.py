"""fastgrad.func: PyTorch's torch.func transforms on Tensors, over fastgrad's function
transforms (fastgrad.functional), which take and return arrays.

    import fastgrad as torch
    from fastgrad.func import functional_call, grad, vmap

    def loss(params, x, y):
        return F.mse_loss(functional_call(model, params, (x,)), y)

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, xs, ys)

grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap and functional_call take and
return Tensors (and tuples, lists and dicts of them) with PyTorch's arguments (argnums,
has_aux, in_dims, out_dims); they nest.  Where fastgrad computes differently from PyTorch:

- jacfwd computes the Jacobian in reverse mode (one backward pass per output element): the
  same values as PyTorch's forward mode, at a cost that grows with the output instead of the
  input;
- vmap calls the function once per slice and stacks the results (differentiably): the same
  values, without PyTorch's batching rules, so at the cost of a Python loop.  Random draws in
  the function differ from slice to slice (PyTorch's randomness='different'); 'same' is refused.
"""
import numpy as np

from . import functional as _functional
from .autograd.tensor import Tensor
from .functional import _flatten
from .ops.promotion import call_with_numpy_rule

__all__ = ["debug_unwrap", "functional_call", "functionalize", "grad", "grad_and_value", "hessian", "jacfwd",
           "jacrev", "jvp", "linearize", "rearrange", "replace_all_batch_norm_modules_", "stack_module_state", "vjp",
           "vmap"]


def _tensors(tree):
    """tree with arrays and NumPy scalars (what fastgrad.functional returns at the top level)
    as Tensors."""
    leaves, rebuild = _flatten(tree)
    return rebuild([x if isinstance(x, Tensor) or not isinstance(x, (np.ndarray, np.generic))
                    else Tensor(np.asarray(x)) for x in leaves])


def _detached(tree):
    leaves, rebuild = _flatten(tree)
    return rebuild([x.detach() if isinstance(x, Tensor) and not _functional._DEPTH[0] else x for x in leaves])


class _Aux:
    """Splits f's (output, aux) result for the transforms, which see only the output."""

    def __init__(self, name, func, has_aux):
        if not callable(func):
            raise TypeError(f"func.{name}: argument 'func' must be callable, got {type(func).__name__}")
        self.name, self.func, self.has_aux, self.aux = name, func, bool(has_aux), None

    def __call__(self, *args, **kwargs):
        # PyTorch code: PyTorch's type promotion, although fastgrad.functional traces it
        out = call_with_numpy_rule(False, self.func, *args, **kwargs)
        if not self.has_aux:
            return out
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"func.{self.name}: with has_aux=True the function must return a pair (output, aux), "
                            f"got {type(out).__name__}")
        self.aux = out[1]
        return out[0]


def _argnums(name, argnums):
    many = isinstance(argnums, tuple)
    for a in (argnums if many else (argnums,)):
        if isinstance(a, bool) or not isinstance(a, int):
            raise TypeError(f"func.{name}: argument 'argnums' must be an int or a tuple of ints, got {argnums!r}")
    if many and not argnums:
        raise ValueError(f"func.{name}: argument 'argnums' must not be empty")
    return argnums


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar function with respect to the argument(s) `argnums`, as a
    function (returning (gradient, aux) with has_aux)."""
    transform = grad_and_value(func, argnums, has_aux)

    def grad_fn(*args, **kwargs):
        gradient, value = transform(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return grad_fn


def grad_and_value(func, argnums=0, has_aux=False):
    """(gradient, value) of a scalar function, from one evaluation ((gradient, (value, aux))
    with has_aux)."""
    split = _Aux("grad_and_value", func, has_aux)
    transform = _functional.value_and_grad(split, _argnums("grad_and_value", argnums))

    def grad_and_value_fn(*args, **kwargs):
        value, gradient = transform(*args, **kwargs)
        value = _tensors(value)
        if has_aux:
            return _tensors(gradient), (value, _detached(split.aux))
        return _tensors(gradient), value

    return grad_and_value_fn


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives the tuple of v^T J, one per primal."""
    split = _Aux("vjp", func, has_aux)
    output, pullback = _functional.vjp(split, *primals)

    def vjp_fn(cotangents):
        return tuple(_tensors(pullback(cotangents)))

    if has_aux:
        return _tensors(output), vjp_fn, _detached(split.aux)
    return _tensors(output), vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J @ tangents[, aux]) for tuples of primals and tangents of their shapes."""
    for name, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise TypeError(f"func.jvp: argument '{name}' must be a tuple, got {type(value).__name__}")
    if strict:
        raise ValueError("func.jvp: strict=True is not supported (PyTorch's own jvp refuses it too)")
    split = _Aux("jvp", func, has_aux)
    output, pushed = _functional.jvp(split, primals, tangents)
    if has_aux:
        return _tensors(output), _tensors(pushed), _detached(split.aux)
    return _tensors(output), _tensors(pushed)


def _jacobian(name, func, argnums, has_aux):
    split = _Aux(name, func, has_aux)
    transform = _functional.jacobian(split, _argnums(name, argnums))

    def jacobian_fn(*args, **kwargs):
        result = _tensors(transform(*args, **kwargs))
        return (result, _detached(split.aux)) if has_aux else result

    return jacobian_fn


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of func with respect to argnums, as a function: shape output + input
    (a tuple per output and per argument when they are tuples)."""
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValueError(f"func.jacrev: argument 'chunk_size' must be a positive int or None, got {chunk_size!r}")
    return _jacobian("jacrev", func, argnums, has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian as jacrev gives it (computed in reverse mode: the same values as PyTorch's
    forward mode)."""
    _randomness("jacfwd", randomness)
    return _jacobian("jacfwd", func, argnums, has_aux)


def hessian(func, argnums=0):
    """The matrix of second derivatives of a scalar function, shape input + input."""
    if not callable(func):
        raise TypeError(f"func.hessian: argument 'func' must be callable, got {type(func).__name__}")
    transform = _functional.hessian(_Aux("hessian", func, False), _argnums("hessian", argnums))
    return lambda *args, **kwargs: _tensors(transform(*args, **kwargs))


# ---- vmap ---------------------------------------------------------------------------------------

def _randomness(name, randomness):
    if randomness == "same":
        raise ValueError(f"func.{name}: randomness='same' is not supported (each slice draws its own numbers)")
    if randomness not in ("error", "different"):
        raise ValueError(f"func.{name}: argument 'randomness' must be 'error', 'different' or 'same', got "
                         f"{randomness!r}")


def _check_dim(dim, what):
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int)):
        raise TypeError(f"func.vmap: {what} must hold ints or None, got {dim!r}")


def _batched_leaves(args, in_dims):
    """[(leaf, dim)] for every leaf of args, dim None where it is not batched."""
    if not isinstance(in_dims, tuple):
        in_dims = (in_dims,) * len(args)
    if len(in_dims) != len(args):
        raise ValueError(f"func.vmap: in_dims has {len(in_dims)} entries for {len(args)} positional arguments")
    pairs = []
    for arg, dim in zip(args, in_dims):
        leaves, _ = _flatten(arg)
        dims = _flatten(dim)[0] if isinstance(dim, (tuple, list, dict)) else [dim] * len(leaves)
        if len(dims) != len(leaves):
            raise ValueError(f"func.vmap: in_dims entry {dim!r} does not match its argument's structure")
        for leaf, d in zip(leaves, dims):
            _check_dim(d, "in_dims")
            if d is not None and not isinstance(leaf, Tensor):
                raise TypeError(f"func.vmap: a batched argument must be a Tensor, got {type(leaf).__name__}")
            if d is not None and not -max(leaf.ndim, 1) <= d < leaf.ndim:
                raise ValueError(f"func.vmap: in_dim {d} is out of range for a tensor of {leaf.ndim} dimensions")
            pairs.append((leaf, d))
    return pairs


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """func mapped over dimension in_dims of its arguments (None: not mapped; a tuple: one
    entry per positional argument), the results stacked along out_dims."""
    if not callable(func):
        raise TypeError(f"func.vmap: argument 'func' must be callable, got {type(func).__name__}")
    _randomness("vmap", randomness)
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size < 1):
        raise ValueError(f"func.vmap: argument 'chunk_size' must be a positive int or None, got {chunk_size!r}")

    def vmapped(*args, **kwargs):
        pairs = _batched_leaves(args, in_dims)
        sizes = {leaf.shape[d] for leaf, d in pairs if d is not None}
        if not sizes:
            raise ValueError("func.vmap: no argument is batched (every in_dims entry is None or no Tensor given)")
        if len(sizes) > 1:
            raise ValueError(f"func.vmap: the batched dimensions have different sizes {sorted(sizes)}")
        (size,) = sizes
        if size == 0:
            raise ValueError("func.vmap: the batched dimension has size 0")
        flat = [_flatten(a) for a in args]
        results = []
        for i in range(size):
            picked = iter([leaf[(slice(None),) * (d % leaf.ndim) + (i,)] if d is not None else leaf
                           for leaf, d in pairs])
            call_args = [rebuild([next(picked) for _ in leaves]) for leaves, rebuild in flat]
            results.append(func(*call_args, **kwargs))
        return _stack(results, out_dims)

    return vmapped


def _stack(results, out_dims):
    from .torch_functions.tensor_methods import stack

    leaves0, rebuild = _flatten(results[0])
    dims = _flatten(out_dims)[0] if isinstance(out_dims, (tuple, list)) else [out_dims] * len(leaves0)
    if len(dims) != len(leaves0):
        raise ValueError(f"func.vmap: out_dims {out_dims!r} does not match the function's {len(leaves0)} outputs")
    columns = list(zip(*[_flatten(r)[0] for r in results]))
    stacked = []
    for column, dim in zip(columns, dims):
        _check_dim(dim, "out_dims")
        if not all(isinstance(x, Tensor) for x in column):
            raise TypeError("func.vmap: the function must return Tensors (or tuples of them), got "
                            f"{type(column[0]).__name__}")
        stacked.append(stack(list(column), dim=0 if dim is None else dim))
    return rebuild(stacked)


# ---- functional_call ------------------------------------------------------------------------------

def functional_call(module, parameter_and_buffer_dicts, args=(), kwargs=None, *, tie_weights=True, strict=False):
    """module(*args, **kwargs) with its parameters and buffers named in the dict(s) replaced by
    the given tensors for this call only (the module is left as it was)."""
    dicts = parameter_and_buffer_dicts
    dicts = list(dicts) if isinstance(dicts, (list, tuple)) else [dicts]
    replacements = {}
    for d in dicts:
        if not isinstance(d, dict):
            raise TypeError(f"func.functional_call: expects a dict (or a tuple of dicts) of tensors, got "
                            f"{type(d).__name__}")
        repeated = set(d) & set(replacements)
        if repeated:
            raise ValueError(f"func.functional_call: {sorted(repeated)} given more than once")
        replacements.update(d)
    known = dict(module.named_parameters(remove_duplicate=False))
    known.update(module.named_buffers(remove_duplicate=False))
    unknown = sorted(set(replacements) - set(known))
    if unknown:
        raise ValueError(f"func.functional_call: {unknown} are not parameters or buffers of the module")
    if strict and set(known) - set(replacements):
        raise ValueError(f"func.functional_call: strict=True and {sorted(set(known) - set(replacements))} are "
                         "missing")
    if tie_weights:   # a name that shares its tensor with a replaced one follows it
        for name, tensor in known.items():
            for given, value in list(replacements.items()):
                if name not in replacements and known[given] is tensor:
                    replacements[name] = value
    saved = []
    try:
        for name, value in replacements.items():
            owner, _, leaf = name.rpartition(".")
            sub = module
            for part in owner.split(".") if owner else ():
                sub = sub._modules[part]
            table = sub._parameters if leaf in sub._parameters else sub._buffers
            saved.append((table, leaf, table[leaf]))
            table[leaf] = value
        args = args if isinstance(args, tuple) else (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for table, leaf, original in reversed(saved):
            table[leaf] = original


from .func_ensembles import linearize, replace_all_batch_norm_modules_, stack_module_state  # noqa: E402
from .func_rearrange import rearrange  # noqa: E402


# ---- PyTorch's functorch plumbing, with nothing to do here ------------------------------------------

def debug_unwrap(tensor, *, recurse=True):
    """tensor itself: PyTorch unwraps the wrapper tensors its transforms pass to the function
    (BatchedTensor, GradTrackingTensor); fastgrad's transforms pass ordinary Tensors (vmap
    slices, grad leaves), so there is no wrapper to remove."""
    return tensor


def functionalize(func, *, remove="mutations"):
    """func, for PyTorch code that functionalizes before tracing: PyTorch rewrites in-place
    operations (and, with remove="mutations_and_views", views) as out-of-place ones for its graph
    compilers, with the same results, mutations of the inputs copied back. fastgrad's transforms
    and fastgrad.jit take in-place operations as they are, so the function is returned as it
    is (wrapped, with the same results and the same mutations of its inputs).

    >>> functionalize(f)(x)         # == f(x)
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise ValueError(f"func.functionalize: remove must be 'mutations' or 'mutations_and_views', got {remove!r}")
    if not callable(func):
        raise TypeError(f"func.functionalize: argument 'func' must be callable, got {type(func).__name__}")
    import functools

    @functools.wraps(func)
    def functionalized(*args, **kwargs):
        return func(*args, **kwargs)
    return functionalized
