/* float32 GEMM through oneDNN's matmul, once fg_onednn_load succeeded (fg_onednn.h).
 *
 * Used for the products of the recurrent layers (recurrent.c and their weight
 * gradients): oneDNN's matmul runs its AVX-512 kernels on every CPU that has
 * them, where MKL's cblas_sgemm takes a narrower path on some vendors' CPUs,
 * and a time step's product is small enough (32 x 128 x 512) for that to
 * decide the step time.  The matrices stay in the caller's row-major layouts
 * (a transposed operand is passed by its strides), so nothing is reordered;
 * C += A B is oneDNN's sum post-op.  A primitive is made once per shape,
 * layout, accumulation and thread count and kept in a small cache.
 *
 * Threads: the calling thread's OpenMP count, as for the GEMM layer (gemm.c):
 * a product under 64^3 multiply-adds, or any product while the kernels' teams
 * come late (fg_parallel.h), runs on the calling thread alone.  oneDNN fixes a
 * primitive's thread count when it is made, from the calling thread's OpenMP
 * setting, which is therefore set around the making and the running.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "fastgrad.h"
#include "fg_onednn.h"
#include "fg_parallel.h"

#ifdef FG_HAVE_DLOPEN
#include <dlfcn.h>

#define CACHE_SIZE 32
#define SERIAL_WORK (64.0 * 64.0 * 64.0)

typedef struct {
    int64_t trans_a, trans_b, accumulate, threads, m, n, k, lda, ldb, ldc;
} plan_key;

typedef struct {
    int used;
    plan_key key;
    fg_onednn_matmul matmul;
} plan;

static plan cache[CACHE_SIZE];
static int cache_next;
/* dnnl_post_ops_append_sum, which the shared table (fg_dnnl) does not hold */
static int (*append_sum)(dnnl_handle, float, int32_t, int);

static void release(void *entry)
{
    plan *e = entry;
    fg_onednn_matmul_release(&e->matmul);
    memset(e, 0, sizeof *e);
}

/* Attributes holding C += A B (the sum post-op), or NULL attributes for C = A B. */
static int accumulate_attr(dnnl_handle *attr)
{
    dnnl_handle post_ops = NULL;
    int status;
    if (!append_sum) {
        *(void **)&append_sum = dlsym(fg_dnnl.library, "dnnl_post_ops_append_sum");
        if (!append_sum)
            return -1;
    }
    status = fg_dnnl.attr_create(attr);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.post_ops_create(&post_ops);
    if (status == DNNL_SUCCESS)
        status = append_sum(post_ops, 1.0f, 0, 0 /* dnnl_data_type_undef: C's own type */);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.attr_set_post_ops(*attr, post_ops);
    fg_onednn_destroy_all(fg_dnnl.post_ops_destroy, &post_ops, 1);
    return status;
}

static int make_plan(plan *e, char *message, int64_t message_len)
{
    const plan_key *s = &e->key;
    dnnl_handle attr = NULL;
    int status = s->accumulate ? accumulate_attr(&attr) : DNNL_SUCCESS;
    if (status == DNNL_SUCCESS)
        status = fg_onednn_matmul_make(&e->matmul, s->m, s->n, s->k, s->trans_a, s->lda, s->trans_b, s->ldb, s->ldc,
                                       DNNL_F32, DNNL_F32, attr, NULL, 0, message, message_len);
    else
        snprintf(message, (size_t)message_len, "oneDNN refused the sum post-op (dnnl status %d)", status);
    fg_onednn_destroy_all(fg_dnnl.attr_destroy, &attr, 1);
    if (status != DNNL_SUCCESS) {
        release(e);
        return FG_ONEDNN_FAILED;
    }
    e->used = 1;
    return FG_ONEDNN_OK;
}

/* The threads a product of `work` multiply-adds runs on (see the top of this file). */
static int threads_for(double work)
{
    int n = fg_get_num_threads();
    return n > 1 && (work < SERIAL_WORK || !fg_team_ready()) ? 1 : n;
}

int fg_onednn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                       const float *b, int64_t ldb, int accumulate, float *c, int64_t ldc, char *message,
                       int64_t message_len)
{
    int found, status, before = fg_get_num_threads();
    plan *e;
    if (m == 0 || n == 0)
        return FG_ONEDNN_OK;
    if (k == 0) {  /* an empty sum: C stays (accumulate) or becomes 0 */
        if (!accumulate)
            for (int64_t i = 0; i < m; i++)
                memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return FG_ONEDNN_OK;
    }
    const plan_key key = {trans_a != 0, trans_b != 0, accumulate != 0, threads_for((double)m * n * k),
                          m, n, k, lda, ldb, ldc};
    status = fg_onednn_lock(message, message_len);
    if (status != FG_ONEDNN_OK)
        return status;
    if (key.threads != before)
        fg_set_num_threads((int)key.threads);  /* this thread's count, read by oneDNN */
    e = fg_onednn_cache_entry(cache, CACHE_SIZE, sizeof cache[0], offsetof(plan, key), &key, sizeof key,
                              &cache_next, release, &found);
    if (!found && make_plan(e, message, message_len) != FG_ONEDNN_OK) {
        fg_set_num_threads(before);
        fg_onednn_unlock(DNNL_SUCCESS, "float32 matmul", message, message_len);
        return FG_ONEDNN_FAILED;
    }
    status = fg_onednn_matmul_run(&e->matmul, a, b, c);
    if (key.threads != before)
        fg_set_num_threads(before);
    return fg_onednn_unlock(status, "float32 matmul", message, message_len);
}
#else
int fg_onednn_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                       const float *b, int64_t ldb, int accumulate, float *c, int64_t ldc, char *message,
                       int64_t message_len)
{
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb;
    (void)accumulate; (void)c; (void)ldc;
    snprintf(message, (size_t)message_len, "oneDNN is not loaded");
    return FG_ONEDNN_NOT_LOADED;
}
#endif
