"""CuPy kernels of the activations: csrc/activations.c, body for body.

fwd: x -> y.  bwd: (s, gy) -> gx, s being what the forward saved: y for
sigmoid, relu, tanh and leaky relu (slope >= 0), x for gelu, gelu_tanh, silu,
softplus and leaky relu with a negative slope.
Each function takes and returns CuPy arrays of one float dtype and shape;
`out` (optional) receives the result.
"""
from ._build import Elementwise, collect
from .math import MATH


SILU_GRAD = MATH + r"""
template <typename T> __device__ T silu_grad(T v)
{
    T s = fg_sigmoid<T>(v);
    return s * ((T)1 + v * ((T)1 - s));
}
"""


def _activation(op, fwd, bwd, preamble=MATH):
    return (Elementwise(f"fastgrad_{op}_fwd", "T x", "T y", f"T v = x; y = {fwd};", preamble),
            Elementwise(f"fastgrad_{op}_bwd", "T s, T gy", "T gx", f"T v = s; T g = gy; gx = {bwd};", preamble))


# sigmoid: saved y; y' = y (1 - y)
SIGMOID = _activation("sigmoid", "fg_sigmoid<T>(v)", "g * v * ((T)1 - v)")
# relu: saved y; NaN stays NaN; relu'(0) = 0, decided from the output
RELU = _activation("relu", "(v <= (T)0 ? (T)0 : v)", "(v > (T)0 ? g : (T)0)")
# tanh: saved y; y' = 1 - y^2
TANH = _activation("tanh", "fg_tanh<T>(v)", "g * ((T)1 - v * v)")
# gelu (exact, erf form): saved x
GELU = _activation("gelu", "fg_gelu<T>(v)", "g * fg_gelu_grad<T>(v)")
# gelu, tanh approximation: saved x
GELU_TANH = _activation("gelu_tanh", "fg_gelu_tanh<T>(v)", "g * fg_gelu_tanh_grad<T>(v)")
# silu: x sigmoid(x), saved x; derivative s (1 + x (1 - s))
SILU = _activation("silu", "v * fg_sigmoid<T>(v)", "g * silu_grad<T>(v)", SILU_GRAD)

# leaky relu: y = x for x > 0, slope * x otherwise; backward from y (slope >= 0) or x
LEAKY_RELU = (
    Elementwise("fastgrad_leaky_relu_fwd", "T x, T slope", "T y", "T v = x; y = v > (T)0 ? v : v * slope;"),
    Elementwise("fastgrad_leaky_relu_bwd", "T s, T gy, T slope", "T gx", "gx = s > (T)0 ? gy : gy * slope;"),
)

# softplus: log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch's
# linear region); the backward takes x: y alone cannot tell the linear region from the curve
SOFTPLUS = (
    Elementwise("fastgrad_softplus_fwd", "T x, T beta, T threshold", "T y",
                "T v = x; y = v * beta > threshold ? v : fg_softplus<T>(v * beta) / beta;", MATH),
    Elementwise("fastgrad_softplus_bwd", "T x, T gy, T beta, T threshold", "T gx",
                "T v = x; T g = gy; gx = v * beta > threshold ? g : g * fg_sigmoid<T>(v * beta);", MATH),
)

KERNELS = collect(globals())


def _unary(kernel):
    def run(x, out=None):
        return kernel(x) if out is None else kernel(x, out)

    return run


def _binary(kernel):
    def run(s, gy, out=None):
        return kernel(s, gy) if out is None else kernel(s, gy, out)

    return run


sigmoid_fwd, sigmoid_bwd = _unary(SIGMOID[0]), _binary(SIGMOID[1])
relu_fwd, relu_bwd = _unary(RELU[0]), _binary(RELU[1])
tanh_fwd, tanh_bwd = _unary(TANH[0]), _binary(TANH[1])
gelu_fwd, gelu_bwd = _unary(GELU[0]), _binary(GELU[1])
gelu_tanh_fwd, gelu_tanh_bwd = _unary(GELU_TANH[0]), _binary(GELU_TANH[1])
silu_fwd, silu_bwd = _unary(SILU[0]), _binary(SILU[1])


def _finite(op, arg, value):
    value = float(value)
    if value != value:
        raise ValueError(f"{op}: argument '{arg}' is NaN")
    return value


def _beta(op, beta):
    beta = _finite(op, "beta", beta)
    if beta == 0:
        raise ValueError(f"{op}: argument 'beta' must not be 0")
    return beta


def leaky_relu_fwd(x, out=None, *, negative_slope=0.01):
    negative_slope = _finite("leaky_relu", "negative_slope", negative_slope)
    args = (x, negative_slope) if out is None else (x, negative_slope, out)
    return LEAKY_RELU[0](*args)


def leaky_relu_bwd(s, gy, out=None, *, negative_slope=0.01):
    negative_slope = _finite("leaky_relu_backward", "negative_slope", negative_slope)
    args = (s, gy, negative_slope) if out is None else (s, gy, negative_slope, out)
    return LEAKY_RELU[1](*args)


def softplus_fwd(x, out=None, *, beta=1.0, threshold=20.0):
    beta = _beta("softplus", beta)
    args = (x, beta, threshold) if out is None else (x, beta, threshold, out)
    return SOFTPLUS[0](*args)


def softplus_bwd(x, gy, out=None, *, beta=1.0, threshold=20.0):
    beta = _beta("softplus_backward", beta)
    args = (x, gy, beta, threshold) if out is None else (x, gy, beta, threshold, out)
    return SOFTPLUS[1](*args)
