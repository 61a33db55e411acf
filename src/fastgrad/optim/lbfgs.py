"""L-BFGS: quasi-Newton steps from a short history of gradient differences."""
from ..autograd.capture import replayed_call
from ..autograd.grad_mode import enable_grad, no_grad
from ..backend import namespace_of
from ..profiler.recording import labelled_step
from . import _checks
from ._arrays import grad_array
from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS (PyTorch's `torch.optim.LBFGS`), over all parameters as one flat vector.

    Each `step(closure)` runs up to `max_iter` iterations (at most `max_eval`
    closure calls).  An iteration turns the gradient into a direction with the
    two-loop recursion over the last `history_size` pairs (s = step taken,
    y = change of gradient), then moves along it by `lr` times the direction
    (the first iteration scales it by min(1, 1 / |g|_1)), or by the step that
    `line_search_fn="strong_wolfe"` finds.  It stops early when the largest
    gradient entry is <= tolerance_grad, or the step or the change of the loss
    is below tolerance_change.

    The closure clears the gradients, computes the loss, calls backward and
    returns the loss; it is called with gradients enabled.

    >>> opt = LBFGS(model.parameters(), lr=1, line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
    >>> opt.step(closure)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        _checks.non_negative("LBFGS", "learning rate", lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS: takes one parameter group (its steps treat all parameters as one vector)")
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS: takes one parameter group (its steps treat all parameters as one vector)")
        super().add_param_group(param_group)

    # ---- the parameters as one flat vector ----------------------------------------

    def _flat_grad(self):
        xp = namespace_of(self._params[0]._data)
        parts = []
        for p in self._params:
            g = p.grad
            parts.append(xp.zeros(p._data.size, dtype=p._data.dtype) if g is None else xp.reshape(grad_array(g), (-1,)))
        return xp.concat(parts) if hasattr(xp, "concat") else xp.concatenate(parts)

    def _move(self, t, d):
        """x <- x + t d, in place."""
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data[...] = p._data + t * d[offset:offset + n].reshape(p._data.shape)
            p._version[0] += 1
            offset += n

    def _evaluate(self, closure):
        with enable_grad():
            loss = closure()
        return float(loss), self._flat_grad()

    # ---- the step -----------------------------------------------------------------

    @replayed_call
    @labelled_step("step")
    def step(self, closure=None):
        """Run up to max_iter L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise TypeError("LBFGS.step: a closure is required (it re-evaluates the loss and its gradients)")
        with no_grad():
            return self._iterate(closure, self.param_groups[0])

    def _iterate(self, closure, group):
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        with enable_grad():
            orig_loss = closure()
        loss = float(orig_loss)
        g = self._flat_grad()
        evaluations = 1
        state["func_evals"] += 1
        if abs(g).max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        history = state.get("history")
        prev_g, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -g
                history = _History(group["history_size"])
            else:
                history.add(s=d * t, y=g - prev_g)
                d = history.direction(g)
            prev_g = g.copy()
            prev_loss = loss
            t = min(1.0, 1.0 / abs(g).sum()) * lr if state["n_iter"] == 1 else lr
            gd = g.dot(d)
            if gd > -tolerance_change:     # not a descent direction
                break

            if group["line_search_fn"] == "strong_wolfe":
                x = [p._data.copy() for p in self._params]
                loss, g, t, used = strong_wolfe(lambda step: self._probe(closure, x, step, d), t, d, loss, g, gd,
                                                max_ls=max_eval - evaluations)
                self._move(t, d)
                converged = abs(g).max() <= tolerance_grad
            else:
                self._move(t, d)
                used, converged = 0, False
                if n_iter != max_iter:
                    loss, g = self._evaluate(closure)
                    converged = abs(g).max() <= tolerance_grad
                    used = 1
            evaluations += used
            state["func_evals"] += used

            if (n_iter == max_iter or evaluations >= max_eval or converged
                    or abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change):
                break

        state.update(d=d, t=t, history=history, prev_flat_grad=prev_g, prev_loss=prev_loss)
        return orig_loss

    def _probe(self, closure, x, t, d):
        """(loss, flat gradient) at x + t d; the parameters are set back to x after."""
        self._move(t, d)
        loss, g = self._evaluate(closure)
        for p, saved in zip(self._params, x):
            p._data[...] = saved
        return loss, g


class _History:
    """The last `size` pairs (s, y) with rho = 1 / y.s, and the initial Hessian scale y.s / y.y."""

    def __init__(self, size):
        self.size = size
        self.s, self.y, self.rho = [], [], []
        self.scale = 1

    def add(self, s, y):
        ys = y.dot(s)
        if not ys > 1e-10:       # curvature too small: keep the history as it is
            return
        if len(self.s) == self.size:
            del self.s[0], self.y[0], self.rho[0]
        self.s.append(s)
        self.y.append(y)
        self.rho.append(1.0 / ys)
        self.scale = ys / y.dot(y)

    def direction(self, g):
        """-H g by the two-loop recursion, H the L-BFGS inverse Hessian approximation."""
        q = -g
        alphas = [None] * len(self.s)
        for i in range(len(self.s) - 1, -1, -1):
            alphas[i] = self.s[i].dot(q) * self.rho[i]
            q = q - alphas[i] * self.y[i]
        r = q * self.scale
        for i in range(len(self.s)):
            beta = self.y[i].dot(r) * self.rho[i]
            r = r + (alphas[i] - beta) * self.s[i]
        return r
