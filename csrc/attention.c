/* The softmax of scaled dot-product attention, fused with its mask.
 *
 * Forward: each row of scores gets its mask added (or its causal columns
 * left out) and becomes a numerically stable softmax (the row maximum is
 * subtracted before exp, sums accumulate in double) in one pass over the
 * row that writes p, then one scaling pass in cache.  Backward: the
 * gradient of the scores from p and the gradient of the probabilities as
 * the attention product saw them; with dropout that product used
 * p * keep * keep_scale, which is applied here on the fly instead of being
 * kept beside p.  Threaded over rows.
 */
/* See fg_math.h: lets GCC vectorize loops with selects and use FMA. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math", "fp-contract=fast")
#endif
#include <stddef.h>
#include "fastgrad.h"
#include "fg_math.h"
#include "fg_parallel.h"
#include "fg_softmax_rows.h"


/* The mask's first element for global row g (matrix g / rows, row g % rows). */
static inline int64_t mask_row_offset(const fg_attention_shape *a, int64_t g)
{
    int64_t matrix = g / a->rows, r = g % a->rows;
    return (matrix / a->heads) * a->mask_outer + (matrix % a->heads) * a->mask_heads + r * a->mask_row;
}

#define FG_ATTENTION(T, S)                                                     \
    /* p = x + mask over the row's first `open` columns, -inf after them */    \
    static inline void masked_row_##S(const T *restrict x, const T *mask, int64_t mask_col, T *restrict p, \
                                      int64_t open, int64_t cols)              \
    {                                                                          \
        if (!mask) {                                                           \
            for (int64_t c = 0; c < open; c++)                                 \
                p[c] = x[c];                                                   \
        } else if (mask_col == 1) {                                            \
            for (int64_t c = 0; c < open; c++)                                 \
                p[c] = x[c] + mask[c];                                         \
        } else {                                                               \
            for (int64_t c = 0; c < open; c++)                                 \
                p[c] = x[c] + mask[c * mask_col];                              \
        }                                                                      \
        for (int64_t c = open; c < cols; c++)                                  \
            p[c] = -(T)INFINITY;                                               \
    }                                                                          \
    FG_SIMD_CLONES static void attention_rows_##S(const T *restrict scores, const T *mask, T *restrict p, \
                                                  const fg_attention_shape *a, int64_t lo, int64_t hi) \
    {                                                                          \
        int64_t cols = a->cols;                                                \
        for (int64_t g = lo; g < hi; g++) {                                    \
            const T *x = scores + g * cols;                                    \
            T *y = p + g * cols;                                               \
            int64_t open = cols;                                               \
            if (a->causal) {                                                   \
                int64_t r = g % a->rows;                                       \
                open = r + 1 < cols ? r + 1 : cols;                            \
            }                                                                  \
            masked_row_##S(x, mask ? mask + mask_row_offset(a, g) : NULL, a->mask_col, y, open, cols); \
            ROW_MAX(T, y, m)                                                   \
            if (m == -(T)INFINITY) { /* nothing to attend to: zeros, as PyTorch */ \
                for (int64_t c = 0; c < cols; c++)                             \
                    y[c] = 0;                                                  \
                continue;                                                      \
            }                                                                  \
            exp_normalize_row_##S(y, m, y, cols);                              \
        }                                                                      \
    }                                                                          \
    /* gs = p (d - sum(p d)), d = gp * keep * keep_scale */                    \
    FG_SIMD_CLONES static void attention_grad_rows_##S(const T *restrict p, const T *restrict gp, \
                                                       const uint8_t *keep, T *restrict gs, int64_t cols, \
                                                       T keep_scale, int64_t lo, int64_t hi) \
    {                                                                          \
        for (int64_t g = lo; g < hi; g++) {                                    \
            const T *pr = p + g * cols, *gr = gp + g * cols;                   \
            T *out = gs + g * cols;                                            \
            if (keep) {                                                        \
                const uint8_t *kr = keep + g * cols;                           \
                for (int64_t c = 0; c < cols; c++)                             \
                    out[c] = kr[c] ? gr[c] * keep_scale : (T)0;                  \
                gr = out;                                                      \
            }                                                                  \
            softmax_grad_row_##S(pr, gr, out, cols);                           \
        }                                                                      \
    }                                                                          \
    void fg_attention_softmax_fwd_##S(const T *restrict scores, const T *mask, T *restrict p, \
                                      const fg_attention_shape *a)             \
    {                                                                          \
        int64_t rows = a->outer * a->heads * a->rows;                          \
        FG_PARALLEL_SHARES(rows, rows * a->cols, 1, attention_rows_##S(scores, mask, p, a, lo, hi)) \
    }                                                                          \
    void fg_attention_softmax_bwd_##S(const T *restrict p, const T *restrict gp, const uint8_t *keep, \
                                      T *restrict gs, const fg_attention_shape *a, double keep_scale) \
    {                                                                          \
        int64_t rows = a->outer * a->heads * a->rows;                          \
        FG_PARALLEL_SHARES(rows, rows * a->cols, 1,                            \
            attention_grad_rows_##S(p, gp, keep, gs, a->cols, (T)keep_scale, lo, hi)) \
    }

FG_ATTENTION(float, f32)
FG_ATTENTION(double, f64)
