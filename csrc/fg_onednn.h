/* oneDNN's C API (v3) as fastgrad uses it: loaded at run time by onednn.c,
 * shared by the matmuls (onednn.c: bfloat16 for autocast, and the float32 one
 * the recurrent layers call through onednn_gemm.c) and the float32
 * convolutions (onednn_conv.c).
 *
 * fastgrad is not linked against oneDNN and does not need its headers: the
 * declarations below follow oneDNN's dnnl.h and dnnl_types.h; the enum values
 * used are stable across v3 releases.  fg_onednn_load (onednn.c) opens the
 * library, looks up every entry point of `fg_dnnl` and makes one CPU engine and
 * one in-order stream.  Calls into oneDNN are serialised by one mutex
 * (fg_onednn_lock), since the cached primitives' memory objects are rebound to
 * the caller's arrays per call.
 */
#ifndef FG_ONEDNN_H
#define FG_ONEDNN_H

#include <stddef.h>
#include <stdint.h>

#if defined(__unix__) || defined(__APPLE__)
#define FG_HAVE_DLOPEN 1
#endif

enum { DNNL_SUCCESS = 0, DNNL_CPU_ENGINE = 1, DNNL_STREAM_IN_ORDER = 1, DNNL_FORMAT_ANY = 1 };
enum { DNNL_BF16 = 2, DNNL_F32 = 3 };
enum { DNNL_FORWARD_TRAINING = 64, DNNL_CONVOLUTION_DIRECT = 1, DNNL_ELTWISE_RELU = 0x20 };
enum { DNNL_ARG_SRC = 1, DNNL_ARG_DST = 17, DNNL_ARG_WEIGHTS = 33, DNNL_ARG_BIAS = 41, DNNL_ARG_DIFF_SRC = 129,
       DNNL_ARG_DIFF_DST = 145, DNNL_ARG_DIFF_WEIGHTS = 161, DNNL_ARG_DIFF_BIAS = 169 };
enum { DNNL_QUERY_IMPL_INFO_STR = 8, DNNL_QUERY_SRC = 129, DNNL_QUERY_DIFF_SRC = 130, DNNL_QUERY_WEIGHTS = 131,
       DNNL_QUERY_DIFF_WEIGHTS = 132, DNNL_QUERY_DST = 133, DNNL_QUERY_DIFF_DST = 134 };
#define DNNL_MAX_NDIMS 12

typedef void *dnnl_handle;
typedef int64_t dnnl_dims[DNNL_MAX_NDIMS];
typedef struct { int arg; dnnl_handle memory; } dnnl_exec_arg;
typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } dnnl_version_info;

typedef struct {
    void *library;   /* NULL until fg_onednn_load succeeded */
    dnnl_handle engine, stream;
    int (*engine_create)(dnnl_handle *, int, size_t);
    int (*stream_create)(dnnl_handle *, dnnl_handle, unsigned);
    int (*stream_wait)(dnnl_handle);
    int (*md_with_strides)(dnnl_handle *, int, const int64_t *, int, const int64_t *);
    int (*md_with_tag)(dnnl_handle *, int, const int64_t *, int, int);
    int (*md_equal)(dnnl_handle, dnnl_handle);
    size_t (*md_size)(dnnl_handle);
    int (*md_destroy)(dnnl_handle);
    int (*matmul_pd)(dnnl_handle *, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle);
    int (*conv_forward_pd)(dnnl_handle *, dnnl_handle, int, int, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle,
                           const int64_t *, const int64_t *, const int64_t *, const int64_t *, dnnl_handle);
    int (*conv_backward_data_pd)(dnnl_handle *, dnnl_handle, int, dnnl_handle, dnnl_handle, dnnl_handle,
                                 const int64_t *, const int64_t *, const int64_t *, const int64_t *, dnnl_handle,
                                 dnnl_handle);
    int (*conv_backward_weights_pd)(dnnl_handle *, dnnl_handle, int, dnnl_handle, dnnl_handle, dnnl_handle,
                                    dnnl_handle, const int64_t *, const int64_t *, const int64_t *,
                                    const int64_t *, dnnl_handle, dnnl_handle);
    int (*reorder_pd)(dnnl_handle *, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle, dnnl_handle);
    int (*pd_query)(dnnl_handle, int, int, void *);
    dnnl_handle (*pd_query_md)(dnnl_handle, int, int);
    int (*pd_destroy)(dnnl_handle);
    int (*attr_create)(dnnl_handle *);
    int (*attr_set_post_ops)(dnnl_handle, dnnl_handle);
    int (*attr_destroy)(dnnl_handle);
    int (*post_ops_create)(dnnl_handle *);
    int (*post_ops_append_eltwise)(dnnl_handle, int, float, float);
    int (*post_ops_destroy)(dnnl_handle);
    int (*primitive_create)(dnnl_handle *, dnnl_handle);
    int (*primitive_execute)(dnnl_handle, dnnl_handle, int, const dnnl_exec_arg *);
    int (*primitive_destroy)(dnnl_handle);
    int (*memory_create)(dnnl_handle *, dnnl_handle, dnnl_handle, void *);
    int (*memory_set_data_handle)(dnnl_handle, void *);
    int (*memory_destroy)(dnnl_handle);
    const dnnl_version_info *(*version)(void);
    int (*effective_cpu_isa)(void);
} fg_dnnl_api;

extern fg_dnnl_api fg_dnnl;

/* Takes the mutex around a call into oneDNN; FG_ONEDNN_NOT_LOADED (mutex not taken) when
 * fg_onednn_load has not succeeded. */
int fg_onednn_lock(char *message, int64_t message_len);

/* After the primitives of one call were executed with `status`: waits for the stream, releases
 * the mutex and returns FG_ONEDNN_OK, or FG_ONEDNN_FAILED with "oneDNN's <what> failed". */
int fg_onednn_unlock(int status, const char *what, char *message, int64_t message_len);

/* A matmul primitive C = op(A) op(B) with A, B and C in the caller's row-major layouts (a
 * transposed operand given by its strides) and the memory objects rebound per call. */
typedef struct {
    dnnl_handle primitive, a, b, c;
} fg_onednn_matmul;

/* Makes mm for an m x k op(A) (element (i, p) at i * lda + p, or i + p * lda when trans_a), a
 * k x n op(B) alike and an m x n C (leading dimension ldc), A and B of data type type_ab, C of
 * type_c, with primitive attributes attr (or NULL); the implementation's name goes into impl
 * (when impl_len > 0).  On failure mm is released and the reason is in message. */
int fg_onednn_matmul_make(fg_onednn_matmul *mm, int64_t m, int64_t n, int64_t k, int64_t trans_a, int64_t lda,
                          int64_t trans_b, int64_t ldb, int64_t ldc, int type_ab, int type_c, dnnl_handle attr,
                          char *impl, size_t impl_len, char *message, int64_t message_len);
void fg_onednn_matmul_release(fg_onednn_matmul *mm);
/* Executes mm on the caller's arrays (with the mutex held); returns oneDNN's status. */
int fg_onednn_matmul_run(const fg_onednn_matmul *mm, const void *a, const void *b, void *c);

/* destroy(h) for each non-NULL handle of handles[0 .. n). */
void fg_onednn_destroy_all(int (*destroy)(dnnl_handle), const dnnl_handle *handles, int n);

/* A cache of `count` entries of `size` bytes, each beginning with an int that is nonzero while
 * the entry is in use, then a key of `key_size` bytes at `key_offset`.  Returns the entry in use
 * whose key equals `key`; else the next entry in turn (*next), released with `release` and its
 * key set, for the caller to fill (and mark used). */
void *fg_onednn_cache_entry(void *entries, int count, size_t size, size_t key_offset, const void *key,
                            size_t key_size, int *next, void (*release)(void *entry), int *found);

#endif
