/* oneDNN loaded at run time (fg_onednn.h), and the bfloat16 GEMM through its matmul.
 *
 * fg_onednn_load() opens libdnnl with dlopen and looks up the entry points of
 * oneDNN's C API (v3) that fastgrad uses (fg_dnnl); fastgrad is not linked
 * against oneDNN and does not need its headers.
 *
 * fg_gemm_bf16f32() computes C = op(A) op(B) with A and B in bfloat16 and C in
 * float32; oneDNN accumulates in float32 (on CPUs with AVX512-BF16 or AMX its
 * kernels use the bfloat16 dot-product instructions).  A primitive is made
 * once per shape and layout and kept in a small cache.  The oneDNN build for
 * GNU OpenMP runs on the same libgomp thread pool as fastgrad's kernels, so
 * fastgrad.set_num_threads applies to it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include "fastgrad.h"
#include "fg_onednn.h"

#ifdef FG_HAVE_DLOPEN
#include <dlfcn.h>
#include <pthread.h>
#endif

fg_dnnl_api fg_dnnl;

int fg_onednn_loaded(void) { return fg_dnnl.library != NULL; }

void fg_onednn_version(int *major, int *minor, int *patch)
{
    const dnnl_version_info *v = fg_dnnl.library ? fg_dnnl.version() : NULL;
    *major = v ? v->major : -1;
    *minor = v ? v->minor : -1;
    *patch = v ? v->patch : -1;
}

int fg_onednn_cpu_isa(void) { return fg_dnnl.library ? fg_dnnl.effective_cpu_isa() : -1; }

void fg_onednn_destroy_all(int (*destroy)(dnnl_handle), const dnnl_handle *handles, int n)
{
    for (int i = 0; i < n; i++)
        if (handles[i])
            destroy(handles[i]);
}

void *fg_onednn_cache_entry(void *entries, int count, size_t size, size_t key_offset, const void *key,
                            size_t key_size, int *next, void (*release)(void *entry), int *found)
{
    char *base = entries;
    for (int i = 0; i < count; i++) {
        char *e = base + (size_t)i * size;
        if (*(int *)e && memcmp(e + key_offset, key, key_size) == 0) {
            *found = 1;
            return e;
        }
    }
    char *e = base + (size_t)*next * size;
    *next = (*next + 1) % count;
    release(e);
    memcpy(e + key_offset, key, key_size);
    *found = 0;
    return e;
}

#ifdef FG_HAVE_DLOPEN
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int fg_onednn_lock(char *message, int64_t message_len)
{
    if (!fg_dnnl.library) {
        snprintf(message, (size_t)message_len, "oneDNN is not loaded");
        return FG_ONEDNN_NOT_LOADED;
    }
    pthread_mutex_lock(&lock);
    return FG_ONEDNN_OK;
}

int fg_onednn_unlock(int status, const char *what, char *message, int64_t message_len)
{
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.stream_wait(fg_dnnl.stream);
    pthread_mutex_unlock(&lock);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "oneDNN's %s failed (dnnl status %d)", what, status);
        return FG_ONEDNN_FAILED;
    }
    return FG_ONEDNN_OK;
}

static const struct { size_t offset; const char *name; } entry_points[] = {
#define ENTRY(field, name) {offsetof(fg_dnnl_api, field), name}
    ENTRY(engine_create, "dnnl_engine_create"),
    ENTRY(stream_create, "dnnl_stream_create"),
    ENTRY(stream_wait, "dnnl_stream_wait"),
    ENTRY(md_with_strides, "dnnl_memory_desc_create_with_strides"),
    ENTRY(md_with_tag, "dnnl_memory_desc_create_with_tag"),
    ENTRY(md_equal, "dnnl_memory_desc_equal"),
    ENTRY(md_size, "dnnl_memory_desc_get_size"),
    ENTRY(md_destroy, "dnnl_memory_desc_destroy"),
    ENTRY(matmul_pd, "dnnl_matmul_primitive_desc_create"),
    ENTRY(conv_forward_pd, "dnnl_convolution_forward_primitive_desc_create"),
    ENTRY(conv_backward_data_pd, "dnnl_convolution_backward_data_primitive_desc_create"),
    ENTRY(conv_backward_weights_pd, "dnnl_convolution_backward_weights_primitive_desc_create"),
    ENTRY(reorder_pd, "dnnl_reorder_primitive_desc_create"),
    ENTRY(pd_query, "dnnl_primitive_desc_query"),
    ENTRY(pd_query_md, "dnnl_primitive_desc_query_md"),
    ENTRY(pd_destroy, "dnnl_primitive_desc_destroy"),
    ENTRY(attr_create, "dnnl_primitive_attr_create"),
    ENTRY(attr_set_post_ops, "dnnl_primitive_attr_set_post_ops"),
    ENTRY(attr_destroy, "dnnl_primitive_attr_destroy"),
    ENTRY(post_ops_create, "dnnl_post_ops_create"),
    ENTRY(post_ops_append_eltwise, "dnnl_post_ops_append_eltwise"),
    ENTRY(post_ops_destroy, "dnnl_post_ops_destroy"),
    ENTRY(primitive_create, "dnnl_primitive_create"),
    ENTRY(primitive_execute, "dnnl_primitive_execute"),
    ENTRY(primitive_destroy, "dnnl_primitive_destroy"),
    ENTRY(memory_create, "dnnl_memory_create"),
    ENTRY(memory_set_data_handle, "dnnl_memory_set_data_handle"),
    ENTRY(memory_destroy, "dnnl_memory_destroy"),
    ENTRY(version, "dnnl_version"),
    ENTRY(effective_cpu_isa, "dnnl_get_effective_cpu_isa"),
#undef ENTRY
};

static int load_failed(void *library)
{
    dlclose(library);
    memset(&fg_dnnl, 0, sizeof fg_dnnl);
    return FG_ONEDNN_NOT_LOADED;
}

int fg_onednn_load(const char *path, char *message, int64_t message_len)
{
    void *library;
    int status;
    if (fg_dnnl.library)
        return FG_ONEDNN_OK;
    library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(message, (size_t)message_len, "%s", dlerror());
        return FG_ONEDNN_NOT_LOADED;
    }
    for (size_t i = 0; i < sizeof entry_points / sizeof entry_points[0]; i++) {
        void *p = dlsym(library, entry_points[i].name);
        if (!p) {
            snprintf(message, (size_t)message_len, "%s lacks %s, of oneDNN v3's C API", path, entry_points[i].name);
            return load_failed(library);
        }
        memcpy((char *)&fg_dnnl + entry_points[i].offset, &p, sizeof p);
    }
    status = fg_dnnl.engine_create(&fg_dnnl.engine, DNNL_CPU_ENGINE, 0);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.stream_create(&fg_dnnl.stream, fg_dnnl.engine, DNNL_STREAM_IN_ORDER);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "%s: cannot make a CPU engine and stream (dnnl status %d)",
                 path, status);
        return load_failed(library);
    }
    fg_dnnl.library = library;
    return FG_ONEDNN_OK;
}

#define FG_CACHE_SIZE 32

typedef struct {
    int64_t trans_a, trans_b, m, n, k, lda, ldb, ldc;
} matmul_key;

typedef struct {
    int used;
    matmul_key key;
    dnnl_handle primitive, mem_a, mem_b, mem_c;
    char impl[64];
} cached_matmul;

static cached_matmul cache[FG_CACHE_SIZE];
static int cache_next;

static void release(void *entry)
{
    cached_matmul *e = entry;
    const dnnl_handle memories[3] = {e->mem_a, e->mem_b, e->mem_c};
    fg_onednn_destroy_all(fg_dnnl.memory_destroy, memories, 3);
    fg_onednn_destroy_all(fg_dnnl.primitive_destroy, &e->primitive, 1);
    memset(e, 0, sizeof *e);
}

/* A matrix rows x cols whose element (i, j) is at i * ld + j (trans = 0) or i + j * ld. */
static int matrix_md(dnnl_handle *md, int64_t rows, int64_t cols, int64_t trans, int64_t ld, int type)
{
    dnnl_dims dims = {rows, cols}, strides = {trans ? 1 : ld, trans ? ld : 1};
    return fg_dnnl.md_with_strides(md, 2, dims, type, strides);
}

static int make_matmul(cached_matmul *e, char *message, int64_t message_len)
{
    const matmul_key *s = &e->key;
    dnnl_handle md_a = NULL, md_b = NULL, md_c = NULL, pd = NULL;
    const char *impl = NULL;
    int status = matrix_md(&md_a, s->m, s->k, s->trans_a, s->lda, DNNL_BF16);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_b, s->k, s->n, s->trans_b, s->ldb, DNNL_BF16);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_c, s->m, s->n, 0, s->ldc, DNNL_F32);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.matmul_pd(&pd, fg_dnnl.engine, md_a, md_b, NULL, md_c, NULL);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.primitive_create(&e->primitive, pd);
    if (status == DNNL_SUCCESS) {
        if (fg_dnnl.pd_query(pd, DNNL_QUERY_IMPL_INFO_STR, 0, &impl) == DNNL_SUCCESS && impl)
            snprintf(e->impl, sizeof e->impl, "%s", impl);
        status = fg_dnnl.memory_create(&e->mem_a, md_a, fg_dnnl.engine, NULL);
        if (status == DNNL_SUCCESS)
            status = fg_dnnl.memory_create(&e->mem_b, md_b, fg_dnnl.engine, NULL);
        if (status == DNNL_SUCCESS)
            status = fg_dnnl.memory_create(&e->mem_c, md_c, fg_dnnl.engine, NULL);
    }
    const dnnl_handle mds[3] = {md_a, md_b, md_c};
    fg_onednn_destroy_all(fg_dnnl.pd_destroy, &pd, 1);
    fg_onednn_destroy_all(fg_dnnl.md_destroy, mds, 3);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "oneDNN refused a bf16 matmul of %lld x %lld x %lld "
                 "(dnnl status %d)", (long long)s->m, (long long)s->k, (long long)s->n, status);
        release(e);
        return FG_ONEDNN_FAILED;
    }
    e->used = 1;
    return FG_ONEDNN_OK;
}

int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float *c, int64_t ldc, char *impl, int64_t impl_len, char *message, int64_t message_len)
{
    const matmul_key key = {trans_a != 0, trans_b != 0, m, n, k, lda, ldb, ldc};
    int found, status = fg_onednn_lock(message, message_len);
    if (status != FG_ONEDNN_OK)
        return status;
    cached_matmul *e = fg_onednn_cache_entry(cache, FG_CACHE_SIZE, sizeof cache[0], offsetof(cached_matmul, key),
                                             &key, sizeof key, &cache_next, release, &found);
    if (!found && make_matmul(e, message, message_len) != FG_ONEDNN_OK) {
        fg_onednn_unlock(DNNL_SUCCESS, "bf16 matmul", message, message_len);
        return FG_ONEDNN_FAILED;
    }
    if (impl && impl_len > 0)
        snprintf(impl, (size_t)impl_len, "%s", e->impl);
    fg_dnnl.memory_set_data_handle(e->mem_a, (void *)a);
    fg_dnnl.memory_set_data_handle(e->mem_b, (void *)b);
    fg_dnnl.memory_set_data_handle(e->mem_c, c);
    dnnl_exec_arg args[3] = {{DNNL_ARG_SRC, e->mem_a}, {DNNL_ARG_WEIGHTS, e->mem_b}, {DNNL_ARG_DST, e->mem_c}};
    status = fg_dnnl.primitive_execute(e->primitive, fg_dnnl.stream, 3, args);
    return fg_onednn_unlock(status, "bf16 matmul", message, message_len);
}
#else
int fg_onednn_load(const char *path, char *message, int64_t message_len)
{
    (void)path;
    snprintf(message, (size_t)message_len, "loading oneDNN at run time needs dlopen, absent on this platform");
    return FG_ONEDNN_NOT_LOADED;
}

int fg_onednn_lock(char *message, int64_t message_len)
{
    return fg_onednn_load("", message, message_len);
}

int fg_onednn_unlock(int status, const char *what, char *message, int64_t message_len)
{
    (void)status; (void)what; (void)message; (void)message_len;
    return FG_ONEDNN_NOT_LOADED;
}

int fg_gemm_bf16f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                    const uint16_t *a, int64_t lda, const uint16_t *b, int64_t ldb,
                    float *c, int64_t ldc, char *impl, int64_t impl_len, char *message, int64_t message_len)
{
    (void)trans_a; (void)trans_b; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb;
    (void)c; (void)ldc; (void)impl; (void)impl_len;
    return fg_onednn_lock(message, message_len);
}
#endif
