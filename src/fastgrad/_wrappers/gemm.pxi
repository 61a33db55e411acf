# GEMM through the runtime-loaded BLAS (csrc/gemm.c): load it, then
# out = alpha * a @ b + beta * out with np.matmul's shape rules.

cdef extern from "fastgrad.h":
    enum:
        FG_BLAS_OK
        FG_BLAS_NOT_LOADED
        FG_BLAS_TOO_LARGE
    int fg_blas_load(const char *path, int use_32bit_integers, char *message, int64_t message_len) nogil
    int fg_blas_loaded() nogil
    int fg_blas_ilp64() nogil
    int fg_blas_threading_layer() nogil
    int fg_blas_max_threads() nogil
    void fg_blas_version(char *buf, int64_t len) nogil
    enum: fg_gemm, fg_gemm_batch

_THREADING_LAYERS = {0: "intel", 1: "sequential", 2: "pgi", 3: "gnu", 4: "tbb"}


def blas_load(str path, bint use_32bit_integers=False):
    """Load MKL's runtime library at `path` (once), with its 64-bit-integer entry points unless
    use_32bit_integers (older MKL has only those); raise OSError saying why it failed."""
    cdef char message[1024]
    message[0] = 0
    encoded = path.encode()
    cdef const char *cpath = encoded
    cdef int status
    with nogil:
        status = fg_blas_load(cpath, use_32bit_integers, message, sizeof(message))
    if status != FG_BLAS_OK:
        raise OSError(f"cannot use {path} as the GEMM library: {message.decode(errors='replace')}")


def blas_info():
    """None when no BLAS is loaded, else a dict: version, threading layer, threads, integer width."""
    if not fg_blas_loaded():
        return None
    cdef char buf[512]
    fg_blas_version(buf, sizeof(buf))
    layer = fg_blas_threading_layer()
    return {
        "version": buf.decode(errors="replace").strip(),
        "threading_layer": _THREADING_LAYERS.get(layer, str(layer)),
        "max_threads": fg_blas_max_threads(),
        "integers": "64-bit" if fg_blas_ilp64() else "32-bit",
    }


cdef int matrix_layout(object x, int64_t *ld) except -2:
    """How BLAS reads the last two axes of x: 0 row-major, 1 column-major (a transposed view),
    -1 neither or misaligned (x must be copied).  Sets the leading dimension."""
    cdef int nd = cnp.PyArray_NDIM(x)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp *st = cnp.PyArray_STRIDES(x)
    cdef int64_t rows = dims[nd - 2], cols = dims[nd - 1]
    cdef int64_t item = cnp.PyArray_ITEMSIZE(x)
    cdef int64_t s0 = st[nd - 2], s1 = st[nd - 1]
    if not cnp.PyArray_ISALIGNED(x):
        return -1
    if s0 % item or s1 % item:
        return -1
    s0 //= item
    s1 //= item
    cdef int64_t rows1 = rows if rows > 1 else 1
    cdef int64_t cols1 = cols if cols > 1 else 1
    # row-major: element (i, j) at i * ld + j
    if (cols <= 1 or s1 == 1) and (rows <= 1 or s0 >= cols1):
        ld[0] = s0 if rows > 1 else cols1
        return 0
    # column-major: element (i, j) at i + j * ld
    if (rows <= 1 or s0 == 1) and (cols <= 1 or s1 >= rows1):
        ld[0] = s1 if cols > 1 else rows1
        return 1
    return -1


cdef object _matrix_pointers(object x, tuple batch_shape, int64_t count):
    """Addresses of the count matrices of x over batch_shape (x's batch axes
    broadcast against it), as an intp array."""
    cdef int nb = len(batch_shape)
    cdef int nd = cnp.PyArray_NDIM(x)
    cdef int lead = nb - (nd - 2)
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(x)
    cdef cnp.npy_intp *st = cnp.PyArray_STRIDES(x)
    cdef int64_t sizes[32]
    cdef int64_t strides[32]
    cdef int64_t index[32]
    cdef int j
    for j in range(nb):
        sizes[j] = batch_shape[j]
        index[j] = 0
        if j < lead or dims[j - lead] == 1:
            strides[j] = 0
        else:
            strides[j] = st[j - lead]
    pointers = np.empty(count, dtype=np.intp)
    cdef cnp.npy_intp[::1] p = pointers
    cdef char *base = <char *>cnp.PyArray_DATA(x)
    cdef int64_t offset = 0, i
    for i in range(count):
        p[i] = <cnp.npy_intp>(base + offset)
        j = nb - 1
        while j >= 0:  # odometer step over the batch axes
            index[j] += 1
            offset += strides[j]
            if index[j] < sizes[j]:
                break
            offset -= strides[j] * sizes[j]
            index[j] = 0
            j -= 1
    return pointers


cdef int _run(object a, object b, object c, double alpha, double beta,
              tuple batch_shape, int64_t count) except -1:
    """c = alpha a @ b + beta c over the batch; c has every axis, a and b broadcast.
    Returns an FG_BLAS_* status."""
    cdef int64_t lda = 0, ldb = 0, ldc = 0
    cdef int layout_c = matrix_layout(c, &ldc)
    if layout_c == 1:  # a column-major c is a row-major c.T = b.T @ a.T
        return _run(np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2), np.swapaxes(c, -1, -2),
                    alpha, beta, batch_shape, count)
    if layout_c == -1:  # BLAS cannot write c: compute into a contiguous copy
        tmp = np.array(c, order="C") if beta != 0 else np.empty(c.shape, c.dtype)
        into_tmp = _run(a, b, tmp, alpha, beta, batch_shape, count)
        if into_tmp == FG_BLAS_OK:
            c[...] = tmp
        return into_tmp
    cdef int ta = matrix_layout(a, &lda)
    if ta == -1:
        a = np.ascontiguousarray(a)
        ta = matrix_layout(a, &lda)
    cdef int tb = matrix_layout(b, &ldb)
    if tb == -1:
        b = np.ascontiguousarray(b)
        tb = matrix_layout(b, &ldb)
    cdef int nd = cnp.PyArray_NDIM(c)
    cdef int64_t m = cnp.PyArray_DIMS(c)[nd - 2], n = cnp.PyArray_DIMS(c)[nd - 1]
    cdef int64_t k = cnp.PyArray_DIMS(a)[cnp.PyArray_NDIM(a) - 1]
    cdef int status
    cdef bint f32 = is_f32(c)
    cdef address pa, pb, pc
    if count == 1:
        pa, pb, pc = data_of(a), data_of(b), data_of(c)
        with nogil:
            status = by_dtype_int(f32, fg_gemm, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc)
        return status
    if len(batch_shape) > 32:
        raise ValueError(f"gemm: at most 32 batch axes, got {len(batch_shape)}")
    ptr_a = _matrix_pointers(a, batch_shape, count)
    ptr_b = _matrix_pointers(b, batch_shape, count)
    ptr_c = _matrix_pointers(c, batch_shape, count)
    pa, pb, pc = data_of(ptr_a), data_of(ptr_b), data_of(ptr_c)
    with nogil:
        status = by_dtype_int(f32, fg_gemm_batch, ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, count)
    return status


def blas_gemm(a, b, out=None, double alpha=1.0, double beta=0.0):
    """out = alpha * (a @ b) + beta * out with the loaded BLAS and np.matmul's shape rules; NotImplemented
    when the sizes do not fit the library's integers.  Transposed views are read in place."""
    op = "gemm"
    if not fg_blas_loaded():
        raise RuntimeError(f"{op}: no BLAS library is loaded (see fastgrad.set_blas)")
    a = float_array(op, "a", a)
    b = matching(op, "b", b, a.dtype, None)
    cdef int nda = cnp.PyArray_NDIM(a), ndb = cnp.PyArray_NDIM(b)
    if nda == 0 or ndb == 0:
        raise ValueError(f"{op}: argument '{'a' if nda == 0 else 'b'}' is 0-d; "
                         "matrix products need at least 1-d operands")
    a2 = a if nda > 1 else a.reshape(1, -1)
    b2 = b if ndb > 1 else b.reshape(-1, 1)
    cdef int nda2 = cnp.PyArray_NDIM(a2), ndb2 = cnp.PyArray_NDIM(b2)
    cdef int64_t m = cnp.PyArray_DIMS(a2)[nda2 - 2], k = cnp.PyArray_DIMS(a2)[nda2 - 1]
    cdef int64_t kb = cnp.PyArray_DIMS(b2)[ndb2 - 2], n = cnp.PyArray_DIMS(b2)[ndb2 - 1]
    if kb != k:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not align: "
                         f"'a' has {k} columns, 'b' has {kb} rows")
    cdef tuple batch_shape = ()
    if nda > 2 or ndb > 2:
        try:
            batch_shape = np.broadcast_shapes(a2.shape[:nda2 - 2], b2.shape[:ndb2 - 2])
        except ValueError:
            raise ValueError(f"{op}: batch axes of shapes {a.shape} and {b.shape} do not broadcast") from None
    cdef cnp.npy_intp dims[2]
    if out is None and beta == 0 and nda == 2 and ndb == 2:  # a matrix times a matrix: made without a shape tuple
        dims[0], dims[1] = m, n
        out = new_empty(2, dims, a)
    elif out is None:
        if beta != 0:
            raise ValueError(f"{op}: beta != 0 adds to 'out', so 'out' must be given")
        out = new_output(batch_shape + ((m,) if nda > 1 else ()) + ((n,) if ndb > 1 else ()), a.dtype)
    else:  # any strides: written through a contiguous copy when BLAS cannot write it
        result_shape = batch_shape + ((m,) if nda > 1 else ()) + ((n,) if ndb > 1 else ())
        out = matching(op, "out", out, a.dtype, result_shape)
        if not cnp.PyArray_ISWRITEABLE(out):
            raise ValueError(f"{op}: argument 'out' is read-only")
        if np.may_share_memory(out, a2):
            a2 = a2.copy()
        if np.may_share_memory(out, b2):
            b2 = b2.copy()
    c = out  # 1-d operands' axes put back as views (indexing: np.expand_dims costs more than a small product)
    if nda == 1:
        c = c[..., None, :] if ndb > 1 else c[..., None]
    if ndb == 1:
        c = c[..., None]
    cdef int64_t count = 1
    for size in batch_shape:
        count *= size
    if m == 0 or n == 0 or count == 0:
        return out
    if k == 0:  # an empty sum: the product is zero
        if beta == 0:
            c[...] = 0
        else:
            c *= beta
        return out
    if _run(a2, b2, c, alpha, beta, batch_shape, count) == FG_BLAS_TOO_LARGE:
        return NotImplemented
    return out
