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


cdef tuple epilogue_buffers(str op, int act, object z, object bias, bint inplace):
    """(z, bias, y) ready for a forward epilogue: z (2-d, checked) copied unless inplace, y z itself or,
    for the gelus, a new array."""
    if bias is not None:
        bias = kernel_ready(matching(op, "bias", bias, z.dtype, (z.shape[1],)))
    z = kernel_ready(z)
    if not inplace:
        z = z.copy()
    elif not z.flags.writeable:
        raise ValueError(f"{op}: argument 'z' must be writeable for inplace=True")
    keeps_z = act == FG_ACT_GELU or act == FG_ACT_GELU_TANH
    return z, bias, (new_output(z.shape, z.dtype) if keeps_z else z)


def bias_act_fwd(z, *, bias=None, activation="none", inplace=False):
    """(y, saved): y = act(z + bias) over the rows of z (rows, out); saved, what bias_act_bwd takes, is y
    or, for the gelus, z + bias.  inplace=True writes z + bias into z (and y is z except for the gelus)."""
    op = "linear"
    cdef int act = activation_code(op, activation)
    z, bias, y = epilogue_buffers(op, act, matrix_array(op, "z", z), bias, inplace)
    cdef int64_t r = z.shape[0], c = z.shape[1]
    cdef address pb = data_of(bias), pz = data_of(z), py = data_of(y)
    cdef bint f32 = is_f32(z)
    with nogil:
        by_dtype(f32, fg_bias_act_fwd, pb, pz, py, r, c, act)
    return y, z


def bias_act_bwd(s, gy, *, bias_grad=False, activation="none"):
    """(gz, gbias or None): gz = gy * act'(s) (gy itself for 'none') and, with bias_grad, gz summed
    over rows, in one pass; s is bias_act_fwd's `saved`."""
    op = "linear_backward"
    cdef int act = activation_code(op, activation)
    s = matrix_array(op, "saved", s)
    gy = kernel_ready(matching(op, "grad", gy, s.dtype, s.shape))
    s = kernel_ready(s)
    gz = gy if act == FG_ACT_NONE else new_output(s.shape, s.dtype)
    gbias = new_output((s.shape[1],), s.dtype) if bias_grad else None
    if act == FG_ACT_NONE and gbias is None:
        return gz, None
    cdef int64_t r = s.shape[0], c = s.shape[1]
    cdef address ps = data_of(s), pg = data_of(gy), pz = NULL if act == FG_ACT_NONE else data_of(gz)
    cdef address pb = data_of(gbias)
    cdef bint f32 = is_f32(s)
    with nogil:
        by_dtype(f32, fg_bias_act_bwd, ps, pg, pz, pb, r, c, act)
    return gz, gbias
