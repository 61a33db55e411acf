"""Muon against an independent float64 reference (the Newton-Schulz polynomial applied to the
singular values of the momentum update), against torch.optim.Muon (which iterates in bfloat16:
agreement within its rounding), its options, state_dict round trip and argument checks."""
import numpy as np
import pytest

import fastgrad as fg
from fastgrad.optim import Muon

COEFFICIENTS = (3.4445, -4.7750, 2.0315)


def _reference_steps(p, grads, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                     coefficients=COEFFICIENTS, steps=5, adjust="original"):
    """Muon's steps in float64 through the SVD: Newton-Schulz maps each singular value s of
    U / |U|_F through s -> a s + b s^3 + c s^5, `steps` times, and keeps the singular vectors."""
    a, b, c = coefficients
    buffer = np.zeros_like(p)
    rows, cols = p.shape
    scale = np.sqrt(max(1.0, rows / cols)) if adjust == "original" else 0.2 * np.sqrt(max(rows, cols))
    for g in grads:
        buffer = momentum * buffer + (1 - momentum) * g
        update = (1 - momentum) * g + momentum * buffer if nesterov else buffer
        u, s, vt = np.linalg.svd(update, full_matrices=False)
        s = s / np.sqrt((s ** 2).sum())
        for _ in range(steps):
            s = a * s + b * s ** 3 + c * s ** 5
        p = p * (1 - lr * weight_decay) - lr * scale * (u * s) @ vt
    return p


def _run(p0, grads, dtype=np.float64, **options):
    p = fg.tensor(p0.astype(dtype), requires_grad=True)
    optimizer = Muon([p], **options)
    for g in grads:
        p.grad = fg.tensor(g.astype(dtype))
        optimizer.step()
    return p.detach().numpy(), optimizer


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5), (1, 3)])
@pytest.mark.parametrize("options", [{}, dict(lr=0.02, nesterov=False, weight_decay=0.0),
                                     dict(momentum=0.5, adjust_lr_fn="match_rms_adamw", ns_steps=3)])
def test_matches_the_singular_value_reference(shape, options, rng):
    p0 = rng.standard_normal(shape)
    grads = [rng.standard_normal(shape) for _ in range(6)]
    got, _ = _run(p0, grads, **options)
    reference_options = {"original": "original", "match_rms_adamw": "match_rms_adamw"}
    expected = _reference_steps(p0, grads, lr=options.get("lr", 1e-3), weight_decay=options.get("weight_decay", 0.1),
                                momentum=options.get("momentum", 0.95), nesterov=options.get("nesterov", True),
                                steps=options.get("ns_steps", 5),
                                adjust=reference_options.get(options.get("adjust_lr_fn"), "original"))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


def test_orthogonalized_update_has_singular_values_near_one(rng):
    from fastgrad.optim.muon import orthogonalize
    for shape in [(8, 3), (3, 8), (16, 16)]:
        update = rng.standard_normal(shape) * np.exp(rng.standard_normal(shape[1]))     # spread singular values
        s = np.linalg.svd(orthogonalize(np, update, COEFFICIENTS, 5, 1e-7), compute_uv=False)
        assert s.min() > 0.6 and s.max() < 1.25, s


@pytest.mark.parametrize("options", [{}, dict(nesterov=False, adjust_lr_fn="match_rms_adamw", lr=0.02)])
def test_agrees_with_pytorch_within_bfloat16_rounding(options, rng):
    torch = pytest.importorskip("torch")
    p0 = rng.standard_normal((8, 5)).astype(np.float32)
    grads = [rng.standard_normal((8, 5)).astype(np.float32) for _ in range(4)]
    got, _ = _run(p0, grads, dtype=np.float32, **options)
    q = torch.nn.Parameter(torch.tensor(p0))
    optimizer = torch.optim.Muon([q], **options)
    for g in grads:
        q.grad = torch.tensor(g)
        optimizer.step()
    expected = q.detach().numpy()
    moved, their_moved = got - p0 * 1.0, expected - p0 * 1.0
    assert got.dtype == np.float32
    assert np.linalg.norm(moved - their_moved) <= 0.03 * np.linalg.norm(their_moved)


def test_state_dict_round_trip_continues_identically(rng):
    p0 = rng.standard_normal((4, 3))
    grads = [rng.standard_normal((4, 3)) for _ in range(6)]
    straight, _ = _run(p0, grads)
    half, optimizer = _run(p0, grads[:3])
    saved = optimizer.state_dict()
    assert set(saved["state"][0]) == {"momentum_buffer"}
    p = fg.tensor(half, requires_grad=True)
    resumed = Muon([p])
    resumed.load_state_dict(saved)
    for g in grads[3:]:
        p.grad = fg.tensor(g)
        resumed.step()
    np.testing.assert_array_equal(p.detach().numpy(), straight)


@pytest.mark.parametrize("make, error, words", [
    (lambda: Muon([fg.zeros(3, requires_grad=True)]), ValueError, "Muon: only 2-D parameters"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], lr=-1.0), ValueError, "Muon: invalid learning rate"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], momentum=-0.1), ValueError, "Muon: invalid momentum"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], weight_decay=-1), ValueError, "Muon: invalid weight_decay"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], adjust_lr_fn="x"), ValueError, "Muon: adjust_lr_fn"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], ns_steps=100), ValueError, "Muon: ns_steps"),
    (lambda: Muon([fg.zeros(2, 2, requires_grad=True)], ns_coefficients=(1.0, 2.0)), ValueError,
     "Muon: ns_coefficients"),
])
def test_bad_arguments(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_pytorch_refuses_the_same_arguments():
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.optim.Muon([torch.nn.Parameter(torch.zeros(3))])
    with pytest.raises(ValueError):
        torch.optim.Muon([torch.nn.Parameter(torch.zeros(2, 2))], adjust_lr_fn="x")
