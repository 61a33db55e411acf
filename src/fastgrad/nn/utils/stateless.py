"""torch.nn.utils.stateless: `functional_call`, a module run with other parameters and buffers
(the same function as fastgrad.func.functional_call)."""
from ...func import functional_call

__all__ = ["functional_call"]
