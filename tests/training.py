"""A short training run shared by the tests that check that a layer or an optimizer fits data."""


def mse_losses(model, optimizer, x, target, steps):
    """Takes `steps` optimizer steps on mean((model(x) - target)^2) and returns the loss before
    each step, as floats."""
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
