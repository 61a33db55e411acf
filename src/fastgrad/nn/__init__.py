"""Neural-network building blocks with PyTorch's names: modules, losses, init, functional, utils.

    from fastgrad import nn
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    loss = nn.functional.cross_entropy(model(x), y)
"""
from . import functional, init, utils
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = list(_modules_all) + ["Parameter", "init", "utils", "functional"]
__all__ += ["Buffer", "UninitializedBuffer", "UninitializedParameter"]

from . import parallel  # noqa: E402  (DistributedDataParallel; MPI is imported only when used)
__all__.append("parallel")
from .parallel import DataParallel  # noqa: E402

__all__.append("DataParallel")
