"""Build of fastgrad's C extension: csrc/*.c behind the Cython wrappers in src/fastgrad/_C.pyx.

OpenMP is used when the compiler accepts it; FASTGRAD_NO_OPENMP=1 turns it off.
Release builds carry no debug information (-g0, and the linker drops debug
sections that other objects bring); FASTGRAD_DEBUG=1 keeps Python's -g instead.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from glob import glob

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

# A C function called without a prototype would have its int64 or pointer result cut to an int.
BASE_FLAGS = ["-O3", "-std=c99", "-Werror=implicit-function-declaration"]
OPENMP_FLAGS = ["-fopenmp"]
DEBUG = os.environ.get("FASTGRAD_DEBUG", "") in ("1", "true", "yes")
RELEASE_COMPILE_FLAGS = [] if DEBUG else ["-g0"]
RELEASE_LINK_FLAGS = [] if DEBUG or sys.platform == "darwin" else ["-Wl,--strip-debug"]


def compiler_accepts_openmp(compiler_cmd):
    """Compile and link a tiny OpenMP program with the given compiler."""
    source = "#include <omp.h>\nint main(void){return omp_get_max_threads() > 0 ? 0 : 1;}\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "probe.c")
        with open(path, "w") as f:
            f.write(source)
        try:
            result = subprocess.run(
                compiler_cmd + OPENMP_FLAGS + [path, "-o", os.path.join(tmp, "probe")],
                capture_output=True,
            )
        except OSError:
            return False
        return result.returncode == 0


class BuildExt(build_ext):
    def build_extensions(self):
        compiler_cmd = list(getattr(self.compiler, "compiler_so", ["cc"])[:1])
        use_openmp = os.environ.get("FASTGRAD_NO_OPENMP", "") not in ("1", "true", "yes")
        if use_openmp and not compiler_accepts_openmp(compiler_cmd):
            print("fastgrad: compiler has no OpenMP; building single-threaded kernels", file=sys.stderr)
            use_openmp = False
        cflags = BASE_FLAGS + (OPENMP_FLAGS if use_openmp else [])
        for ext in self.extensions:
            ext.extra_compile_args = cflags + RELEASE_COMPILE_FLAGS
            ext.extra_link_args = (OPENMP_FLAGS if use_openmp else []) + RELEASE_LINK_FLAGS
            ext.define_macros.append(("FASTGRAD_CFLAGS", '"%s"' % " ".join(cflags)))
        super().build_extensions()


extension = Extension(
    "fastgrad._C",
    sources=["src/fastgrad/_C.pyx"] + sorted(glob("csrc/*.c")),
    include_dirs=[numpy.get_include(), "csrc"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    depends=glob("csrc/*.h") + glob("src/fastgrad/_wrappers/*.pxi"),
)

# The graph core (tensor fields, nodes, op application, the backward loop).
graph_core = Extension("fastgrad.autograd._graph", sources=["src/fastgrad/autograd/_graph.pyx"],
                       include_dirs=[numpy.get_include()],
                       define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")])

setup(
    ext_modules=cythonize([extension, graph_core], compiler_directives={"language_level": "3"}),
    cmdclass={"build_ext": BuildExt},
)
