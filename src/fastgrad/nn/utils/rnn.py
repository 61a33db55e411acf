"""Variable-length sequences in one batch, as PyTorch's `torch.nn.utils.rnn`: padded (pad_sequence,
unpad_sequence) or packed (PackedSequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpack_sequence)."""
from collections import namedtuple

import numpy as np

from ...autograd.tensor import Tensor
from ...backend import namespace_of
from ...ops import padding as _padding, shape as _shape
from ..float_casts import FloatCasts

__all__ = ["PackedSequence", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence",
           "unpack_sequence", "unpad_sequence"]


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


# ---- packed sequences ---------------------------------------------------------------------------

class PackedSequence(FloatCasts,
                     namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences, as PyTorch's: `data` (sum of lengths, *) holds the
    elements time step by time step, each step's rows those of the sequences still running,
    longest first; `batch_sizes` (int64, on the CPU) how many rows each step has;
    `sorted_indices` the original batch position of each sorted sequence (None when the batch
    came sorted) and `unsorted_indices` its inverse.  Made by pack_padded_sequence or
    pack_sequence, consumed by RNN, LSTM, GRU and pad_packed_sequence."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if batch_sizes is None:
            raise TypeError("PackedSequence: argument 'batch_sizes' is required; build one with "
                            "pack_padded_sequence or pack_sequence")
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _indices_like(np.argsort(_integers(sorted_indices)), sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The data moved or cast as Tensor.to does; the indices follow its device, batch_sizes stays on the CPU."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        indices = [None if i is None else i.to(data.device) for i in (self.sorted_indices, self.unsorted_indices)]
        return type(self)(data, self.batch_sizes, *indices)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    @property
    def is_cuda(self):
        return self.data.device.type == "cuda"


def packed_runs(batch_sizes):
    """The runs of consecutive time steps with one batch size, as (first step, end step, batch size,
    first row in the packed data): within a run the data is one (steps, batch, *) block."""
    sizes = _integers(batch_sizes)
    runs, start, offset = [], 0, 0
    for t in range(1, len(sizes) + 1):
        if t == len(sizes) or sizes[t] != sizes[start]:
            runs.append((start, t, int(sizes[start]), offset))
            offset += (t - start) * int(sizes[start])
            start = t
    return runs


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded batch (T, B, *) (or (B, T, *) with batch_first) of sequences of the given
    lengths into a PackedSequence; differentiable in the input.  With enforce_sorted the lengths
    must be in decreasing order; otherwise the batch is sorted here and the order remembered."""
    op = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        input = Tensor(input)
    if input.ndim < 2:
        raise ValueError(f"{op}: argument 'input' must have a time and a batch axis, got shape {tuple(input.shape)}")
    if batch_first:
        input = _shape.swapaxes(input, 0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if input.numel() == 0:
        raise RuntimeError(f"{op}: Cannot pack empty tensors (argument 'input' has shape {tuple(input.shape)})")
    lengths = _lengths(op, lengths)
    if len(lengths) != batch:
        raise RuntimeError(f"{op}: Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={batch})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(f"{op}: `lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                               "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
        order = np.arange(batch)
    else:
        order = np.argsort(-lengths, kind="stable")
    if lengths.min() <= 0:
        raise RuntimeError(f"{op}: Length of all samples has to be greater than 0, but found an element in "
                           f"'lengths' that is <= 0")
    if lengths.max() > steps:
        raise RuntimeError(f"{op}: `lengths` holds {lengths.max()}, longer than the input's padded time axis "
                           f"({steps} steps)")
    sorted_lengths = lengths[order]
    batch_sizes = (sorted_lengths[None, :] > np.arange(sorted_lengths[0])[:, None]).sum(axis=1)
    rows = np.concatenate([np.arange(n) for n in batch_sizes])
    time = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    data = input[time, order[rows]]
    sorted_indices = None if enforce_sorted else _indices_like(order, input)
    return PackedSequence(data, Tensor(batch_sizes.astype(np.int64)), sorted_indices,
                          None if enforce_sorted else _indices_like(np.argsort(order), input))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """The padded batch (T, B, *) (or (B, T, *) with batch_first) of a PackedSequence, in the original
    batch order, padded with padding_value to its longest sequence or to total_length; and the
    lengths (an int64 tensor).  Differentiable in the packed data."""
    op = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: argument 'sequence' must be a PackedSequence, got {type(sequence).__name__}")
    data, sizes = sequence.data, _integers(sequence.batch_sizes)
    longest, batch = len(sizes), int(sizes[0])
    if total_length is not None:
        if total_length < longest:
            raise ValueError(f"{op}: Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being {longest}")
    features = tuple(data.shape[1:])
    blocks = []
    for start, end, size, offset in packed_runs(sizes):
        block = data[offset:offset + (end - start) * size].reshape((end - start, size) + features)
        blocks.append(_pad_axis(block, 1, batch - size, padding_value))
    padded = _pad_axis(_shape.concatenate(blocks, axis=0), 0, (total_length or longest) - longest, padding_value)
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    if sequence.unsorted_indices is not None:
        unsorted = _integers(sequence.unsorted_indices)
        padded = padded[:, unsorted]
        lengths = lengths[unsorted]
    if batch_first:
        padded = _shape.swapaxes(padded, 0, 1)
    return padded, Tensor(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted=True):
    """Packs a list of tensors of shapes (L_i, *) into a PackedSequence (pad_sequence, then
    pack_padded_sequence)."""
    sequences = list(sequences)
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_i, *) inside a padded batch: the inverse of pad_sequence."""
    if not batch_first:
        padded_sequences = _shape.swapaxes(padded_sequences, 0, 1)
    lengths = _lengths("unpad_sequence", lengths)
    if len(lengths) != padded_sequences.shape[0]:
        raise ValueError(f"unpad_sequence: got {len(lengths)} lengths for a batch of {padded_sequences.shape[0]}")
    return [padded_sequences[i, :int(n)] for i, n in enumerate(lengths)]


def unpack_sequence(packed_sequences):
    """The list of sequences (L_i, *) inside a PackedSequence, in the original order: the inverse of pack_sequence."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def _pad_axis(x, axis, extra, value):
    """x padded at the end of `axis` by `extra` entries of `value`."""
    if extra <= 0:
        return x
    widths = [0, 0] * x.ndim
    widths[2 * (x.ndim - 1 - axis) + 1] = extra  # F.pad's order: pairs from the last dimension backwards
    return _padding.pad(x, widths, value=value)


def _integers(values):
    """A tensor, array or list of integers as a NumPy int64 array (host memory)."""
    if isinstance(values, Tensor):
        values = values.tolist()
    return np.asarray(values, dtype=np.int64)


def _lengths(op, lengths):
    """`lengths` (a list, array, tensor or int) as a 1-d NumPy int64 array."""
    values = lengths.tolist() if isinstance(lengths, Tensor) else lengths
    array = np.asarray(values)
    integral = array.dtype.kind in "iu" or (array.dtype.kind == "f" and np.all(array == np.trunc(array)))
    if array.ndim > 1 or not integral:
        raise TypeError(f"{op}: argument 'lengths' must be a 1-d list, array or tensor of integers, got {lengths!r}")
    return np.atleast_1d(array).astype(np.int64)


def _indices_like(indices, like):
    """int64 indices as a tensor on the device of `like`."""
    tensor = Tensor(np.asarray(indices, dtype=np.int64))
    return tensor if like.device.type == "cpu" else tensor.to(like.device)


def invert_permutation(permutation):
    """The permutation that undoes `permutation` (1-d, int64): out[permutation[i]] = i; None for None.

    >>> invert_permutation(fastgrad.tensor([2, 0, 1])).tolist()
    [1, 2, 0]
    """
    if permutation is None:
        return None
    data = permutation._data if isinstance(permutation, Tensor) else np.asarray(permutation)
    if data.ndim != 1:
        raise ValueError(f"invert_permutation: argument 'permutation' must be 1-d, got shape {tuple(data.shape)}")
    xp = namespace_of(data) if not isinstance(data, np.ndarray) else np
    if xp is np:
        if data.dtype.kind not in "iu":
            raise TypeError(f"invert_permutation: argument 'permutation' must hold integers, got dtype {data.dtype}")
        if not np.array_equal(np.sort(data), np.arange(data.size)):
            raise ValueError("invert_permutation: argument 'permutation' must hold each of 0 .. n - 1 once")
        inverse = np.empty(data.size, dtype=np.int64)
        inverse[data] = np.arange(data.size, dtype=np.int64)
    else:
        inverse = xp.argsort(data)
    return Tensor(inverse)


__all__ += ["invert_permutation"]
