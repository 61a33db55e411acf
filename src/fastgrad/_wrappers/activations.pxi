# Activation kernels (csrc/activations.c): x -> y forward, (saved, grad) -> gx
# backward, over arrays of one shape and dtype.  Every activation has the same
# two C signatures, its scalar parameters in an fg_act_params, so one class
# runs them all: each activation is one line of the table below and two defs.

cdef extern from "fastgrad.h":
    ctypedef struct fg_act_params:
        double slope, beta, threshold
    enum: fg_sigmoid, fg_relu, fg_tanh, fg_gelu, fg_gelu_tanh, fg_silu, fg_leaky_relu, fg_softplus

cdef extern from *:
    """
    typedef struct {
        fg_act_forward_f32 *fwd_f32; fg_act_forward_f64 *fwd_f64;
        fg_act_backward_f32 *bwd_f32; fg_act_backward_f64 *bwd_f64;
    } fg_act_kernels;
    #define FG_ACT_KERNELS(op) ((fg_act_kernels){op##_fwd_f32, op##_fwd_f64, op##_bwd_f32, op##_bwd_f64})
    """
    ctypedef struct act_kernels "fg_act_kernels":
        void fwd_f32(address x, address y, int64_t n, const fg_act_params *p) nogil
        void fwd_f64(address x, address y, int64_t n, const fg_act_params *p) nogil
        void bwd_f32(address s, address gy, address gx, int64_t n, const fg_act_params *p) nogil
        void bwd_f64(address s, address gy, address gx, int64_t n, const fg_act_params *p) nogil
    act_kernels kernels_of "FG_ACT_KERNELS"(int op) nogil


@cython.final
cdef class Activation:
    """One activation's pair of kernels and the names its errors give."""
    cdef act_kernels k
    cdef str op, op_backward, saved

    cdef inline object forward(self, x, out, const fg_act_params *p):
        cdef Operands o = operands(self.op, out, True, "x", x)
        with nogil:
            if o.f32:
                self.k.fwd_f32(o.a, o.out, o.n, p)
            else:
                self.k.fwd_f64(o.a, o.out, o.n, p)
        return o.y

    cdef inline object backward(self, s, gy, out, const fg_act_params *p):
        cdef Operands o = operands(self.op_backward, out, True, self.saved, s, "grad", gy)
        with nogil:
            if o.f32:
                self.k.bwd_f32(o.a, o.b, o.out, o.n, p)
            else:
                self.k.bwd_f64(o.a, o.b, o.out, o.n, p)
        return o.y


cdef fg_act_params NO_PARAMS   # for the activations without parameters


cdef Activation activation(str op, act_kernels k, str saved):
    """An activation whose errors name `op`, its backward reading the forward's `saved` (y or x)."""
    cdef Activation a = Activation.__new__(Activation)
    a.k, a.op, a.op_backward, a.saved = k, op, op + "_backward", saved
    return a


cdef Activation SIGMOID = activation("sigmoid", kernels_of(fg_sigmoid), "y")
cdef Activation RELU = activation("relu", kernels_of(fg_relu), "y")
cdef Activation TANH = activation("tanh", kernels_of(fg_tanh), "y")
cdef Activation GELU = activation("gelu", kernels_of(fg_gelu), "x")
cdef Activation GELU_TANH = activation("gelu", kernels_of(fg_gelu_tanh), "x")
cdef Activation SILU = activation("silu", kernels_of(fg_silu), "x")
cdef Activation LEAKY_RELU = activation("leaky_relu", kernels_of(fg_leaky_relu), "s")
cdef Activation SOFTPLUS = activation("softplus", kernels_of(fg_softplus), "x")


def sigmoid_fwd(x, out=None):
    """y = 1 / (1 + exp(-x)), stable for large |x|."""
    return SIGMOID.forward(x, out, &NO_PARAMS)


def sigmoid_bwd(y, gy, out=None):
    """gx = gy * y * (1 - y), from the forward's output y."""
    return SIGMOID.backward(y, gy, out, &NO_PARAMS)


def relu_fwd(x, out=None):
    """y = max(x, 0); NaN stays NaN."""
    return RELU.forward(x, out, &NO_PARAMS)


def relu_bwd(y, gy, out=None):
    """gx = gy where y > 0, else 0 (relu'(0) = 0)."""
    return RELU.backward(y, gy, out, &NO_PARAMS)


def tanh_fwd(x, out=None):
    """y = tanh(x)."""
    return TANH.forward(x, out, &NO_PARAMS)


def tanh_bwd(y, gy, out=None):
    """gx = gy * (1 - y^2), from the forward's output y."""
    return TANH.backward(y, gy, out, &NO_PARAMS)


def gelu_fwd(x, out=None):
    """y = x * Phi(x), Phi the standard normal CDF (erf form)."""
    return GELU.forward(x, out, &NO_PARAMS)


def gelu_bwd(x, gy, out=None):
    """gx = gy * (Phi(x) + x * phi(x)), from the forward's input x."""
    return GELU.backward(x, gy, out, &NO_PARAMS)


def gelu_tanh_fwd(x, out=None):
    """y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    return GELU_TANH.forward(x, out, &NO_PARAMS)


def gelu_tanh_bwd(x, gy, out=None):
    """Gradient of gelu_tanh_fwd, from the forward's input x."""
    return GELU_TANH.backward(x, gy, out, &NO_PARAMS)


def silu_fwd(x, out=None):
    """y = x * sigmoid(x)."""
    return SILU.forward(x, out, &NO_PARAMS)


def silu_bwd(x, gy, out=None):
    """gx = gy * s (1 + x (1 - s)), s = sigmoid(x), from the forward's input x."""
    return SILU.backward(x, gy, out, &NO_PARAMS)


def leaky_relu_fwd(x, out=None, *, negative_slope=0.01):
    """y = x where x > 0, else negative_slope * x."""
    cdef fg_act_params p = NO_PARAMS
    p.slope = not_nan("leaky_relu", "negative_slope", negative_slope)
    return LEAKY_RELU.forward(x, out, &p)


def leaky_relu_bwd(s, gy, out=None, *, negative_slope=0.01):
    """gx = gy where s > 0, else negative_slope * gy; s is y when negative_slope >= 0, else x."""
    cdef fg_act_params p = NO_PARAMS
    p.slope = not_nan("leaky_relu_backward", "negative_slope", negative_slope)
    return LEAKY_RELU.backward(s, gy, out, &p)


cdef fg_act_params softplus_params(str op, object beta, object threshold) except *:
    cdef fg_act_params p = NO_PARAMS
    p.beta = not_nan(op, "beta", beta)
    if p.beta == 0:
        raise ValueError(f"{op}: argument 'beta' must not be 0")
    p.threshold = float(threshold)
    return p


def softplus_fwd(x, out=None, *, beta=1.0, threshold=20.0):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold."""
    cdef fg_act_params p = softplus_params("softplus", beta, threshold)
    return SOFTPLUS.forward(x, out, &p)


def softplus_bwd(x, gy, out=None, *, beta=1.0, threshold=20.0):
    """gx = gy * sigmoid(beta x), and gy where beta x > threshold; from the input x."""
    cdef fg_act_params p = softplus_params("softplus_backward", beta, threshold)
    return SOFTPLUS.backward(x, gy, out, &p)
