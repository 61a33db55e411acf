# Mixed precision (csrc/bf16.c, csrc/onednn.c): bfloat16 conversions, and the
# bfloat16 GEMM of oneDNN loaded at run time.  bfloat16 arrays are uint16
# arrays holding the 16 bits.  These kernels exist for float32 only.

cdef extern from "fastgrad.h":
    enum:
        FG_ONEDNN_OK
    void fg_bf16_from_f32(address x, address y, int64_t n) nogil
    void fg_bf16_round_f32(address x, address y, int64_t n) nogil
    void fg_bias_act_bf16_f32(address bias, address z, address y, address y16, int64_t rows, int64_t cols,
                              int act) nogil
    int fg_onednn_load(const char *path, char *message, int64_t message_len) nogil
    int fg_onednn_loaded() nogil
    void fg_onednn_version(int *major, int *minor, int *patch) nogil
    int fg_onednn_cpu_isa() nogil
    int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, address a, int64_t lda,
                        address b, int64_t ldb, address c, int64_t ldc, char *impl, int64_t impl_len,
                        char *message, int64_t message_len) nogil

cdef object _U16 = np.dtype(np.uint16)


cdef object float32_input(str op, str arg, object x):
    x = float_input(op, arg, x)
    if not is_f32(x):
        raise TypeError(f"{op}: argument '{arg}' has dtype {x.dtype}; it takes float32")
    return x


def bf16_bits(x):
    """float32 array -> uint16 array of its bfloat16 bits, rounded to nearest (ties to even); NaN stays NaN."""
    x = float32_input("bf16_bits", "x", x)
    y = new_output(x.shape, _U16)
    cdef address px = data_of(x), py = data_of(y)
    cdef int64_t n = x.size
    with nogil:
        fg_bf16_from_f32(px, py, n)
    return y


def bf16_round(x):
    """float32 array -> float32 array: each value rounded to the nearest bfloat16 (ties to even)."""
    x = float32_input("bf16_round", "x", x)
    y = new_output(x.shape, _F32)
    cdef address px = data_of(x), py = data_of(y)
    cdef int64_t n = x.size
    with nogil:
        fg_bf16_round_f32(px, py, n)
    return y


def bias_act_fwd_bf16(z, *, bias=None, activation="none", inplace=False):
    """(y, saved, y_bits): bias_act_fwd of float32 z, and y's bfloat16 bits (uint16, y's shape), each
    block of rows converted while it is still in cache."""
    op = "linear"
    cdef int act = activation_code(op, activation)
    z = matrix_array(op, "z", z)
    if not is_f32(z):
        raise TypeError(f"{op}: argument 'z' has dtype {z.dtype}; the bfloat16 epilogue takes float32")
    z, bias, y = epilogue_buffers(op, act, z, bias, inplace)
    bits = new_output(z.shape, _U16)
    cdef int64_t r = z.shape[0], c = z.shape[1]
    cdef address pb = data_of(bias), pz = data_of(z), py = data_of(y), pbits = data_of(bits)
    with nogil:
        fg_bias_act_bf16_f32(pb, pz, py, pbits, r, c, act)
    return y, z, bits


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


cdef int bf16_matrix(str arg, object x, int64_t *ld) except -1:
    """The layout of a 2-d bfloat16 matrix as matrix_layout gives it; a copy-needing one is refused."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"gemm_bf16: argument '{arg}' must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype != _U16:
        raise TypeError(f"gemm_bf16: argument '{arg}' has dtype {x.dtype}; it takes the bfloat16 bits as uint16")
    if cnp.PyArray_NDIM(x) != 2:
        raise ValueError(f"gemm_bf16: argument '{arg}' must be 2-d, got shape {x.shape}")
    if cnp.PyArray_SIZE(x) == 0:  # nothing is read (an empty array's strides may be anything)
        ld[0] = max(x.shape[1], 1)
        return 0
    cdef int layout = matrix_layout(x, ld)
    if layout == -1:
        raise ValueError(f"gemm_bf16: argument '{arg}' must be aligned and C- or Fortran-contiguous "
                         "(a matrix or a transposed view)")
    return layout


def gemm_bf16(a, b, out=None):
    """(out, oneDNN's implementation name): out = a @ b for 2-d bfloat16 (uint16 bits) a (m, k) and b (k, n),
    float32 accumulation and result; a transposed view is read in place; out is C-contiguous float32."""
    op = "gemm_bf16"
    if not fg_onednn_loaded():
        raise RuntimeError(f"{op}: oneDNN is not loaded (see fastgrad.amp.onednn_status)")
    cdef int64_t lda = 0, ldb = 0
    cdef int ta = bf16_matrix("a", a, &lda), tb = bf16_matrix("b", b, &ldb)
    cdef int64_t m = a.shape[0], k = a.shape[1], n = b.shape[1]
    if b.shape[0] != k:
        raise ValueError(f"{op}: shapes {a.shape} and {b.shape} do not align: "
                         f"'a' has {k} columns, 'b' has {b.shape[0]} rows")
    out = result_for(op, out, _F32, (m, n))
    if m == 0 or n == 0 or k == 0:
        out[...] = 0
        return out, ""
    cdef address pa = data_of(a), pb = data_of(b), pc = data_of(out)
    cdef char impl[128]
    cdef char message[512]
    impl[0] = message[0] = 0
    cdef int status
    with nogil:
        status = fg_gemm_bf16f32(ta, tb, m, n, k, pa, lda, pb, ldb, pc, n, impl, sizeof(impl),
                                 message, sizeof(message))
    if status != FG_ONEDNN_OK:
        raise RuntimeError(f"{op}: {message.decode(errors='replace')}")
    return out, impl.decode(errors="replace")
