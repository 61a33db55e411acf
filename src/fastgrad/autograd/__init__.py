"""The graph: Tensor, graph nodes, the backward engine, grad modes and custom Functions."""
from .engine import backward, grad
from .function import Function, FunctionCtx
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .primitive import Context, Primitive
from .tensor import Tensor
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401
from .variable import Variable  # noqa: F401
from . import forward_ad  # noqa: F401,E402  (dual tensors: make_dual, unpack_dual)
from . import profiler  # noqa: F401,E402  (the older spelling of fastgrad.profiler)

from .engine_switches import enforce_grad_layout_policy, set_multithreading_enabled  # noqa: E402  (no-ops here)
__all__ = ["Context", "Function", "FunctionCtx", "Primitive", "Tensor", "backward", "enable_grad", "grad",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "no_grad",
           "set_grad_enabled"]
__all__ += ["enforce_grad_layout_policy", "set_multithreading_enabled"]
