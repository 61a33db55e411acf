"""Training helpers on modules' parameters: gradient clipping, flat parameter vectors, sequence padding,
weight and spectral normalization, parametrizations."""
from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "rnn", "vector_to_parameters"]

from . import parametrizations, parametrize  # noqa: E402
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: E402
from .weight_norm import remove_weight_norm, weight_norm  # noqa: E402

__all__ += ["parametrizations", "parametrize", "remove_spectral_norm", "spectral_norm", "remove_weight_norm",
            "weight_norm"]

from . import prune, stateless  # noqa: E402
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: E402
                     fuse_linear_bn_weights)

__all__ += ["prune", "stateless", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]

from .clip_grad import clip_grad_norm, clip_grads_with_norm_, get_total_norm  # noqa: E402
from .skip_init import skip_init  # noqa: E402

__all__ += ["clip_grad_norm", "clip_grads_with_norm_", "get_total_norm", "skip_init"]
