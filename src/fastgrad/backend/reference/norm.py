"""Reference twins of the normalization kernels (csrc/norm.c).

batch_norm_fwd(x, weight, bias, mean, var, eps, training) -> (y, mean, var):
x is (outer, C, inner); each channel is normalized over its outer * inner
values with its own mean and biased variance (training) or the given ones,
y = (x - mean) / sqrt(var + eps) * weight + bias.
batch_norm_bwd(x, gy, mean, var, weight, eps, training, input_grad,
weight_grad, bias_grad) -> (gx, gweight, gbias), None where not asked for.
group_norm_fwd(x, weight, bias, groups, eps) -> (y, mean, rstd): x is
(N, C, inner), each sample's channels split into `groups` normalized groups;
mean and rstd = 1 / sqrt(var + eps) are (N, groups).
group_norm_bwd(x, gy, mean, rstd, weight, groups, ...) -> (gx, gweight, gbias).
"""


def _channel(xp, a):
    return xp.reshape(a, (1, a.shape[0], 1))


def batch_norm_fwd(xp, x, weight=None, bias=None, mean=None, var=None, eps=1e-5, training=True):
    if training:
        mean = xp.mean(x, axis=(0, 2))
        var = xp.mean((x - _channel(xp, mean)) ** 2, axis=(0, 2))
    y = (x - _channel(xp, mean)) / xp.sqrt(_channel(xp, var) + eps)
    if weight is not None:
        y = y * _channel(xp, weight)
    if bias is not None:
        y = y + _channel(xp, bias)
    return y, mean, var


def batch_norm_bwd(xp, x, gy, mean, var, weight=None, eps=1e-5, training=True, input_grad=True, weight_grad=False,
                   bias_grad=False):
    rstd = 1 / xp.sqrt(_channel(xp, var) + eps)
    xhat = (x - _channel(xp, mean)) * rstd
    gx = None
    if input_grad:
        scale = rstd if weight is None else rstd * _channel(xp, weight)
        if training:
            gx = scale * (gy - xp.mean(gy, axis=(0, 2), keepdims=True)
                          - xhat * xp.mean(gy * xhat, axis=(0, 2), keepdims=True))
        else:
            gx = scale * gy
    return (gx, xp.sum(gy * xhat, axis=(0, 2)) if weight_grad else None,
            xp.sum(gy, axis=(0, 2)) if bias_grad else None)


def _grouped(xp, a, groups):
    n, c, inner = a.shape
    return xp.reshape(a, (n, groups, (c // groups) * inner))


def group_norm_fwd(xp, x, weight=None, bias=None, groups=1, eps=1e-5):
    g = _grouped(xp, x, groups)
    mean = xp.mean(g, axis=2)
    rstd = 1 / xp.sqrt(xp.mean((g - mean[:, :, None]) ** 2, axis=2) + eps)
    y = xp.reshape((g - mean[:, :, None]) * rstd[:, :, None], x.shape)
    if weight is not None:
        y = y * _channel(xp, weight)
    if bias is not None:
        y = y + _channel(xp, bias)
    return y, mean, rstd


def group_norm_bwd(xp, x, gy, mean, rstd, weight=None, groups=1, input_grad=True, weight_grad=False,
                   bias_grad=False):
    xhat = xp.reshape((_grouped(xp, x, groups) - mean[:, :, None]) * rstd[:, :, None], x.shape)
    gx = None
    if input_grad:
        gw = gy if weight is None else gy * _channel(xp, weight)
        g, h = _grouped(xp, gw, groups), _grouped(xp, xhat, groups)
        gx = xp.reshape(rstd[:, :, None] * (g - xp.mean(g, axis=2, keepdims=True)
                                           - h * xp.mean(g * h, axis=2, keepdims=True)), x.shape)
    return (gx, xp.sum(gy * xhat, axis=(0, 2)) if weight_grad else None,
            xp.sum(gy, axis=(0, 2)) if bias_grad else None)
