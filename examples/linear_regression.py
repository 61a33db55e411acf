"""Gradient descent on a linear regression: first from scratch, then with fastgrad.

Data: y = 3 x + 7 + noise, 100 points. Model: y_hat = w x + b.
Loss: L(w, b) = mean((w x + b - y)^2), whose gradient, derived by hand, is

    dL/dw = 2 mean((w x + b - y) x)      dL/db = 2 mean(w x + b - y)

Part 1 codes those two formulas; part 2 lets fastgrad's autograd find them.
Both take the same steps, w <- w - lr dL/dw, and land on the least-squares fit.

Run:  python examples/linear_regression.py
"""
import numpy as np

import fastgrad as fg


def make_data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    y = 3.0 * x + 7.0 + 0.1 * rng.standard_normal(n)
    return x, y


def fit_from_scratch(x, y, lr=0.1, epochs=200):
    """Full-batch gradient descent with hand-derived gradients, NumPy only."""
    w, b = 0.0, 0.0
    for _ in range(epochs):
        residual = w * x + b - y
        grad_w = 2.0 * np.mean(residual * x)
        grad_b = 2.0 * np.mean(residual)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b, float(np.mean((w * x + b - y) ** 2))


def fit_with_autograd(x, y, lr=0.1, epochs=200):
    """The same descent; fastgrad computes dL/dw and dL/db from the loss expression."""
    x, y = fg.tensor(x), fg.tensor(y)              # float64 arrays stay float64
    w = fg.tensor(0.0, dtype="float64", requires_grad=True)
    b = fg.tensor(0.0, dtype="float64", requires_grad=True)
    for _ in range(epochs):
        loss = ((w * x + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()                            # fills w.grad and b.grad
        with fg.no_grad():                         # the update is not part of the graph
            w -= lr * w.grad
            b -= lr * b.grad
    loss = ((w * x + b - y) ** 2).mean()
    return w.item(), b.item(), loss.item()


def main():
    x, y = make_data()
    scratch = fit_from_scratch(x, y)
    auto = fit_with_autograd(x, y)
    design = np.stack([x, np.ones_like(x)], axis=1)
    exact = np.linalg.lstsq(design, y, rcond=None)[0]
    print(f"{'method':<26} {'w':>9} {'b':>9} {'mse':>9}")
    print(f"{'NumPy, hand-derived grads':<26} {scratch[0]:9.5f} {scratch[1]:9.5f} {scratch[2]:9.5f}")
    print(f"{'fastgrad autograd':<26} {auto[0]:9.5f} {auto[1]:9.5f} {auto[2]:9.5f}")
    print(f"{'least squares (exact)':<26} {exact[0]:9.5f} {exact[1]:9.5f}")
    print(f"largest difference between the two descents: "
          f"{max(abs(scratch[0] - auto[0]), abs(scratch[1] - auto[1])):.2e}")
    return {"scratch": scratch, "autograd": auto, "least_squares": tuple(exact)}


if __name__ == "__main__":
    main()
