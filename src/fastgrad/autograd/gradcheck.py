"""gradcheck and gradgradcheck: compare backward (and the backward of backward) against central
differences, in float64, with PyTorch's torch.autograd.gradcheck keywords."""
import numpy as np

from .engine import grad as autograd_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by gradcheck with the worst mismatch it found."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, *, raise_exception=True, nondet_tol=0.0,
              check_grad_dtypes=False, fast_mode=False, check_undefined_grad=True, check_backward_ad=True,
              check_forward_ad=False, check_batched_grad=False, check_batched_forward_grad=False, masked=None):
    """Check the gradients of `fn` at `inputs` against central differences.

    Every input that is a Tensor requiring grad is checked.  Inputs are taken
    in float64.  The output y (any shape) is reduced to the scalar
    L = sum(y * v) with a fixed random v, so a wrong gradient in any output
    element shows.  Each element of each input is perturbed by +-eps and

        numerical = (L(x + eps) - L(x - eps)) / (2 eps)

    is compared with the backward's dL/dx.  Returns True, or raises
    GradcheckError naming the input, the element and both values (returns False instead
    with raise_exception=False).

    PyTorch's keywords: nondet_tol widens atol; check_grad_dtypes always holds (the engine gives
    every gradient its input's dtype); fast_mode runs the full check (already one projection of the
    output); check_undefined_grad (PyTorch's check of backward given no output gradient) is
    not run, since fastgrad's backward always receives one; check_backward_ad=False checks
    nothing.  Forward-mode and batched checks and masked are not implemented: asking for them
    raises NotImplementedError.

    >>> import fastgrad as fg
    >>> x = fg.tensor([0.5, 1.5], dtype="float64", requires_grad=True)
    >>> fg.gradcheck(lambda t: (t * t).exp(), (x,))
    True
    """
    for name, asked in (("check_forward_ad", check_forward_ad), ("check_batched_grad", check_batched_grad),
                        ("check_batched_forward_grad", check_batched_forward_grad), ("masked", masked)):
        if asked:
            raise NotImplementedError(f"gradcheck: {name} is not implemented (fastgrad checks reverse-mode "
                                      "gradients against central differences)")
    if not check_backward_ad:
        return True
    try:
        return _check(fn, inputs, eps, atol + nondet_tol, rtol, seed)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _prepared(op, fn, inputs):
    """(inputs in float64 as a list, the positions of those that require grad, fn's output)."""
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = [_as_float64(x) for x in inputs]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError(f"{op}: no input is a Tensor that requires grad")
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: fn must return a Tensor, got {type(out).__name__}")
    return inputs, checked, out


def _check(fn, inputs, eps, atol, rtol, seed):
    inputs, checked, out = _prepared("gradcheck", fn, inputs)
    v = np.random.default_rng(seed).standard_normal(out.shape)

    def projected(*args):
        y = fn(*args)
        return float(np.sum(np.asarray(y._data, dtype=np.float64) * v))

    loss = (out * v).sum() if out.ndim else out * float(v)
    analytic = autograd_grad([loss], [inputs[i] for i in checked], allow_unused=True)

    worst = None
    for pos, i in enumerate(checked):
        x = inputs[i]
        got = np.zeros(x.shape) if analytic[pos] is None else np.asarray(analytic[pos]._data, dtype=np.float64)
        data = x._data  # perturbed in place, element by element, whatever its memory layout
        for index in np.ndindex(*x.shape):
            orig = data[index]
            data[index] = orig + eps
            plus = projected(*inputs)
            data[index] = orig - eps
            minus = projected(*inputs)
            data[index] = orig
            numeric = (plus - minus) / (2 * eps)
            analytic_k = got[index]
            err = abs(analytic_k - numeric)
            if not err <= atol + rtol * abs(numeric):
                excess = err - (atol + rtol * abs(numeric))
                if worst is None or not excess <= worst[0]:
                    worst = (excess, i, index, analytic_k, numeric)
    if worst is not None:
        _, i, index, a, n = worst
        raise GradcheckError(
            f"gradcheck: gradient of input {i} at index {tuple(int(j) for j in index)} is {a!r} by "
            f"backward but {n!r} by central differences (atol={atol}, rtol={rtol})")
    return True


def _as_float64(x):
    if isinstance(x, Tensor):
        if x.dtype.kind == "f" and x.dtype != np.float64:
            return Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad)
        if x.requires_grad and not x.is_leaf:
            return Tensor(np.array(x._data), requires_grad=True)
        return x
    return x


def gradgradcheck(fn, inputs, grad_outputs=None, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0, *,
                  raise_exception=True, nondet_tol=0.0, **options):
    """Check second derivatives: gradcheck of the function that maps the inputs to the gradients
    of sum(fn(inputs) * v) in them, taken with create_graph=True.  v is grad_outputs (a Tensor
    or array of the output's shape, or a one-item list of it) or a fixed random array.

    >>> import fastgrad as fg
    >>> x = fg.tensor([0.5, 1.5], dtype="float64", requires_grad=True)
    >>> fg.autograd.gradgradcheck(lambda t: (t * t).exp(), (x,))
    True
    """
    inputs, _, out = _prepared("gradgradcheck", fn, inputs)
    if isinstance(grad_outputs, (tuple, list)):
        if len(grad_outputs) != 1:
            raise ValueError(f"gradgradcheck: fn has one output, got {len(grad_outputs)} grad_outputs")
        grad_outputs = grad_outputs[0]
    if grad_outputs is None:
        v = np.random.default_rng(seed + 1).standard_normal(out.shape)
    else:
        v = np.asarray(grad_outputs._data if isinstance(grad_outputs, Tensor) else grad_outputs, np.float64)
        if v.shape != tuple(out.shape):
            raise ValueError(f"gradgradcheck: grad_outputs has shape {v.shape}, fn's output {tuple(out.shape)}")

    def first_derivatives(*args):
        y = fn(*args)
        wanted = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        grads = autograd_grad([(y * v).sum()], wanted, create_graph=True, allow_unused=True)
        from ..ops.shape import concatenate  # imported late: the ops import this package
        return concatenate([(g if g is not None else a * 0.0).reshape(-1) for g, a in zip(grads, wanted)])

    return gradcheck(first_derivatives, inputs, eps, atol, rtol, seed, raise_exception=raise_exception,
                     nondet_tol=nondet_tol, **options)
