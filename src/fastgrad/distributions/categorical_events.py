"""CategoricalEvents: the shared part of distributions whose events are vectors over the K classes
of a Categorical(probs or logits) (OneHotCategorical, Multinomial, ExpRelaxedCategorical): the
event shape (K,), and probs, logits and param_shape read from that Categorical."""
from . import constraints
from .categorical import Categorical
from .distribution import Distribution
from .forwarded import forwarded


class CategoricalEvents(Distribution):
    """Events of shape (K,) over the classes of Categorical(probs or logits); the other axes of
    the parameter are the batch shape."""
    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits, validate_args=False)
        super().__init__(batch_shape=self._categorical.batch_shape, event_shape=self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    probs = forwarded("_categorical.probs")
    logits = forwarded("_categorical.logits")
    param_shape = forwarded("_categorical.param_shape")
