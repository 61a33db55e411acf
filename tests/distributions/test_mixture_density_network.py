"""A mixture density network, written once and run with `torch` bound to fastgrad or to PyTorch:
an MLP maps x to the logits, means and scales of a MixtureSameFamily of Normals with Categorical
mixing, trained by Adam on its negative log-likelihood. From identical initial weights, the
losses and weights of every step equal PyTorch's in float64."""
import numpy as np
import pytest

import fastgrad

K = 3


def train(torch, weights, x, y, steps=6):
    """Losses of each step and the final weights (NumPy), the model built from `weights`."""
    model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3 * K)).double()
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(torch.tensor(w))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    x, y = torch.tensor(x), torch.tensor(y)
    D = torch.distributions
    losses = []
    for _ in range(steps):
        out = model(x)
        logits, loc, scale = out[:, :K], out[:, K:2 * K], torch.nn.functional.softplus(out[:, 2 * K:]) + 1e-3
        mixture = D.MixtureSameFamily(D.Categorical(logits=logits), D.Normal(loc, scale))
        loss = -mixture.log_prob(y).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy() for p in model.parameters()]


def test_mixture_density_network_trains_as_in_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 1))
    y = np.where(rng.random(64) < 0.5, np.sin(3 * x[:, 0]), -1.0 + x[:, 0]) + 0.1 * rng.standard_normal(64)
    weights = [rng.standard_normal(s) * 0.5 for s in [(16, 1), (16,), (3 * K, 16), (3 * K,)]]
    losses, final = train(fastgrad, weights, x, y)
    expected_losses, expected_final = train(torch, weights, x, y)
    np.testing.assert_allclose(losses, expected_losses, rtol=1e-10)
    for got, expected in zip(final, expected_final):
        np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert losses[-1] < losses[0]
