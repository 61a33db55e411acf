"""Layers, containers and losses (PyTorch's `torch.nn` modules)."""
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .normalization import BatchNorm1d, LayerNorm
from .sparse import Embedding

__all__ = ["BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "Embedding", "Flatten",
           "GELU", "HuberLoss", "Identity", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss",
           "Module", "ModuleDict", "ModuleList", "NLLLoss", "ReLU", "Sequential", "SiLU", "Sigmoid", "SmoothL1Loss",
           "Softmax", "Softplus", "Tanh"]

# Convolution and pooling layers.
from .conv import Conv1d, Conv2d, ConvTranspose2d
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d

__all__ += ["AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "AvgPool1d", "AvgPool2d", "Conv1d", "Conv2d", "ConvTranspose2d",
            "MaxPool1d", "MaxPool2d"]

# Normalization layers with fused C kernels.
from .norm import BatchNorm2d, GroupNorm, InstanceNorm2d

__all__ += ["BatchNorm2d", "GroupNorm", "InstanceNorm2d"]

# Recurrent layers and cells.
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"]

# Attention and the transformer encoder.
from .attention import MultiheadAttention
from .transformer import TransformerEncoder, TransformerEncoderLayer

__all__ += ["MultiheadAttention", "TransformerEncoder", "TransformerEncoderLayer"]

# Helper layers: unflattening, resampling, KL divergence.
from .linear import Unflatten
from .loss import KLDivLoss
from .upsampling import Upsample

__all__ += ["KLDivLoss", "Unflatten", "Upsample"]

# Channel dropout.
from .dropout import Dropout2d

__all__ += ["Dropout2d"]

# Activations composed from differentiable ops.
from .activation import (CELU, ELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, PReLU,
                         ReLU6, Softmin, Softsign, Tanhshrink)

__all__ += ["CELU", "ELU", "GLU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "PReLU", "ReLU6",
            "SELU", "Softmin", "Softsign", "Tanhshrink"]

# A list of parameters.
from .container import ParameterList

__all__ += ["ParameterList"]

# 1-d transposed convolution, 1-d adaptive pooling, RMSNorm.
from .conv import ConvTranspose1d
from .normalization import RMSNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveMaxPool1d

__all__ += ["AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "ConvTranspose1d", "RMSNorm"]

# The transformer decoder and the full encoder-decoder Transformer.
from .transformer import Transformer, TransformerDecoder, TransformerDecoderLayer

__all__ += ["Transformer", "TransformerDecoder", "TransformerDecoderLayer"]

# The bilinear layer and bags of embeddings.
from .linear import Bilinear
from .sparse import EmbeddingBag

__all__ += ["Bilinear", "EmbeddingBag"]

from .loss import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss, MarginRankingLoss,  # noqa: E402
                   MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SoftMarginLoss, TripletMarginLoss,
                   TripletMarginWithDistanceLoss, MultiLabelMarginLoss)

__all__ += ["MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
            "MultiLabelSoftMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss",
            "TripletMarginWithDistanceLoss", "MultiLabelMarginLoss"]

# Padding, pixel and channel shuffles, folding, shrinking, alpha dropout, LRN, LP pooling, unpooling.
from .activation import Hardshrink, Softmax2d, Softshrink, Threshold  # noqa: E402
from .dropout import AlphaDropout, FeatureAlphaDropout  # noqa: E402
from .fold import Fold, Unfold  # noqa: E402
from .lp_pool import LPPool1d, LPPool2d  # noqa: E402
from .max_unpool import MaxUnpool1d, MaxUnpool2d  # noqa: E402
from .normalization import LocalResponseNorm  # noqa: E402
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,  # noqa: E402
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d,
                      ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .shuffle import ChannelShuffle, PixelShuffle, PixelUnshuffle  # noqa: E402
from .upsampling import UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402

__all__ += ["Hardshrink", "Softmax2d", "Softshrink", "Threshold", "AlphaDropout", "FeatureAlphaDropout", "Fold",
            "Unfold", "LPPool1d", "LPPool2d", "MaxUnpool1d", "MaxUnpool2d", "LocalResponseNorm", "CircularPad1d",
            "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d",
            "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d",
            "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ChannelShuffle", "PixelShuffle", "PixelUnshuffle",
            "UpsamplingBilinear2d", "UpsamplingNearest2d"]

# 3-d convolution, pooling and normalization.
from .conv import Conv3d  # noqa: E402
from .norm import BatchNorm3d, InstanceNorm3d  # noqa: E402
from .pooling import AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d  # noqa: E402

__all__ += ["AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "AvgPool3d", "BatchNorm3d", "Conv3d", "InstanceNorm3d",
            "MaxPool3d"]

# Sequence losses.
from .loss import CTCLoss  # noqa: E402

__all__ += ["CTCLoss"]

# A dict of parameters, channel dropout of sequences, distances between rows.
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from .dropout import Dropout1d  # noqa: E402
from .parameter_dict import ParameterDict  # noqa: E402

__all__ += ["CosineSimilarity", "Dropout1d", "PairwiseDistance", "ParameterDict"]

from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402

__all__ += ["AdaptiveLogSoftmaxWithLoss"]

# Randomized leaky ReLU; 1-d instance norm; 3-d channel dropout, transposed convolution, unpooling and LP pooling.
from .activation import RReLU  # noqa: E402
from .conv import ConvTranspose3d  # noqa: E402
from .dropout import Dropout3d  # noqa: E402
from .lp_pool import LPPool3d  # noqa: E402
from .max_unpool import MaxUnpool3d  # noqa: E402
from .norm import InstanceNorm1d  # noqa: E402

__all__ += ["RReLU", "ConvTranspose3d", "Dropout3d", "LPPool3d", "MaxUnpool3d", "InstanceNorm1d"]

# Lazy layers: their input size is read from the first input.
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,  # noqa: E402
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d, LazyInstanceNorm1d,
                   LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear)

__all__ += ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyConv1d", "LazyConv2d", "LazyConv3d",
            "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyInstanceNorm1d",
            "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LazyLinear"]

# Batch normalization over every process's batch.
from .sync_batch_norm import SyncBatchNorm  # noqa: E402

__all__ += ["SyncBatchNorm"]

# Max pooling over pseudo-random windows.
from .fractional_max_pool import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402

__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]
