"""Reference twins of the convolution kernels (csrc/conv.c).

im2col_fwd(x, kernel_size, stride, padding, dilation, out_size) -> col:
x is (N, C, H, W); row (n, oh, ow) of col (N * OH * OW, C * KH * KW) holds
the input under the kernel placed at output (oh, ow), in (c, i, j) order,
zero over the padding.  padding is the top / left padding; out_size fixes the
bottom / right.  im2col_bwd(col, input_shape, ...) -> gx is its adjoint
(col2im): each input position gets the sum of the col entries read from it.

Written as one strided slice of the zero-padded input per kernel offset, padding
by concatenation, so that the twins are differentiable on Tensors (create_graph).
"""


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _geometry(kernel_size, stride, padding, dilation, out_size):
    return tuple(_pair(v) for v in (kernel_size, stride, padding, dilation, out_size))


def _padded_extent(size, pad, kernel, stride, dilation, out):
    """Length of the zero-padded axis that every window fits in."""
    needed = (out - 1) * stride + (kernel - 1) * dilation + 1 if out > 0 else 0
    return max(size + pad, needed)


def _pad_axis(xp, a, axis, before, after):
    """a with `before` zeros in front and `after` behind along `axis` (by concatenation, so
    that it stays differentiable on Tensors)."""
    parts = []
    for count in (before, after):
        shape = list(a.shape)
        shape[axis] = count
        parts.append(xp.zeros(tuple(shape), dtype=a.dtype) if count > 0 else None)
    pieces = [p for p in (parts[0], a, parts[1]) if p is not None]
    return xp.concat(pieces, axis=axis) if len(pieces) > 1 else a


def _spread(xp, a, axis, step, offset, length):
    """A zero axis of `length` holding a's entries at offset + k * step."""
    n = a.shape[axis]
    if step > 1 and n > 0:
        zeros = xp.zeros(a.shape, dtype=a.dtype)
        a = xp.stack([a] + [zeros] * (step - 1), axis=axis + 1)
        a = xp.reshape(a, tuple(a.shape[:axis]) + (n * step,) + tuple(a.shape[axis + 2:]))
        a = a[(slice(None),) * axis + (slice(0, (n - 1) * step + 1), ...)]
    return _pad_axis(xp, a, axis, offset, length - offset - a.shape[axis])


def im2col_fwd(xp, x, kernel_size, stride=1, padding=0, dilation=1, out_size=None):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _geometry(kernel_size, stride, padding, dilation, out_size)
    n, c, h, w = x.shape
    if n * c * oh * ow == 0:
        return xp.zeros((n * oh * ow, c * kh * kw), dtype=x.dtype)
    hp = _padded_extent(h, ph, kh, sh, dh, oh)
    wp = _padded_extent(w, pw, kw, sw, dw, ow)
    padded = _pad_axis(xp, _pad_axis(xp, x, 2, ph, hp - h - ph), 3, pw, wp - w - pw)
    patches = [padded[:, :, i * dh:i * dh + sh * (oh - 1) + 1:sh, j * dw:j * dw + sw * (ow - 1) + 1:sw]
               for i in range(kh) for j in range(kw)]
    col = xp.stack(patches, axis=2)  # (n, c, kh * kw, oh, ow)
    col = xp.permute_dims(col, (0, 3, 4, 1, 2))  # (n, oh, ow, c, kh * kw)
    return xp.reshape(col, (n * oh * ow, c * kh * kw))


def im2col_bwd(xp, col, input_shape, kernel_size, stride=1, padding=0, dilation=1, out_size=None):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _geometry(kernel_size, stride, padding, dilation, out_size)
    n, c, h, w = input_shape
    if n * c * oh * ow == 0:
        return xp.zeros((n, c, h, w), dtype=col.dtype)
    hp = _padded_extent(h, ph, kh, sh, dh, oh)
    wp = _padded_extent(w, pw, kw, sw, dw, ow)
    patches = xp.reshape(col, (n, oh, ow, c, kh, kw))
    total = None
    for i in range(kh):
        for j in range(kw):
            part = xp.permute_dims(patches[:, :, :, :, i, j], (0, 3, 1, 2))  # (n, c, oh, ow)
            part = _spread(xp, _spread(xp, part, 2, sh, i * dh, hp), 3, sw, j * dw, wp)
            total = part if total is None else total + part
    return total[:, :, ph:ph + h, pw:pw + w]
