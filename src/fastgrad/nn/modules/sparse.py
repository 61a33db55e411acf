"""Embedding: a lookup table of learnable vectors, indexed by integer ids; EmbeddingBag: their
sums, means or maxima over bags of ids."""
import numpy as np

from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from .. import init
from ..parameter import Parameter
from .. import functional as F
from .module import Module


def _set_up_table(module, num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                  sparse, _weight, _freeze, dtype):
    """The weight table (given as _weight, or drawn by reset_parameters) and the lookup options
    of Embedding and EmbeddingBag."""
    name = type(module).__name__
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"{name}: padding_idx {padding_idx} must be within num_embeddings ({num_embeddings})")
        padding_idx = padding_idx % num_embeddings
    module.num_embeddings = num_embeddings
    module.embedding_dim = embedding_dim
    module.padding_idx = padding_idx
    module.max_norm, module.norm_type, module.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
    module.sparse = sparse   # gradients are dense either way, with the values of PyTorch's sparse ones
    dtype = np.dtype(dtype) if dtype is not None else get_default_dtype()
    if _weight is None:
        module.weight = Parameter(np.empty((num_embeddings, embedding_dim), dtype=dtype), requires_grad=not _freeze)
        module.reset_parameters()
    else:
        data = _weight._data if isinstance(_weight, Tensor) else np.asarray(_weight)
        if tuple(data.shape) != (num_embeddings, embedding_dim):
            raise ValueError(f"{name}: _weight has shape {tuple(data.shape)}, expected "
                             f"{(num_embeddings, embedding_dim)}")
        module.weight = Parameter(data, requires_grad=not _freeze)


class Embedding(Module):
    """out[..., :] = weight[ids[...], :]; weight ~ N(0, 1), row `padding_idx` zero and never updated.

    >>> emb = Embedding(1000, 64)
    >>> emb(np.array([[1, 2, 3]])).shape
    (1, 3, 64)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        _set_up_table(self, num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                      sparse, _weight, _freeze, dtype)
        self._place_on(device)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None):
        """An Embedding whose weight is `embeddings` (shape (num, dim)), frozen by default."""
        data = embeddings._data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {data.shape}")
        return cls(data.shape[0], data.shape[1], padding_idx=padding_idx, _weight=data.copy(), _freeze=freeze)

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        s += f", padding_idx={self.padding_idx}" if self.padding_idx is not None else ""
        s += f", max_norm={self.max_norm}" if self.max_norm is not None else ""
        s += f", norm_type={self.norm_type}" if self.norm_type != 2 else ""
        s += ", scale_grad_by_freq=True" if self.scale_grad_by_freq else ""
        return s + (", sparse=True" if self.sparse else "")


class EmbeddingBag(Module):
    """The sum, mean or maximum of each bag's rows of `weight`, as PyTorch's nn.EmbeddingBag
    (F.embedding_bag): input 2-d (a bag per row) or 1-d with `offsets`; weight ~ N(0, 1), row
    `padding_idx` zero, left out of every bag and never updated.

    >>> bag = EmbeddingBag(1000, 64, mode="sum")
    >>> bag(np.array([1, 2, 3, 4]), np.array([0, 3])).shape
    (2, 64)
    """

    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        self.mode, self.include_last_offset = mode, include_last_offset
        _set_up_table(self, num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                      sparse, _weight, False, dtype)
        self._place_on(device)

    reset_parameters = Embedding.reset_parameters

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None):
        """An EmbeddingBag whose weight is a copy of `embeddings` (num, dim), frozen by default."""
        data = embeddings._data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"EmbeddingBag.from_pretrained: embeddings must be 2-D, got shape {data.shape}")
        bag = cls(data.shape[0], data.shape[1], max_norm, norm_type, scale_grad_by_freq, mode, sparse,
                  _weight=data.copy(), include_last_offset=include_last_offset, padding_idx=padding_idx)
        bag.weight.requires_grad = not freeze
        return bag

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, False, per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        text += f", max_norm={self.max_norm}" if self.max_norm is not None else ""
        text += f", norm_type={self.norm_type}" if self.norm_type != 2 else ""
        text += ", scale_grad_by_freq=True" if self.scale_grad_by_freq else ""
        text += f", mode={self.mode!r}"
        return text + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
