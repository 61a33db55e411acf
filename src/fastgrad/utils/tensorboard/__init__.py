"""PyTorch's torch.utils.tensorboard: SummaryWriter (scalars, histograms, text), needing no
TensorBoard to write; see writer.py."""
from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
