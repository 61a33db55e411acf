"""ExponentialFamily: the base of distributions whose density is
p(x; eta) = h(x) exp(<eta, T(x)> - A(eta)), with natural parameters eta and log-normalizer A.

A subclass defines `_natural_params` (a tuple of Tensors), `_log_normalizer(*eta)` (A, written with
differentiable ops) and `_mean_carrier_measure` (E[log h(x)]); the entropy then follows from
A alone, since E[T(x)] = grad A(eta):

    H = A(eta) - <eta, grad A(eta)> - E[log h(x)]

and the Bregman divergence of A between two members' natural parameters is their KL divergence
(`bregman_divergence`, which kl_exponential_family.py registers for kl_divergence of two members
of one family without a closed form of their own, e.g. two Wisharts).
"""
from ..autograd.engine import grad
from ..autograd.grad_mode import enable_grad
from .distribution import Distribution


class ExponentialFamily(Distribution):
    """A Distribution with natural parameters; entropy() from the log-normalizer's gradient.

        class Exp(ExponentialFamily):                   # rate r: eta = -r, A(eta) = -log(-eta)
            _natural_params = property(lambda self: (-self.rate,))
            _mean_carrier_measure = 0
            def _log_normalizer(self, eta): return -(-eta).log()
    """

    @property
    def _natural_params(self):
        raise NotImplementedError(f"{type(self).__name__} has no natural parameters")

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError(f"{type(self).__name__} has no log-normalizer")

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError(f"{type(self).__name__} has no mean carrier measure")

    def _normalizer_and_gradients(self):
        """(A(eta), grad A(eta), eta) at eta = the natural parameters' values as fresh leaves; the
        graph is kept (create_graph), so both stay differentiable in those leaves."""
        eta = [p.detach().requires_grad_() for p in self._natural_params]
        with enable_grad():
            normalizer = self._log_normalizer(*eta)
            gradients = grad(normalizer.sum(), eta, create_graph=True)
        return normalizer, gradients, eta

    def _event_sum(self, value):
        return value.reshape(*self._batch_shape, -1).sum(-1)

    def entropy(self):
        """A(eta) - <eta, grad A(eta)> - E[log h(x)], the inner product over each event.

        Differentiable in the parameters (first derivatives): the value is computed at leaves
        holding eta, and dH/deta at those leaves is attached to the natural parameters' graph."""
        natural = self._natural_params
        with enable_grad():
            normalizer, gradients, eta = self._normalizer_and_gradients()
            at_leaves = normalizer
            for p, g in zip(eta, gradients):
                at_leaves = at_leaves - self._event_sum(p * g)
            slopes = grad(at_leaves.sum(), eta, allow_unused=True)
        result = at_leaves.detach() - self._mean_carrier_measure
        for p, slope in zip(natural, slopes):
            if slope is not None and p.requires_grad:
                result = result + self._event_sum(slope.detach() * (p - p.detach()))
        return result


def bregman_divergence(p, q):
    """KL(p || q) for members p, q of one exponential family:
    A(eta_q) - A(eta_p) - <eta_q - eta_p, grad A(eta_p)>. Differentiable in both (first
    derivatives; p's through the same attachment as entropy's)."""
    if type(p) is not type(q):
        raise NotImplementedError(f"bregman_divergence: p and q must be of one family, got {type(p).__name__} "
                                  f"and {type(q).__name__}")
    natural_p = p._natural_params
    with enable_grad():
        normalizer_p, gradients, eta_p = p._normalizer_and_gradients()
        eta_q = q._natural_params
        result = q._log_normalizer(*eta_q) - normalizer_p
        batch = tuple(result.shape)
        for a, b, g in zip(eta_p, eta_q, gradients):
            result = result - ((b - a) * g).reshape(*batch, -1).sum(-1)
        slopes = grad(result.sum(), eta_p, retain_graph=True, allow_unused=True)
    for a, slope in zip(natural_p, slopes):
        if slope is not None and a.requires_grad:
            result = result + (slope.detach() * (a - a.detach())).reshape(*batch, -1).sum(-1)
    return result
