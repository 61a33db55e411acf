"""AdaptiveLogSoftmaxWithLoss (Grave et al., 2017, "Efficient softmax approximation for GPUs"):
the frequent classes (below cutoffs[0]) and one entry per cluster of rarer classes share a head
softmax; each cluster has its own smaller softmax, reached through a projection of
in_features / div_value ** (i + 1) features.  A class's log-probability is its head entry's,
or its cluster's head entry's plus its own within the cluster.  Parameters, their names and
their initialisation are PyTorch's, so a state_dict moves between the two.
"""
from collections import namedtuple

import numpy as np

from ...autograd.tensor import Tensor
from ...ops.shape import concatenate
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """forward(input (N, in_features) or (in_features,), target (N,) or ()) -> (output, loss):
    output the log-probability of each target, loss the mean of -output.  log_prob(input)
    gives every class's log-probability, predict(input) the most probable class."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an increasing "
                             "order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes, self.div_value, self.head_bias = in_features, n_classes, div_value, head_bias
        self.cutoffs = cutoffs + [n_classes]
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            size = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, device=device, dtype=dtype),
                                        Linear(hidden, size, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection, output in self.tail:
            projection.reset_parameters()
            output.reset_parameters()

    def forward(self, input, target):
        batched = input.ndim == 2
        if not batched and input.ndim != 1:
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: input should be 1-d or 2-d, got shape {tuple(input.shape)}")
        labels = np.asarray(target._data if isinstance(target, Tensor) else target)
        if labels.ndim != (1 if batched else 0) or (batched and labels.shape[0] != input.shape[0]):
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: input of shape {tuple(input.shape)} needs a target of "
                               f"shape {tuple(input.shape[:1])}, got {labels.shape}")
        x = input if batched else input.unsqueeze(0)
        labels = labels.reshape(-1).astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{labels.min()}, {labels.max()}] were found.")
        head_entry = labels.copy()   # each row's entry in the head: its class, or its cluster's
        output = Tensor(np.zeros(labels.shape[0], x.dtype))
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            rows = np.nonzero((labels >= low) & (labels < high))[0]
            if rows.size == 0:
                continue
            head_entry[rows] = self.shortlist_size + i
            cluster = F.log_softmax(self.tail[i](x[rows]), dim=1)
            within = cluster.gather(1, Tensor((labels[rows] - low)[:, None]))
            output = output.index_add(0, Tensor(rows), within.squeeze(1))
        head = F.log_softmax(self.head(x), dim=1)
        output = output + head.gather(1, Tensor(head_entry[:, None])).squeeze(1)
        loss = (-output).mean()
        return _ASMoutput(output if batched else output.squeeze(0), loss)

    def log_prob(self, input):
        """The log-probability of every class: (N, n_classes), or (n_classes,) for one input."""
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        head = F.log_softmax(self.head(x), dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            parts.append(F.log_softmax(self.tail[i](x), dim=1) + head[:, self.shortlist_size + i:self.shortlist_size + i + 1])
        out = concatenate(parts, axis=1)
        return out if batched else out.squeeze(0)

    def predict(self, input):
        """The most probable class of each input (int64)."""
        return self.log_prob(input).argmax(dim=-1)

