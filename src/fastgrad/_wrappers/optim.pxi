# Optimizer steps and gradient norms over lists of arrays (csrc/optim.c).
#
# Each wrapper takes Python lists of NumPy arrays (one entry per parameter),
# checks every array (dtype, C-contiguity, writeability, matching sizes), then
# makes one C call for the whole list with the GIL released.  The arrays are
# updated in place; nothing is copied.

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

    void fg_sgd_step_f32(float **params, const float **grads, float **bufs,
                         const int64_t *lengths, int64_t ntensors, const fg_sgd_args *a) nogil
    void fg_sgd_step_f64(double **params, const double **grads, double **bufs,
                         const int64_t *lengths, int64_t ntensors, const fg_sgd_args *a) nogil
    void fg_adam_step_f32(float **params, const float **grads, float **exp_avgs, float **exp_avg_sqs,
                          float **max_exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                          const fg_adam_args *a) nogil
    void fg_adam_step_f64(double **params, const double **grads, double **exp_avgs, double **exp_avg_sqs,
                          double **max_exp_avg_sqs, const int64_t *lengths, int64_t ntensors,
                          const fg_adam_args *a) nogil
    void fg_rmsprop_step_f32(float **params, const float **grads, float **square_avgs, float **grad_avgs,
                             float **bufs, const int64_t *lengths, int64_t ntensors,
                             const fg_rmsprop_args *a) nogil
    void fg_rmsprop_step_f64(double **params, const double **grads, double **square_avgs, double **grad_avgs,
                             double **bufs, const int64_t *lengths, int64_t ntensors,
                             const fg_rmsprop_args *a) nogil
    void fg_adagrad_step_f32(float **params, const float **grads, float **sums,
                             const int64_t *lengths, int64_t ntensors, const fg_adagrad_args *a) nogil
    void fg_adagrad_step_f64(double **params, const double **grads, double **sums,
                             const int64_t *lengths, int64_t ntensors, const fg_adagrad_args *a) nogil
    void fg_nadam_step_f32(float **params, const float **grads, float **exp_avgs, float **exp_avg_sqs,
                           const int64_t *lengths, int64_t ntensors, const fg_nadam_args *a) nogil
    void fg_nadam_step_f64(double **params, const double **grads, double **exp_avgs, double **exp_avg_sqs,
                           const int64_t *lengths, int64_t ntensors, const fg_nadam_args *a) nogil
    void fg_radam_step_f32(float **params, const float **grads, float **exp_avgs, float **exp_avg_sqs,
                           const int64_t *lengths, int64_t ntensors, const fg_radam_args *a) nogil
    void fg_radam_step_f64(double **params, const double **grads, double **exp_avgs, double **exp_avg_sqs,
                           const int64_t *lengths, int64_t ntensors, const fg_radam_args *a) nogil
    void fg_adamax_step_f32(float **params, const float **grads, float **exp_avgs, float **exp_infs,
                            const int64_t *lengths, int64_t ntensors, const fg_adamax_args *a) nogil
    void fg_adamax_step_f64(double **params, const double **grads, double **exp_avgs, double **exp_infs,
                            const int64_t *lengths, int64_t ntensors, const fg_adamax_args *a) nogil
    double fg_sum_squares_f32(const float **xs, const int64_t *lengths, int64_t ntensors) nogil
    double fg_sum_squares_f64(const double **xs, const int64_t *lengths, int64_t ntensors) nogil
    double fg_max_abs_f32(const float **xs, const int64_t *lengths, int64_t ntensors) nogil
    double fg_max_abs_f64(const double **xs, const int64_t *lengths, int64_t ntensors) nogil
    void fg_scale_f32(float **xs, const int64_t *lengths, int64_t ntensors, double factor) nogil
    void fg_scale_f64(double **xs, const int64_t *lengths, int64_t ntensors, double factor) nogil


cdef class ArrayList:
    """The data pointers and lengths of a checked list of arrays (kept alive here)."""
    cdef void **ptrs
    cdef int64_t *lengths
    cdef Py_ssize_t n
    cdef list arrays

    def __dealloc__(self):
        free(self.ptrs)
        free(self.lengths)


cdef ArrayList array_list(str op, str arg, object arrays, int typenum, ArrayList like, bint writeable):
    """Check `arrays` (a list of C-contiguous arrays of one float dtype) and collect their pointers.

    `like` (when given) fixes the count and every length; `typenum` the dtype."""
    cdef list items = arrays if type(arrays) is list else list(arrays)
    cdef Py_ssize_t n = len(items)
    cdef Py_ssize_t i
    cdef cnp.ndarray a
    if like is not None and n != like.n:
        raise ValueError(f"{op}: '{arg}' has {n} arrays, expected {like.n} (one per parameter)")
    cdef ArrayList out = ArrayList.__new__(ArrayList)
    out.arrays = items
    out.n = n
    out.ptrs = <void **>malloc((n if n > 0 else 1) * sizeof(void *))
    out.lengths = <int64_t *>malloc((n if n > 0 else 1) * sizeof(int64_t))
    if out.ptrs == NULL or out.lengths == NULL:
        raise MemoryError(f"{op}: cannot allocate the pointer list for '{arg}'")
    for i in range(n):
        obj = items[i]
        if type(obj) is not np.ndarray:
            raise TypeError(f"{op}: '{arg}[{i}]' must be a numpy.ndarray, got {type(obj).__name__}")
        a = <cnp.ndarray>obj
        if cnp.PyArray_TYPE(a) != typenum:
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
    return out


cdef int list_typenum(str op, str arg, object arrays) except -1:
    """The dtype number of a list's first array: float32 or float64."""
    first = arrays[0]
    if type(first) is not np.ndarray:
        raise TypeError(f"{op}: '{arg}[0]' must be a numpy.ndarray, got {type(first).__name__}")
    cdef int typenum = cnp.PyArray_TYPE(<cnp.ndarray>first)
    if typenum != cnp.NPY_FLOAT32 and typenum != cnp.NPY_FLOAT64:
        raise TypeError(f"{op}: '{arg}[0]' has dtype {first.dtype}; the C kernel takes float32 or float64")
    return typenum


cdef void **optional_ptrs(ArrayList lst):
    return NULL if lst is None else lst.ptrs


def sgd_step(params, grads, momentum_buffers, *, double lr, double momentum=0.0, double dampening=0.0,
             double weight_decay=0.0, bint nesterov=False, bint maximize=False, bint init_buffer=False):
    """SGD on lists of arrays, in place.  momentum_buffers is None when momentum == 0.

    g = (-grad if maximize else grad) + weight_decay * p
    buf = g on its first step (init_buffer) else momentum * buf + (1 - dampening) * g
    p -= lr * (g + momentum * buf if nesterov else buf)        (p -= lr * g without momentum)
    """
    if len(params) == 0:
        return
    cdef int typenum = list_typenum("sgd_step", "params", params)
    cdef ArrayList P = array_list("sgd_step", "params", params, typenum, None, True)
    cdef ArrayList G = array_list("sgd_step", "grads", grads, typenum, P, False)
    cdef ArrayList B = None
    if momentum_buffers is not None:
        B = array_list("sgd_step", "momentum_buffers", momentum_buffers, typenum, P, True)
    cdef fg_sgd_args a
    a.lr = lr
    a.momentum = momentum
    a.dampening = dampening
    a.weight_decay = weight_decay
    a.nesterov = nesterov
    a.maximize = maximize
    a.init_buffer = init_buffer
    cdef void **pb = optional_ptrs(B)
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_sgd_step_f32(<float **>P.ptrs, <const float **>G.ptrs, <float **>pb, P.lengths, P.n, &a)
    else:
        with nogil:
            fg_sgd_step_f64(<double **>P.ptrs, <const double **>G.ptrs, <double **>pb, P.lengths, P.n, &a)


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, *, double lr, double beta1,
              double beta2, double eps, double weight_decay, double step_size,
              double bias_correction2_sqrt, bint maximize=False, bint decoupled=False):
    """Adam (decoupled=False) or AdamW (decoupled=True) on lists of arrays, in place.

    max_exp_avg_sqs is None unless amsgrad.  step_size = lr / (1 - beta1**t) and
    bias_correction2_sqrt = sqrt(1 - beta2**t) come from the caller (in double).
    """
    if len(params) == 0:
        return
    cdef int typenum = list_typenum("adam_step", "params", params)
    cdef ArrayList P = array_list("adam_step", "params", params, typenum, None, True)
    cdef ArrayList G = array_list("adam_step", "grads", grads, typenum, P, False)
    cdef ArrayList M = array_list("adam_step", "exp_avgs", exp_avgs, typenum, P, True)
    cdef ArrayList V = array_list("adam_step", "exp_avg_sqs", exp_avg_sqs, typenum, P, True)
    cdef ArrayList VM = None
    if max_exp_avg_sqs is not None:
        VM = array_list("adam_step", "max_exp_avg_sqs", max_exp_avg_sqs, typenum, P, True)
    if not bias_correction2_sqrt > 0:
        raise ValueError(f"adam_step: 'bias_correction2_sqrt' must be > 0, got {bias_correction2_sqrt}")
    cdef fg_adam_args a
    a.lr = lr
    a.beta1 = beta1
    a.beta2 = beta2
    a.eps = eps
    a.weight_decay = weight_decay
    a.step_size = step_size
    a.bias_correction2_sqrt = bias_correction2_sqrt
    a.maximize = maximize
    a.decoupled = decoupled
    cdef void **pvm = optional_ptrs(VM)
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_adam_step_f32(<float **>P.ptrs, <const float **>G.ptrs, <float **>M.ptrs, <float **>V.ptrs,
                             <float **>pvm, P.lengths, P.n, &a)
    else:
        with nogil:
            fg_adam_step_f64(<double **>P.ptrs, <const double **>G.ptrs, <double **>M.ptrs, <double **>V.ptrs,
                             <double **>pvm, P.lengths, P.n, &a)


def rmsprop_step(params, grads, square_avgs, grad_avgs, momentum_buffers, *, double lr, double alpha,
                 double eps, double weight_decay=0.0, double momentum=0.0, bint maximize=False):
    """RMSprop on lists of arrays, in place.  grad_avgs is None unless centered;
    momentum_buffers is None unless momentum > 0."""
    if len(params) == 0:
        return
    cdef int typenum = list_typenum("rmsprop_step", "params", params)
    cdef ArrayList P = array_list("rmsprop_step", "params", params, typenum, None, True)
    cdef ArrayList G = array_list("rmsprop_step", "grads", grads, typenum, P, False)
    cdef ArrayList S = array_list("rmsprop_step", "square_avgs", square_avgs, typenum, P, True)
    cdef ArrayList A = None
    cdef ArrayList B = None
    if grad_avgs is not None:
        A = array_list("rmsprop_step", "grad_avgs", grad_avgs, typenum, P, True)
    if momentum_buffers is not None:
        B = array_list("rmsprop_step", "momentum_buffers", momentum_buffers, typenum, P, True)
    cdef fg_rmsprop_args a
    a.lr = lr
    a.alpha = alpha
    a.eps = eps
    a.weight_decay = weight_decay
    a.momentum = momentum
    a.maximize = maximize
    cdef void **pa = optional_ptrs(A)
    cdef void **pb = optional_ptrs(B)
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_rmsprop_step_f32(<float **>P.ptrs, <const float **>G.ptrs, <float **>S.ptrs, <float **>pa,
                                <float **>pb, P.lengths, P.n, &a)
    else:
        with nogil:
            fg_rmsprop_step_f64(<double **>P.ptrs, <const double **>G.ptrs, <double **>S.ptrs, <double **>pa,
                                <double **>pb, P.lengths, P.n, &a)


def adagrad_step(params, grads, state_sums, *, double clr, double eps, double weight_decay=0.0,
                 bint maximize=False):
    """Adagrad on lists of arrays, in place; clr = lr / (1 + (t - 1) * lr_decay)."""
    if len(params) == 0:
        return
    cdef int typenum = list_typenum("adagrad_step", "params", params)
    cdef ArrayList P = array_list("adagrad_step", "params", params, typenum, None, True)
    cdef ArrayList G = array_list("adagrad_step", "grads", grads, typenum, P, False)
    cdef ArrayList S = array_list("adagrad_step", "state_sums", state_sums, typenum, P, True)
    cdef fg_adagrad_args a
    a.clr = clr
    a.eps = eps
    a.weight_decay = weight_decay
    a.maximize = maximize
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_adagrad_step_f32(<float **>P.ptrs, <const float **>G.ptrs, <float **>S.ptrs, P.lengths, P.n, &a)
    else:
        with nogil:
            fg_adagrad_step_f64(<double **>P.ptrs, <const double **>G.ptrs, <double **>S.ptrs, P.lengths, P.n, &a)


cdef class TwoStateLists:
    """params, grads and two state lists of one optimizer step, checked (dtype, sizes, writeability)."""
    cdef int typenum
    cdef ArrayList P, G, A, B

    def __cinit__(self, str op, params, grads, first, second, str first_name, str second_name):
        self.typenum = list_typenum(op, "params", params)
        self.P = array_list(op, "params", params, self.typenum, None, True)
        self.G = array_list(op, "grads", grads, self.typenum, self.P, False)
        self.A = array_list(op, first_name, first, self.typenum, self.P, True)
        self.B = array_list(op, second_name, second, self.typenum, self.P, True)


def nadam_step(params, grads, exp_avgs, exp_avg_sqs, *, double lr, double beta1, double beta2, double eps,
               double weight_decay, double bias_correction2, double grad_coef, double avg_coef,
               bint maximize=False, bint decoupled=False):
    """NAdam on lists of arrays, in place.  bias_correction2 = 1 - beta2**t; grad_coef and
    avg_coef are the momentum-schedule coefficients of the gradient and of the average."""
    if len(params) == 0:
        return
    cdef TwoStateLists L = TwoStateLists("nadam_step", params, grads, exp_avgs, exp_avg_sqs,
                                         "exp_avgs", "exp_avg_sqs")
    if not bias_correction2 > 0:
        raise ValueError(f"nadam_step: 'bias_correction2' must be > 0, got {bias_correction2}")
    cdef fg_nadam_args a
    a.lr = lr
    a.beta1 = beta1
    a.beta2 = beta2
    a.eps = eps
    a.weight_decay = weight_decay
    a.bias_correction2 = bias_correction2
    a.grad_coef = grad_coef
    a.avg_coef = avg_coef
    a.maximize = maximize
    a.decoupled = decoupled
    if L.typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_nadam_step_f32(<float **>L.P.ptrs, <const float **>L.G.ptrs, <float **>L.A.ptrs, <float **>L.B.ptrs,
                              L.P.lengths, L.P.n, &a)
    else:
        with nogil:
            fg_nadam_step_f64(<double **>L.P.ptrs, <const double **>L.G.ptrs, <double **>L.A.ptrs,
                              <double **>L.B.ptrs, L.P.lengths, L.P.n, &a)


def radam_step(params, grads, exp_avgs, exp_avg_sqs, *, double lr, double beta1, double beta2, double eps,
               double weight_decay, double bias_correction1, double bias_correction2_sqrt, double rect,
               bint rectified, bint maximize=False, bint decoupled=False):
    """RAdam on lists of arrays, in place.  bias_correction1 = 1 - beta1**t, bias_correction2_sqrt =
    sqrt(1 - beta2**t); rectified steps (rho_t > 5) scale by the adaptive rate and `rect`."""
    if len(params) == 0:
        return
    cdef TwoStateLists L = TwoStateLists("radam_step", params, grads, exp_avgs, exp_avg_sqs,
                                         "exp_avgs", "exp_avg_sqs")
    if not bias_correction1 > 0:
        raise ValueError(f"radam_step: 'bias_correction1' must be > 0, got {bias_correction1}")
    cdef fg_radam_args a
    a.lr = lr
    a.beta1 = beta1
    a.beta2 = beta2
    a.eps = eps
    a.weight_decay = weight_decay
    a.bias_correction1 = bias_correction1
    a.bias_correction2_sqrt = bias_correction2_sqrt
    a.rect = rect
    a.rectified = rectified
    a.maximize = maximize
    a.decoupled = decoupled
    if L.typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_radam_step_f32(<float **>L.P.ptrs, <const float **>L.G.ptrs, <float **>L.A.ptrs, <float **>L.B.ptrs,
                              L.P.lengths, L.P.n, &a)
    else:
        with nogil:
            fg_radam_step_f64(<double **>L.P.ptrs, <const double **>L.G.ptrs, <double **>L.A.ptrs,
                              <double **>L.B.ptrs, L.P.lengths, L.P.n, &a)


def adamax_step(params, grads, exp_avgs, exp_infs, *, double beta1, double beta2, double eps,
                double weight_decay, double clr, bint maximize=False):
    """Adamax on lists of arrays, in place; clr = lr / (1 - beta1**t)."""
    if len(params) == 0:
        return
    cdef TwoStateLists L = TwoStateLists("adamax_step", params, grads, exp_avgs, exp_infs, "exp_avgs", "exp_infs")
    cdef fg_adamax_args a
    a.beta1 = beta1
    a.beta2 = beta2
    a.eps = eps
    a.weight_decay = weight_decay
    a.clr = clr
    a.maximize = maximize
    if L.typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_adamax_step_f32(<float **>L.P.ptrs, <const float **>L.G.ptrs, <float **>L.A.ptrs, <float **>L.B.ptrs,
                               L.P.lengths, L.P.n, &a)
    else:
        with nogil:
            fg_adamax_step_f64(<double **>L.P.ptrs, <const double **>L.G.ptrs, <double **>L.A.ptrs,
                               <double **>L.B.ptrs, L.P.lengths, L.P.n, &a)


def sum_squares(arrays):
    """sum over all arrays of sum(x**2), accumulated in double, in one pass."""
    if len(arrays) == 0:
        return 0.0
    cdef int typenum = list_typenum("sum_squares", "arrays", arrays)
    cdef ArrayList X = array_list("sum_squares", "arrays", arrays, typenum, None, False)
    cdef double r
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            r = fg_sum_squares_f32(<const float **>X.ptrs, X.lengths, X.n)
    else:
        with nogil:
            r = fg_sum_squares_f64(<const double **>X.ptrs, X.lengths, X.n)
    return r


def max_abs(arrays):
    """max over all arrays of |x| (NaN if any element is NaN), in one pass."""
    if len(arrays) == 0:
        return 0.0
    cdef int typenum = list_typenum("max_abs", "arrays", arrays)
    cdef ArrayList X = array_list("max_abs", "arrays", arrays, typenum, None, False)
    cdef double r
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            r = fg_max_abs_f32(<const float **>X.ptrs, X.lengths, X.n)
    else:
        with nogil:
            r = fg_max_abs_f64(<const double **>X.ptrs, X.lengths, X.n)
    return r


def scale_(arrays, double factor):
    """x *= factor for every array, in place, in one call."""
    if len(arrays) == 0:
        return
    cdef int typenum = list_typenum("scale_", "arrays", arrays)
    cdef ArrayList X = array_list("scale_", "arrays", arrays, typenum, None, True)
    if typenum == cnp.NPY_FLOAT32:
        with nogil:
            fg_scale_f32(<float **>X.ptrs, X.lengths, X.n, factor)
    else:
        with nogil:
            fg_scale_f64(<double **>X.ptrs, X.lengths, X.n, factor)
