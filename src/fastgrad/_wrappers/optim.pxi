# Optimizer steps and gradient norms over lists of arrays (csrc/optim.c).
# Each wrapper checks every array of its lists (dtype, C-contiguity, alignment,
# writeability, one shape per parameter), then makes one C call for the whole
# list with the GIL released.  Arrays are updated in place; nothing is copied.

from libc.stdlib cimport malloc, free

cdef extern from "fastgrad.h":
    ctypedef struct fg_sgd_args:
        double lr, momentum, dampening, weight_decay
        int nesterov, maximize, init_buffer
    ctypedef struct fg_adam_args:
        double lr, beta1, beta2, eps, weight_decay, step_size, bias_correction2_sqrt
        int maximize, decoupled
    ctypedef struct fg_rmsprop_args:
        double lr, alpha, eps, weight_decay, momentum
        int maximize
    ctypedef struct fg_adagrad_args:
        double clr, eps, weight_decay
        int maximize
    ctypedef struct fg_nadam_args:
        double lr, beta1, beta2, eps, weight_decay, bias_correction2, grad_coef, avg_coef
        int maximize, decoupled
    ctypedef struct fg_radam_args:
        double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2_sqrt, rect
        int rectified, maximize, decoupled
    ctypedef struct fg_adamax_args:
        double beta1, beta2, eps, weight_decay, clr
        int maximize
    ctypedef struct fg_adadelta_args:
        double lr, rho, eps, weight_decay
        int maximize
    ctypedef struct fg_rprop_args:
        double etaminus, etaplus, step_size_min, step_size_max
        int maximize
    ctypedef struct fg_asgd_args:
        double decay, eta, mu, weight_decay
        int maximize

    enum: fg_sgd_step, fg_adam_step, fg_rmsprop_step, fg_adagrad_step, fg_nadam_step, fg_radam_step
    enum: fg_adamax_step, fg_adadelta_step, fg_sum_squares, fg_max_abs, fg_scale
    enum: fg_rprop_step, fg_asgd_step


cdef class ArrayList:
    """The data pointers and lengths of a checked list of arrays (kept alive here)."""
    cdef void **ptrs
    cdef int64_t *lengths
    cdef Py_ssize_t n
    cdef bint f32
    cdef list arrays

    def __dealloc__(self):
        free(self.ptrs)
        free(self.lengths)


cdef ArrayList array_list(str op, str arg, object arrays, int typenum, ArrayList like, bint writeable):
    """Check `arrays` (C-contiguous arrays of dtype `typenum`; `like`, when given, fixes the count
    and every shape) and collect their pointers."""
    cdef list items = arrays if type(arrays) is list else list(arrays)
    cdef Py_ssize_t i, n = len(items)
    if like is not None and n != like.n:
        raise ValueError(f"{op}: '{arg}' has {n} arrays, expected {like.n} (one per parameter)")
    cdef ArrayList out = ArrayList.__new__(ArrayList)
    out.arrays, out.n, out.f32 = items, n, typenum == cnp.NPY_FLOAT32
    out.ptrs = <void **>malloc((n if n > 0 else 1) * sizeof(void *))
    out.lengths = <int64_t *>malloc((n if n > 0 else 1) * sizeof(int64_t))
    if out.ptrs == NULL or out.lengths == NULL:
        raise MemoryError(f"{op}: cannot allocate the pointer list for '{arg}'")
    cdef cnp.ndarray a
    for i in range(n):
        if type(items[i]) is not np.ndarray:
            raise TypeError(f"{op}: '{arg}[{i}]' must be a numpy.ndarray, got {type(items[i]).__name__}")
        a = <cnp.ndarray>items[i]
        if cnp.PyArray_TYPE(a) != typenum or cnp.PyArray_ISBYTESWAPPED(a):
            raise TypeError(f"{op}: '{arg}[{i}]' has dtype {a.dtype}, expected "
                            f"{'float32' if typenum == cnp.NPY_FLOAT32 else 'float64'}")
        if not cnp.PyArray_IS_C_CONTIGUOUS(a):
            raise ValueError(f"{op}: '{arg}[{i}]' must be C-contiguous (it is updated or read in place)")
        if not cnp.PyArray_ISALIGNED(a):
            raise ValueError(f"{op}: '{arg}[{i}]' is not aligned to its dtype ({a.dtype.itemsize}-byte "
                             "elements at a misaligned address); the step reads it in place")
        if writeable and not cnp.PyArray_ISWRITEABLE(a):
            raise ValueError(f"{op}: '{arg}[{i}]' is read-only, but the step writes it in place")
        out.ptrs[i] = cnp.PyArray_DATA(a)
        out.lengths[i] = cnp.PyArray_SIZE(a)
        if like is not None and out.lengths[i] != like.lengths[i]:
            raise ValueError(f"{op}: '{arg}[{i}]' has {out.lengths[i]} elements, expected "
                             f"{like.lengths[i]} (the size of its parameter)")
        if like is not None and not same_shape(a, like.arrays[i]):
            raise ValueError(f"{op}: '{arg}[{i}]' has shape {items[i].shape}, expected {like.arrays[i].shape} "
                             "(the shape of its parameter)")
    return out


cdef int list_typenum(str op, str arg, object arrays) except -1:
    """The dtype number of a list's first array (float32 or float64); float64 for an empty list."""
    if len(arrays) == 0:
        return cnp.NPY_FLOAT64
    first = arrays[0]
    if type(first) is not np.ndarray or (cnp.PyArray_TYPE(first) != cnp.NPY_FLOAT32
                                         and cnp.PyArray_TYPE(first) != cnp.NPY_FLOAT64):
        float_array(op, f"{arg}[0]", first)   # raises
    return cnp.PyArray_TYPE(first)


cdef class StepLists:
    """The checked lists of one optimizer step: params (written), grads (read) and up to three
    state lists (written; None when the step does not use one)."""
    cdef ArrayList P, G, A, B, C
    cdef bint f32
    cdef address params, grads, first, second, third   # the pointer lists, as by_dtype passes them
    cdef int64_t *lengths
    cdef Py_ssize_t n


cdef StepLists step_lists(str op, params, grads, str first_name=None, first=None, str second_name=None,
                          second=None, str third_name=None, third=None):
    cdef int typenum = list_typenum(op, "params", params)
    cdef StepLists L = StepLists.__new__(StepLists)
    L.P = array_list(op, "params", params, typenum, None, True)
    L.G = array_list(op, "grads", grads, typenum, L.P, False)
    L.f32, L.params, L.grads, L.lengths, L.n = L.P.f32, L.P.ptrs, L.G.ptrs, L.P.lengths, L.P.n
    if first is not None:
        L.A = array_list(op, first_name, first, typenum, L.P, True)
        L.first = L.A.ptrs
    if second is not None:
        L.B = array_list(op, second_name, second, typenum, L.P, True)
        L.second = L.B.ptrs
    if third is not None:
        L.C = array_list(op, third_name, third, typenum, L.P, True)
        L.third = L.C.ptrs
    return L


def sgd_step(params, grads, momentum_buffers, *, double lr, double momentum=0.0, double dampening=0.0,
             double weight_decay=0.0, bint nesterov=False, bint maximize=False, bint init_buffer=False):
    """SGD with momentum (buffers None without), weight decay and Nesterov on lists of arrays, in place."""
    cdef StepLists L = step_lists("sgd_step", params, grads, "momentum_buffers", momentum_buffers)
    cdef fg_sgd_args a = fg_sgd_args(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                     nesterov=nesterov, maximize=maximize, init_buffer=init_buffer)
    with nogil:
        by_dtype(L.f32, fg_sgd_step, L.params, L.grads, L.first, L.lengths, L.n, &a)


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, *, double lr, double beta1,
              double beta2, double eps, double weight_decay, double step_size,
              double bias_correction2_sqrt, bint maximize=False, bint decoupled=False):
    """Adam, or AdamW (decoupled), in place; step_size = lr / (1 - beta1**t), bias_correction2_sqrt =
    sqrt(1 - beta2**t); max_exp_avg_sqs is None unless amsgrad."""
    cdef StepLists L = step_lists("adam_step", params, grads, "exp_avgs", exp_avgs, "exp_avg_sqs", exp_avg_sqs,
                                 "max_exp_avg_sqs", max_exp_avg_sqs)
    positive("adam_step", "bias_correction2_sqrt", bias_correction2_sqrt)
    cdef fg_adam_args a = fg_adam_args(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                       step_size=step_size, bias_correction2_sqrt=bias_correction2_sqrt,
                                       maximize=maximize, decoupled=decoupled)
    with nogil:
        by_dtype(L.f32, fg_adam_step, L.params, L.grads, L.first, L.second, L.third, L.lengths, L.n, &a)


def rmsprop_step(params, grads, square_avgs, grad_avgs, momentum_buffers, *, double lr, double alpha,
                 double eps, double weight_decay=0.0, double momentum=0.0, bint maximize=False):
    """RMSprop in place; grad_avgs is None unless centered, momentum_buffers None unless momentum > 0."""
    cdef StepLists L = step_lists("rmsprop_step", params, grads, "square_avgs", square_avgs, "grad_avgs", grad_avgs,
                                 "momentum_buffers", momentum_buffers)
    cdef fg_rmsprop_args a = fg_rmsprop_args(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                             momentum=momentum, maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_rmsprop_step, L.params, L.grads, L.first, L.second, L.third, L.lengths, L.n, &a)


def adagrad_step(params, grads, state_sums, *, double clr, double eps, double weight_decay=0.0,
                 bint maximize=False):
    """Adagrad in place; clr = lr / (1 + (t - 1) * lr_decay)."""
    cdef StepLists L = step_lists("adagrad_step", params, grads, "state_sums", state_sums)
    cdef fg_adagrad_args a = fg_adagrad_args(clr=clr, eps=eps, weight_decay=weight_decay, maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_adagrad_step, L.params, L.grads, L.first, L.lengths, L.n, &a)


def nadam_step(params, grads, exp_avgs, exp_avg_sqs, *, double lr, double beta1, double beta2, double eps,
               double weight_decay, double bias_correction2, double grad_coef, double avg_coef,
               bint maximize=False, bint decoupled=False):
    """NAdam in place; bias_correction2 = 1 - beta2**t, grad_coef and avg_coef from the momentum schedule."""
    cdef StepLists L = step_lists("nadam_step", params, grads, "exp_avgs", exp_avgs, "exp_avg_sqs", exp_avg_sqs)
    positive("nadam_step", "bias_correction2", bias_correction2)
    cdef fg_nadam_args a = fg_nadam_args(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                         bias_correction2=bias_correction2, grad_coef=grad_coef,
                                         avg_coef=avg_coef, maximize=maximize, decoupled=decoupled)
    with nogil:
        by_dtype(L.f32, fg_nadam_step, L.params, L.grads, L.first, L.second, L.lengths, L.n, &a)


def radam_step(params, grads, exp_avgs, exp_avg_sqs, *, double lr, double beta1, double beta2, double eps,
               double weight_decay, double bias_correction1, double bias_correction2_sqrt, double rect,
               bint rectified, bint maximize=False, bint decoupled=False):
    """RAdam in place; bias_correction1 = 1 - beta1**t, bias_correction2_sqrt = sqrt(1 - beta2**t),
    and rectified steps (rho_t > 5) scale by the adaptive rate and `rect`."""
    cdef StepLists L = step_lists("radam_step", params, grads, "exp_avgs", exp_avgs, "exp_avg_sqs", exp_avg_sqs)
    positive("radam_step", "bias_correction1", bias_correction1)
    cdef fg_radam_args a = fg_radam_args(lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay,
                                         bias_correction1=bias_correction1,
                                         bias_correction2_sqrt=bias_correction2_sqrt, rect=rect,
                                         rectified=rectified, maximize=maximize, decoupled=decoupled)
    with nogil:
        by_dtype(L.f32, fg_radam_step, L.params, L.grads, L.first, L.second, L.lengths, L.n, &a)


def adamax_step(params, grads, exp_avgs, exp_infs, *, double beta1, double beta2, double eps,
                double weight_decay, double clr, bint maximize=False):
    """Adamax in place; clr = lr / (1 - beta1**t)."""
    cdef StepLists L = step_lists("adamax_step", params, grads, "exp_avgs", exp_avgs, "exp_infs", exp_infs)
    cdef fg_adamax_args a = fg_adamax_args(beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay, clr=clr,
                                           maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_adamax_step, L.params, L.grads, L.first, L.second, L.lengths, L.n, &a)


def adadelta_step(params, grads, square_avgs, acc_deltas, *, double lr, double rho, double eps,
                  double weight_decay=0.0, bint maximize=False):
    """Adadelta in place."""
    cdef StepLists L = step_lists("adadelta_step", params, grads, "square_avgs", square_avgs,
                                  "acc_deltas", acc_deltas)
    cdef fg_adadelta_args a = fg_adadelta_args(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                                               maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_adadelta_step, L.params, L.grads, L.first, L.second, L.lengths, L.n, &a)


def rprop_step(params, grads, prevs, step_sizes, *, double etaminus, double etaplus, double step_size_min,
               double step_size_max, bint maximize=False):
    """Rprop in place."""
    cdef StepLists L = step_lists("rprop_step", params, grads, "prevs", prevs, "step_sizes", step_sizes)
    cdef fg_rprop_args a = fg_rprop_args(etaminus=etaminus, etaplus=etaplus, step_size_min=step_size_min,
                                         step_size_max=step_size_max, maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_rprop_step, L.params, L.grads, L.first, L.second, L.lengths, L.n, &a)


def asgd_step(params, grads, axs, *, double decay, double eta, double mu, double weight_decay=0.0,
              bint maximize=False):
    """ASGD in place."""
    cdef StepLists L = step_lists("asgd_step", params, grads, "axs", axs)
    cdef fg_asgd_args a = fg_asgd_args(decay=decay, eta=eta, mu=mu, weight_decay=weight_decay, maximize=maximize)
    with nogil:
        by_dtype(L.f32, fg_asgd_step, L.params, L.grads, L.first, L.lengths, L.n, &a)


def first_unlike(arrays, like):
    """The index of the first of `arrays` that is not an ndarray of the dtype and shape of its
    place in `like` (a list of ndarrays of the same length), or -1."""
    cdef Py_ssize_t i, n = len(arrays)
    if len(like) != n:
        raise ValueError(f"first_unlike: {n} arrays against {len(like)}")
    for i in range(n):
        a, b = arrays[i], like[i]
        if type(a) is not np.ndarray or type(b) is not np.ndarray:
            return i
        if not same_layout(a, b) and (a.dtype != b.dtype or not same_shape(a, b)):
            return i
    return -1


cdef ArrayList single_list(str op, object arrays, bint writeable):
    """The checked list of a reduction or scaling over `arrays`."""
    return array_list(op, "arrays", arrays, list_typenum(op, "arrays", arrays), None, writeable)


def sum_squares(arrays):
    """sum over all arrays of sum(x**2), accumulated in double, in one pass."""
    cdef ArrayList X = single_list("sum_squares", arrays, False)
    cdef double r
    with nogil:
        r = by_dtype_double(X.f32, fg_sum_squares, <address>X.ptrs, X.lengths, X.n)
    return r


def max_abs(arrays):
    """max over all arrays of |x| (NaN if any element is NaN), in one pass."""
    cdef ArrayList X = single_list("max_abs", arrays, False)
    cdef double r
    with nogil:
        r = by_dtype_double(X.f32, fg_max_abs, <address>X.ptrs, X.lengths, X.n)
    return r


def scale_(arrays, double factor):
    """x *= factor for every array, in place, in one call."""
    cdef ArrayList X = single_list("scale_", arrays, True)
    with nogil:
        by_dtype(X.f32, fg_scale, <address>X.ptrs, X.lengths, X.n, factor)
