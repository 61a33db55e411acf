"""NumPy functions that take Tensors but give results without a gradient.

QUERIES return what NumPy returns (shapes, dtypes, flags).  The others run on
the plain data; array results come back as Tensors that do not require grad
(so that writing them into a graph, e.g. `z = np.zeros_like(x); z[0] = x[0]`,
stays differentiable).
"""
import numpy as np

from .registry import NON_DIFFERENTIABLE, QUERIES

QUERIES.update({
    np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj, np.min_scalar_type,
    np.can_cast, np.may_share_memory, np.shares_memory,
})

NON_DIFFERENTIABLE.update({
    np.argmax, np.argmin, np.nanargmax, np.nanargmin, np.argsort, np.argwhere, np.argpartition,
    np.nonzero, np.flatnonzero, np.count_nonzero, np.searchsorted, np.digitize, np.unique,
    np.zeros_like, np.ones_like, np.empty_like, np.full_like,
    np.all, np.any, np.allclose, np.isclose, np.array_equal, np.array_equiv,
    np.round, np.around, np.fix, np.isreal, np.iscomplex, np.isneginf, np.isposinf,
    np.histogram, np.histogram_bin_edges, np.bincount, np.lexsort, np.isin,
    np.linalg.matrix_rank,
})
