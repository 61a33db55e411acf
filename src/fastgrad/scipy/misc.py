"""HIPS autograd's scipy.misc: logsumexp."""
from ._logsumexp import logsumexp  # noqa: F401
