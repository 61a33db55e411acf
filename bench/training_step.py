"""One training step of either library, shared by the model benchmarks."""


def make_training_step(loss_fn, model, opt, x, target, output=lambda out: out):
    """step(): forward, loss_fn(output(model(x)), target), zero_grad, backward, optimizer step."""
    def step():
        loss = loss_fn(output(model(x)), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step
