"""Reference twins of the pooling kernels (csrc/pool.c).

The pooled plane is the last two axes of x.  Output (i, j) pools the
positions h_start[i] + r * dilation_h (r < h_count[i]) by
w_start[j] + c * dilation_w (c < w_count[j]) that lie inside the plane.

max_pool2d_fwd(x, ...) -> (y, index): the maximum (the first NaN if any) and
the int32 plane index h * width + w of the first maximum.
max_pool2d_bwd(gy, index, height, width) -> gx: gy added at those indices.
avg_pool2d_fwd(x, ..., h_divisor, w_divisor) -> y: the window sum over
h_divisor[i] * w_divisor[j].  avg_pool2d_bwd(gy, height, width, ...) -> gx.

Written one output position at a time, for clarity rather than speed.
"""


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _inside(start, count, step, size):
    return [int(start) + k * step for k in range(int(count)) if 0 <= int(start) + k * step < size]


def _windows(height, width, h_start, h_count, w_start, w_count, dilation):
    dh, dw = _pair(dilation)
    rows = [_inside(s, c, dh, height) for s, c in zip(h_start, h_count)]
    cols = [_inside(s, c, dw, width) for s, c in zip(w_start, w_count)]
    return rows, cols


def _window(xp, x, rows, cols):
    """x's values at rows x cols, flattened to (..., len(rows) * len(cols))."""
    patch = xp.take(xp.take(x, xp.asarray(rows, dtype=xp.int64), axis=-2), xp.asarray(cols, dtype=xp.int64),
                    axis=-1)
    return xp.reshape(patch, tuple(x.shape[:-2]) + (len(rows) * len(cols),))


def max_pool2d_fwd(xp, x, h_start, h_count, w_start, w_count, dilation=1):
    height, width = x.shape[-2:]
    rows, cols = _windows(height, width, h_start, h_count, w_start, w_count, dilation)
    lead = tuple(x.shape[:-2])
    values, indices = [], []
    for r in rows:
        for c in cols:
            if not r or not c:
                values.append(xp.full(lead, -float("inf"), dtype=x.dtype))
                indices.append(xp.full(lead, -1, dtype=xp.int32))
                continue
            patch = _window(xp, x, r, c)
            nan = xp.isnan(patch)
            # the first NaN wins, else the first maximum
            at = xp.where(xp.any(nan, axis=-1), xp.argmax(xp.astype(nan, xp.int8), axis=-1), xp.argmax(xp.where(nan, 0, patch), axis=-1))
            plane = xp.asarray([h * width + w for h in r for w in c], dtype=xp.int64)
            values.append(xp.squeeze(xp.take_along_axis(patch, at[..., None], axis=-1), axis=-1))
            indices.append(xp.reshape(xp.astype(xp.take(plane, xp.reshape(at, (-1,))), xp.int32), lead))
    shape = lead + (len(rows), len(cols))
    return (xp.reshape(xp.stack(values, axis=-1), shape) if values else xp.zeros(shape, dtype=x.dtype),
            xp.reshape(xp.stack(indices, axis=-1), shape) if indices else xp.zeros(shape, dtype=xp.int32))


def max_pool2d_bwd(xp, gy, index, height, width):
    lead = tuple(gy.shape[:-2])
    outputs = gy.shape[-2] * gy.shape[-1]
    flat_g = xp.reshape(gy, lead + (outputs,))
    flat_i = xp.reshape(index, lead + (outputs,))
    positions = xp.arange(height * width, dtype=xp.int32)
    gx = xp.zeros(lead + (height * width,), dtype=gy.dtype)
    for k in range(flat_g.shape[-1]):
        gx = gx + xp.where(positions == flat_i[..., k:k + 1], flat_g[..., k:k + 1], 0)
    return xp.reshape(gx, lead + (height, width))


def avg_pool2d_fwd(xp, x, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    height, width = x.shape[-2:]
    rows, cols = _windows(height, width, h_start, h_count, w_start, w_count, dilation)
    lead = tuple(x.shape[:-2])
    values = []
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            total = xp.sum(_window(xp, x, r, c), axis=-1) if r and c else xp.zeros(lead, dtype=x.dtype)
            values.append(total / float(h_divisor[i] * w_divisor[j]))
    shape = lead + (len(rows), len(cols))
    return xp.reshape(xp.stack(values, axis=-1), shape) if values else xp.zeros(shape, dtype=x.dtype)


def avg_pool2d_bwd(xp, gy, height, width, h_start, h_count, w_start, w_count, h_divisor, w_divisor, dilation=1):
    rows, cols = _windows(height, width, h_start, h_count, w_start, w_count, dilation)
    lead = tuple(gy.shape[:-2])
    hh = xp.reshape(xp.arange(height), (height, 1))
    ww = xp.reshape(xp.arange(width), (1, width))
    gx = xp.zeros(lead + (height, width), dtype=gy.dtype)
    for i, r in enumerate(rows):
        in_rows = xp.zeros((height, 1), dtype=xp.bool)
        for h in r:
            in_rows = in_rows | (hh == h)
        for j, c in enumerate(cols):
            in_cols = xp.zeros((1, width), dtype=xp.bool)
            for w in c:
                in_cols = in_cols | (ww == w)
            share = gy[..., i:i + 1, j:j + 1] / float(h_divisor[i] * w_divisor[j])
            gx = gx + xp.where(in_rows & in_cols, share, 0)
    return gx
