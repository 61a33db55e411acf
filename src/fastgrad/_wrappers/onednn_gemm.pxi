# float32 GEMM through oneDNN's matmul (csrc/onednn_gemm.c), once onednn_load succeeded:
# out = a @ b, or out += a @ b, for 2-d float32 arrays, a transposed view passed by its strides.

cdef extern from "fastgrad.h":
    int fg_onednn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                           const float *b, int64_t ldb, int accumulate, float *c, int64_t ldc, char *message,
                           int64_t message_len) nogil


cdef object gemm_operand(str op, str arg, object a, int64_t *ld, int *trans):
    """a as a 2-d float32 matrix oneDNN reads in place (row- or column-major), else a row-major copy."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{op}: argument '{arg}' must be a numpy.ndarray, got {type(a).__name__}")
    if a.dtype != _F32:
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}; oneDNN's matmul here takes float32")
    if a.ndim != 2:
        raise ValueError(f"{op}: argument '{arg}' must be 2-d, got shape {a.shape}")
    trans[0] = matrix_layout(a, ld)
    if trans[0] < 0:
        a = np.ascontiguousarray(a)
        trans[0] = matrix_layout(a, ld)
    return a


def onednn_gemm(a, b, out=None, *, bint accumulate=False):
    """out = a @ b (or out += a @ b when accumulate) with oneDNN's float32 matmul; a (m, k) and b (k, n)
    float32 (transposed views are read in place), out (m, n) C-contiguous float32, made when None."""
    op = "onednn_gemm"
    cdef int64_t lda = 0, ldb = 0
    cdef int ta = 0, tb = 0
    a = gemm_operand(op, "a", a, &lda, &ta)
    b = gemm_operand(op, "b", b, &ldb, &tb)
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not align: 'a' has {a.shape[1]} columns, "
                         f"'b' has {b.shape[0]} rows")
    cdef int64_t m = a.shape[0], n = b.shape[1], k = a.shape[1]
    if accumulate and out is None:
        raise ValueError(f"{op}: accumulate=True adds to 'out', so 'out' must be given")
    out = result_for(op, out, _F32, (m, n))
    for arg, operand in (("a", a), ("b", b)):
        if np.may_share_memory(out, operand):
            raise ValueError(f"{op}: argument 'out' overlaps argument '{arg}', which the product reads")
    cdef address pa = data_of(a), pb = data_of(b), pc = data_of(out)
    cdef int status
    cdef char message[512]
    message[0] = 0
    with nogil:
        status = fg_onednn_gemm_f32(ta, tb, m, n, k, <const float *>pa, lda, <const float *>pb, ldb, accumulate,
                                    <float *>pc, n if n > 0 else 1, message, sizeof(message))
    if status == FG_ONEDNN_NOT_LOADED:
        raise RuntimeError(f"{op}: oneDNN is not loaded (see fastgrad.backend.onednn_gemm)")
    if status != FG_ONEDNN_OK:
        raise RuntimeError(f"{op}: {message.decode(errors='replace')}")
    return out
