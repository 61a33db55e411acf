# Outputs of the activation, loss and linear kernels.
#
# A fresh large array costs the operating system faulting in and zeroing its
# pages, which for an elementwise kernel is more than the arithmetic.  So
# large outputs come from a pool: it keeps the arrays it hands out and gives
# one out again, for the same shape and dtype, once nothing but the pool
# references it (its reference count says so).  A view, a Tensor, a saved
# graph array or a buffer export all hold a reference, so an array is never
# reused while anything can still see it.  Free arrays beyond a byte budget
# are released, least recently used shapes first.
# FASTGRAD_BUFFER_POOL=0 in the environment turns the pool off.
# One lock guards the pool, so threads running kernels at once never get the
# same array (and never see the pool's dict change while walking it).

import os as _os
import threading as _threading
from collections import OrderedDict as _OrderedDict

from cpython.ref cimport Py_REFCNT

cdef Py_ssize_t POOL_MIN_BYTES = 1 << 17        # smaller arrays come from malloc's free lists; larger ones
                                                # are mapped and page-faulted in afresh by glibc's malloc
cdef Py_ssize_t POOL_MAX_FREE_BYTES = 1 << 30   # free arrays kept for reuse, at most
cdef Py_ssize_t POOL_MAX_PER_KEY = 8            # arrays of one shape and dtype the pool tracks
cdef bint _pool_enabled = _os.environ.get("FASTGRAD_BUFFER_POOL", "1") not in ("0", "false", "no")
cdef object _pool = _OrderedDict()               # (shape, dtype) -> [arrays], least recently used first
cdef object _pool_lock = _threading.RLock()      # re-entrant: a finalizer run by the GC may allocate
cdef object _np_empty = np.empty                 # looked up once: small outputs are made per call


cdef inline bint _is_free(object a, tuple shape, object dtype):
    # Two references while a loop variable holds it: the pool's list and the loop.
    return (Py_REFCNT(a) == 2 and a.shape == shape and a.dtype == dtype
            and a.flags.c_contiguous and a.flags.writeable)


cdef object new_output(tuple shape, object dtype):
    """An uninitialized C-contiguous array: np.empty(shape, dtype), or a free pooled one."""
    if dtype is not _F32 and dtype is not _F64:  # the kernels' dtypes need no conversion
        dtype = np.dtype(dtype)
    cdef Py_ssize_t nbytes = dtype.itemsize
    for n in shape:
        nbytes *= n
    if not _pool_enabled or nbytes < POOL_MIN_BYTES:
        return _np_empty(shape, dtype)
    with _pool_lock:
        return _pooled_output(shape, dtype)


cdef object new_like(object a):
    """new_output(a.shape, a.dtype) for a kernel-ready array `a`, without building a shape tuple
    when the output is too small for the pool."""
    if not _pool_enabled or cnp.PyArray_NBYTES(a) < POOL_MIN_BYTES:
        return cnp.PyArray_EMPTY(cnp.PyArray_NDIM(a), cnp.PyArray_DIMS(a), cnp.PyArray_TYPE(a), 0)
    return new_output(a.shape, a.dtype)


cdef object new_empty(int nd, cnp.npy_intp *dims, object like):
    """new_output of shape dims[:nd] with the dtype of ndarray `like`, without a shape tuple when the
    output is too small for the pool."""
    cdef Py_ssize_t nbytes = cnp.PyArray_ITEMSIZE(like)
    cdef int i
    for i in range(nd):
        nbytes *= dims[i]
    if not _pool_enabled or nbytes < POOL_MIN_BYTES:
        return cnp.PyArray_EMPTY(nd, dims, cnp.PyArray_TYPE(like), 0)
    return new_output(tuple([dims[i] for i in range(nd)]), like.dtype)


cdef object _pooled_output(tuple shape, object dtype):
    key = (shape, dtype)
    arrays = _pool.get(key)
    if arrays is None:
        arrays = _pool[key] = []
    else:
        _pool.move_to_end(key)
        for a in arrays:
            if _is_free(a, shape, dtype):
                return a
    fresh = np.empty(shape, dtype=dtype)
    if len(arrays) < POOL_MAX_PER_KEY:
        arrays.append(fresh)
        _trim_pool()
    return fresh


cdef void _trim_pool():
    """Release free arrays beyond POOL_MAX_FREE_BYTES, least recently used shapes first."""
    cdef Py_ssize_t free = 0
    for key, arrays in _pool.items():
        for a in arrays:
            if _is_free(a, key[0], key[1]):
                free += a.nbytes
    if free <= POOL_MAX_FREE_BYTES:
        return
    for key in list(_pool):
        kept = []
        for a in _pool[key]:
            if free > POOL_MAX_FREE_BYTES and _is_free(a, key[0], key[1]):
                free -= a.nbytes
            else:
                kept.append(a)
        if kept:
            _pool[key] = kept
        else:
            del _pool[key]


def buffer_pool(enabled=None, max_free_bytes=None):
    """Whether large kernel outputs are reused from the pool: a bool switches it (off releases every pooled
    array); max_free_bytes bounds the memory of free arrays kept for reuse (default 1 GiB)."""
    global _pool_enabled, POOL_MAX_FREE_BYTES
    if max_free_bytes is not None:
        if max_free_bytes < 0:
            raise ValueError(f"buffer_pool: max_free_bytes must be >= 0, got {max_free_bytes}")
        with _pool_lock:
            POOL_MAX_FREE_BYTES = max_free_bytes
            _trim_pool()
    if enabled is not None:
        with _pool_lock:
            _pool_enabled = bool(enabled)
            if not _pool_enabled:
                _pool.clear()
    return _pool_enabled


def buffer_pool_info():
    """{'arrays': tracked arrays, 'bytes': their bytes, 'free_bytes': bytes ready for reuse}."""
    cdef Py_ssize_t count = 0, total = 0, free = 0
    with _pool_lock:
        for key, arrays in _pool.items():
            for a in arrays:
                count += 1
                total += a.nbytes
                if _is_free(a, key[0], key[1]):
                    free += a.nbytes
    return {"arrays": count, "bytes": total, "free_bytes": free}
