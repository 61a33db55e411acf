# Wrappers for csrc/losses.c (empty until its kernels land).
