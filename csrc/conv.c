/* im2col / col2im for convolutions (fastgrad.h, "convolution").
 *
 * The convolution itself is a GEMM on the patch matrix: row (n, oh, ow) of
 * col holds the input values under the kernel placed at output (oh, ow) of
 * sample n, in (c, kh, kw) order, zero where the kernel hangs over the
 * padding.  col2im is the adjoint: every col entry is added back to the input
 * position it was read from.  Every read and write is bounds-checked against
 * the geometry, so any out size is memory safe.
 */
#include <string.h>

#include "fastgrad.h"
#include "fg_parallel.h"

#define FG_IM2COL(T, S)                                                        \
    /* rows [lo, hi) of col */                                                 \
    static void im2col_rows_##S(const T *restrict x, T *restrict col, const fg_conv_geometry *g, \
                                int64_t lo, int64_t hi)                        \
    {                                                                          \
        const int64_t C = g->channels, H = g->height, W = g->width;            \
        const int64_t KH = g->kernel_h, KW = g->kernel_w;                      \
        const int64_t OHW = g->out_h * g->out_w, K = C * KH * KW;              \
        for (int64_t r = lo; r < hi; r++) {                                    \
            const int64_t n = r / OHW, oh = (r % OHW) / g->out_w, ow = r % g->out_w; \
            const int64_t h0 = oh * g->stride_h - g->pad_h, w0 = ow * g->stride_w - g->pad_w; \
            /* whether the kernel row lies inside x's width: then no column needs a check */ \
            const int inside_w = w0 >= 0 && w0 + (KW - 1) * g->dilation_w < W; \
            T *out = col + r * K;                                              \
            for (int64_t c = 0; c < C; c++) {                                  \
                const T *plane = x + (n * C + c) * H * W;                      \
                for (int64_t i = 0; i < KH; i++) {                             \
                    const int64_t h = h0 + i * g->dilation_h;                  \
                    T *dst = out + (c * KH + i) * KW;                          \
                    if (h < 0 || h >= H) {                                     \
                        for (int64_t j = 0; j < KW; j++)                       \
                            dst[j] = (T)0;                                     \
                        continue;                                              \
                    }                                                          \
                    const T *src = plane + h * W;                              \
                    if (inside_w) {                                            \
                        for (int64_t j = 0; j < KW; j++)                       \
                            dst[j] = src[w0 + j * g->dilation_w];              \
                        continue;                                              \
                    }                                                          \
                    for (int64_t j = 0; j < KW; j++) {                         \
                        const int64_t w = w0 + j * g->dilation_w;              \
                        dst[j] = (w >= 0 && w < W) ? src[w] : (T)0;            \
                    }                                                          \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    /* samples [lo, hi) of gx, summed from their rows of col read in order (the writes stay \
       within one sample's C * H * W values, which the cache holds) */                     \
    static void col2im_samples_##S(const T *restrict col, T *restrict gx, const fg_conv_geometry *g, \
                                   int64_t lo, int64_t hi)                     \
    {                                                                          \
        const int64_t C = g->channels, H = g->height, W = g->width;            \
        const int64_t KH = g->kernel_h, KW = g->kernel_w, OW = g->out_w;       \
        const int64_t OHW = g->out_h * OW, K = C * KH * KW;                    \
        const int64_t sh = g->stride_h, sw = g->stride_w, ph = g->pad_h, pw = g->pad_w; \
        const int64_t dh = g->dilation_h, dw = g->dilation_w;                  \
        for (int64_t n = lo; n < hi; n++) {                                    \
            T *sample = gx + n * C * H * W;                                    \
            memset(sample, 0, (size_t)(C * H * W) * sizeof(T));                \
            for (int64_t r = 0; r < OHW; r++) {                                \
                const int64_t h0 = (r / OW) * sh - ph, w0 = (r % OW) * sw - pw; \
                const int inside_w = w0 >= 0 && w0 + (KW - 1) * dw < W;        \
                const T *src = col + (n * OHW + r) * K;                        \
                for (int64_t c = 0; c < C; c++) {                              \
                    T *plane = sample + c * H * W;                             \
                    for (int64_t i = 0; i < KH; i++) {                         \
                        const int64_t h = h0 + i * dh;                         \
                        if (h < 0 || h >= H)                                   \
                            continue;                                          \
                        T *dst = plane + h * W;                                \
                        const T *s = src + (c * KH + i) * KW;                  \
                        if (inside_w) {                                        \
                            for (int64_t j = 0; j < KW; j++)                   \
                                dst[w0 + j * dw] += s[j];                      \
                            continue;                                          \
                        }                                                      \
                        for (int64_t j = 0; j < KW; j++) {                     \
                            const int64_t w = w0 + j * dw;                     \
                            if (w >= 0 && w < W)                               \
                                dst[w] += s[j];                                \
                        }                                                      \
                    }                                                          \
                }                                                              \
            }                                                                  \
        }                                                                      \
    }                                                                          \
    void fg_im2col_fwd_##S(const T *restrict x, T *restrict col, const fg_conv_geometry *g) \
    {                                                                          \
        const int64_t rows = g->batch * g->out_h * g->out_w;                   \
        const int64_t K = g->channels * g->kernel_h * g->kernel_w;             \
        FG_PARALLEL_SHARES(rows, rows * K, 1, im2col_rows_##S(x, col, g, lo, hi)) \
    }                                                                          \
    void fg_im2col_bwd_##S(const T *restrict col, T *restrict gx, const fg_conv_geometry *g) \
    {                                                                          \
        const int64_t work = g->batch * g->out_h * g->out_w * g->channels * g->kernel_h * g->kernel_w \
                             + g->batch * g->channels * g->height * g->width;  \
        FG_PARALLEL_SHARES(g->batch, work, 1, col2im_samples_##S(col, gx, g, lo, hi)) \
    }

FG_IM2COL(float, f32)
FG_IM2COL(double, f64)
