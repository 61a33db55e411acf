"""A scalar expression graph and its gradient: the seed of every autograd.

1. y = x**2 + 3 x + 1 at x = 2: dy/dx = 2 x + 3 = 7.
2. One sigmoid neuron, z = w x + b, a = sigmoid(z), L = (a - t)^2, at
   x = 2, w = 3, b = 1, t = 1: every intermediate and its gradient, computed
   twice -- once by hand with the chain rule in reverse order, once by
   fastgrad's backward -- and shown side by side.

0-d tensors behave like Python numbers; `retain_grad()` keeps the gradient
of an intermediate so that it can be printed.

Run:  python examples/scalar_graph.py
"""
import math

import fastgrad as fg


def polynomial(x_value=2.0):
    x = fg.tensor(x_value, dtype="float64", requires_grad=True)
    y = x**2 + 3 * x + 1
    y.backward()
    return y.item(), float(x.grad)


def neuron_by_hand(x, w, b, t):
    """Forward, then the chain rule from the loss back to w and b."""
    z = w * x + b
    a = 1.0 / (1.0 + math.exp(-z))
    loss = (a - t) ** 2
    dloss_da = 2.0 * (a - t)
    dloss_dz = dloss_da * a * (1.0 - a)      # sigmoid' = a (1 - a)
    return {"z": (z, dloss_dz), "a": (a, dloss_da), "L": (loss, 1.0),
            "w": (w, dloss_dz * x), "b": (b, dloss_dz)}


def neuron_with_fastgrad(x, w, b, t):
    w = fg.tensor(w, dtype="float64", requires_grad=True)
    b = fg.tensor(b, dtype="float64", requires_grad=True)
    z = w * x + b
    a = z.sigmoid()
    loss = (a - t) ** 2
    for node in (z, a, loss):
        node.retain_grad()
    loss.backward()
    return {name: (t_.item(), float(t_.grad)) for name, t_ in
            (("z", z), ("a", a), ("L", loss), ("w", w), ("b", b))}


def main():
    y, dy_dx = polynomial()
    print(f"y = x**2 + 3x + 1 at x = 2:  y = {y:g}, dy/dx = {dy_dx:g}  (2x + 3 = 7)")
    print()
    hand = neuron_by_hand(2.0, 3.0, 1.0, 1.0)
    auto = neuron_with_fastgrad(2.0, 3.0, 1.0, 1.0)
    print("sigmoid neuron, x = 2, w = 3, b = 1, target 1")
    print(f"{'node':<5} {'value':>22} {'dL/dnode by hand':>24} {'dL/dnode by fastgrad':>24}")
    for name in ("w", "b", "z", "a", "L"):
        print(f"{name:<5} {auto[name][0]:22.16g} {hand[name][1]:24.16g} {auto[name][1]:24.16g}")
    return {"polynomial": (y, dy_dx), "hand": hand, "autograd": auto}


if __name__ == "__main__":
    main()
