"""Run the source of fastgrad's CuPy kernels on the CPU, compiled as C++.

A CuPy `ElementwiseKernel` runs its body once per element with the inputs
bound as values and the outputs as references; a `ReductionKernel` maps each
element, folds with `reduce_expr` and finishes with `post_map_expr`.  This
module builds exactly that around each kernel's own text (parameters,
preamble, body) with `__device__` defined away, compiles every kernel once
with the system C++ compiler and calls it through ctypes on NumPy arrays.

It checks the kernel *sources* (syntax, formulas, order of operations,
in-place state updates) on machines without a GPU.  It is not the GPU: the
tests in this folder that need one run CuPy itself and skip without it.
"""
import ctypes
import os
import shutil
import subprocess
import tempfile

import numpy as np

CTYPES = {"float32": "float", "float64": "double", "int32": "int", "int64": "long long", "bool": "bool"}
DTYPES = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64, "bool": np.bool_}
T_TYPES = {"f": "float", "d": "double"}

CUDA_HEADER = ""  # nvcc brings CUDA's math functions, as for CuPy's own kernels

HEADER = r"""
#include <cmath>
#include <cstdint>
using namespace std;
#define __device__
"""


def parse_params(text):
    """'T x, float64 y' -> [('T', 'x'), ('float64', 'y')]."""
    params = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if words[0] == "raw":
            raise NotImplementedError("raw parameters are not emulated")
        params.append((words[0], words[1]))
    return params


def compiler():
    return shutil.which(os.environ.get("CXX", "g++")) or shutil.which("c++") or shutil.which("clang++")


def kernel_source(kernels, cuda=False):
    """One translation unit holding every kernel for float and double: C++ for the
    CPU, or CUDA (each kernel a __global__ function over a grid-stride loop)."""
    source = [CUDA_HEADER if cuda else HEADER]
    for index, k in enumerate(kernels):
        source.append(f"namespace kernel{index} {{\n{k.preamble}\n")
        for char, ctype in T_TYPES.items():
            source.append(_function(k, ctype, Emulator.symbol(k, char), cuda))
        source.append("}\n")
    return "\n".join(source)


def _bind(params, first, const):
    lines = []
    for j, (typ, name) in enumerate(params, start=first):
        ctype = "T" if typ == "T" else CTYPES[typ]
        qual = "const " if const else ""
        ref = "" if const else "&"
        lines.append(f"    {qual}{ctype} {ref}{name} = (({qual}{ctype} *)ptr[{j}])[i * stride[{j}]];")
    return "\n".join(lines)


def _function(k, ctype, symbol, cuda):
    ins, outs = parse_params(k.in_params), parse_params(k.out_params)
    qualifier = "__global__ " if cuda else ""
    head = (f'extern "C" {qualifier}void {symbol}(void **ptr, const long long *stride, long long n)\n{{\n'
            f"    typedef {ctype} T;\n")
    if k.kind == "elementwise":
        loop = ("    for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; "
                "i += (long long)blockDim.x * gridDim.x) {\n" if cuda else
                "    for (long long i = 0; i < n; i++) {\n")
        return (head + loop + _bind(ins, 0, True) + "\n" + _bind(outs, len(ins), False) + "\n"
                + k.operation + "\n    }\n}\n")
    (out_type, out_name), = outs
    out_ctype = "T" if out_type == "T" else CTYPES[out_type]
    guard = "    if (blockIdx.x != 0 || threadIdx.x != 0) return;\n" if cuda else ""
    return (head + guard + f"    typedef {k.reduce_type} _acc;\n    _acc a = (_acc)({k.identity});\n"
            + "    for (long long i = 0; i < n; i++) {\n" + _bind(ins, 0, True) + "\n"
            + f"        _acc b = (_acc)({k.map_expr});\n        a = ({k.reduce_expr});\n    }}\n"
            + f"    {out_ctype} &{out_name} = *({out_ctype} *)ptr[{len(ins)}];\n"
            + f"    {k.post_map_expr};\n}}\n")


class Emulator:
    """All given kernels compiled into one shared library, for float and double."""

    def __init__(self, kernels):
        self.kernels = {k.name: k for k in kernels}
        self.source = kernel_source(self.kernels.values())
        self._dir = tempfile.mkdtemp(prefix="fastgrad-kernels-")
        path_cpp = os.path.join(self._dir, "kernels.cpp")
        path_so = os.path.join(self._dir, "kernels.so")
        with open(path_cpp, "w") as f:
            f.write(self.source)
        cxx = compiler()
        done = subprocess.run([cxx, "-O1", "-shared", "-fPIC", "-o", path_so, path_cpp],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"the CuPy kernel sources do not compile as C++:\n{done.stderr[-4000:]}")
        self.lib = ctypes.CDLL(path_so)

    @staticmethod
    def symbol(k, char):
        return f"{k.name}_{char}"

    def __call__(self, kernel, *args, axis=None, keepdims=False):
        """Call `kernel` as CuPy would: inputs, then (optionally) existing outputs updated in place.

        Reductions take `axis` (one axis) and `keepdims` as CuPy's do."""
        k = self.kernels[kernel.name] if not isinstance(kernel, str) else self.kernels[kernel]
        if k.kind == "reduction" and axis is not None:
            return self._reduce_axis(k, args, axis, keepdims)
        ins, outs = parse_params(k.in_params), parse_params(k.out_params)
        if len(args) not in (len(ins), len(ins) + len(outs)):
            raise TypeError(f"{k.name}: takes {len(ins)} inputs (+ {len(outs)} outputs), got {len(args)}")
        t_dtype = None
        for (typ, _), a in zip(ins + outs, args):
            if typ == "T" and isinstance(a, np.ndarray):
                t_dtype = a.dtype if t_dtype is None else t_dtype
                if a.dtype != t_dtype:
                    raise TypeError(f"{k.name}: type T is {t_dtype}, got an array of {a.dtype}")
        if t_dtype is None or t_dtype.char not in T_TYPES:
            raise TypeError(f"{k.name}: T must be float32 or float64, got {t_dtype}")
        shape = None
        for a in args:
            if isinstance(a, np.ndarray) and a.ndim:
                shape = a.shape if shape is None else np.broadcast_shapes(shape, a.shape)
        shape = shape if shape is not None else ()
        n = int(np.prod(shape))
        buffers, strides, results = [], [], []
        for j, (typ, _) in enumerate(ins):
            dtype = t_dtype if typ == "T" else np.dtype(DTYPES[typ])
            a = np.asarray(args[j])
            if a.ndim == 0:
                buf, stride = np.array([a], dtype=dtype), 0
            else:
                if a.dtype != dtype:
                    raise TypeError(f"{k.name}: input {j} has dtype {a.dtype}, expected {dtype}")
                buf, stride = np.ascontiguousarray(np.broadcast_to(a, shape)).ravel(), 1
            buffers.append(buf)
            strides.append(stride)
        for j, (typ, _) in enumerate(outs):
            dtype = t_dtype if typ == "T" else np.dtype(DTYPES[typ])
            given = args[len(ins) + j] if len(args) > len(ins) else None
            out_shape = shape if k.kind == "elementwise" else ()
            if given is None:
                given = np.empty(out_shape, dtype=dtype)
            elif given.shape != out_shape or given.dtype != dtype:
                raise ValueError(f"{k.name}: output {j} must be {dtype} of shape {out_shape}")
            buf = np.ascontiguousarray(given).ravel() if given.ndim else given.reshape(1).copy()
            buffers.append(buf)
            strides.append(1)
            results.append((given, buf))
        ptrs = (ctypes.c_void_p * len(buffers))(*[b.ctypes.data for b in buffers])
        stride_arr = (ctypes.c_longlong * len(strides))(*strides)
        getattr(self.lib, self.symbol(k, t_dtype.char))(ptrs, stride_arr, ctypes.c_longlong(n))
        outputs = []
        for given, buf in results:
            given[...] = buf.reshape(given.shape)  # write back (in-place outputs)
            outputs.append(given)
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def _reduce_axis(self, k, args, axis, keepdims):
        """A reduction along one axis: the full reduction of each slice along it."""
        shape = np.broadcast_shapes(*[np.shape(a) for a in args])
        axis = axis % len(shape)
        moved = [a if np.ndim(a) == 0 else np.moveaxis(np.broadcast_to(a, shape), axis, -1) for a in args]
        outer = shape[:axis] + shape[axis + 1:]
        results = [self(k, *[m if np.ndim(m) == 0 else m[index] for m in moved]) for index in np.ndindex(*outer)]
        out = np.array(results).reshape(outer)
        return np.expand_dims(out, axis) if keepdims else out
