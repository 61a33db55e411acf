# Wrappers for csrc/optim.c (empty until its kernels land).
