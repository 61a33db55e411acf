"""Dropout: zero each element (Dropout) or each channel (Dropout2d) with probability p while training,
scale the rest by 1/(1-p)."""
from .. import functional as F
from .module import Module


class Dropout(Module):
    """Training: y = x * mask / (1 - p), mask ~ Bernoulli(1 - p); evaluation: y = x.

    Draws come from fastgrad's default generator (`fastgrad.manual_seed`)."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Training: y[n, c] = x[n, c] * m[n, c] / (1 - p), m ~ Bernoulli(1 - p), one draw per
    channel of each sample of an (N, C, H, W) input; evaluation: y = x.  See F.dropout2d."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Dropout that keeps a SELU network's zero mean and unit variance (F.alpha_dropout): dropped
    values are set to SELU's negative saturation and all values rescaled and shifted."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels input[n, c] of (N, C, *) (F.feature_alpha_dropout)."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)


class Dropout1d(Dropout):
    """Training: y[n, c] = x[n, c] * m[n, c] / (1 - p), m ~ Bernoulli(1 - p), one draw per
    channel of each sample of an (N, C, L) input (or per channel of a (C, L) one); evaluation:
    y = x.  See F.dropout1d."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Training: y[n, c] = x[n, c] * m[n, c] / (1 - p), m ~ Bernoulli(1 - p), one draw per
    channel of each sample of an (N, C, D, H, W) input (or per channel of a (C, D, H, W) one);
    evaluation: y = x.  See F.dropout3d."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)
