"""DataParallel: PyTorch's single-process multi-device wrapper, with one device.

fastgrad runs a model on one device per process (data parallelism across processes is
DistributedDataParallel's), so DataParallel wraps the module and forwards every call to it, as
PyTorch's DataParallel does when it finds no GPU: code written for it runs unchanged, and its
state_dict keys carry the `module.` prefix, so checkpoints load into either.
"""
from ..modules.module import Module


class DataParallel(Module):
    """Wraps `module`: `DataParallel(m)(x)` is `m(x)`; the wrapped module is `.module`.

    >>> net = DataParallel(fastgrad.nn.Linear(3, 2))
    >>> net(fastgrad.ones(4, 3)).shape, list(net.state_dict())
    ((4, 2), ['module.weight', 'module.bias'])
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel: argument 'module' must be a Module, got {type(module).__name__}")
        self.module = module
        self.device_ids = [] if device_ids is None else list(device_ids)
        self.output_device = output_device if output_device is not None else (self.device_ids or [None])[0]
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
