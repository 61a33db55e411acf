# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Cython wrappers over the C kernels in csrc/.

Wrappers only: each checks dtype, shape, contiguity and aliasing, raises a
clear Python error, then releases the GIL and calls C.  No math lives here.
One file per kernel family under _wrappers/, included below.
"""
import numpy as np
cimport cython
cimport numpy as cnp
from libc.stdint cimport int64_t

cnp.import_array()

include "_wrappers/common.pxi"
include "_wrappers/buffers.pxi"
include "_wrappers/runtime.pxi"
include "_wrappers/activations.pxi"
include "_wrappers/losses.pxi"
include "_wrappers/linear.pxi"
include "_wrappers/optim.pxi"
include "_wrappers/gemm.pxi"
include "_wrappers/conv.pxi"
include "_wrappers/pool.pxi"
include "_wrappers/norm.pxi"
include "_wrappers/attention.pxi"
include "_wrappers/recurrent.pxi"
include "_wrappers/mixed_precision.pxi"
include "_wrappers/onednn_conv.pxi"
include "_wrappers/onednn_gemm.pxi"
include "_wrappers/dispatch.pxi"
