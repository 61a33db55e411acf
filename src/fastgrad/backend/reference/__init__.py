"""Reference twins of every fused kernel, written with an array namespace `xp`.

Each function has the same name as a kernel in csrc/ (without the dtype
suffix) and computes the same thing in plain array code.  They are:

- the test oracle for the C and CuPy kernels;
- the fallback for dtypes and array types the kernels do not take;
- the differentiable form of each kernel: called with the Tensor namespace
  (fastgrad.numpy) they build a graph, which is how higher-order derivatives
  go through fused ops.

Only the namespace's own functions and Python operators are used, so `xp` may
be numpy, cupy, an array-API namespace or fastgrad.numpy.  One module per
kernel family, mirroring csrc/.
"""
from . import activations, linear, losses, optim
from . import conv, norm, pool
from . import attention
from . import recurrent

FAMILIES = (activations, losses, linear, optim)
FAMILIES += (conv, pool, norm)
FAMILIES += (attention,)
FAMILIES += (recurrent,)

TWINS = {name: fn for module in FAMILIES for name, fn in vars(module).items()
         if name.endswith(("_fwd", "_bwd", "_step")) and callable(fn)}
