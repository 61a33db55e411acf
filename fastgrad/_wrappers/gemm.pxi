# Wrappers for csrc/gemm.c (empty until its kernels land).
