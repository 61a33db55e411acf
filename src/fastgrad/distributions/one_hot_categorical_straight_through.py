"""OneHotCategoricalStraightThrough: OneHotCategorical whose rsample passes gradients straight
through the discrete draw to the probabilities."""
from .one_hot_categorical import OneHotCategorical


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """rsample() = s + (p - stop_gradient(p)) for a one-hot draw s: the value is the draw, the
    gradient that of p (the straight-through estimator of d s / d p).

    >>> import fastgrad as fg
    >>> logits = fg.zeros(3, requires_grad=True)
    >>> s = OneHotCategoricalStraightThrough(logits=logits).rsample()
    >>> (s * fg.tensor([1.0, 2.0, 3.0])).sum().backward()       # logits.grad is that of sum(w * softmax)
    """
    has_rsample = True

    def rsample(self, sample_shape=()):
        draws = self.sample(sample_shape)
        probs = self.probs
        return draws + (probs - probs.detach())
