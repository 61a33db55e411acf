"""The generic path: ops, gradients and every reference twin on array-api-strict arrays.

array-api-strict is a namespace with nothing beyond the array API standard,
so an op that works on it works on any conforming array library (and on CuPy
where no fused kernel exists).  Each result is compared with the same
computation on NumPy arrays, whose gradients are checked elsewhere against
finite differences and PyTorch.
"""
import inspect

import numpy as np
import pytest

import fastgrad as fg
from fastgrad.backend import backend_for
from fastgrad.backend import reference

xp = pytest.importorskip("array_api_strict", reason="array-api-strict is in the 'test' extra")

RNG = np.random.default_rng(7)


def host(a):
    return np.asarray(a)


def pair(values, requires_grad=True):
    """The same float64 data as a NumPy tensor and as an array-api-strict tensor."""
    values = np.asarray(values, dtype=np.float64)
    return (fg.tensor(values.copy(), requires_grad=requires_grad),
            fg.tensor(xp.asarray(values.copy()), requires_grad=requires_grad))


def positive(*shape):
    return RNG.uniform(0.5, 2.0, size=shape)


def signed(*shape):
    values = RNG.standard_normal(shape)
    return np.where(np.abs(values) < 0.05, 0.3, values)  # keep away from kinks (relu, abs, clip)


# name -> (function of tensors, input arrays)
OPS = {
    "add_broadcast": (lambda a, b: a + b, [signed(3, 4), signed(4)]),
    "sub_scalar": (lambda a: 2.0 - a, [signed(5)]),
    "mul_broadcast": (lambda a, b: a * b, [signed(2, 3, 1), signed(3, 4)]),
    "div": (lambda a, b: a / b, [signed(3, 2), positive(3, 2)]),
    "pow_scalar": (lambda a: a ** 3, [signed(4)]),
    "pow_tensor": (lambda a, b: a ** b, [positive(3), signed(3)]),
    "neg_abs": (lambda a: -abs(a), [signed(6)]),
    "exp_log": (lambda a: a.exp() + a.log(), [positive(2, 3)]),
    "log1p_sqrt": (lambda a: a.log1p() * a.sqrt(), [positive(7)]),
    "sin_cos_tanh": (lambda a: a.sin() * a.cos() + a.tanh(), [signed(3, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [signed(4, 5)]),
    "relu": (lambda a: a.relu(), [signed(4, 5)]),
    "clip": (lambda a: a.clip(-0.5, 0.5), [signed(10)]),
    "maximum_minimum": (lambda a, b: fg.maximum(a, b) - fg.minimum(a, b), [signed(3, 4), signed(4)]),
    "where": (lambda a, b: fg.where(a._data > 0, a, b), [signed(6), signed(6)]),
    "sum_axis": (lambda a: a.sum(axis=1), [signed(3, 4)]),
    "sum_keepdims": (lambda a: a.sum(axis=(0, 2), keepdims=True), [signed(2, 3, 4)]),
    "mean_var_std": (lambda a: a.mean(axis=0) + a.var(axis=0) + a.std(axis=0), [signed(5, 3)]),
    "prod": (lambda a: a.prod(axis=1), [signed(3, 4)]),
    "max_min": (lambda a: a.max(axis=1) - a.min(axis=0).sum(), [signed(4, 5)]),
    "matmul_2d": (lambda a, b: a @ b, [signed(3, 4), signed(4, 2)]),
    "matmul_vec": (lambda a, b: a @ b, [signed(3, 4), signed(4)]),
    "matmul_batched": (lambda a, b: fg.matmul(a, b), [signed(2, 3, 4), signed(4, 5)]),
    "matmul_inner": (lambda a, b: a @ b, [signed(4), signed(4)]),
    "reshape_transpose": (lambda a: a.reshape(4, 3).T * a.reshape(3, 4), [signed(3, 4)]),
    "permute": (lambda a: a.permute(2, 0, 1), [signed(2, 3, 4)]),
    "broadcast_to_expand": (lambda a: a.broadcast_to((2, 3, 4)) * a.expand(3, 4), [signed(3, 1)]),
    "squeeze_unsqueeze_flatten": (lambda a: a.unsqueeze(0).squeeze(0).flatten(), [signed(3, 4)]),
    "concatenate": (lambda a, b: fg.concatenate([a, b], axis=0), [signed(2, 3), signed(4, 3)]),
    "concatenate_axis1": (lambda a, b: fg.concatenate([a, b], axis=1), [signed(2, 3), signed(2, 1)]),
    "stack": (lambda a, b: fg.stack([a, b]), [signed(2, 3), signed(2, 3)]),
    "split": (lambda a: fg.split(a, 2, axis=0)[1] * 2, [signed(5, 3)]),
    "basic_index": (lambda a: a[1:, ::2] + a[0, ::2], [signed(3, 4)]),
    "astype": (lambda a: a.astype(xp.float32 if isinstance(a._data, xp.asarray(0).__class__) else np.float32)
               .astype(xp.float64 if isinstance(a._data, xp.asarray(0).__class__) else np.float64), [signed(4)]),
    "mlp_step": (lambda x, w1, b1, w2: ((x @ w1 + b1).relu() @ w2).sigmoid().mean(),
                 [signed(8, 5), signed(5, 6), signed(6), signed(6, 3)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_and_gradients_match_numpy(name):
    fn, inputs = OPS[name]
    pairs = [pair(v) for v in inputs]
    ref_inputs = [p[0] for p in pairs]
    gen_inputs = [p[1] for p in pairs]
    ref_out = fn(*ref_inputs)
    gen_out = fn(*gen_inputs)
    assert type(gen_out._data) is type(gen_inputs[0]._data), "the result must stay an array-api-strict array"
    np.testing.assert_allclose(host(gen_out._data), ref_out._data, rtol=1e-12, atol=1e-12)
    seed = RNG.standard_normal(np.shape(ref_out._data))
    (ref_out * fg.tensor(seed)).sum().backward()
    (gen_out * fg.tensor(xp.asarray(seed))).sum().backward()
    for i, (r, g) in enumerate(zip(ref_inputs, gen_inputs)):
        assert type(g.grad._data) is type(g._data), f"gradient {i} must be an array-api-strict array"
        np.testing.assert_allclose(host(g.grad._data), r.grad, rtol=1e-12, atol=1e-12, err_msg=f"input {i}")


def test_second_derivative_through_create_graph():
    for x in pair([0.5, 1.5, -2.0]):
        (g,) = fg.autograd.grad((x ** 3).sum(), x, create_graph=True)
        g.sum().backward()
        np.testing.assert_allclose(host(x.grad._data), 6 * np.array([0.5, 1.5, -2.0]))


def test_second_derivative_through_fused_kernels():
    values = signed(3, 4)
    results = []
    for x in pair(values):
        (g,) = fg.autograd.grad((x.sigmoid() * x.relu() + x.tanh() * x).sum(), x, create_graph=True)
        assert type(g._data) is type(x._data)
        (g * g).sum().backward()
        results.append(host(x.grad._data))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, atol=1e-12)


def test_one_gradient_array_reaching_two_leaves():
    a, b = pair(signed(3))[1], pair(signed(3))[1]
    (a + b).sum().backward()
    np.testing.assert_array_equal(host(a.grad._data), np.ones(3))
    np.testing.assert_array_equal(host(b.grad._data), np.ones(3))


# ---- what the generic path cannot do raises a clear error ------------------------------------

def test_advanced_index_gradient_needs_scatter_add():
    # The array API has no scatter-add, so repeated indices cannot be accumulated.
    x = fg.tensor(xp.asarray(signed(5)), requires_grad=True)
    y = x[xp.asarray([0, 0, 3])]
    np.testing.assert_allclose(host(y._data), host(x._data)[[0, 0, 3]])
    with pytest.raises(TypeError, match="indexing: the array_api_strict backend has no scatter-add for "
                                        "advanced indices"):
        y.sum().backward()


def test_mixing_with_numpy_raises():
    a, b = pair(signed(3))
    with pytest.raises(TypeError, match="cannot mix"):
        a * b


# ---- every reference twin through array-api-strict ------------------------------------------

def _adam(amsgrad, decoupled):
    def spec():
        arrays = [signed(6), signed(6), signed(6) * 0.1, positive(6) * 0.1]
        arrays.append(positive(6) * 0.2 if amsgrad else None)
        return arrays, dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1,
                            step_size=1e-2 / (1 - 0.9 ** 3), bias_correction2_sqrt=(1 - 0.99 ** 3) ** 0.5,
                            decoupled=decoupled)
    return spec


def _sgd(momentum, nesterov):
    def spec():
        arrays = [signed(6), signed(6), signed(6) if momentum else None]
        kwargs = dict(lr=0.1, weight_decay=0.01)
        if momentum:
            kwargs.update(momentum=0.9, dampening=0.1, nesterov=nesterov)
        return arrays, kwargs
    return spec


def _rmsprop(centered, momentum):
    def spec():
        arrays = [signed(6), signed(6), positive(6), (signed(6) * 0.1) if centered else None,
                  signed(6) if momentum else None]
        return arrays, dict(lr=1e-2, alpha=0.9, eps=1e-8, weight_decay=0.01, momentum=0.9 if momentum else 0.0)
    return spec


def _adagrad():
    return [signed(6), signed(6), positive(6)], dict(clr=0.1 / 1.01, eps=1e-10, weight_decay=0.01)


def _probabilities(*shape):
    return RNG.uniform(0.05, 0.95, size=shape)


def _classes(rows, cols, ignore=None):
    target = RNG.integers(0, cols, size=rows)
    if ignore is not None:
        target[0] = ignore
    return target


# Twins that are not plain elementwise (state updated in place, targets, options), with their
# cases as functions returning (positional arguments, keyword arguments).
STEP_SPECS = {
    "sgd_step": [_sgd(False, False), _sgd(True, False), _sgd(True, True)],
    "adam_step": [_adam(False, False), _adam(False, True), _adam(True, False)],
    "rmsprop_step": [_rmsprop(False, False), _rmsprop(True, False), _rmsprop(False, True), _rmsprop(True, True)],
    "adagrad_step": [_adagrad],
    "nadam_step": [(lambda decoupled: lambda: (
        [signed(6), signed(6), signed(6) * 0.1, positive(6) * 0.1],
        dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1, bias_correction2=0.03,
             grad_coef=-4e-3, avg_coef=-3e-2, decoupled=decoupled)))(d) for d in (False, True)],
    "radam_step": [(lambda rectified: lambda: (
        [signed(6), signed(6), signed(6) * 0.1, positive(6) * 0.1],
        dict(lr=1e-2, beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1, bias_correction1=0.27,
             bias_correction2_sqrt=0.17, rect=0.4, rectified=rectified, decoupled=True)))(r) for r in (False, True)],
    "adamax_step": [lambda: ([signed(6), signed(6), signed(6) * 0.1, positive(6) * 0.1],
                             dict(beta1=0.9, beta2=0.99, eps=1e-8, weight_decay=0.1, clr=0.02, maximize=True))],
    "adadelta_step": [lambda: ([signed(6), signed(6), positive(6) * 0.1, positive(6) * 0.1],
                               dict(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.1, maximize=True))],
    "rprop_step": [lambda: ([signed(6), signed(6), signed(6), positive(6) * 0.1],
                            dict(etaminus=0.5, etaplus=1.2, step_size_min=1e-3, step_size_max=0.15, maximize=True))],
    "asgd_step": [lambda mu=mu: ([signed(6), signed(6), signed(6)],
                           dict(decay=0.99, eta=0.1, mu=mu, weight_decay=0.1, maximize=True)) for mu in (1.0, 0.3)],
    "cross_entropy_fwd": [
        lambda: ([signed(6, 5)], dict(target=_classes(6, 5))),
        lambda: ([signed(6, 5)], dict(target=_classes(6, 5, ignore=-100), weight=positive(5),
                                      label_smoothing=0.1)),
    ],
    "cross_entropy_bwd": [
        lambda: ([signed(6, 5)], dict(grad=signed(6), target=_classes(6, 5))),
        lambda: ([signed(6, 5)], dict(grad=signed(6), target=_classes(6, 5, ignore=3), ignore_index=3,
                                      weight=positive(5), label_smoothing=0.2)),
    ],
    "soft_cross_entropy_fwd": [lambda: ([signed(4, 3), _probabilities(4, 3)], dict(weight=positive(3),
                                                                                 label_smoothing=0.1))],
    "soft_cross_entropy_bwd": [lambda: ([signed(4, 3), _probabilities(4, 3)], dict(grad=signed(4)))],
    "binary_cross_entropy_fwd": [lambda: ([_probabilities(4, 5), _probabilities(4, 5)], {}),
                                 lambda: ([_probabilities(7), _probabilities(7)], dict(reduction="sum"))],
    "binary_cross_entropy_bwd": [lambda: ([_probabilities(4, 5), _probabilities(4, 5)], dict(gy=signed(4, 5),
                                                                                           scale=0.5))],
    "binary_cross_entropy_with_logits_fwd": [lambda: ([signed(4, 5), _probabilities(4, 5)],
                                                      dict(pos_weight=positive(5)))],
    "binary_cross_entropy_with_logits_bwd": [lambda: ([signed(4, 5), _probabilities(4, 5)],
                                                      dict(gy=signed(4, 5), pos_weight=positive(5), scale=2.0))],
    "huber_loss_fwd": [lambda: ([signed(9), signed(9)], dict(delta=0.5, reduction="sum"))],
    "bias_act_fwd": [(lambda act: lambda: ([signed(5, 4)], dict(bias=signed(4), activation=act)))(act)
                     for act in ("none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh")],
    "bias_act_bwd": [(lambda act: lambda: ([signed(5, 4), signed(5, 4)], dict(bias_grad=True, activation=act)))(act)
                     for act in ("none", "relu", "sigmoid", "tanh", "gelu", "gelu_tanh")],
}


# Convolution and pooling twins: geometry as keywords.
_CONV = dict(kernel_size=(2, 3), stride=(2, 1), padding=(1, 2), dilation=(1, 2), out_size=(3, 5))
_WINDOWS = dict(h_start=(-1, 1, 3), h_count=(3, 3, 3), w_start=(0, 2), w_count=(2, 3), dilation=(1, 1))
_DIVISORS = dict(h_divisor=(2.0, 3.0, 3.0), w_divisor=(2.0, 3.0))
STEP_SPECS.update({
    "im2col_fwd": [lambda: ([signed(2, 3, 5, 6)], dict(_CONV))],
    "im2col_bwd": [lambda: ([signed(2 * 3 * 5, 3 * 2 * 3)], dict(_CONV, input_shape=(2, 3, 5, 6)))],
    "max_pool2d_fwd": [lambda: ([signed(2, 3, 5, 4)], dict(_WINDOWS))],
    "max_pool2d_bwd": [lambda: ([signed(2, 3, 3, 2)], dict(index=RNG.integers(0, 20, size=(2, 3, 3, 2))
                                                           .astype(np.int32), height=5, width=4))],
    "avg_pool2d_fwd": [lambda: ([signed(2, 3, 5, 4)], dict(_WINDOWS, **_DIVISORS))],
    "avg_pool2d_bwd": [lambda: ([signed(2, 3, 3, 2)], dict(_WINDOWS, **_DIVISORS, height=5, width=4))],
})

# Normalization twins: statistics and parameters as keywords.
STEP_SPECS.update({
    "batch_norm_fwd": [lambda: ([signed(4, 3, 5)], dict(weight=signed(3), bias=signed(3), eps=1e-5)),
                       lambda: ([signed(4, 3, 5)], dict(mean=signed(3), var=positive(3), training=False))],
    "batch_norm_bwd": [lambda: ([signed(4, 3, 5), signed(4, 3, 5)], dict(mean=signed(3), var=positive(3),
                                                                      weight=signed(3), weight_grad=True,
                                                                      bias_grad=True)),
                       lambda: ([signed(4, 3, 5), signed(4, 3, 5)], dict(mean=signed(3), var=positive(3),
                                                                      training=False))],
    "group_norm_fwd": [lambda: ([signed(4, 6, 5)], dict(weight=signed(6), bias=signed(6), groups=3))],
    "group_norm_bwd": [lambda: ([signed(4, 6, 5), signed(4, 6, 5)], dict(mean=signed(4, 3), rstd=positive(4, 3),
                                                                      weight=signed(6), groups=3, weight_grad=True,
                                                                      bias_grad=True))],
})


# Attention softmax twins: the mask, causal rows and dropout's keep mask as keywords.
STEP_SPECS.update({
    "attention_softmax_fwd": [lambda: ([signed(2, 3, 4, 5)], dict(mask=signed(3, 1, 5))),
                              lambda: ([signed(2, 4, 6)], dict(mask=signed(4, 6), causal=True))],
    "attention_softmax_bwd": [lambda: ([_probabilities(2, 4, 5), signed(2, 4, 5)],
                                       dict(keep=RNG.random((2, 4, 5)) > 0.3, keep_scale=1.25))],
})

# Recurrent gate twins: states and gradients of other widths as keywords.
STEP_SPECS.update({
    "lstm_cell_fwd": [lambda: ([signed(3, 8)], dict(c_prev=signed(3, 2)))],
    "lstm_cell_bwd": [lambda: ([_probabilities(3, 8)], dict(c_prev=signed(3, 2), hc=signed(3, 4), grad=signed(3, 4)))],
    "gru_cell_fwd": [lambda: ([signed(3, 6), signed(3, 6)], dict(h_prev=signed(3, 2)))],
    "gru_cell_bwd": [lambda: ([_probabilities(3, 6), signed(3, 6)], dict(h_prev=signed(3, 2), grad=signed(3, 2)))],
    "lstm_seq_fwd": [lambda: ([signed(3, 2, 8)], dict(w_hh=signed(8, 2), h0=signed(2, 2), c0=signed(2, 2),
                                                      bias=signed(8)))],
    "lstm_seq_bwd": [lambda: ([_probabilities(3, 2, 8)], dict(w_hh=signed(8, 2), hc=signed(2, 4, 2, 2),
                                                              grad=signed(2, 4, 2, 2)))],
    "gru_seq_fwd": [lambda: ([signed(3, 2, 6)], dict(w_hh=signed(6, 2), h0=signed(2, 2), bias=signed(6)))],
    "gru_seq_bwd": [lambda: ([_probabilities(3, 2, 6), signed(3, 2, 6)], dict(w_hh=signed(6, 2), h=signed(4, 2, 2),
                                                                          grad=signed(4, 2, 2)))],
    "rnn_seq_fwd": [lambda: ([signed(3, 2, 4)], dict(w_hh=signed(4, 4), h0=signed(2, 4))),
                    lambda: ([signed(3, 2, 4)], dict(w_hh=signed(4, 4), h0=signed(2, 4), relu=True))],
    "rnn_seq_bwd": [lambda: ([signed(4, 2, 4)], dict(w_hh=signed(4, 4), grad=signed(4, 2, 4))),
                    lambda: ([signed(4, 2, 4)], dict(w_hh=signed(4, 4), grad=signed(4, 2, 4), relu=True))],
})

def _elementwise_arguments(twin):
    """Arrays for a twin whose positional arguments are all same-shape arrays, or None."""
    params = list(inspect.signature(twin).parameters.values())[1:]
    if any(p.kind == p.KEYWORD_ONLY and p.default is p.empty for p in params):
        return None
    positional = [p for p in params if p.kind == p.POSITIONAL_OR_KEYWORD and p.default is p.empty]
    return [signed(4, 5) for _ in positional]


def _twin_cases():
    for name in sorted(reference.TWINS):
        if name in STEP_SPECS:
            for i, spec in enumerate(STEP_SPECS[name]):
                yield pytest.param(name, spec, id=f"{name}-{i}")
        else:
            yield pytest.param(name, None, id=name)


def _strict(value):
    return xp.asarray(np.array(value)) if isinstance(value, np.ndarray) else value


def _one_parameter(arrays):
    return [None if a is None else [a] for a in arrays]


def _outputs(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("name, spec", list(_twin_cases()))
def test_reference_twin_runs_in_the_array_api_namespace(name, spec):
    twin = reference.TWINS[name]
    if spec is None:
        arrays = _elementwise_arguments(twin)
        assert arrays is not None, (f"{name}: add its arguments to STEP_SPECS in this file "
                                    "(it is not an elementwise twin)")
        kwargs = {}
    else:
        arrays, kwargs = spec()
    numpy_arrays = [None if a is None else np.array(a) for a in arrays]
    strict_arrays = [_strict(a) for a in numpy_arrays]
    strict_kwargs = {k: _strict(v) for k, v in kwargs.items()}
    backend = backend_for(*[a for a in strict_arrays if a is not None])
    assert backend.xp is xp
    if name.endswith("_step"):  # the optimizer steps take lists of arrays, one per parameter
        expected = twin(np, *_one_parameter(numpy_arrays), **kwargs)
        got = getattr(backend, name)(*_one_parameter(strict_arrays), **strict_kwargs)
    else:
        expected = twin(np, *numpy_arrays, **kwargs)
        got = getattr(backend, name)(*strict_arrays, **strict_kwargs)
    for i, (g, e) in enumerate(zip(_outputs(got), _outputs(expected))):
        assert (g is None) == (e is None), f"{name}: output {i}"
        if e is not None:
            assert not isinstance(g, np.ndarray), f"{name}: output {i} left the namespace"
            np.testing.assert_allclose(host(g), e, rtol=1e-12, atol=1e-14, err_msg=f"{name}: output {i}")
    for i, (n, s) in enumerate(zip(numpy_arrays, strict_arrays)):
        if n is not None:  # state updated in place must agree too
            np.testing.assert_allclose(host(s), n, rtol=1e-12, atol=1e-14, err_msg=f"{name}: array {i}")
