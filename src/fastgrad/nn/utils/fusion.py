"""Folding an eval-mode BatchNorm into the convolution or linear layer before it, as
torch.nn.utils.fuse_conv_bn_eval does: one layer computing what the two compute in eval mode.

With BatchNorm's running mean m and variance v, affine weight g and bias b, eps e, the layer's
weight W and bias c become

    W' = W * g / sqrt(v + e)    (per output channel)
    c' = (c - m) * g / sqrt(v + e) + b
"""
import copy

import numpy as np

from ..parameter import Parameter


def _values(t, like):
    """The array of a parameter or buffer; `like` (an array) standing in for None."""
    return like if t is None else t.detach().numpy()


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(weight, bias) Parameters of a convolution equal to conv followed by eval-mode BatchNorm;
    transpose: conv_w is a transposed convolution's (in, out / groups, ...) weight.  Computed in
    the parameters' dtype, in PyTorch's order of operations."""
    mean, var = _values(bn_rm, None), _values(bn_rv, None)
    gamma, beta = _values(bn_w, np.ones_like(mean)), _values(bn_b, np.zeros_like(mean))
    w = conv_w.detach().numpy()
    rsqrt = 1 / np.sqrt(var + bn_eps)
    shape = [1] * w.ndim
    shape[1 if transpose else 0] = -1
    fused_w = (w * (gamma * rsqrt).reshape(shape)).astype(w.dtype)
    fused_b = ((_values(conv_b, np.zeros_like(mean)) - mean) * rsqrt * gamma + beta).astype(w.dtype)
    grad = conv_w.requires_grad
    return Parameter(fused_w, requires_grad=grad), Parameter(fused_b, requires_grad=grad)


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of `conv` with eval-mode `bn` folded in (both must be in eval mode)."""
    if conv.training or bn.training:
        raise AssertionError("fuse_conv_bn_eval: fusion only works in eval mode (call .eval() on both modules)")
    if bn.running_mean is None or bn.running_var is None:
        raise ValueError("fuse_conv_bn_eval: the BatchNorm must track running statistics")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    """(weight, bias) Parameters of a linear layer equal to linear followed by eval-mode BatchNorm1d."""
    return fuse_conv_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_linear_bn_eval(linear, bn):
    """A copy of `linear` with eval-mode `bn` (BatchNorm1d over its outputs) folded in."""
    if linear.training or bn.training:
        raise AssertionError("fuse_linear_bn_eval: fusion only works in eval mode (call .eval() on both modules)")
    if linear.out_features != bn.num_features:
        raise AssertionError(f"fuse_linear_bn_eval: the linear layer's {linear.out_features} outputs must equal the "
                             f"BatchNorm's {bn.num_features} features")
    return fuse_conv_bn_eval(linear, bn)
