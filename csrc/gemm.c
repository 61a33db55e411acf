/* GEMM through a BLAS loaded at run time (MKL's single dynamic library).
 *
 * fg_blas_load() opens libmkl_rt with dlopen, picks MKL's threading layer and
 * looks up cblas_?gemm and cblas_?gemm_batch.  The 64-bit-integer entry points
 * (cblas_sgemm_64, ...) are used when the library has them (and the caller
 * does not ask for 32-bit ones); otherwise the 32-bit ones, and sizes that do
 * not fit return FG_BLAS_TOO_LARGE.
 *
 * Threads: when fastgrad is built with OpenMP, MKL gets the GNU threading
 * layer, so its parallel regions run on the same libgomp thread pool as the
 * kernels in this library; before each call MKL's thread count is set to
 * omp_get_max_threads(), which is what fastgrad.set_num_threads changes.
 * Products smaller than FG_GEMM_SERIAL_WORK multiply-adds run on the calling
 * thread alone: waking a team costs more than it saves there (MKL would
 * otherwise split a 32x32x32 product over two threads and take 4x longer).
 * While the kernels' teams come late (other processes busy on every core,
 * fg_parallel.h), every product runs on the calling thread alone as well.
 * Without OpenMP, MKL runs sequentially, as the kernels do.
 *
 * All matrices are row-major; a transposed operand is a column-major view,
 * passed with CblasTrans.  Batches are arrays of matrix pointers.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include "fastgrad.h"
#include "fg_parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define FG_HAVE_DLOPEN 1
#endif

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
enum { MKL_THREADING_INTEL = 0, MKL_THREADING_SEQUENTIAL = 1, MKL_THREADING_GNU = 3 };
enum { MKL_INTERFACE_LP64 = 0 };

#define FG_GEMM_SERIAL_WORK (64.0 * 64.0 * 64.0)

/* MKL's cblas_?gemm and cblas_?gemm_batch for element type T and integer type I
 * (int64_t for the ILP64 *_64 entry points, int otherwise). */
#define GEMM_FN(name, T, I)                                                    \
    typedef void (*name)(int, int, int, I, I, I, T, const T *, I, const T *, I, T, T *, I);
#define GEMM_BATCH_FN(name, T, I)                                              \
    typedef void (*name)(int, const int *, const int *, const I *, const I *, const I *, const T *, \
                         const T **, const I *, const T **, const I *, const T *, T **, const I *, I, const I *);
GEMM_FN(sgemm64_fn, float, int64_t)
GEMM_FN(dgemm64_fn, double, int64_t)
GEMM_FN(sgemm32_fn, float, int)
GEMM_FN(dgemm32_fn, double, int)
GEMM_BATCH_FN(sbatch64_fn, float, int64_t)
GEMM_BATCH_FN(dbatch64_fn, double, int64_t)
GEMM_BATCH_FN(sbatch32_fn, float, int)
GEMM_BATCH_FN(dbatch32_fn, double, int)

static struct {
    void *handle;
    int ilp64;           /* 1: the *_64 entry points, 0: 32-bit integers */
    int threading;       /* the layer MKL reports being in effect */
    void *sgemm, *dgemm, *sgemm_batch, *dgemm_batch;
    void (*set_num_threads)(int);
    int (*set_num_threads_local)(int);
    int (*get_max_threads)(void);
    void (*version_string)(char *, int);
} blas;

static volatile int threads_in_effect = -1;

int fg_blas_loaded(void) { return blas.handle != NULL; }
int fg_blas_ilp64(void) { return blas.ilp64; }
int fg_blas_threading_layer(void) { return blas.handle ? blas.threading : -1; }

int fg_blas_max_threads(void)
{
    return blas.get_max_threads ? blas.get_max_threads() : 0;
}

void fg_blas_version(char *buf, int64_t len)
{
    if (len <= 0)
        return;
    buf[0] = '\0';
    if (blas.version_string) {
        blas.version_string(buf, (int)(len > INT_MAX ? INT_MAX : len));
        buf[len - 1] = '\0';
    }
}

#ifdef FG_HAVE_DLOPEN
static void *symbol(void *handle, const char *name)
{
    return dlsym(handle, name);
}

/* MKL's GNU layer calls GOMP_* entry points; make the libgomp this library was
 * linked against (already loaded) the one those names resolve to. */
static void share_our_openmp_runtime(void)
{
#ifdef _OPENMP
    Dl_info info;
    if (dladdr((void *)&omp_get_max_threads, &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
#endif
}
#endif

int fg_blas_load(const char *path, int use_32bit_integers, char *message, int64_t message_len)
{
#ifdef FG_HAVE_DLOPEN
    void *handle;
    int (*set_threading_layer)(int);
    int (*set_interface_layer)(int);
    int wanted;

    if (blas.handle)
        return FG_BLAS_OK;
    share_our_openmp_runtime();
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(message, (size_t)message_len, "%s", dlerror());
        return FG_BLAS_NOT_LOADED;
    }
    *(void **)&set_threading_layer = symbol(handle, "MKL_Set_Threading_Layer");
    if (!set_threading_layer) {
        snprintf(message, (size_t)message_len, "%s has no MKL_Set_Threading_Layer: not MKL's runtime library", path);
        dlclose(handle);
        return FG_BLAS_NOT_LOADED;
    }
#ifdef _OPENMP
    wanted = MKL_THREADING_GNU;
#else
    wanted = MKL_THREADING_SEQUENTIAL;
#endif
    /* Returns the layer in effect: another library may have chosen first. */
    blas.threading = set_threading_layer(wanted);

    if (!use_32bit_integers) {
        blas.sgemm = symbol(handle, "cblas_sgemm_64");
        blas.dgemm = symbol(handle, "cblas_dgemm_64");
        blas.sgemm_batch = symbol(handle, "cblas_sgemm_batch_64");
        blas.dgemm_batch = symbol(handle, "cblas_dgemm_batch_64");
        blas.ilp64 = 1;
    }
    if (use_32bit_integers || !blas.sgemm || !blas.dgemm || !blas.sgemm_batch || !blas.dgemm_batch) {
        *(void **)&set_interface_layer = symbol(handle, "MKL_Set_Interface_Layer");
        if (!set_interface_layer || set_interface_layer(MKL_INTERFACE_LP64) != MKL_INTERFACE_LP64) {
            snprintf(message, (size_t)message_len,
                     "%s: the 32-bit cblas entry points need the LP64 interface layer, "
                     "and MKL_INTERFACE_LAYER chose another", path);
            dlclose(handle);
            return FG_BLAS_NOT_LOADED;
        }
        blas.sgemm = symbol(handle, "cblas_sgemm");
        blas.dgemm = symbol(handle, "cblas_dgemm");
        blas.sgemm_batch = symbol(handle, "cblas_sgemm_batch");
        blas.dgemm_batch = symbol(handle, "cblas_dgemm_batch");
        blas.ilp64 = 0;
    }
    *(void **)&blas.set_num_threads = symbol(handle, "MKL_Set_Num_Threads");
    *(void **)&blas.set_num_threads_local = symbol(handle, "MKL_Set_Num_Threads_Local");
    *(void **)&blas.get_max_threads = symbol(handle, "MKL_Get_Max_Threads");
    *(void **)&blas.version_string = symbol(handle, "mkl_get_version_string");
    if (!blas.sgemm || !blas.dgemm || !blas.sgemm_batch || !blas.dgemm_batch || !blas.set_num_threads) {
        snprintf(message, (size_t)message_len, "%s lacks cblas_?gemm, cblas_?gemm_batch or MKL_Set_Num_Threads", path);
        dlclose(handle);
        memset(&blas, 0, sizeof blas);
        return FG_BLAS_NOT_LOADED;
    }
    blas.handle = handle;
    return FG_BLAS_OK;
#else
    (void)path;
    snprintf(message, (size_t)message_len, "loading a BLAS at run time needs dlopen, absent on this platform");
    return FG_BLAS_NOT_LOADED;
#endif
}

/* MKL's thread count follows the calling thread's OpenMP setting; a small
 * product runs on this thread only.  Returns the thread-local setting to put
 * back after the call (end_thread_choice), or -1 when nothing was changed. */
static int choose_threads(double work)
{
#ifdef _OPENMP
    int n = omp_get_max_threads();
#else
    int n = 1;
#endif
    if (n != threads_in_effect) {
        blas.set_num_threads(n);
        threads_in_effect = n;
    }
    if (n > 1 && (work < FG_GEMM_SERIAL_WORK || !fg_team_ready()) && blas.set_num_threads_local) {
        return blas.set_num_threads_local(1);
    }
    return -1;
}

static void end_thread_choice(int previous)
{
    if (previous >= 0)
        blas.set_num_threads_local(previous);  /* 0: back to the global count */
}

static int fits_int(int64_t m, int64_t n, int64_t k, int64_t lda, int64_t ldb, int64_t ldc, int64_t batch)
{
    return m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX
        && ldc <= INT_MAX && batch <= INT_MAX;
}

#define GEMM_BODY(T, FN64, FN32)                                                          \
    int local;                                                                            \
    if (!blas.handle)                                                                     \
        return FG_BLAS_NOT_LOADED;                                                        \
    if (!blas.ilp64 && !fits_int(m, n, k, lda, ldb, ldc, 1))                              \
        return FG_BLAS_TOO_LARGE;                                                         \
    local = choose_threads((double)m * (double)n * (double)k);                           \
    if (blas.ilp64)                                                                       \
        ((FN64)blas.T)(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, \
                       m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);                     \
    else                                                                                  \
        ((FN32)blas.T)(ROW_MAJOR, trans_a ? TRANS : NO_TRANS, trans_b ? TRANS : NO_TRANS, \
                       (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, beta, c,  \
                       (int)ldc);                                                         \
    end_thread_choice(local);                                                             \
    return FG_BLAS_OK;

int fg_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb,
                float beta, float *c, int64_t ldc)
{
    GEMM_BODY(sgemm, sgemm64_fn, sgemm32_fn)
}

int fg_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                const double *a, int64_t lda, const double *b, int64_t ldb,
                double beta, double *c, int64_t ldc)
{
    GEMM_BODY(dgemm, dgemm64_fn, dgemm32_fn)
}

/* One group of `batch` products of the same shape: MKL spreads the batch over
 * its threads, so many small matrices cost one call, not one call each. */
#define GEMM_BATCH_BODY(T, FN64, FN32)                                                    \
    int ta = trans_a ? TRANS : NO_TRANS, tb = trans_b ? TRANS : NO_TRANS, local;          \
    if (!blas.handle)                                                                     \
        return FG_BLAS_NOT_LOADED;                                                        \
    if (!blas.ilp64 && !fits_int(m, n, k, lda, ldb, ldc, batch))                          \
        return FG_BLAS_TOO_LARGE;                                                         \
    local = choose_threads((double)m * (double)n * (double)k * (double)batch);           \
    if (blas.ilp64) {                                                                     \
        ((FN64)blas.T)(ROW_MAJOR, &ta, &tb, &m, &n, &k, &alpha, a, &lda, b, &ldb,         \
                       &beta, c, &ldc, 1, &batch);                                        \
    } else {                                                                              \
        int m32 = (int)m, n32 = (int)n, k32 = (int)k, lda32 = (int)lda, ldb32 = (int)ldb; \
        int ldc32 = (int)ldc, batch32 = (int)batch;                                       \
        ((FN32)blas.T)(ROW_MAJOR, &ta, &tb, &m32, &n32, &k32, &alpha, a, &lda32, b,       \
                       &ldb32, &beta, c, &ldc32, 1, &batch32);                            \
    }                                                                                     \
    end_thread_choice(local);                                                             \
    return FG_BLAS_OK;

int fg_gemm_batch_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                      const float **a, int64_t lda, const float **b, int64_t ldb,
                      float beta, float **c, int64_t ldc, int64_t batch)
{
    GEMM_BATCH_BODY(sgemm_batch, sbatch64_fn, sbatch32_fn)
}

int fg_gemm_batch_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, double alpha,
                      const double **a, int64_t lda, const double **b, int64_t ldb,
                      double beta, double **c, int64_t ldc, int64_t batch)
{
    GEMM_BATCH_BODY(dgemm_batch, dbatch64_fn, dbatch32_fn)
}
