"""fixed_point(f, a, x0, distance, tol): x* = f(a)(x*) by iteration from x0,
differentiable with respect to `a` by the implicit function theorem.

    sqrt_two = fixed_point(lambda a: lambda x: 0.5 * (x + a / x), 2.0, 1.0,
                           lambda x, y: abs(x - y), 1e-10)

The backward solves the adjoint fixed point w = g + (d f(a)(x*) / dx)^T w
by the same iteration, then returns (d f(a)(x*) / da)^T w.
"""
from ..differential_operators import make_vjp
from ..extend import defvjp, primitive

__all__ = ["fixed_point"]


@primitive
def fixed_point(f, a, x0, distance, tol):
    step = f(a)
    x, previous = step(x0), x0
    while distance(x, previous) > tol:
        x, previous = step(x), x
    return x


def _fixed_point_vjp(ans, f, a, x0, distance, tol):
    vjp_x, _ = make_vjp(f(a))(ans)
    vjp_a, _ = make_vjp(lambda a_: f(a_)(ans))(a)

    def gradient(g):
        w, previous = g + vjp_x(g), g
        while distance(w, previous) > tol:
            w, previous = g + vjp_x(w), w
        return vjp_a(w)

    return gradient


defvjp(fixed_point, None, _fixed_point_vjp)
