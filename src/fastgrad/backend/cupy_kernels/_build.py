"""Cached CuPy kernels described by their source.

`Elementwise` and `Reduction` hold what `cupy.ElementwiseKernel` /
`cupy.ReductionKernel` are made from (parameters, body, preamble) and build
the kernel on first call, once per process; CuPy then compiles it once per
dtype and keeps the binary in its on-disk cache.  Nothing here imports CuPy
until a kernel runs, so the kernel sources can be listed and checked on
machines without it.
"""
from dataclasses import dataclass, field


@dataclass(eq=False, repr=False)
class CachedKernel:
    """What every kernel here has: a name, CuPy-syntax parameters ("T x, T y") and a
    `build()` that makes the CuPy kernel, called once, on the first call."""

    name: str
    in_params: str
    out_params: str
    _kernel: object = field(default=None, init=False)

    kind = "kernel"

    def __call__(self, *args, **kwargs):
        kernel = self._kernel
        if kernel is None:
            kernel = self._kernel = self.build()
        return kernel(*args, **kwargs)

    def __repr__(self):
        return f"<{self.kind} kernel {self.name}({self.in_params}) -> ({self.out_params})>"


@dataclass(eq=False, repr=False)
class Elementwise(CachedKernel):
    """A `cupy.ElementwiseKernel` named `name`, built on first use.

    in_params / out_params use CuPy's syntax ("T x, T y"); an output that is
    also read (an optimizer's state) is passed by the caller as an existing
    array and updated in place."""

    operation: str
    preamble: str = ""

    kind = "elementwise"

    def build(self):
        import cupy

        return cupy.ElementwiseKernel(self.in_params, self.out_params, self.operation, self.name,
                                      preamble=self.preamble)


@dataclass(eq=False, repr=False)
class Reduction(CachedKernel):
    """A `cupy.ReductionKernel`: y = post_map(reduce over elements of map_expr(x)).

    The accumulator has type `reduce_type`; `a` and `b` name two partial
    results in `reduce_expr`, `a` the final one in `post_map_expr`."""

    map_expr: str
    reduce_expr: str
    post_map_expr: str
    identity: str
    reduce_type: str
    preamble: str = ""

    kind = "reduction"

    def build(self):
        import cupy

        return cupy.ReductionKernel(self.in_params, self.out_params, self.map_expr, self.reduce_expr,
                                    self.post_map_expr, self.identity, self.name,
                                    reduce_type=self.reduce_type, preamble=self.preamble)


def collect(namespace):
    """The kernels (Elementwise / Reduction objects) defined in a module's namespace, by name."""
    found = {}
    for value in namespace.values():
        for k in value if isinstance(value, tuple) else (value,):
            if isinstance(k, CachedKernel):
                found[k.name] = k
    return found
