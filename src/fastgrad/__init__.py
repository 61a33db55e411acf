"""fastgrad: reverse-mode automatic differentiation for NumPy, with fused C kernels.

    import fastgrad as fg
    x = fg.tensor([1.0, 2.0], requires_grad=True)
    y = (x.sigmoid() * x).sum()
    y.backward()
    x.grad          # a Tensor over the gradient array (np.asarray(x.grad) shares it)

PyTorch's everyday names are here too (fastgrad.float32, fastgrad.device("cpu"),
fastgrad.cat(xs, dim=1), ...), so PyTorch code runs with `import fastgrad as torch`.
"""
import operator

__version__ = "0.1.0"

try:
    from . import _C
except ImportError as e:  # pragma: no cover - a broken install
    raise ImportError(
        "fastgrad's C extension is not built or cannot be loaded "
        f"({e}). Install fastgrad with `pip install .` from the root of its source tree "
        "(`pip install -e .` to work on it), which compiles the extension."
    ) from e

from . import ops  # noqa: E402  (binds operators to Tensor)
from .autograd import Function, Tensor, enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from .creation import (arange, eye, from_numpy, frombuffer, full, full_like, linspace, manual_seed,  # noqa: E402
                       ones, ones_like, rand, randint, randn, tensor, zeros, zeros_like)
from .dtypes import bool_, float16, float32, float64, get_default_dtype, int32, int64, set_default_dtype  # noqa: E402
from .ops import *  # noqa: E402,F401,F403
from .ops import cat, concatenate, stack, split  # noqa: E402,F401
from .autograd.gradcheck import gradcheck  # noqa: E402
from . import devices  # noqa: E402,F401  (where arrays live; fastgrad.device below)
from . import numpy  # noqa: E402  (NumPy calls on Tensors become differentiable)
from .functional import (elementwise_grad, grad, hessian, hvp, jacobian, jvp, value_and_grad,  # noqa: E402
                         vjp)
from .backend.blas import get_blas, set_blas  # noqa: E402
from . import nn, optim, utils  # noqa: E402  (layers, optimizers, training utilities)
from .serialization import load, save  # noqa: E402
from .utils import checkpoint as _checkpoint, data as _data, early_stopping as _early_stopping  # noqa: E402,F401
from .utils import lr_finder as _lr_finder  # noqa: E402,F401


def set_num_threads(n):
    """Threads used by fastgrad's C kernels (OpenMP) above their size threshold."""
    _C.set_num_threads(operator.index(n))


def get_num_threads():
    """Threads fastgrad's C kernels use."""
    return _C.get_num_threads()


# HIPS autograd's names, so its code runs with `autograd` changed to `fastgrad`.
from .differential_operators import (checkpoint, deriv, grad_and_aux, grad_named, hessian_tensor_product,  # noqa: E402,F401
                                     hessian_vector_product, holomorphic_grad, make_ggnvp, make_hvp, make_jvp,
                                     make_vjp, multigrad_dict, tensor_jacobian_product, vector_jacobian_product)
from .extend import primitive  # noqa: E402,F401

_HIPS_BUILTINS = ("dict", "isinstance", "list", "tuple", "type")


def __getattr__(name):
    # `from fastgrad import tuple` as in HIPS autograd, without putting these
    # names (which shadow Python's) into `from fastgrad import *`.
    if name in _HIPS_BUILTINS:
        from . import builtins

        return getattr(builtins, name)
    if name == "range":  # PyTorch's deprecated range, kept out of `from fastgrad import *` (it shadows Python's)
        from .torch_functions.legacy_constructors import range

        return range
    if name == "has_mkl":  # asked of the GEMM layer only when read: importing fastgrad never loads MKL
        from .torch_functions.runtime_switches import has_mkl

        return has_mkl()
    if name == "bfloat16":  # ml_dtypes' bfloat16, looked up only when asked for (mixed precision)
        from .amp.dtypes import bfloat16_dtype

        return bfloat16_dtype()
    raise AttributeError(f"module 'fastgrad' has no attribute {name!r}")


# ---- PyTorch's module-level names ---------------------------------------------------------
# (after everything else: `float`, `int` and `bool` below shadow the builtins in this module)
from . import cuda  # noqa: E402,F401  (fastgrad.cuda.is_available())
from . import multiprocessing  # noqa: E402,F401  (torch.multiprocessing: Python's, with spawn)
from . import sparse  # noqa: E402,F401  (torch.sparse: COO tensors, stored densely)
from .sparse import sparse_coo, sparse_coo_tensor, spmm, strided  # noqa: E402,F401
from .autograd import functional as _autograd_functional  # noqa: E402,F401  (fastgrad.autograd.functional)
from .autograd import inference_mode, is_inference_mode_enabled  # noqa: E402,F401
from .creation import (as_tensor, empty, empty_like, rand_like, randint_like, randn_like,  # noqa: E402,F401
                       randperm)
from .devices import Device as device  # noqa: E402,F401
from .torch_functions.tensor_methods import *  # noqa: E402,F401,F403  (dim=/keepdim= functions: sum, max, cat, ...)
from .dtypes import TORCH_NAMES as _TORCH_DTYPES  # noqa: E402

globals().update(_TORCH_DTYPES)  # fastgrad.float, .double, .long, .int, .bool, .uint8, ...

# Capture and replay (fastgrad.jit): the function; its errors are fastgrad.jit.CaptureError / HostReadError.
from .jit import jit  # noqa: E402
from . import profiler  # noqa: E402,F401  (torch.profiler: op times, record_function, traces)

# ---- mixed precision ----------------------------------------------------------------------
from . import amp  # noqa: E402,F401
from .amp import autocast  # noqa: E402,F401

# ---- device selection as PyTorch scripts write it ---------------------------------------------
from . import accelerator, backends  # noqa: E402,F401  (accelerator.is_available(), backends.mps.is_available())

# ---- more of PyTorch's module-level functions (also Tensor methods) ---------------------------
from .torch_functions.everyday import *  # noqa: E402,F401,F403  (logsumexp, median, tensor_split, searchsorted, ...)
from .torch_functions.binary_math import *  # noqa: E402,F401,F403  (atan2, fmod, remainder, floor_divide, hypot, ...)

# ---- order statistics and counts (also Tensor methods) ----
from .torch_functions.order_statistics import histc, mode, nanquantile, quantile  # noqa: E402,F401

# ---- PyTorch's joining, arithmetic, selection, sampling and runtime functions ----
from .torch_functions.arrangement import *  # noqa: E402,F401,F403  (hstack, movedim, unflatten, rot90, ...)
from .torch_functions.arithmetic import *  # noqa: E402,F401,F403  (addcmul, addcdiv, mv, inner, logcumsumexp, ...)
from .torch_functions.selection import *  # noqa: E402,F401,F403  (masked_select, kthvalue, unique_consecutive, ...)
from .torch_functions.sampling import *  # noqa: E402,F401,F403  (Generator, normal, poisson, seed, initial_seed)
from .torch_functions.runtime import *  # noqa: E402,F401,F403  (compile, set_printoptions)
from .torch_functions.legacy_constructors import *  # noqa: E402,F401,F403  (FloatTensor(2, 3), LongTensor(data), ...)
from .creation import logspace  # noqa: E402,F401

# ---- PyTorch's namespaces: fastgrad.linalg, .fft, .special and .func ----
# (imported by module name: `from .ops import *` above bound the name linalg to ops.linalg)
import importlib as _importlib  # noqa: E402

linalg = _importlib.import_module(".linalg", __name__)
special = _importlib.import_module(".special", __name__)
from .special import digamma, erfc, erfinv, i0, lgamma, logit, polygamma, sinc, xlogy  # noqa: E402,F401
fft = _importlib.import_module(".fft", __name__)
func = _importlib.import_module(".func", __name__)

from . import distributions  # noqa: E402,F401  (Normal, Categorical, Bernoulli, Uniform, kl_divergence)

# ---- diagonals, NaN-skipping reductions, broadcasting helpers, index_add; Tensor memory,
# element callbacks and complex parts ----
from .torch_functions.diagonals import *  # noqa: E402,F401,F403  (diagonal, diag_embed, block_diag)
from .torch_functions.nan_reductions import *  # noqa: E402,F401,F403  (nansum, nanmean, aminmax)
from .torch_functions.broadcasting import *  # noqa: E402,F401,F403  (broadcast_tensors, atleast_1d/2d/3d)
from .torch_functions.accumulation import *  # noqa: E402,F401,F403  (index_add; Tensor.sum_to_size)
from .torch_functions.index_writes import *  # noqa: E402,F401,F403  (index_copy, index_fill, index_put)
from .torch_functions import complex_parts, element_callbacks, tensor_memory  # noqa: E402,F401  (Tensor methods)
from .torch_functions.complex_parts import angle, complex, polar, view_as_complex, view_as_real  # noqa: E402,F401
from .torch_functions.spectral import *  # noqa: E402,F401,F403  (stft, istft, hann_window, ...)
from . import random, testing  # noqa: E402,F401  (torch.random: get/set_rng_state, fork_rng; testing.assert_close)

# ---- PyTorch's other names, number and matrix functions, dtype rules and runtime switches ----
from .torch_functions.aliases import *  # noqa: E402,F401,F403  (acos, greater, swapdims, row_stack, ...)
from .torch_functions.numerics import *  # noqa: E402,F401,F403  (copysign, float_power, gcd, isin, rsub, ...)
from .torch_functions.dtype_rules import *  # noqa: E402,F401,F403  (result_type, promote_types, can_cast, is_*)
from .torch_functions.layout import *  # noqa: E402,F401,F403  (fliplr, hsplit, column_stack, tril_indices, ...)
from .torch_functions.matrix_functions import *  # noqa: E402,F401,F403  (logdet, matrix_exp, pinverse, vander)
from .torch_functions.legacy_linalg import *  # noqa: E402,F401,F403  (svd, qr, cholesky_solve, lu_solve, ...)
from .torch_functions.running_extremes import *  # noqa: E402,F401,F403  (cummax, cummin)
from .torch_functions.integration import *  # noqa: E402,F401,F403  (trapezoid, trapz, cumulative_trapezoid)
from .torch_functions.histogram import *  # noqa: E402,F401,F403
from .torch_functions.runtime_flags import *  # noqa: E402,F401,F403  (use_deterministic_algorithms, ...)
from .torch_functions import method_table as _method_table  # noqa: E402,F401  (their Tensor methods)
from .torch_functions.tensor_queries import *  # noqa: E402,F401,F403  (pi, inf, typename, is_conj, asarray, ...)
from .torch_functions.bitwise import *  # noqa: E402,F401,F403  (bitwise_and, ..., and & | ^ ~ << >>)
from .torch_functions.matrix_products import *  # noqa: E402,F401,F403  (vdot, matrix_power, addmv, addr, addbmm)
from .torch_functions.statistics import *  # noqa: E402,F401,F403  (cov, corrcoef, nanmedian, msort, argwhere)
from .torch_functions.float_parts import *  # noqa: E402,F401,F403  (frexp, ldexp, nextafter, isposinf, isreal)
from .torch_functions.slice_scatters import *  # noqa: E402,F401,F403  (select, select_scatter, slice_scatter, ...)
from .torch_functions import inplace_samplers as _inplace_samplers  # noqa: E402,F401  (exponential_, random_, ...)
from .torch_functions.gamma_and_rounding_names import *  # noqa: E402,F401,F403  (absolute, fix, igamma, mvlgamma)
from .torch_functions.method_forms import *  # noqa: E402,F401,F403  (real, imag, adjoint, put, unsafe_split, ...)
from .torch_functions.finite_differences import *  # noqa: E402,F401,F403  (gradient)
from .torch_functions.legacy_tensor_methods import *  # noqa: E402,F401,F403  (Tensor.new, resize_, empty_strided, ...)
from .torch_functions.recurrent_cells import *  # noqa: E402,F401,F403  (lstm_cell, gru_cell, rnn_tanh_cell, ...)
from .torch_functions.runtime_switches import *  # noqa: E402,F401,F403  (set_anomaly_enabled, has_mkl, ...)
from .torch_functions.functional_aliases import *  # noqa: E402,F401,F403  (torch.conv2d, torch.dropout, ...)
from .torch_functions.inplace_functions import *  # noqa: E402,F401,F403  (torch.relu_, torch.exp_, ...: last)
vmap = func.vmap
