"""PyTorch's module-level functions (`fastgrad.sum(x, dim=1)`, `fastgrad.hstack`, `fastgrad.quantile`, ...),
by kind; `fastgrad/__init__.py` exports them at the top, as `torch.*`.  Each is written with
the differentiable ops (src/fastgrad/ops) and, where PyTorch has one, is also the Tensor method
of that name.  `fastgrad.numpy` keeps NumPy's functions and meanings.

- tensor_methods.py: the functions that are the Tensor method of the same name (sum, max, cat,
  flip, add, div, squeeze, ...), so that function and method cannot disagree;
- everyday.py: more reductions, splitting, elementwise math, scatter/search (logsumexp, median,
  unbind, narrow, erf, cross, searchsorted, ...);
- binary_math.py: atan2, hypot, logaddexp, logaddexp2, fmax, fmin, fmod, remainder, floor_divide and the
  operators // and % (and //=, %=) in PyTorch's result dtype;
- arithmetic.py: addcmul, addcdiv, mv, inner, heaviside, logcumsumexp, sgn, frac;
- arrangement.py: hstack, vstack, dstack, movedim, unflatten, rot90;
- broadcasting.py: broadcast_tensors, atleast_1d, atleast_2d, atleast_3d;
- diagonals.py: diagonal, diag_embed, block_diag;
- selection.py: masked_select, take, kthvalue, unique_consecutive, combinations;
- nan_reductions.py: nansum, nanmean, aminmax;
- accumulation.py: index_add, scatter_reduce, index_reduce (and their in-place forms), Tensor.sum_to_size;
- index_writes.py: index_copy, index_fill, index_put, masked_scatter, put (and their in-place forms);
- order_statistics.py: quantile, nanquantile, mode, histc;
- sampling.py: normal, poisson, binomial, seed, initial_seed, get_rng_state, set_rng_state;
- runtime.py: set_printoptions, compile;
- tensor_memory.py, element_callbacks.py: the Tensor methods data_ptr, storage_offset, apply_, map_, map2_;
- complex_parts.py: the properties real, imag; complex, polar, view_as_real, view_as_complex, angle;
- spectral.py: stft, istft and the window functions (hann_window, hamming_window, ...);
- aliases.py: PyTorch's other names (acos, greater, swapdims, row_stack, ...);
- numerics.py: positive, deg2rad, rad2deg, signbit, copysign, float_power, gcd, lcm, isin, rsub,
  scalar_tensor;
- dtype_rules.py: is_complex, is_signed, is_nonzero, is_same_size, result_type, promote_types, can_cast;
- layout.py: fliplr, flipud, ravel, column_stack, hsplit, vsplit, dsplit, tile, tril_indices,
  triu_indices, unravel_index;
- matrix_functions.py: logdet, matrix_exp, inverse, pinverse, diagflat, vander;
- running_extremes.py: cummax, cummin;  integration.py: trapezoid, trapz, cumulative_trapezoid;
- histogram.py: histogram, histogramdd;
- runtime_flags.py: use_deterministic_algorithms, set_float32_matmul_precision, set_default_device;
- tensor_queries.py: pi, e, inf, nan, newaxis, typename, is_conj, resolve_conj, conj, asarray, fill,
  detach, Tensor.is_cpu / get_device / is_inference;  bitwise.py: bitwise_* and & | ^ ~ << >>;
- matrix_products.py: vdot, matrix_power, chain_matmul, addmv, addr, addbmm (and addmm_, baddbmm_);
- statistics.py: cov, corrcoef, nanmedian, msort, argwhere;  float_parts.py: frexp, ldexp,
  nextafter, isposinf, isneginf, isreal;  gamma_and_rounding_names.py: absolute, fix, igamma,
  igammac, mvlgamma (and heaviside_, polygamma_);
- slice_scatters.py: select, select_scatter, slice_scatter, diagonal_scatter, split_with_sizes,
  as_strided, as_strided_scatter, Tensor.fill_diagonal_ and as_strided_;
- inplace_samplers.py: Tensor.exponential_, geometric_, cauchy_, log_normal_, random_;
- functional_aliases.py: torch.conv2d, torch.dropout(input, p, train), torch.layer_norm,
  torch.embedding(weight, indices), the losses with reduction numbers, ... (nn.functional's ops
  under torch.*'s signatures);  inplace_functions.py: torch.relu_, torch.exp_, ... (one list);
- legacy_linalg.py: qr, svd, cholesky_solve, cholesky_inverse, triangular_solve, lu, lu_solve,
  lu_unpack, geqrf, orgqr, ormqr, lobpcg, frobenius_norm, nuclear_norm;
- method_forms.py: real, imag, adjoint, put, masked_scatter, unsafe_split, ...;
- finite_differences.py: gradient;  legacy_tensor_methods.py: Tensor.new, resize_, resize_as_,
  empty_strided, empty_permuted, nonzero_static, cond;
- recurrent_cells.py: lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell;
- runtime_switches.py: set_anomaly_enabled, set_deterministic_debug_mode, set_warn_always,
  set_num_interop_threads, set_flush_denormal, has_mkl, has_openmp, ...;
- method_table.py: the Tensor methods (and in-place forms) of these and other top-level functions;
- operator_forms.py: the reflected operators and same-dtype in-place forms of a binary function;
- legacy_constructors.py: FloatTensor, DoubleTensor, LongTensor, ... (PyTorch's typed
  constructors), range, set_default_tensor_type.

The namespaces `fastgrad.linalg`, `fastgrad.fft`, `fastgrad.special` and `fastgrad.func`
(torch.linalg, ...) are modules of their own at the package top, where their import paths are.
"""
