"""`fastgrad demo`: fit a small network with fastgrad and report the result.

Placeholder until the full demo lands: logistic regression on two noisy
Gaussian blobs, trained by gradient descent with a plain-text progress line.
"""
import time

import numpy as np


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)


def run(args):
    import fastgrad as fg

    rng = np.random.default_rng(args.seed)
    n = 500
    x = np.concatenate([rng.normal(-1, 1, (n, 2)), rng.normal(1, 1, (n, 2))]).astype(np.float32)
    y = np.concatenate([np.zeros(n), np.ones(n)]).astype(np.float32)
    w = fg.zeros(2, requires_grad=True)
    b = fg.zeros(1, requires_grad=True)
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        p = (fg.tensor(x) @ w + b).sigmoid()
        eps = 1e-7
        loss = -(y * (p + eps).log() + (1 - y) * (1 - p + eps).log()).mean()
        w.grad = b.grad = None
        loss.backward()
        with fg.no_grad():
            w -= args.lr * w.grad
            b -= args.lr * b.grad
        if epoch % 20 == 0 or epoch == args.epochs:
            print(f"\repoch {epoch:4d}/{args.epochs}  loss {loss.item():.4f}", end="", flush=True)
    acc = float(((p.data > 0.5) == (y > 0.5)).mean())
    print(f"\nsummary: accuracy {acc:.3f}, loss {loss.item():.4f}, {time.perf_counter() - start:.2f} s")
    return 0
