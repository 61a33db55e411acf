"""SciPy's logsumexp, on the core that also serves torch.logsumexp."""
import numpy as _onp

from ..autograd.tensor import Tensor
from ..torch_functions.everyday import stable_logsumexp


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over `axis`, computed stably (the largest value is
    subtracted first).  With return_sign, (log|sum|, sign of the sum).  Where all of
    `a` is -inf the result is -inf and its gradient 0 (not 0/0 = NaN).  Arrays give
    arrays, Tensors give Tensors."""
    plain = not isinstance(a, Tensor) and not isinstance(b, Tensor)
    x = a if isinstance(a, Tensor) else Tensor(_onp.asarray(a))
    out, sign = stable_logsumexp(x, axis, keepdims, b=b, return_sign=return_sign,
                                 zero_grad_where_all_minus_inf=True)
    if plain:
        out = out._data[()] if x.ndim == 0 else out._data   # a 0-d input gives a NumPy scalar
    return (out, sign) if return_sign else out
