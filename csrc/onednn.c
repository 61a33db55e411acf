/* bfloat16 GEMM through oneDNN's matmul, loaded at run time.
 *
 * fg_onednn_load() opens libdnnl with dlopen and looks up the few entry
 * points of oneDNN's C API (v3) used here; fastgrad is not linked against
 * oneDNN and does not need its headers.  The declarations below follow
 * oneDNN's dnnl.h; the enum values used are stable across v3 releases.
 *
 * fg_gemm_bf16f32() computes C = op(A) op(B) with A and B in bfloat16 and C in
 * float32; oneDNN accumulates in float32 (on CPUs with AVX512-BF16 or AMX its
 * kernels use the bfloat16 dot-product instructions).  A primitive is made
 * once per shape and layout and kept in a small cache; calls are serialised
 * by a mutex (the primitive's memory objects are rebound per call).  The
 * oneDNN build for GNU OpenMP runs on the same libgomp thread pool as
 * fastgrad's kernels, so fastgrad.set_num_threads applies to it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "fastgrad.h"

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#include <pthread.h>
#define FG_HAVE_DLOPEN 1
#endif

/* From oneDNN's dnnl_common_types.h / dnnl_types.h (v3). */
enum { DNNL_SUCCESS = 0, DNNL_CPU_ENGINE = 1, DNNL_STREAM_IN_ORDER = 1 };
enum { DNNL_BF16 = 2, DNNL_F32 = 3 };
enum { DNNL_ARG_SRC = 1, DNNL_ARG_DST = 17, DNNL_ARG_WEIGHTS = 33 };
enum { DNNL_QUERY_IMPL_INFO_STR = 8 };
#define DNNL_MAX_NDIMS 12

typedef void *handle_t;
typedef int64_t dnnl_dims[DNNL_MAX_NDIMS];
typedef struct { int arg; handle_t memory; } exec_arg;
typedef struct { int major, minor, patch; const char *hash; unsigned cpu_runtime, gpu_runtime; } version_info;

static struct {
    void *library;
    handle_t engine, stream;
    int (*engine_create)(handle_t *, int, size_t);
    int (*stream_create)(handle_t *, handle_t, unsigned);
    int (*stream_wait)(handle_t);
    int (*md_create_with_strides)(handle_t *, int, const int64_t *, int, const int64_t *);
    int (*md_destroy)(handle_t);
    int (*matmul_pd_create)(handle_t *, handle_t, handle_t, handle_t, handle_t, handle_t, handle_t);
    int (*pd_query)(handle_t, int, int, void *);
    int (*pd_destroy)(handle_t);
    int (*primitive_create)(handle_t *, handle_t);
    int (*primitive_execute)(handle_t, handle_t, int, const exec_arg *);
    int (*primitive_destroy)(handle_t);
    int (*memory_create)(handle_t *, handle_t, handle_t, void *);
    int (*memory_set_data_handle)(handle_t, void *);
    int (*memory_destroy)(handle_t);
    const version_info *(*version)(void);
    int (*effective_cpu_isa)(void);
} dnnl;

int fg_onednn_loaded(void) { return dnnl.library != NULL; }

void fg_onednn_version(int *major, int *minor, int *patch)
{
    const version_info *v = dnnl.library ? dnnl.version() : NULL;
    *major = v ? v->major : -1;
    *minor = v ? v->minor : -1;
    *patch = v ? v->patch : -1;
}

int fg_onednn_cpu_isa(void) { return dnnl.library ? dnnl.effective_cpu_isa() : -1; }

#ifdef FG_HAVE_DLOPEN
#define FG_CACHE_SIZE 32

typedef struct {
    int used, trans_a, trans_b;
    int64_t m, n, k, lda, ldb, ldc;
    handle_t primitive, mem_a, mem_b, mem_c;
    char impl[64];
} cached_matmul;

static cached_matmul cache[FG_CACHE_SIZE];
static int cache_next;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *lookup(void *library, const char *name, int *missing)
{
    void *p = dlsym(library, name);
    if (!p)
        *missing = 1;
    return p;
}

int fg_onednn_load(const char *path, char *message, int64_t message_len)
{
    void *library;
    int missing = 0, status;
    if (dnnl.library)
        return FG_ONEDNN_OK;
    library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(message, (size_t)message_len, "%s", dlerror());
        return FG_ONEDNN_NOT_LOADED;
    }
    *(void **)&dnnl.engine_create = lookup(library, "dnnl_engine_create", &missing);
    *(void **)&dnnl.stream_create = lookup(library, "dnnl_stream_create", &missing);
    *(void **)&dnnl.stream_wait = lookup(library, "dnnl_stream_wait", &missing);
    *(void **)&dnnl.md_create_with_strides = lookup(library, "dnnl_memory_desc_create_with_strides", &missing);
    *(void **)&dnnl.md_destroy = lookup(library, "dnnl_memory_desc_destroy", &missing);
    *(void **)&dnnl.matmul_pd_create = lookup(library, "dnnl_matmul_primitive_desc_create", &missing);
    *(void **)&dnnl.pd_query = lookup(library, "dnnl_primitive_desc_query", &missing);
    *(void **)&dnnl.pd_destroy = lookup(library, "dnnl_primitive_desc_destroy", &missing);
    *(void **)&dnnl.primitive_create = lookup(library, "dnnl_primitive_create", &missing);
    *(void **)&dnnl.primitive_execute = lookup(library, "dnnl_primitive_execute", &missing);
    *(void **)&dnnl.primitive_destroy = lookup(library, "dnnl_primitive_destroy", &missing);
    *(void **)&dnnl.memory_create = lookup(library, "dnnl_memory_create", &missing);
    *(void **)&dnnl.memory_set_data_handle = lookup(library, "dnnl_memory_set_data_handle", &missing);
    *(void **)&dnnl.memory_destroy = lookup(library, "dnnl_memory_destroy", &missing);
    *(void **)&dnnl.version = lookup(library, "dnnl_version", &missing);
    *(void **)&dnnl.effective_cpu_isa = lookup(library, "dnnl_get_effective_cpu_isa", &missing);
    if (missing) {
        snprintf(message, (size_t)message_len, "%s lacks oneDNN v3's C API (dnnl_matmul_primitive_desc_create, "
                 "dnnl_memory_desc_create_with_strides, ...)", path);
        dlclose(library);
        memset(&dnnl, 0, sizeof dnnl);
        return FG_ONEDNN_NOT_LOADED;
    }
    status = dnnl.engine_create(&dnnl.engine, DNNL_CPU_ENGINE, 0);
    if (status == DNNL_SUCCESS)
        status = dnnl.stream_create(&dnnl.stream, dnnl.engine, DNNL_STREAM_IN_ORDER);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "%s: cannot make a CPU engine and stream (dnnl status %d)",
                 path, status);
        dlclose(library);
        memset(&dnnl, 0, sizeof dnnl);
        return FG_ONEDNN_NOT_LOADED;
    }
    dnnl.library = library;
    return FG_ONEDNN_OK;
}

static void release(cached_matmul *e)
{
    if (!e->used)
        return;
    dnnl.memory_destroy(e->mem_a);
    dnnl.memory_destroy(e->mem_b);
    dnnl.memory_destroy(e->mem_c);
    dnnl.primitive_destroy(e->primitive);
    memset(e, 0, sizeof *e);
}

/* A matrix rows x cols whose element (i, j) is at i * ld + j (trans = 0) or i + j * ld. */
static int matrix_md(handle_t *md, int64_t rows, int64_t cols, int trans, int64_t ld, int type)
{
    dnnl_dims dims = {rows, cols}, strides = {trans ? 1 : ld, trans ? ld : 1};
    return dnnl.md_create_with_strides(md, 2, dims, type, strides);
}

static int make_matmul(cached_matmul *e, char *message, int64_t message_len)
{
    handle_t md_a = NULL, md_b = NULL, md_c = NULL, pd = NULL;
    const char *impl = NULL;
    int status = matrix_md(&md_a, e->m, e->k, e->trans_a, e->lda, DNNL_BF16);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_b, e->k, e->n, e->trans_b, e->ldb, DNNL_BF16);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_c, e->m, e->n, 0, e->ldc, DNNL_F32);
    if (status == DNNL_SUCCESS)
        status = dnnl.matmul_pd_create(&pd, dnnl.engine, md_a, md_b, NULL, md_c, NULL);
    if (status == DNNL_SUCCESS)
        status = dnnl.primitive_create(&e->primitive, pd);
    if (status == DNNL_SUCCESS) {
        if (dnnl.pd_query(pd, DNNL_QUERY_IMPL_INFO_STR, 0, &impl) == DNNL_SUCCESS && impl)
            snprintf(e->impl, sizeof e->impl, "%s", impl);
        status = dnnl.memory_create(&e->mem_a, md_a, dnnl.engine, NULL);
        if (status == DNNL_SUCCESS)
            status = dnnl.memory_create(&e->mem_b, md_b, dnnl.engine, NULL);
        if (status == DNNL_SUCCESS)
            status = dnnl.memory_create(&e->mem_c, md_c, dnnl.engine, NULL);
    }
    if (pd)
        dnnl.pd_destroy(pd);
    if (md_a)
        dnnl.md_destroy(md_a);
    if (md_b)
        dnnl.md_destroy(md_b);
    if (md_c)
        dnnl.md_destroy(md_c);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "oneDNN refused a bf16 matmul of %lld x %lld x %lld "
                 "(dnnl status %d)", (long long)e->m, (long long)e->k, (long long)e->n, status);
        if (e->mem_a) dnnl.memory_destroy(e->mem_a);
        if (e->mem_b) dnnl.memory_destroy(e->mem_b);
        if (e->primitive) dnnl.primitive_destroy(e->primitive);
        memset(e, 0, sizeof *e);
        return FG_ONEDNN_FAILED;
    }
    e->used = 1;
    return FG_ONEDNN_OK;
}

static cached_matmul *find_or_make(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                                   int64_t lda, int64_t ldb, int64_t ldc, char *message, int64_t message_len)
{
    for (int i = 0; i < FG_CACHE_SIZE; i++) {
        cached_matmul *e = &cache[i];
        if (e->used && e->trans_a == trans_a && e->trans_b == trans_b && e->m == m && e->n == n && e->k == k
            && e->lda == lda && e->ldb == ldb && e->ldc == ldc)
            return e;
    }
    cached_matmul *e = &cache[cache_next];
    cache_next = (cache_next + 1) % FG_CACHE_SIZE;
    release(e);
    e->trans_a = trans_a;
    e->trans_b = trans_b;
    e->m = m;
    e->n = n;
    e->k = k;
    e->lda = lda;
    e->ldb = ldb;
    e->ldc = ldc;
    return make_matmul(e, message, message_len) == FG_ONEDNN_OK ? e : NULL;
}

int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float *c, int64_t ldc, char *impl, int64_t impl_len, char *message, int64_t message_len)
{
    int status;
    cached_matmul *e;
    if (!dnnl.library)
        return FG_ONEDNN_NOT_LOADED;
    pthread_mutex_lock(&lock);
    e = find_or_make(trans_a != 0, trans_b != 0, m, n, k, lda, ldb, ldc, message, message_len);
    if (!e) {
        pthread_mutex_unlock(&lock);
        return FG_ONEDNN_FAILED;
    }
    if (impl && impl_len > 0)
        snprintf(impl, (size_t)impl_len, "%s", e->impl);
    dnnl.memory_set_data_handle(e->mem_a, (void *)a);
    dnnl.memory_set_data_handle(e->mem_b, (void *)b);
    dnnl.memory_set_data_handle(e->mem_c, c);
    exec_arg args[3] = {{DNNL_ARG_SRC, e->mem_a}, {DNNL_ARG_WEIGHTS, e->mem_b}, {DNNL_ARG_DST, e->mem_c}};
    status = dnnl.primitive_execute(e->primitive, dnnl.stream, 3, args);
    if (status == DNNL_SUCCESS)
        status = dnnl.stream_wait(dnnl.stream);
    pthread_mutex_unlock(&lock);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "oneDNN's bf16 matmul failed (dnnl status %d)", status);
        return FG_ONEDNN_FAILED;
    }
    return FG_ONEDNN_OK;
}
#else
int fg_onednn_load(const char *path, char *message, int64_t message_len)
{
    (void)path;
    snprintf(message, (size_t)message_len, "loading oneDNN at run time needs dlopen, absent on this platform");
    return FG_ONEDNN_NOT_LOADED;
}

int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float *c, int64_t ldc, char *impl, int64_t impl_len, char *message, int64_t message_len)
{
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb;
    (void)c; (void)ldc; (void)impl; (void)impl_len; (void)message; (void)message_len;
    return FG_ONEDNN_NOT_LOADED;
}
#endif

/* ---- for the float32 convolutions (onednn_conv.c): the loaded library and its CPU engine ---- */
void *fg_onednn_library(void **engine)
{
    *engine = dnnl.engine;
    return dnnl.library;
}
