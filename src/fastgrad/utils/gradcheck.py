"""gradcheck: compare backward against central differences, in float64."""
import numpy as np

from ..autograd.engine import grad as autograd_grad
from ..autograd.tensor import Tensor


class GradcheckError(AssertionError):
    """Raised by gradcheck with the worst mismatch it found."""


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, seed=0):
    """Check the gradients of `fn` at `inputs` against central differences.

    Every input that is a Tensor requiring grad is checked.  Inputs are taken
    in float64.  The output y (any shape) is reduced to the scalar
    L = sum(y * v) with a fixed random v, so a wrong gradient in any output
    element shows.  Each element of each input is perturbed by +-eps and

        numerical = (L(x + eps) - L(x - eps)) / (2 eps)

    is compared with the backward's dL/dx.  Returns True, or raises
    GradcheckError naming the input, the element and both values.

    >>> import fastgrad as fg
    >>> x = fg.tensor([0.5, 1.5], dtype="float64", requires_grad=True)
    >>> fg.gradcheck(lambda t: (t * t).exp(), (x,))
    True
    """
    if isinstance(inputs, Tensor) or not isinstance(inputs, (tuple, list)):
        inputs = (inputs,)
    inputs = [_as_float64(x) for x in inputs]
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input is a Tensor that requires grad")

    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
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
