"""A corpus of ordinary NumPy functions, written once with `np.`.

The loader (tests/numpy/test_corpus.py) runs this file with `np` bound to
numpy itself (the functions then receive fastgrad Tensors and go through
Tensor.__array_ufunc__ / __array_function__), to fastgrad.numpy, and to
HIPS autograd's numpy, and compares the gradients with each other and with
central differences.

Each function is registered with the shapes of its arguments and, where the
function needs it, the interval its inputs are drawn from.
"""
try:
    np  # noqa: B018  (bound by the loader)
except NameError:
    import numpy as np

CASES = {}


def case(*shapes, low=None, high=None):
    def register(fn):
        CASES[fn.__name__] = (fn, shapes, (low, high))
        return fn
    return register


# ---- elementwise and arithmetic ---------------------------------------------

@case((5,))
def sum_of_squares(x):
    return np.sum(x ** 2)


@case((4,), (4,))
def weighted_sum(x, w):
    return np.sum(x * w) / np.sum(w * w + 1.0)


@case((6,))
def sigmoid_mean(x):
    return np.mean(1.0 / (1.0 + np.exp(-x)))


@case((6,))
def softplus(x):
    return np.sum(np.log1p(np.exp(x)))


@case((6,))
def softplus_stable(x):
    return np.sum(np.logaddexp(0.0, x))


@case((5,), low=0.5, high=2.0)
def logs(x):
    return np.sum(np.log(x) + np.log2(x) * np.log10(x))


@case((5,))
def exps(x):
    return np.sum(np.exp2(x) - np.expm1(x / 2))


@case((5,), low=0.5, high=2.0)
def roots(x):
    return np.sum(np.sqrt(x) * np.cbrt(x) + np.reciprocal(x))


@case((5,), low=-1.0, high=1.0)
def trig(x):
    return np.sum(np.sin(x) * np.cos(2 * x) + np.tan(x / 2))


@case((5,), low=-0.9, high=0.9)
def inverse_trig(x):
    return np.sum(np.arcsin(x) + np.arccos(x) * np.arctan(x))


@case((5,))
def hyperbolic(x):
    return np.sum(np.sinh(x / 2) * np.cosh(x / 3) + np.tanh(x))


@case((5,), low=1.5, high=3.0)
def inverse_hyperbolic(x):
    return np.sum(np.arcsinh(x) + np.arccosh(x) + np.arctanh(1.0 / x))


@case((4,), (4,))
def polar(x, y):
    return np.sum(np.arctan2(y, x) * np.hypot(x, y))


@case((3, 4), (4,))
def broadcast_arithmetic(a, b):
    return np.sum((a - b) / (1.0 + b ** 2) + np.negative(a) * 0.5)


@case((5,), low=0.5, high=2.0)
def powers(x):
    return np.sum(np.power(x, 2.5) + np.float_power(x, 1.5) + 2.0 ** x + np.square(x))


@case((5,))
def abs_and_max(x):
    return np.sum(np.abs(x) + np.maximum(x, 0.1) - np.minimum(x, -0.2))


@case((5,), (5,))
def fmax_fmin(x, y):
    return np.sum(np.fmax(x, y) * 2 + np.fmin(x, y))


@case((6,))
def clip_values(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2)


@case((6,))
def where_relu(x):
    return np.sum(np.where(x > 0, x, 0.01 * x))


@case((5,))
def logaddexp2_sum(x):
    return np.sum(np.logaddexp2(x, x[::-1]))


# ---- reductions and statistics ----------------------------------------------

@case((3, 4))
def mean_over_rows(x):
    return np.sum(np.mean(x, axis=0) ** 2)


@case((3, 4))
def variance(x):
    return np.var(x) + np.sum(np.var(x, axis=1))


@case((3, 4))
def standard_deviation(x):
    return np.sum(np.std(x, axis=0))


@case((3, 4))
def standardize(x):
    z = (x - np.mean(x, axis=0, keepdims=True)) / np.std(x, axis=0, keepdims=True)
    return np.sum(z[0] * np.arange(4.0))


@case((5,), low=0.5, high=1.5)
def product(x):
    return np.prod(x)


@case((3, 4), low=0.5, high=1.5)
def product_axis(x):
    return np.sum(np.prod(x, axis=1))


@case((3, 5))
def max_min(x):
    return np.sum(np.max(x, axis=1)) - np.min(x)


@case((3, 5))
def amax_amin(x):
    return np.sum(np.amax(x, axis=0) * np.amin(x, axis=0))


@case((6,))
def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@case((3, 5))
def softmax_cross_entropy(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(3), np.array([0, 2, 4])])


@case((3, 5))
def robust_center(x):
    return np.sum((x - np.median(x, axis=1, keepdims=True)) ** 2) + np.percentile(x, 90)


@case((6,))
def cumulative_sum(x):
    return np.sum(np.cumsum(x) ** 2)


@case((5,), low=0.5, high=1.5)
def cumulative_product(x):
    return np.sum(np.cumprod(x))


@case((4,), (4,))
def weighted_average(x, w):
    return np.average(x, weights=w ** 2 + 0.5)


@case((6,))
def norm_2(x):
    return np.linalg.norm(x)


@case((3, 4))
def norms_by_row(x):
    return np.sum(np.linalg.norm(x, axis=1)) + np.linalg.norm(x, ord=1, axis=0)[0]


@case((3, 3))
def frobenius(x):
    return np.linalg.norm(x, "fro") + np.linalg.norm(x, np.inf)


# ---- products and contractions ----------------------------------------------

@case((3, 4), (4,))
def matrix_vector(a, x):
    return np.sum(np.tanh(a @ x))


@case((3, 4), (4, 2))
def matmul_function(a, b):
    return np.sum(np.matmul(a, b) ** 2)


@case((4,), (4,))
def dot_vectors(x, y):
    return np.dot(x, y) + np.vdot(x, x) + np.inner(y, y)


@case((3,), (4,))
def outer_product(x, y):
    return np.sum(np.outer(x, y) ** 2)


@case((2, 3, 4), (4, 3))
def tensordot_axes(a, b):
    return np.sum(np.tensordot(a, b, axes=([1, 2], [1, 0])) ** 2)


@case((3, 4), (4, 5))
def einsum_matmul(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2)


@case((4, 4))
def einsum_trace(a):
    return np.einsum("ii->", a) + np.sum(np.einsum("ij,ij->i", a, a))


@case((4, 4))
def trace_and_diagonal(a):
    return np.trace(a) * np.sum(np.diagonal(a, 1)) + np.sum(np.diag(a) ** 2)


@case((3,), (3,))
def cross_product(x, y):
    return np.sum(np.cross(x, y) ** 2)


@case((2, 2), (2, 3))
def kronecker(a, b):
    return np.sum(np.kron(a, b) ** 2)


# ---- shapes, joins and rearrangements ---------------------------------------

@case((3, 4))
def reshape_transpose(x):
    return np.sum(np.transpose(np.reshape(x, (2, 6))) * np.arange(12.0).reshape(6, 2))


@case((3, 4))
def ravel_and_roll(x):
    return np.sum(np.roll(np.ravel(x), 3) * np.arange(12.0))


@case((3, 4), (3, 4))
def concatenate_and_stack(x, y):
    return np.sum(np.concatenate([x, y * 2], axis=1) ** 2) + np.sum(np.stack([x, y])[1] * x)


@case((4,), (4,))
def hstack_vstack(x, y):
    return np.sum(np.vstack([x, y]) @ np.hstack([x, y])[:4])


@case((6, 2))
def split_halves(x):
    a, b = np.split(x, 2)
    return np.sum(a * b)


@case((2, 3))
def swap_and_move(x):
    return np.sum(np.swapaxes(x, 0, 1) @ np.moveaxis(x[None], 0, 2)[:, :, 0])


@case((3, 4))
def expand_and_squeeze(x):
    return np.sum(np.squeeze(np.expand_dims(x, 0)) * np.broadcast_to(x[0], (3, 4)))


@case((3, 4))
def flip_rows(x):
    return np.sum(np.flip(x, axis=0) * x)


@case((3, 3))
def rotate(x):
    return np.sum(np.rot90(x) * x)


@case((3, 4))
def pad_constant(x):
    return np.sum(np.pad(x, ((1, 1), (0, 2)), constant_values=1.0) ** 2)


@case((5,))
def pad_reflect(x):
    return np.sum(np.pad(x, 2, mode="reflect") * np.arange(9.0))


@case((3,))
def repeat_and_tile(x):
    return np.sum(np.repeat(x, 2) * np.tile(x, 2))


@case((6,))
def take_indices(x):
    return np.sum(np.take(x, [0, 3, 3, 5]) ** 2)


@case((3, 4))
def take_along(x):
    order = np.argsort(x, axis=1)
    return np.sum(np.take_along_axis(x, order, axis=1) * np.arange(4.0))


@case((7,))
def sorted_weights(x):
    return np.sum(np.sort(x) * np.arange(7.0))


@case((6,))
def differences(x):
    return np.sum(np.diff(x) ** 2) + np.sum(np.diff(x, n=2))


@case((4, 4))
def triangles(x):
    return np.sum(np.tril(x) ** 2) - np.sum(np.triu(x, 1))


@case((6,))
def indexing_and_slicing(x):
    return x[0] * x[-1] + np.sum(x[1:4] ** 2) + np.sum(x[np.array([0, 0, 2])])


@case((5,))
def matrix_from_entries(x):
    m = np.stack([np.stack([x[0], x[1]]), np.stack([x[2], x[3] * x[4]])])
    return np.sum(m @ m)


# ---- linear algebra ---------------------------------------------------------

@case((3, 3))
def inverse(a):
    return np.sum(np.linalg.inv(a + 3 * np.eye(3)))


@case((3, 3))
def determinant(a):
    return np.linalg.det(a + 3 * np.eye(3))


@case((3, 3))
def log_determinant(a):
    sign, logdet = np.linalg.slogdet(a + 3 * np.eye(3))
    return logdet


@case((3, 3), (3,))
def linear_solve(a, b):
    return np.sum(np.linalg.solve(a + 3 * np.eye(3), b) ** 2)


@case((3, 3))
def cholesky_factor(a):
    spd = a @ a.T + 3 * np.eye(3)
    return np.sum(np.linalg.cholesky(spd))


@case((3, 3))
def matrix_power(a):
    return np.sum(np.linalg.matrix_power(a / 2, 3))


# ---- small models -----------------------------------------------------------

@case((4, 3), (3,), (4,))
def logistic_regression(x, w, y):
    p = 1.0 / (1.0 + np.exp(-(x @ w)))
    t = (y > 0) * 1.0
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@case((5, 3), (3, 4), (4,))
def two_layer_tanh(x, w1, w2):
    h = np.tanh(x @ w1)
    return np.mean((h @ w2 - 1.0) ** 2)


@case((4, 3))
def gaussian_log_likelihood(x):
    mu = np.mean(x, axis=0)
    var = np.var(x, axis=0) + 1.0
    return np.sum(-0.5 * np.log(2 * np.pi * var) - 0.5 * (x - mu) ** 2 / var)


@case((5,))
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@case((4,), (4, 4))
def quadratic_form(w, a):
    return w @ a @ w + np.sum(w)
