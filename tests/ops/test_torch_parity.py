"""Values and gradients against PyTorch (skipped when PyTorch is not installed)."""
import numpy as np
import pytest

import fastgrad as fg
from torch_parity import check_against_torch

torch = pytest.importorskip("torch")

# name: (fastgrad fn, torch fn, number of inputs, input domain)
CASES = {
    "add_broadcast": (lambda a, b: a + b, lambda a, b: a + b, ((3, 4), (4,)), None),
    "mul_div": (lambda a, b: a * b / (b * b + 1), lambda a, b: a * b / (b * b + 1), ((3, 4), (3, 1)), None),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, ((3,), (3,)), (0.5, 2.0)),
    "exp_log": (lambda a: (a.exp() + 1).log(), lambda a: (a.exp() + 1).log(), ((5,),), None),
    "trig": (lambda a: a.sin() * a.cos() + a.tanh(), lambda a: a.sin() * a.cos() + a.tanh(), ((5,),), None),
    "sqrt_log1p": (lambda a: a.sqrt() + a.log1p(), lambda a: a.sqrt() + a.log1p(), ((5,),), (0.1, 2.0)),
    "sigmoid_relu": (lambda a: a.sigmoid() * a.relu(), lambda a: a.sigmoid() * a.relu(), ((7,),), None),
    "abs_clip": (lambda a: abs(a).clip(0.2, 0.8), lambda a: a.abs().clamp(0.2, 0.8), ((9,),), None),
    "max_min": (lambda a, b: fg.maximum(a, b) - fg.minimum(a, b), lambda a, b: torch.maximum(a, b) - torch.minimum(a, b),
                ((4,), (4,)), None),
    "matmul_batched": (lambda a, b: a @ b, lambda a, b: a @ b, ((2, 3, 4), (4, 5)), None),
    "matmul_vec": (lambda a, b: a @ b, lambda a, b: a @ b, ((4,), (3, 4, 2)), None),
    "sum_mean": (lambda a: a.sum(dim=1) + a.mean(dim=1), lambda a: a.sum(dim=1) + a.mean(dim=1), ((3, 4),), None),
    "var_std": (lambda a: a.var(dim=0) + a.std(), lambda a: a.var(dim=0) + a.std(), ((3, 4),), None),
    "prod": (lambda a: a.prod(dim=1), lambda a: a.prod(dim=1), ((3, 4),), None),
    "amax": (lambda a: a.max(axis=1), lambda a: a.amax(dim=1), ((3, 4),), None),
    "reshape_permute": (lambda a: a.reshape(4, 6).T.permute(1, 0) * 2, lambda a: a.reshape(4, 6).T.permute(1, 0) * 2,
                        ((2, 3, 4),), None),
    "index": (lambda a: a[[0, 2, 0], 1:], lambda a: a[[0, 2, 0], 1:], ((3, 4),), None),
    "cat_stack": (lambda a, b: fg.stack([fg.cat([a, b], 0), fg.cat([b, a], 0)], 1),
                  lambda a, b: torch.stack([torch.cat([a, b], 0), torch.cat([b, a], 0)], 1), ((2, 3), (2, 3)), None),
    "where": (lambda a, b: fg.where(a.data > 0, a, b), lambda a, b: torch.where(a > 0, a, b), ((3, 4), (4,)), None),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_torch(name):
    fg_fn, torch_fn, shapes, domain = CASES[name]
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(s) if domain is None else rng.uniform(*domain, s) for s in shapes]
    check_against_torch(torch, fg_fn, torch_fn, arrays, rng, dict(rtol=1e-12, atol=1e-12),
                        dict(rtol=1e-10, atol=1e-12))
