# Wrappers for csrc/linear.c (empty until its kernels land).
