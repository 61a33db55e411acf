"""PyTorch's torch.autograd.forward_ad: dual tensors that carry a tangent, and J @ tangent read
back with unpack_dual.

    with forward_ad.dual_level():
        x = forward_ad.make_dual(primal, tangent)
        y = f(x)
        jvp = forward_ad.unpack_dual(y).tangent      # J_f(primal) @ tangent

fastgrad's graph is reverse mode, so a tangent is not pushed through each op as it runs:
unpack_dual computes it from the recorded graph, as the derivative of a vector-Jacobian product
u -> J^T u in u (two backward passes, the first with create_graph), which equals J @ tangent for
every op with a differentiable backward.  The duals' primals keep their reverse-mode graph.
"""
from collections import namedtuple

from .engine import grad as _grad
from .grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_level = {"index": None, "duals": []}   # the open level and its (dual, tangent) pairs


def enter_dual_level():
    """Open the (single) dual level; returns its index."""
    if _level["index"] is not None:
        raise RuntimeError("enter_dual_level: nested forward mode AD is not supported (a level is already open)")
    _level["index"], _level["duals"] = 0, []
    return 0


def exit_dual_level(*, level=None):
    """Close the level: its duals become ordinary tensors."""
    if _level["index"] is None:
        raise RuntimeError("exit_dual_level: no dual level is open")
    _level["index"], _level["duals"] = None, []


class dual_level:
    """`with dual_level():` opens a dual level for the block."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def make_dual(tensor, tangent, *, level=None):
    """A tensor with tensor's values that carries `tangent` (same shape) in the open level."""
    if _level["index"] is None:
        raise RuntimeError("make_dual: no dual level exists; use `with forward_ad.dual_level():` first")
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError(f"make_dual: tensor and tangent must be Tensors, got {type(tensor).__name__} and "
                        f"{type(tangent).__name__}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"make_dual: the tangent has shape {tuple(tangent.shape)}, the tensor {tuple(tensor.shape)}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"make_dual: only floating tensors carry tangents, got dtype {tensor.dtype}")
    with enable_grad():
        dual = tensor * 1 if tensor.requires_grad else tensor.detach().requires_grad_()
    _level["duals"].append((dual, tangent.detach()))
    return dual


def unpack_dual(tensor, *, level=None):
    """(primal, tangent): the tangent is J @ tangents of the duals the tensor was computed from,
    None when it depends on none of them (or no level is open)."""
    for dual, tangent in _level["duals"]:
        if dual is tensor:
            return UnpackedDualTensor(tensor, tangent)
    if _level["index"] is None or not isinstance(tensor, Tensor) or not tensor.requires_grad:
        return UnpackedDualTensor(tensor, None)
    duals = [d for d, _ in _level["duals"]]
    with enable_grad():
        u = tensor.detach() * 0
        u.requires_grad_()
        pulled = _grad([tensor], duals, grad_outputs=[u], create_graph=True, allow_unused=True)
        pairs = [(g, t) for g, (_, t) in zip(pulled, _level["duals"]) if g is not None]
        if not pairs:
            return UnpackedDualTensor(tensor, None)
        total = sum((g * t).sum() for g, t in pairs)
        if not total.requires_grad:   # J is zero where it reaches the duals
            return UnpackedDualTensor(tensor, u.detach() * 0)
        (jvp,) = _grad([total], [u], allow_unused=True)
    return UnpackedDualTensor(tensor, u.detach() * 0 if jvp is None else jvp.detach())
