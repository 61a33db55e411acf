"""The new primitives against PyTorch: values and gradients (float64)."""
import numpy as np
import pytest

import fastgrad.numpy as fnp
from torch_parity import check_against_torch

torch = pytest.importorskip("torch")

# name: (fastgrad function, torch function, number of inputs, domain)
CASES = {
    "exp2": (fnp.exp2, torch.exp2, 1, None),
    "expm1": (fnp.expm1, torch.expm1, 1, None),
    "log2": (fnp.log2, torch.log2, 1, (0.5, 2.0)),
    "log10": (fnp.log10, torch.log10, 1, (0.5, 2.0)),
    "square": (fnp.square, torch.square, 1, None),
    "reciprocal": (fnp.reciprocal, torch.reciprocal, 1, (0.5, 2.0)),
    "tan": (fnp.tan, torch.tan, 1, (-1.0, 1.0)),
    "arcsin": (fnp.arcsin, torch.asin, 1, (-0.9, 0.9)),
    "arccos": (fnp.arccos, torch.acos, 1, (-0.9, 0.9)),
    "arctan": (fnp.arctan, torch.atan, 1, None),
    "sinh": (fnp.sinh, torch.sinh, 1, None),
    "cosh": (fnp.cosh, torch.cosh, 1, None),
    "arcsinh": (fnp.arcsinh, torch.asinh, 1, None),
    "arccosh": (fnp.arccosh, torch.acosh, 1, (1.5, 3.0)),
    "arctanh": (fnp.arctanh, torch.atanh, 1, (-0.9, 0.9)),
    "arctan2": (fnp.arctan2, torch.atan2, 2, None),
    "hypot": (fnp.hypot, torch.hypot, 2, None),
    "logaddexp": (fnp.logaddexp, torch.logaddexp, 2, None),
    "logaddexp2": (fnp.logaddexp2, torch.logaddexp2, 2, None),
    "fmax": (fnp.fmax, torch.fmax, 2, None),
    "fmin": (fnp.fmin, torch.fmin, 2, None),
    "cumsum": (lambda x: fnp.cumsum(x, axis=1), lambda x: torch.cumsum(x, 1), 1, None),
    "cumprod": (lambda x: fnp.cumprod(x, axis=0), lambda x: torch.cumprod(x, 0), 1, None),
    "flip": (lambda x: fnp.flip(x, 1), lambda x: torch.flip(x, (1,)), 1, None),
    "roll": (lambda x: fnp.roll(x, 2, axis=1), lambda x: torch.roll(x, 2, 1), 1, None),
    "einsum": (lambda x, y: fnp.einsum("ij,kj->ik", x, y), lambda x, y: torch.einsum("ij,kj->ik", x, y), 2, None),
    "tensordot": (lambda x, y: fnp.tensordot(x, y, ([1], [1])), lambda x, y: torch.tensordot(x, y, ([1], [1])),
                  2, None),
    "inv": (fnp.linalg.inv, torch.linalg.inv, "square", None),
    "det": (fnp.linalg.det, torch.linalg.det, "square", None),
    "slogdet": (lambda a: fnp.linalg.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1], "square", None),
    "solve": (fnp.linalg.solve, torch.linalg.solve, "square_and_matrix", None),
    "cholesky": (lambda a: fnp.linalg.cholesky(a @ fnp.matrix_transpose(a) + 3.0 * fnp.eye(4)),
                 lambda a: torch.linalg.cholesky(a @ a.mT + 3.0 * torch.eye(4, dtype=a.dtype)), "square", None),
    "eigvalsh": (lambda a: fnp.linalg.eigvalsh(a + fnp.matrix_transpose(a)),
                 lambda a: torch.linalg.eigvalsh(a + a.mT), "square", None),
    "eigh_squared_vectors": (lambda a: fnp.linalg.eigh(a + fnp.matrix_transpose(a))[1] ** 2,
                             lambda a: torch.linalg.eigh(a + a.mT)[1] ** 2, "square", None),
    "trace": (fnp.trace, torch.trace, "square", None),
    "diagonal": (lambda a: fnp.diagonal(a, 1), lambda a: torch.diagonal(a, 1), "square", None),
    "sort": (lambda x: fnp.sort(x, axis=1), lambda x: torch.sort(x, 1).values, 1, None),
}


def _inputs(kind, domain, rng):
    if kind == "square":
        return [rng.standard_normal((4, 4)) + 3 * np.eye(4)]
    if kind == "square_and_matrix":
        return [rng.standard_normal((4, 4)) + 3 * np.eye(4), rng.standard_normal((4, 2))]
    make = (lambda: rng.standard_normal((3, 4))) if domain is None else (lambda: rng.uniform(*domain, (3, 4)))
    return [make() for _ in range(kind)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, rng):
    ours, theirs, kind, domain = CASES[name]
    check_against_torch(torch, ours, theirs, _inputs(kind, domain, rng), rng, dict(rtol=1e-10, atol=1e-12),
                        dict(rtol=1e-9, atol=1e-12))
