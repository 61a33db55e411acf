"""The graph: Tensor, Function/Context nodes, the backward engine and grad modes."""
from .engine import backward, grad
from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401

__all__ = ["Context", "Function", "Tensor", "backward", "enable_grad", "grad", "is_grad_enabled",
           "no_grad", "set_grad_enabled"]
