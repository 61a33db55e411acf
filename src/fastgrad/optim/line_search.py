"""A line search satisfying the strong Wolfe conditions, for LBFGS.

Along a direction d from x, with f(t) = loss(x + t d) and f'(t) = grad(x + t d) . d,
a step t is accepted when

    f(t) <= f(0) + c1 t f'(0)        (sufficient decrease)
    |f'(t)| <= -c2 f'(0)             (curvature)

The search first grows t (by cubic extrapolation) until an interval is known
to hold an acceptable step, then shrinks that interval (by safeguarded cubic
interpolation) until a step is accepted, the interval is too small to matter,
or `max_ls` evaluations are spent.  Same algorithm and constants as PyTorch's
LBFGS (Nocedal and Wright, Numerical Optimization, algorithms 3.5 and 3.6).
"""


def cubic_minimizer(t1, f1, g1, t2, f2, g2, bounds=None):
    """The minimizer of the cubic through (t1, f1) and (t2, f2) with slopes g1 and g2,
    clipped to `bounds` (default: the interval between t1 and t2); its midpoint when
    the cubic has no minimum."""
    low, high = bounds if bounds is not None else ((t1, t2) if t1 <= t2 else (t2, t1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:
        return (low + high) / 2.0
    d2 = d2_square ** 0.5
    if t1 <= t2:
        t = t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        t = t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(t, low), high)


class _Point:
    """A trial step t with its loss f, flat gradient g and slope gd = g . d."""

    __slots__ = ("t", "f", "g", "gd")

    def __init__(self, t, f, g, gd):
        self.t, self.f, self.g, self.gd = t, f, g, gd


def strong_wolfe(evaluate, t, d, f, g, gd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Search along d from the current point (loss f, flat gradient g, slope gd = g . d < 0).

    evaluate(t) -> (loss, flat gradient) at x + t d (leaving x unchanged).
    Returns (loss, flat gradient, t, evaluations) of the step found."""
    d_norm = abs(d).max()
    start = _Point(0, f, g.copy(), gd)
    prev = start
    new = _trial(evaluate, t, d)
    evaluations = 1
    done = False
    bracket = None
    ls_iter = 0
    # Phase 1: grow the step until [prev, new] brackets an acceptable one.
    while ls_iter < max_ls:
        if new.f > f + c1 * new.t * gd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, new]
            break
        if abs(new.gd) <= -c2 * gd:
            bracket = [new]
            done = True
            break
        if new.gd >= 0:
            bracket = [prev, new]
            break
        t = cubic_minimizer(prev.t, prev.f, prev.gd, new.t, new.f, new.gd,
                            bounds=(new.t + 0.01 * (new.t - prev.t), new.t * 10))
        prev = new
        new = _trial(evaluate, t, d)
        evaluations += 1
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = [start, new]
    # Phase 2: shrink the bracket [low, high] (low: the lower loss) until a step is accepted.
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    insufficient_progress = False
    while not done and ls_iter < max_ls:
        a, b = bracket[0].t, bracket[1].t
        if abs(b - a) * d_norm < tolerance_change:
            break
        t = cubic_minimizer(a, bracket[0].f, bracket[0].gd, b, bracket[1].f, bracket[1].gd)
        t, insufficient_progress = _away_from_the_ends(t, min(a, b), max(a, b), insufficient_progress)
        new = _trial(evaluate, t, d)
        evaluations += 1
        ls_iter += 1
        if new.f > f + c1 * t * gd or new.f >= bracket[low].f:
            bracket[high] = new
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(new.gd) <= -c2 * gd:
                done = True
            elif new.gd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new
    best = bracket[low]
    return best.f, best.g, best.t, evaluations


def _trial(evaluate, t, d):
    f, g = evaluate(t)
    return _Point(t, f, g, g.dot(d))


def _away_from_the_ends(t, lo, hi, insufficient_progress):
    """Keep an interpolated step at least 10% of the interval away from its ends
    when the last step made little progress (or t fell on or outside an end)."""
    margin = 0.1 * (hi - lo)
    if not min(hi - t, t - lo) < margin:
        return t, False
    if insufficient_progress or t >= hi or t <= lo:
        t = hi - margin if abs(t - hi) < abs(t - lo) else lo + margin
        return t, False
    return t, True
