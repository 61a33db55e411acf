"""Padding variable-length sequences into one batch (PyTorch's `torch.nn.utils.rnn.pad_sequence`)."""
from ...autograd.tensor import Tensor
from ...ops import padding as _padding, shape as _shape

__all__ = ["pad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_i, *) into (max L, B, *) (or (B, max L, *) with batch_first),
    each padded with padding_value at the end (padding_side='right') or the start ('left');
    differentiable in each sequence."""
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise ValueError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}")
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(s).__name__}, not a Tensor")
        if s.ndim == 0 or tuple(s.shape[1:]) != tuple(sequences[0].shape[1:]):
            raise ValueError(f"pad_sequence: every sequence must be (L, *) with one trailing shape; sequence {i} "
                             f"has shape {tuple(s.shape)}, sequence 0 {tuple(sequences[0].shape)}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        widths = [(0, 0)] * s.ndim
        widths[0] = (0, extra) if padding_side == "right" else (extra, 0)
        # F.pad's order: pairs from the last dimension backwards
        flat = [w for pair in reversed(widths) for w in pair]
        padded.append(_padding.pad(s, flat, value=padding_value) if extra else s)
    return _shape.stack(padded, axis=0 if batch_first else 1)
