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

/* A matrix rows x cols whose element (i, j) is at i * ld + j (trans = 0) or i + j * ld. */
static int matrix_md(dnnl_handle *md, int64_t rows, int64_t cols, int64_t trans, int64_t ld, int type)
{
    dnnl_dims dims = {rows, cols}, strides = {trans ? 1 : ld, trans ? ld : 1};
    return fg_dnnl.md_with_strides(md, 2, dims, type, strides);
}

void fg_onednn_matmul_release(fg_onednn_matmul *mm)
{
    const dnnl_handle memories[3] = {mm->a, mm->b, mm->c};
    fg_onednn_destroy_all(fg_dnnl.memory_destroy, memories, 3);
    fg_onednn_destroy_all(fg_dnnl.primitive_destroy, &mm->primitive, 1);
    memset(mm, 0, sizeof *mm);
}

int fg_onednn_matmul_make(fg_onednn_matmul *mm, int64_t m, int64_t n, int64_t k, int64_t trans_a, int64_t lda,
                          int64_t trans_b, int64_t ldb, int64_t ldc, int type_ab, int type_c, dnnl_handle attr,
                          char *impl, size_t impl_len, char *message, int64_t message_len)
{
    dnnl_handle md_a = NULL, md_b = NULL, md_c = NULL, pd = NULL;
    const char *name = NULL;
    int status = matrix_md(&md_a, m, k, trans_a, lda, type_ab);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_b, k, n, trans_b, ldb, type_ab);
    if (status == DNNL_SUCCESS)
        status = matrix_md(&md_c, m, n, 0, ldc, type_c);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.matmul_pd(&pd, fg_dnnl.engine, md_a, md_b, NULL, md_c, attr);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.primitive_create(&mm->primitive, pd);
    if (status == DNNL_SUCCESS && impl_len > 0
        && fg_dnnl.pd_query(pd, DNNL_QUERY_IMPL_INFO_STR, 0, &name) == DNNL_SUCCESS && name)
        snprintf(impl, impl_len, "%s", name);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.memory_create(&mm->a, md_a, fg_dnnl.engine, NULL);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.memory_create(&mm->b, md_b, fg_dnnl.engine, NULL);
    if (status == DNNL_SUCCESS)
        status = fg_dnnl.memory_create(&mm->c, md_c, fg_dnnl.engine, NULL);
    const dnnl_handle mds[3] = {md_a, md_b, md_c};
    fg_onednn_destroy_all(fg_dnnl.pd_destroy, &pd, 1);
    fg_onednn_destroy_all(fg_dnnl.md_destroy, mds, 3);
    if (status != DNNL_SUCCESS) {
        snprintf(message, (size_t)message_len, "oneDNN refused a %s matmul of %lld x %lld x %lld (dnnl status %d)",
                 type_ab == DNNL_BF16 ? "bf16" : "float32", (long long)m, (long long)k, (long long)n, status);
        fg_onednn_matmul_release(mm);
        return FG_ONEDNN_FAILED;
    }
    return FG_ONEDNN_OK;
}

int fg_onednn_matmul_run(const fg_onednn_matmul *mm, const void *a, const void *b, void *c)
{
    fg_dnnl.memory_set_data_handle(mm->a, (void *)a);
    fg_dnnl.memory_set_data_handle(mm->b, (void *)b);
    fg_dnnl.memory_set_data_handle(mm->c, c);
    dnnl_exec_arg args[3] = {{DNNL_ARG_SRC, mm->a}, {DNNL_ARG_WEIGHTS, mm->b}, {DNNL_ARG_DST, mm->c}};
    return fg_dnnl.primitive_execute(mm->primitive, fg_dnnl.stream, 3, args);
}

#define FG_CACHE_SIZE 32

typedef struct {
    int64_t trans_a, trans_b, m, n, k, lda, ldb, ldc;
} matmul_key;

typedef struct {
    int used;
    matmul_key key;
    fg_onednn_matmul matmul;
    char impl[64];
} cached_matmul;

static cached_matmul cache[FG_CACHE_SIZE];
static int cache_next;

static void release(void *entry)
{
    cached_matmul *e = entry;
    fg_onednn_matmul_release(&e->matmul);
    memset(e, 0, sizeof *e);
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
    if (!found) {
        status = fg_onednn_matmul_make(&e->matmul, m, n, k, key.trans_a, lda, key.trans_b, ldb, ldc, DNNL_BF16,
                                       DNNL_F32, NULL, e->impl, sizeof e->impl, message, message_len);
        if (status != FG_ONEDNN_OK) {
            release(e);
            fg_onednn_unlock(DNNL_SUCCESS, "bf16 matmul", message, message_len);
            return FG_ONEDNN_FAILED;
        }
        e->used = 1;
    }
    if (impl && impl_len > 0)
        snprintf(impl, (size_t)impl_len, "%s", e->impl);
    status = fg_onednn_matmul_run(&e->matmul, a, b, c);
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
