"""biject_to and transform_to: from a constraint to a transform whose codomain is that constraint,
so an unconstrained parameter can be optimized and mapped into the region it must lie in.

    biject_to(c)      a bijection from unconstrained space onto c (for change of variables in
                      densities: its log_abs_det_jacobian is defined)
    transform_to(c)   any map onto c (may not be injective: SoftmaxTransform for the simplex,
                      LowerCholeskyTransform, PositiveDefiniteTransform)

Both are looked up by the constraint's class; `register(constraint, factory)` adds or replaces
an entry (also as a decorator), and the factory receives the constraint instance:

    unconstrained = fastgrad.zeros(3, requires_grad=True)
    scale = transform_to(constraints.positive)(unconstrained)        # exp(u) + 0
"""
import numbers

from . import constraints, transforms

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]


class ConstraintRegistry:
    """A table from Constraint subclasses to factories `factory(constraint) -> Transform`."""

    def __init__(self, name="ConstraintRegistry"):
        self._name = name
        self._registry = {}

    def register(self, constraint, factory=None):
        """Use factory for constraints of constraint's class (a Constraint subclass or instance);
        without factory, a decorator that registers the function it decorates."""
        if factory is None:
            return lambda f: self.register(constraint, f)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not isinstance(constraint, type) or not issubclass(constraint, constraints.Constraint):
            raise TypeError(f"{self._name}.register: expected a Constraint subclass or instance, got {constraint!r}")
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint):
        """The transform onto `constraint`; NotImplementedError when its class has no entry."""
        try:
            factory = self._registry[type(constraint)]
        except KeyError:
            raise NotImplementedError(f"{self._name}: cannot transform {type(constraint).__name__} constraints") \
                from None
        return factory(constraint)


biject_to = ConstraintRegistry("biject_to")
transform_to = ConstraintRegistry("transform_to")


def _is_number(value, number):
    return isinstance(value, numbers.Number) and value == number


def _real(constraint):
    return transforms.identity_transform


def _independent(registry):
    def factory(constraint):
        return transforms.IndependentTransform(registry(constraint.base_constraint),
                                               constraint.reinterpreted_batch_ndims)
    return factory


def _above(constraint):
    """exp(x) + lower_bound."""
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(constraint.lower_bound, 1)])


def _below(constraint):
    """upper_bound - exp(x)."""
    return transforms.ComposeTransform([transforms.ExpTransform(),
                                        transforms.AffineTransform(constraint.upper_bound, -1)])


def _between(constraint):
    """sigmoid(x), stretched onto [lower_bound, upper_bound] unless that is [0, 1]."""
    if _is_number(constraint.lower_bound, 0) and _is_number(constraint.upper_bound, 1):
        return transforms.SigmoidTransform()
    width = constraint.upper_bound - constraint.lower_bound
    return transforms.ComposeTransform([transforms.SigmoidTransform(),
                                        transforms.AffineTransform(constraint.lower_bound, width)])


def _cat(registry):
    def factory(constraint):
        return transforms.CatTransform([registry(c) for c in constraint.cseq], constraint.dim, constraint.lengths)
    return factory


def _stack(registry):
    def factory(constraint):
        return transforms.StackTransform([registry(c) for c in constraint.cseq], constraint.dim)
    return factory


for _registry in (biject_to, transform_to):
    _registry.register(constraints.real, _real)
    _registry.register(constraints.independent, _independent(_registry))
    for _kind in (constraints.greater_than, constraints.greater_than_eq):
        _registry.register(_kind, _above)
    _registry.register(constraints.less_than, _below)
    for _kind in (constraints.interval, constraints.half_open_interval):
        _registry.register(_kind, _between)
    _registry.register(constraints.corr_cholesky, lambda c: transforms.CorrCholeskyTransform())
    _registry.register(constraints.cat, _cat(_registry))
    _registry.register(constraints.stack, _stack(_registry))
biject_to.register(constraints.simplex, lambda c: transforms.StickBreakingTransform())
transform_to.register(constraints.simplex, lambda c: transforms.SoftmaxTransform())
transform_to.register(constraints.lower_cholesky, lambda c: transforms.LowerCholeskyTransform())
transform_to.register(constraints.positive_definite, lambda c: transforms.PositiveDefiniteTransform())
transform_to.register(constraints.positive_semidefinite, lambda c: transforms.PositiveDefiniteTransform())
