# Mixed precision (csrc/bf16.c, csrc/onednn.c): bfloat16 conversions, and the
# bfloat16 GEMM of oneDNN loaded at run time.  bfloat16 arrays are uint16
# arrays holding the 16 bits.

from libc.stdint cimport uint16_t

cdef extern from "fastgrad.h":
    enum:
        FG_ONEDNN_OK
        FG_ONEDNN_NOT_LOADED
        FG_ONEDNN_FAILED
    void fg_bf16_from_f32(const float *x, uint16_t *y, int64_t n) nogil
    void fg_bf16_round_f32(const float *x, float *y, int64_t n) nogil
    int fg_onednn_load(const char *path, char *message, int64_t message_len) nogil
    int fg_onednn_loaded() nogil
    void fg_onednn_version(int *major, int *minor, int *patch) nogil
    int fg_onednn_cpu_isa() nogil
    int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                        const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                        float *c, int64_t ldc, char *impl, int64_t impl_len,
                        char *message, int64_t message_len) nogil

cdef object _U16 = np.dtype(np.uint16)


cdef object _float32_input(str op, object x):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{op}: argument 'x' must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype != _F32:
        raise TypeError(f"{op}: argument 'x' has dtype {x.dtype}; it takes float32")
    return kernel_ready(x)


def bf16_bits(x):
    """float32 array -> uint16 array of the same shape: the bfloat16 bits of each
    value, rounded to nearest (ties to even); NaN stays NaN."""
    x = _float32_input("bf16_bits", x)
    y = np.empty(x.shape, dtype=np.uint16)
    cdef const float *px = <const float *>cnp.PyArray_DATA(x)
    cdef uint16_t *py = <uint16_t *>cnp.PyArray_DATA(y)
    cdef int64_t n = x.size
    with nogil:
        fg_bf16_from_f32(px, py, n)
    return y


def bf16_round(x):
    """float32 array -> float32 array of the same shape: each value rounded to
    the nearest bfloat16 (ties to even), as a bfloat16 GEMM reads it."""
    x = _float32_input("bf16_round", x)
    y = np.empty(x.shape, dtype=np.float32)
    cdef const float *px = <const float *>cnp.PyArray_DATA(x)
    cdef float *py = <float *>cnp.PyArray_DATA(y)
    cdef int64_t n = x.size
    with nogil:
        fg_bf16_round_f32(px, py, n)
    return y


def onednn_load(str path):
    """Load oneDNN's library at `path` (once); raise OSError saying why it failed."""
    cdef char message[1024]
    message[0] = 0
    encoded = path.encode()
    cdef const char *cpath = encoded
    cdef int status
    with nogil:
        status = fg_onednn_load(cpath, message, sizeof(message))
    if status != FG_ONEDNN_OK:
        raise OSError(f"cannot use {path} as oneDNN: {message.decode(errors='replace')}")


def onednn_info():
    """None when oneDNN is not loaded, else a dict: version and the CPU ISA code it uses."""
    if not fg_onednn_loaded():
        return None
    cdef int major, minor, patch
    fg_onednn_version(&major, &minor, &patch)
    return {"version": f"{major}.{minor}.{patch}", "cpu_isa": fg_onednn_cpu_isa()}


cdef int _bf16_layout(str arg, object x, int64_t *ld) except -1:
    """0 for a C-contiguous matrix, 1 for a Fortran-contiguous one (a transposed
    view); sets the leading dimension.  Anything else is refused."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"gemm_bf16: argument '{arg}' must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype != _U16:
        raise TypeError(f"gemm_bf16: argument '{arg}' has dtype {x.dtype}; it takes the bfloat16 bits as uint16")
    if cnp.PyArray_NDIM(x) != 2:
        raise ValueError(f"gemm_bf16: argument '{arg}' must be 2-d, got shape {x.shape}")
    if not cnp.PyArray_ISALIGNED(x):
        raise ValueError(f"gemm_bf16: argument '{arg}' is not aligned")
    cdef int64_t rows = x.shape[0], cols = x.shape[1]
    if cnp.PyArray_IS_C_CONTIGUOUS(x):
        ld[0] = cols if cols > 1 else 1
        return 0
    if cnp.PyArray_IS_F_CONTIGUOUS(x):
        ld[0] = rows if rows > 1 else 1
        return 1
    raise ValueError(f"gemm_bf16: argument '{arg}' must be C- or Fortran-contiguous")


def gemm_bf16(a, b, out=None):
    """out = a @ b for 2-d bfloat16 matrices (uint16 bits), float32 accumulation and
    result, through oneDNN's matmul.  a and b may be C- or Fortran-contiguous
    (a transposed view is not copied); out, when given, is a C-contiguous
    float32 array of shape (m, n).  Returns (out, name of oneDNN's implementation)."""
    if not fg_onednn_loaded():
        raise RuntimeError("gemm_bf16: oneDNN is not loaded (see fastgrad.amp.onednn_status)")
    cdef int64_t lda = 0, ldb = 0, ldc
    cdef int ta = _bf16_layout("a", a, &lda)
    cdef int tb = _bf16_layout("b", b, &ldb)
    cdef int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1]
    if b.shape[0] != k:
        raise ValueError(f"gemm_bf16: shapes {a.shape} and {b.shape} do not align: "
                         f"'a' has {k} columns, 'b' has {b.shape[0]} rows")
    if out is None:
        out = np.empty((m, n), dtype=np.float32)
    else:
        if not isinstance(out, np.ndarray) or out.dtype != _F32:
            raise TypeError("gemm_bf16: argument 'out' must be a float32 numpy.ndarray")
        if out.shape != (m, n):
            raise ValueError(f"gemm_bf16: argument 'out' has shape {out.shape}, expected {(m, n)}")
        if not cnp.PyArray_IS_C_CONTIGUOUS(out) or not cnp.PyArray_ISALIGNED(out) or not out.flags.writeable:
            raise ValueError("gemm_bf16: argument 'out' must be C-contiguous, aligned and writeable")
    if m == 0 or n == 0:
        return out, ""
    if k == 0:
        out[...] = 0
        return out, ""
    ldc = n
    cdef const uint16_t *pa = <const uint16_t *>cnp.PyArray_DATA(a)
    cdef const uint16_t *pb = <const uint16_t *>cnp.PyArray_DATA(b)
    cdef float *pc = <float *>cnp.PyArray_DATA(out)
    cdef char impl[128]
    cdef char message[512]
    impl[0] = 0
    message[0] = 0
    cdef int status
    with nogil:
        status = fg_gemm_bf16f32(ta, tb, m, n, k, pa, lda, pb, ldb, pc, ldc, impl, sizeof(impl),
                                 message, sizeof(message))
    if status != FG_ONEDNN_OK:
        raise RuntimeError(f"gemm_bf16: {message.decode(errors='replace')}")
    return out, impl.decode(errors="replace")
