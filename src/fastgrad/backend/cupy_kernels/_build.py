"""Cached CuPy kernels described by their source.

`Elementwise` and `Reduction` hold what `cupy.ElementwiseKernel` /
`cupy.ReductionKernel` are made from (parameters, body, preamble) and build
the kernel on first call, once per process; CuPy then compiles it once per
dtype and keeps the binary in its on-disk cache.  Nothing here imports CuPy
until a kernel runs, so the kernel sources can be listed and checked on
machines without it.
"""


class Elementwise:
    """A `cupy.ElementwiseKernel` named `name`, built on first use.

    in_params / out_params use CuPy's syntax ("T x, T y"); an output that is
    also read (an optimizer's state) is passed by the caller as an existing
    array and updated in place."""

    kind = "elementwise"

    def __init__(self, name, in_params, out_params, operation, preamble=""):
        self.name = name
        self.in_params = in_params
        self.out_params = out_params
        self.operation = operation
        self.preamble = preamble
        self._kernel = None

    def build(self):
        import cupy

        return cupy.ElementwiseKernel(self.in_params, self.out_params, self.operation, self.name,
                                      preamble=self.preamble)

    def __call__(self, *args, **kwargs):
        kernel = self._kernel
        if kernel is None:
            kernel = self._kernel = self.build()
        return kernel(*args, **kwargs)

    def __repr__(self):
        return f"<{self.kind} kernel {self.name}({self.in_params}) -> ({self.out_params})>"


class Reduction(Elementwise):
    """A `cupy.ReductionKernel`: y = post_map(reduce over elements of map_expr(x)).

    The accumulator has type `reduce_type`; `a` and `b` name two partial
    results in `reduce_expr`, `a` the final one in `post_map_expr`."""

    kind = "reduction"

    def __init__(self, name, in_params, out_params, map_expr, reduce_expr, post_map_expr, identity,
                 reduce_type, preamble=""):
        super().__init__(name, in_params, out_params, map_expr, preamble)
        self.map_expr = map_expr
        self.reduce_expr = reduce_expr
        self.post_map_expr = post_map_expr
        self.identity = identity
        self.reduce_type = reduce_type

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
            if isinstance(k, Elementwise):
                found[k.name] = k
    return found
