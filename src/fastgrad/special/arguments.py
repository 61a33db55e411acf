"""How fastgrad.special's functions take their arguments: as floating-point Tensors."""
from ..autograd.tensor import Tensor
from ..creation import tensor as _new_tensor
from ..dtypes import get_default_dtype


def floating(op, x, name="input"):
    """x as a floating-point Tensor (integers and bools become the default dtype, as PyTorch
    promotes them); TypeError naming special.<op> and the argument for anything else."""
    x = x if isinstance(x, Tensor) else _new_tensor(x)
    kind = x.dtype.kind
    if kind in "biu":
        return x.to(get_default_dtype())
    if kind != "f":
        raise TypeError(f"special.{op}: argument '{name}' must be a real tensor, got {x.dtype}")
    return x
