"""CuPy kernels, one module per kernel family, mirroring csrc/.

Every kernel is a cached `cupy.ElementwiseKernel` or `cupy.ReductionKernel`
named `fastgrad_<op>_<fwd|bwd|step>` whose body follows the C body line by
line (see _build.py; device math in math.py).  Each family module exposes
functions with the names and arguments of the reference twins (without the
namespace argument), which CupyBackend binds as its kernel methods.
"""
from . import activations, linear, losses, optim
from . import conv, norm, pool
from . import attention
from . import recurrent

FAMILIES = (activations, losses, linear, optim)
FAMILIES += (conv, pool, norm)
FAMILIES += (attention,)
FAMILIES += (recurrent,)

KERNELS = {name: kernel for module in FAMILIES for name, kernel in module.KERNELS.items()}

FUNCTIONS = {name: fn for module in FAMILIES for name, fn in vars(module).items()
             if name.endswith(("_fwd", "_bwd", "_step")) and callable(fn) and not name.startswith("_")}
