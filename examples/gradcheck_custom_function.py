"""Write a differentiable function of your own, then check its gradient numerically.

softplus(x) = log(1 + exp(beta x)) / beta, computed stably as
(max(beta x, 0) + log1p(exp(-|beta x|))) / beta, with derivative
d softplus / dx = sigmoid(beta x).

`fg.gradcheck` compares the backward with central differences in float64,
(f(x + eps) - f(x - eps)) / (2 eps), element by element. A backward with a
classic mistake -- forgetting to multiply by the incoming gradient g -- is
caught and reported with the element where it is wrong.

Run:  python examples/gradcheck_custom_function.py
"""
import numpy as np

import fastgrad as fg
from fastgrad.utils.gradcheck import GradcheckError


class Softplus(fg.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta=1.0):
        bx = beta * x
        ctx.save_for_backward(x)
        ctx.beta = beta
        return (fg.maximum(bx, 0) + fg.log1p(fg.exp(-bx.abs()))) / beta

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g / (1 + fg.exp(-ctx.beta * x)), None    # g * sigmoid(beta x); no gradient for beta


class SoftplusForgetsG(Softplus):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 1 / (1 + fg.exp(-ctx.beta * x)), None    # wrong: the chain rule needs g *


def softplus(x, beta=1.0):
    return Softplus.apply(x, beta)


def main():
    rng = np.random.default_rng(0)
    x = fg.tensor(rng.standard_normal((3, 4)) * 5, requires_grad=True)   # float64
    results = {}
    for beta in (1.0, 2.5):
        results[f"beta={beta}"] = fg.gradcheck(lambda t: softplus(t, beta), (x,))
        print(f"softplus, beta {beta}: gradcheck passed")
    big = fg.tensor(np.array([-800.0, 0.0, 800.0]), requires_grad=True)
    value = softplus(big)
    print(f"softplus([-800, 0, 800]) = {np.round(value.data, 6).tolist()} (finite: no overflow)")
    results["large_inputs"] = value.data.tolist()
    try:
        fg.gradcheck(lambda t: SoftplusForgetsG.apply(t), (x,))
        results["bug_caught"] = False
        print("the broken backward was NOT caught")
    except GradcheckError as e:
        results["bug_caught"] = True
        print(f"the broken backward is caught:\n  {e}")
    return results


if __name__ == "__main__":
    main()
