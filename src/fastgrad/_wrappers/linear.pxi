# Epilogues of the linear layer (csrc/linear.c): bias add + activation after the
# forward GEMM, and activation gradient + bias-gradient column sum before the
# backward GEMMs.  The GEMMs themselves go through fastgrad.backend.gemm.

cdef extern from "fastgrad.h":
    enum:
        FG_ACT_NONE
        FG_ACT_RELU
        FG_ACT_SIGMOID
        FG_ACT_TANH
        FG_ACT_GELU
        FG_ACT_GELU_TANH
    enum: fg_bias_act_fwd, fg_bias_act_bwd

_ACTIVATION_CODES = {"none": FG_ACT_NONE, "relu": FG_ACT_RELU, "sigmoid": FG_ACT_SIGMOID, "tanh": FG_ACT_TANH,
                     "gelu": FG_ACT_GELU, "gelu_tanh": FG_ACT_GELU_TANH}


cdef int activation_code(str op, object activation) except -1:
    code = _ACTIVATION_CODES.get(activation)
    if code is None:
        raise ValueError(f"{op}: unknown activation {activation!r}; expected one of "
                         f"{', '.join(repr(k) for k in _ACTIVATION_CODES)}")
    return code


cdef object matrix_array(str op, str arg, object a):
    a = float_array(op, arg, a)
    if a.ndim != 2:
        raise ValueError(f"{op}: argument '{arg}' must be 2-d (rows, features), got shape {a.shape}")
    return a


def bias_act_fwd(z, *, bias=None, activation="none", inplace=False):
    """y = act(z + bias) over the rows of z (rows, out); returns (y, saved).

    `saved` is what bias_act_bwd takes: y itself, or z + bias for the gelus
    (whose derivative needs the pre-activation).  With inplace=True, z (the
    GEMM's own output) is overwritten with z + bias and, except for the
    gelus, y is z."""
    op = "linear"
    cdef int act = activation_code(op, activation)
    z = matrix_array(op, "z", z)
    if bias is not None:
        bias = float_array(op, "bias", bias)
        if bias.dtype != z.dtype:
            raise TypeError(f"{op}: argument 'bias' has dtype {bias.dtype}, expected {z.dtype}")
        if bias.shape != (z.shape[1],):
            raise ValueError(f"{op}: argument 'bias' has shape {bias.shape}, expected ({z.shape[1]},)")
        bias = kernel_ready(bias)
    z = kernel_ready(z)
    if not inplace:
        z = z.copy()
    elif not z.flags.writeable:
        raise ValueError(f"{op}: argument 'z' must be writeable for inplace=True")
    keeps_z = act == FG_ACT_GELU or act == FG_ACT_GELU_TANH
    y = new_output(z.shape, z.dtype) if keeps_z else z
    cdef int64_t r = z.shape[0], c = z.shape[1]
    cdef address pb = data_of(bias), pz = data_of(z), py = data_of(y)
    cdef bint f32 = is_f32(z)
    with nogil:
        by_dtype(f32, fg_bias_act_fwd, pb, pz, py, r, c, act)
    return y, (z if keeps_z else y)


def bias_act_bwd(s, gy, *, bias_grad=False, activation="none"):
    """gz = gy * act'(s) and, with bias_grad=True, gbias = gz summed over rows,
    in one pass; returns (gz, gbias or None).  s is bias_act_fwd's `saved`.
    For activation 'none', gz is gy itself."""
    op = "linear_backward"
    cdef int act = activation_code(op, activation)
    s = matrix_array(op, "saved", s)
    gy = kernel_ready(same_array(op, "grad", gy, s))
    s = kernel_ready(s)
    rows, cols = s.shape
    gz = gy if act == FG_ACT_NONE else new_output(s.shape, s.dtype)
    gbias = np.empty(cols, dtype=s.dtype) if bias_grad else None
    if act == FG_ACT_NONE and gbias is None:
        return gz, None
    cdef int64_t r = rows, c = cols
    cdef address ps = data_of(s), pg = data_of(gy), pz = NULL if act == FG_ACT_NONE else data_of(gz)
    cdef address pb = data_of(gbias)
    cdef bint f32 = is_f32(s)
    with nogil:
        by_dtype(f32, fg_bias_act_bwd, ps, pg, pz, pb, r, c, act)
    return gz, gbias
