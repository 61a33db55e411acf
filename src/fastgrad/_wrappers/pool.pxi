# Max and average pooling (csrc/pool.c).  x is any float array whose last two
# axes are the pooled (height, width) plane; the windows come as keywords:
# integer tuples (or arrays) h_start, h_count (one entry per output row),
# w_start, w_count (per output column), a dilation pair and, for the average,
# the divisor factors h_divisor, w_divisor (one per output row / column).

cdef extern from "fastgrad.h":
    ctypedef struct fg_pool_windows:
        int64_t planes, height, width, out_h, out_w, dilation_h, dilation_w
        const int64_t *h_start
        const int64_t *h_count
        const int64_t *w_start
        const int64_t *w_count
        const double *h_divisor
        const double *w_divisor
    enum: fg_max_pool2d_fwd, fg_max_pool2d_bwd, fg_avg_pool2d_fwd, fg_avg_pool2d_bwd

cdef tuple leading(tuple shape):
    """All axes but the last two (no negative indices: wraparound is off here)."""
    return shape[:len(shape) - 2]


cdef tuple last_two(tuple shape):
    return shape[len(shape) - 2:]


cdef object window_array(str op, str arg, object a, object dtype, bint nonnegative):
    if not isinstance(a, (np.ndarray, tuple, list)):
        raise TypeError(f"{op}: argument '{arg}' must be a tuple or a 1-d numpy.ndarray, got {type(a).__name__}")
    a = np.asarray(a, dtype=dtype if isinstance(a, (tuple, list)) and len(a) == 0 else None)
    if a.ndim != 1:
        raise ValueError(f"{op}: argument '{arg}' must be 1-d, got shape {a.shape}")
    if a.dtype.kind not in ("iu" if dtype is _I64 else "iuf"):
        raise TypeError(f"{op}: argument '{arg}' has dtype {a.dtype}, expected {dtype}")
    a = kernel_ready(np.asarray(a, dtype=dtype))
    if nonnegative and a.size and a.min() < 0:
        raise ValueError(f"{op}: argument '{arg}' has a negative entry")
    return a


cdef class PoolWindows:
    """The checked window arrays of one pooling call (kept alive while C reads them)."""
    cdef fg_pool_windows w
    cdef object arrays

    def __init__(self, str op, tuple plane_shape, h_start, h_count, w_start, w_count, dilation,
                 h_divisor=None, w_divisor=None):
        if len(plane_shape) < 2:
            raise ValueError(f"{op}: the input must have at least 2 axes (..., height, width), "
                             f"got shape {plane_shape}")
        hs = window_array(op, "h_start", h_start, _I64, False)
        hc = window_array(op, "h_count", h_count, _I64, True)
        ws = window_array(op, "w_start", w_start, _I64, False)
        wc = window_array(op, "w_count", w_count, _I64, True)
        if hs.shape != hc.shape or ws.shape != wc.shape:
            raise ValueError(f"{op}: h_start / h_count and w_start / w_count must have one entry per output "
                             f"row / column")
        dh, dw = int_pair(op, "dilation", dilation, 1)
        arrays = [hs, hc, ws, wc]
        if h_divisor is not None or w_divisor is not None:
            hd = window_array(op, "h_divisor", h_divisor, _F64, False)
            wd = window_array(op, "w_divisor", w_divisor, _F64, False)
            if hd.shape != hs.shape or wd.shape != ws.shape:
                raise ValueError(f"{op}: h_divisor / w_divisor must have one entry per output row / column")
            if (hd.size and hd.min() <= 0) or (wd.size and wd.min() <= 0):
                raise ValueError(f"{op}: the divisors h_divisor and w_divisor must be positive")
            arrays += [hd, wd]
            self.w.h_divisor = <const double *>cnp.PyArray_DATA(hd)
            self.w.w_divisor = <const double *>cnp.PyArray_DATA(wd)
        else:
            self.w.h_divisor = NULL
            self.w.w_divisor = NULL
        height, width = last_two(plane_shape)
        self.w.planes = int(np.prod(leading(plane_shape), dtype=np.int64))
        self.w.height, self.w.width = height, width
        self.w.out_h, self.w.out_w = hs.shape[0], ws.shape[0]
        self.w.dilation_h, self.w.dilation_w = dh, dw
        self.w.h_start = <const int64_t *>cnp.PyArray_DATA(hs)
        self.w.h_count = <const int64_t *>cnp.PyArray_DATA(hc)
        self.w.w_start = <const int64_t *>cnp.PyArray_DATA(ws)
        self.w.w_count = <const int64_t *>cnp.PyArray_DATA(wc)
        self.arrays = arrays

    @property
    def out_shape(self):
        return (self.w.out_h, self.w.out_w)


def max_pool2d_fwd(x, *, h_start, h_count, w_start, w_count, dilation=1):
    """(y, index): y[..., i, j] the maximum of x over window (i, j) (NaN if any is NaN), index the int32
    plane index h * width + w of the first maximum (-1 for an empty window)."""
    op = "max_pool2d"
    x = float_input(op, "x", x)
    cdef PoolWindows p = PoolWindows(op, x.shape, h_start, h_count, w_start, w_count, dilation)
    if p.w.height * p.w.width >= 2 ** 31:
        raise ValueError(f"{op}: planes of {p.w.height} x {p.w.width} elements are too large for int32 indices")
    shape = leading(x.shape) + p.out_shape
    y = new_output(shape, x.dtype)
    index = new_output(shape, _I32)
    if y.size == 0:
        return y, index
    cdef address px = data_of(x), py = data_of(y), pi = data_of(index)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_max_pool2d_fwd, px, py, pi, &p.w)
    return y, index


def max_pool2d_bwd(gy, *, index, height, width):
    """gx (..., height, width): gy added at each output's saved plane index."""
    op = "max_pool2d_backward"
    gy = float_input(op, "grad", gy)
    if not isinstance(index, np.ndarray) or index.dtype != _I32:
        raise TypeError(f"{op}: argument 'index' must be an int32 numpy.ndarray (from max_pool2d_fwd)")
    if index.shape != gy.shape or gy.ndim < 2:
        raise ValueError(f"{op}: argument 'index' has shape {index.shape}, expected the grad's {gy.shape}")
    index = kernel_ready(index)
    if height < 0 or width < 0:
        raise ValueError(f"{op}: height and width must be >= 0, got {height}, {width}")
    out_h, out_w = last_two(gy.shape)
    zeros = np.zeros(out_h, dtype=_I64), np.zeros(out_w, dtype=_I64)
    cdef PoolWindows p = PoolWindows(op, leading(gy.shape) + (int(height), int(width)), zeros[0], zeros[0],
                                     zeros[1], zeros[1], 1)
    gx = new_output(leading(gy.shape) + (int(height), int(width)), gy.dtype)
    if gx.size == 0:
        return gx
    cdef address pg = data_of(gy), pi = data_of(index), po = data_of(gx)
    cdef bint f32 = is_f32(gy)
    with nogil:
        by_dtype(f32, fg_max_pool2d_bwd, pg, pi, po, &p.w)
    return gx


def avg_pool2d_fwd(x, *, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    """y[..., i, j] = (sum of x over window (i, j)) / (h_divisor[i] * w_divisor[j])."""
    op = "avg_pool2d"
    x = float_input(op, "x", x)
    cdef PoolWindows p = PoolWindows(op, x.shape, h_start, h_count, w_start, w_count, dilation,
                                     h_divisor, w_divisor)
    y = new_output(leading(x.shape) + p.out_shape, x.dtype)
    if y.size == 0:
        return y
    cdef address px = data_of(x), py = data_of(y)
    cdef bint f32 = is_f32(x)
    with nogil:
        by_dtype(f32, fg_avg_pool2d_fwd, px, py, &p.w)
    return y


def avg_pool2d_bwd(gy, *, height, width, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    """gx (..., height, width): each gy[..., i, j] / (h_divisor[i] * w_divisor[j]) spread over its window."""
    op = "avg_pool2d_backward"
    gy = float_input(op, "grad", gy)
    if gy.ndim < 2:
        raise ValueError(f"{op}: argument 'grad' must have at least 2 axes, got shape {gy.shape}")
    if height < 0 or width < 0:
        raise ValueError(f"{op}: height and width must be >= 0, got {height}, {width}")
    shape = leading(gy.shape) + (int(height), int(width))
    cdef PoolWindows p = PoolWindows(op, shape, h_start, h_count, w_start, w_count, dilation, h_divisor, w_divisor)
    if p.out_shape != last_two(gy.shape):
        raise ValueError(f"{op}: argument 'grad' has shape {gy.shape}, but the windows give outputs "
                         f"{p.out_shape}")
    gx = new_output(shape, gy.dtype)
    if gx.size == 0:
        return gx
    cdef address pg = data_of(gy), po = data_of(gx)
    cdef bint f32 = is_f32(gy)
    with nogil:
        by_dtype(f32, fg_avg_pool2d_bwd, pg, po, &p.w)
    return gx
