"""Lazy layers: Linear, convolutions and batch / instance norms whose input size is read from the
first input they see, as PyTorch's nn.LazyLinear, nn.LazyConv2d, nn.LazyBatchNorm1d, ...

Until then their parameters (and running statistics) are UninitializedParameter /
UninitializedBuffer placeholders: `parameters()` yields them, and anything that needs their
shape raises a RuntimeError.  The first forward gives them their shapes, initialises them as the
ordinary layer does and turns the module into that layer (`type(m)` becomes nn.Linear, ...), so
an optimizer made after one dry run sees ordinary Parameters.  load_state_dict gives them the
checkpoint's shapes instead.

    >>> m = LazyLinear(4)
    >>> m(fastgrad.ones(2, 3)).shape, type(m).__name__, m.weight.shape
    ((2, 4), 'Linear', (4, 3))
"""
import itertools

import numpy as np

from ...autograd.grad_mode import no_grad
from ...autograd.tensor import Tensor
from ...dtypes import get_default_dtype
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d


def _infer_parameters(module, args):
    """The forward pre-hook of a lazy module: shapes from the first input, then the ordinary class."""
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"{type(module).__name__}: initialize_parameters left parameters uninitialized")
    module._become_ordinary()


class LazyModuleMixin(Module):
    """What the lazy layers share: the pre-hook that initialises them on the first forward,
    `has_uninitialized_params()`, state_dict entries for the placeholders and the shapes taken
    from a checkpoint.  A subclass sets `cls_to_become` and writes `initialize_parameters(input)`
    and `_sizes_from_shapes()` (its size attributes read back from materialized parameters)."""

    # A Module subclass that adds no layout of its own: the lazy class then shares the ordinary
    # one's layout, so that the module's class can become cls_to_become.
    __slots__ = ()
    cls_to_become = None

    def __init__(self, *args, **kwargs):
        """For lazy modules of users' own: `class MyLazy(LazyModuleMixin, Module)` with placeholders
        made in __init__ and an initialize_parameters(input) that materializes them."""
        super().__init__(*args, **kwargs)
        self._start_lazy(None)

    def _start_lazy(self, device):
        self._lazy_device = device
        self._lazy_hook = self.register_forward_pre_hook(_infer_parameters)

    def _placeholders(self):
        return [(name, t) for name, t in itertools.chain(self._parameters.items(), self._buffers.items())
                if is_lazy(t)]

    def has_uninitialized_params(self):
        """Whether a parameter or buffer of this module still waits for its shape."""
        return bool(self._placeholders())

    def initialize_parameters(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__}: a lazy module must define initialize_parameters")

    def _materialize(self, shapes):
        """Each placeholder `name` gets shapes[name]; then the layer's own initialisation and device."""
        for name, t in self._placeholders():
            t.materialize(shapes[name])
        self.reset_parameters()
        if self._lazy_device is not None:
            self._place_on(self._lazy_device)

    def _become_ordinary(self):
        self._lazy_hook.remove()
        for name in ("_lazy_hook", "_lazy_device"):
            self.__dict__.pop(name, None)
        if self.cls_to_become is not None:
            self.__class__ = self.cls_to_become

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        destination = super().state_dict(destination, prefix, keep_vars)
        for name, t in self._placeholders():
            if name not in self._non_persistent_buffers:
                destination[prefix + name] = t
        return destination

    def materialize_from_state_dict(self, state_dict, prefix):
        """Give each placeholder the shape of its entry in `state_dict` (Module.load_state_dict
        calls this before copying the values); the module becomes the ordinary layer on its next
        forward, as in PyTorch."""
        loaded = False
        for name, t in self._placeholders():
            value = state_dict.get(prefix + name)
            if value is None or is_lazy(value):
                continue
            shape = tuple(value.shape) if hasattr(value, "shape") else np.shape(value)
            t.materialize(shape)
            loaded = True
        if loaded and not self.has_uninitialized_params():
            self._sizes_from_shapes()


def _dtype(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


class _LazyLayer(LazyModuleMixin):
    """fastgrad's lazy layers: the size named `_inferred_size` (0 until then) is read from the
    first input by `_infer_sizes(input)`, which also materializes the placeholders; the ordinary
    layer's initialisation runs only once that is done."""

    __slots__ = ()
    _inferred_size = None

    def reset_parameters(self):
        if not self.has_uninitialized_params() and getattr(self, self._inferred_size) != 0:
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self._infer_sizes(input)


class LazyLinear(_LazyLayer, Linear):
    """A Linear whose in_features is the last size of its first input (nn.Linear afterwards).

    >>> LazyLinear(2)(fastgrad.ones(5, 7)).shape
    (5, 2)
    """

    cls_to_become, _inferred_size = Linear, "in_features"

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features, self.out_features = 0, out_features
        dtype = _dtype(dtype)
        self.weight = UninitializedParameter(dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self._start_lazy(device)

    def _infer_sizes(self, input):
        if not hasattr(input, "shape") or len(input.shape) == 0:
            raise ValueError(f"LazyLinear: the first input must have at least 1 axis to infer in_features, got "
                             f"{type(input).__name__}")
        self.in_features = int(input.shape[-1])
        with no_grad():
            self._materialize({"weight": (self.out_features, self.in_features), "bias": (self.out_features,)})

    def _sizes_from_shapes(self):
        self.in_features = int(self.weight.shape[1])


class _LazyConvolution(_LazyLayer):
    """The lazy convolutions: in_channels from the first input's channel axis."""

    __slots__ = ()
    _inferred_size = "in_channels"

    def __init__(self, out_channels, kernel_size, *args, **kwargs):
        cls = self.cls_to_become
        arguments = self._arguments(args, kwargs)
        groups = arguments.get("groups", 1)
        # the ordinary layer's checks and attributes, with a stand-in in_channels (= groups) ...
        cls.__init__(self, groups, out_channels, kernel_size, **arguments)
        dtype = self.weight._data.dtype
        # ... then placeholders in place of its parameters
        self.in_channels = 0
        self.weight = UninitializedParameter(dtype=dtype)
        if self.bias is not None:
            self.bias = UninitializedParameter(dtype=dtype)
        self._start_lazy(arguments.get("device"))

    def _arguments(self, args, kwargs):
        names = ("stride", "padding", "output_padding", "groups", "bias", "dilation", "padding_mode", "device",
                 "dtype") if self._transposed else ("stride", "padding", "dilation", "groups", "bias",
                                                      "padding_mode", "device", "dtype")
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}: takes at most {len(names) + 2} positional arguments")
        arguments = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError(f"{type(self).__name__}: unexpected keyword argument {key!r}")
            if key in arguments:
                raise TypeError(f"{type(self).__name__}: got multiple values for argument {key!r}")
            arguments[key] = value
        return arguments

    def _infer_sizes(self, input):
        name, dims = type(self).__name__, self._dims
        if not hasattr(input, "shape") or len(input.shape) not in (dims + 1, dims + 2):
            raise ValueError(f"{name}: expected a {dims + 1}-d (unbatched) or {dims + 2}-d first input to infer "
                             f"in_channels, got {tuple(getattr(input, 'shape', ()))}")
        channels = int(input.shape[0] if len(input.shape) == dims + 1 else input.shape[1])
        if channels == 0 or channels % self.groups:
            raise ValueError(f"{name}: the input's {channels} channels must be a positive multiple of groups "
                             f"({self.groups})")
        self.in_channels = channels
        with no_grad():
            self._materialize({"weight": self._weight_shape(), "bias": (self.out_channels,)})

    def _sizes_from_shapes(self):
        self.in_channels = int(self.weight.shape[0] if self._transposed else self.weight.shape[1] * self.groups)


class LazyConv1d(_LazyConvolution, Conv1d):
    """A Conv1d whose in_channels is read from its first input."""
    cls_to_become, _transposed = Conv1d, False


class LazyConv2d(_LazyConvolution, Conv2d):
    """A Conv2d whose in_channels is read from its first input.

    >>> LazyConv2d(4, 3)(fastgrad.ones(1, 2, 5, 5)).shape
    (1, 4, 3, 3)
    """
    cls_to_become, _transposed = Conv2d, False


class LazyConv3d(_LazyConvolution, Conv3d):
    """A Conv3d whose in_channels is read from its first input."""
    cls_to_become, _transposed = Conv3d, False


class LazyConvTranspose1d(_LazyConvolution, ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is read from its first input."""
    cls_to_become, _transposed = ConvTranspose1d, True


class LazyConvTranspose2d(_LazyConvolution, ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is read from its first input."""
    cls_to_become, _transposed = ConvTranspose2d, True


class LazyConvTranspose3d(_LazyConvolution, ConvTranspose3d):
    """A ConvTranspose3d whose in_channels is read from its first input."""
    cls_to_become, _transposed = ConvTranspose3d, True


class _LazyNorm(_LazyLayer):
    """The lazy batch and instance norms: num_features from the first input's channel axis."""

    __slots__ = ()
    _inferred_size = "num_features"

    _instance = False

    def __init__(self, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True, device=None, dtype=None, *,
                 bias=True):
        self.cls_to_become.__init__(self, 0, eps, momentum, affine, track_running_stats, device=device, dtype=dtype,
                                    bias=bias)
        dtype = _dtype(dtype)
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
        self._start_lazy(device)

    def reset_parameters(self):
        if self.has_uninitialized_params() or self.num_features == 0:
            return
        self.reset_running_stats()
        if self.weight is not None:
            self.weight._data[...] = 1
        if self.bias is not None:
            self.bias._data[...] = 0

    def _infer_sizes(self, input):
        name = type(self).__name__
        rank = len(getattr(input, "shape", ()))
        if rank < 2:
            raise ValueError(f"{name}: expected a first input with a channel axis, got shape "
                             f"{tuple(getattr(input, 'shape', ()))}")
        unbatched = self._instance and rank == 1 + len(self._axes.split(","))
        self.num_features = int(input.shape[0] if unbatched else input.shape[1])
        with no_grad():
            self._materialize({key: (self.num_features,) for key in ("weight", "bias", "running_mean",
                                                                     "running_var")})

    def _sizes_from_shapes(self):
        for name in ("weight", "running_mean"):
            t = getattr(self, name)
            if isinstance(t, Tensor):
                self.num_features = int(t.shape[0])
                return


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """A BatchNorm1d whose num_features is read from its first input."""
    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """A BatchNorm2d whose num_features is read from its first input.

    >>> LazyBatchNorm2d()(fastgrad.randn(4, 3, 2, 2)).shape
    (4, 3, 2, 2)
    """
    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """A BatchNorm3d whose num_features is read from its first input."""
    cls_to_become = BatchNorm3d


class _LazyInstanceNorm(_LazyNorm):
    """(PyTorch's lazy instance norms default to affine=True and track_running_stats=True, unlike
    the instance norms they become.)"""

    __slots__ = ()
    _instance = True


class LazyInstanceNorm1d(_LazyInstanceNorm, InstanceNorm1d):
    """An InstanceNorm1d whose num_features is read from its first input."""
    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyInstanceNorm, InstanceNorm2d):
    """An InstanceNorm2d whose num_features is read from its first input."""
    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyInstanceNorm, InstanceNorm3d):
    """An InstanceNorm3d whose num_features is read from its first input."""
    cls_to_become = InstanceNorm3d
