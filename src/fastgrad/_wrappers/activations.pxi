# Activation kernels (csrc/activations.c): x -> y forward, (saved, grad) -> gx
# backward, over arrays of one shape and dtype.  Scalar parameters are keywords.

cdef extern from "fastgrad.h":
    enum: fg_sigmoid_fwd, fg_sigmoid_bwd, fg_relu_fwd, fg_relu_bwd, fg_tanh_fwd, fg_tanh_bwd
    enum: fg_gelu_fwd, fg_gelu_bwd, fg_gelu_tanh_fwd, fg_gelu_tanh_bwd, fg_silu_fwd, fg_silu_bwd
    enum: fg_leaky_relu_fwd, fg_leaky_relu_bwd, fg_softplus_fwd, fg_softplus_bwd


cdef double nonzero_beta(str op, object beta) except? -1:
    cdef double b = not_nan(op, "beta", beta)
    if b == 0:
        raise ValueError(f"{op}: argument 'beta' must not be 0")
    return b


def sigmoid_fwd(x, out=None):
    """y = 1 / (1 + exp(-x)), stable for large |x|."""
    cdef Operands o = operands("sigmoid", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_sigmoid_fwd, o.a, o.out, o.n)
    return o.y


def sigmoid_bwd(y, gy, out=None):
    """gx = gy * y * (1 - y), from the forward's output y."""
    cdef Operands o = operands("sigmoid_backward", out, True, "y", y, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_sigmoid_bwd, o.a, o.b, o.out, o.n)
    return o.y


def relu_fwd(x, out=None):
    """y = max(x, 0); NaN stays NaN."""
    cdef Operands o = operands("relu", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_relu_fwd, o.a, o.out, o.n)
    return o.y


def relu_bwd(y, gy, out=None):
    """gx = gy where y > 0, else 0 (relu'(0) = 0)."""
    cdef Operands o = operands("relu_backward", out, True, "y", y, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_relu_bwd, o.a, o.b, o.out, o.n)
    return o.y


def tanh_fwd(x, out=None):
    """y = tanh(x)."""
    cdef Operands o = operands("tanh", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_tanh_fwd, o.a, o.out, o.n)
    return o.y


def tanh_bwd(y, gy, out=None):
    """gx = gy * (1 - y^2), from the forward's output y."""
    cdef Operands o = operands("tanh_backward", out, True, "y", y, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_tanh_bwd, o.a, o.b, o.out, o.n)
    return o.y


def gelu_fwd(x, out=None):
    """y = x * Phi(x), Phi the standard normal CDF (erf form)."""
    cdef Operands o = operands("gelu", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_gelu_fwd, o.a, o.out, o.n)
    return o.y


def gelu_bwd(x, gy, out=None):
    """gx = gy * (Phi(x) + x * phi(x)), from the forward's input x."""
    cdef Operands o = operands("gelu_backward", out, True, "x", x, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_gelu_bwd, o.a, o.b, o.out, o.n)
    return o.y


def gelu_tanh_fwd(x, out=None):
    """y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    cdef Operands o = operands("gelu", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_gelu_tanh_fwd, o.a, o.out, o.n)
    return o.y


def gelu_tanh_bwd(x, gy, out=None):
    """Gradient of gelu_tanh_fwd, from the forward's input x."""
    cdef Operands o = operands("gelu_backward", out, True, "x", x, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_gelu_tanh_bwd, o.a, o.b, o.out, o.n)
    return o.y


def silu_fwd(x, out=None):
    """y = x * sigmoid(x)."""
    cdef Operands o = operands("silu", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_silu_fwd, o.a, o.out, o.n)
    return o.y


def silu_bwd(x, gy, out=None):
    """gx = gy * s (1 + x (1 - s)), s = sigmoid(x), from the forward's input x."""
    cdef Operands o = operands("silu_backward", out, True, "x", x, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_silu_bwd, o.a, o.b, o.out, o.n)
    return o.y


def leaky_relu_fwd(x, out=None, *, negative_slope=0.01):
    """y = x where x > 0, else negative_slope * x."""
    cdef double slope = not_nan("leaky_relu", "negative_slope", negative_slope)
    cdef Operands o = operands("leaky_relu", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_leaky_relu_fwd, o.a, o.out, o.n, slope)
    return o.y


def leaky_relu_bwd(s, gy, out=None, *, negative_slope=0.01):
    """gx = gy where s > 0, else negative_slope * gy; s is y when negative_slope >= 0, else x."""
    cdef double slope = not_nan("leaky_relu_backward", "negative_slope", negative_slope)
    cdef Operands o = operands("leaky_relu_backward", out, True, "s", s, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_leaky_relu_bwd, o.a, o.b, o.out, o.n, slope)
    return o.y


def softplus_fwd(x, out=None, *, beta=1.0, threshold=20.0):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold."""
    cdef double b = nonzero_beta("softplus", beta), th = float(threshold)
    cdef Operands o = operands("softplus", out, True, "x", x)
    with nogil:
        by_dtype(o.f32, fg_softplus_fwd, o.a, o.out, o.n, b, th)
    return o.y


def softplus_bwd(x, gy, out=None, *, beta=1.0, threshold=20.0):
    """gx = gy * sigmoid(beta x), and gy where beta x > threshold; from the input x."""
    cdef double b = nonzero_beta("softplus_backward", beta), th = float(threshold)
    cdef Operands o = operands("softplus_backward", out, True, "x", x, "grad", gy)
    with nogil:
        by_dtype(o.f32, fg_softplus_bwd, o.a, o.b, o.out, o.n, b, th)
    return o.y
