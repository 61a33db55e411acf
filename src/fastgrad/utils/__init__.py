"""Training utilities: gradient checking, data loading, checkpointing, save/load."""
from .gradcheck import gradcheck

__all__ = ["gradcheck"]
