"""PyTorch's module-level functions (`fastgrad.sum(x, dim=1)`, `fastgrad.hstack`, `fastgrad.quantile`, ...),
by kind; `fastgrad/__init__.py` exports them at the top, as `torch.*`.  Each is written with
the differentiable ops (src/fastgrad/ops) and, where PyTorch has one, is also the Tensor method
of that name.  `fastgrad.numpy` keeps NumPy's functions and meanings.

- tensor_methods.py: the functions that are the Tensor method of the same name (sum, max, cat,
  flip, add, div, squeeze, ...), so that function and method cannot disagree;
- everyday.py: more reductions, splitting, elementwise math, scatter/search (logsumexp, median,
  unbind, narrow, erf, cross, searchsorted, ...);
- arithmetic.py: addcmul, addcdiv, mv, inner, heaviside, logcumsumexp;
- arrangement.py: hstack, vstack, dstack, movedim, unflatten, rot90;
- selection.py: masked_select, kthvalue, unique_consecutive, combinations;
- order_statistics.py: quantile, nanquantile, mode, histc;
- sampling.py: normal, poisson, seed, initial_seed;
- runtime.py: set_printoptions, compile.

The namespaces `fastgrad.linalg`, `fastgrad.fft`, `fastgrad.special` and `fastgrad.func`
(torch.linalg, ...) are modules of their own at the package top, where their import paths are.
"""
