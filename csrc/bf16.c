/* bfloat16 conversions for the mixed-precision GEMMs.
 *
 * A bfloat16 is the upper half of a float32: the same sign and 8-bit
 * exponent, 7 fraction bits.  float32 -> bfloat16 rounds to nearest, ties to
 * even (as ml_dtypes and oneDNN do); NaN stays NaN (quiet), infinities stay
 * infinite, and a finite value past the largest bfloat16 rounds to infinity.
 */
#include <string.h>
#include "fastgrad.h"
#include "fg_parallel.h"

static inline uint16_t bf16_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    /* NOTE: adding 0x7fff plus the lowest kept bit rounds half to even; a carry
     * out of the fraction correctly bumps the exponent (up to infinity).  A NaN
     * keeps its sign and becomes quiet instead.  (A select, so loops vectorize.) */
    uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
    uint32_t quiet_nan = (u >> 16) | 0x0040u;
    return (uint16_t)((u & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
}

FG_SIMD_CLONES static void to_bf16(const float *restrict x, uint16_t *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = bf16_bits(x[i]);
}

FG_SIMD_CLONES static void round_bf16(const float *restrict x, float *restrict y, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t u = (uint32_t)bf16_bits(x[i]) << 16;
        memcpy(&y[i], &u, sizeof u);
    }
}

void fg_bf16_from_f32(const float *restrict x, uint16_t *restrict y, int64_t n)
{
    FG_PARALLEL_SHARES(n, n, 32, to_bf16(x + lo, y + lo, hi - lo))
}

void fg_bf16_round_f32(const float *restrict x, float *restrict y, int64_t n)
{
    FG_PARALLEL_SHARES(n, n, 16, round_bf16(x + lo, y + lo, hi - lo))
}

/* The linear layer's bias + activation epilogue (linear.c's fg_bias_act_fwd_f32,
 * float32 arithmetic) that also writes the bfloat16 bits of its output y, the
 * operand of the next bfloat16 GEMM: each chunk of rows (FG_CHUNK_WORK
 * elements, cache-sized) is converted right after the epilogue wrote it, while
 * it is still in cache, instead of in a second pass over y from memory.
 * Threaded above the same size as linear.c's epilogue, for the same reason. */
#define FG_BF16_EPILOGUE_OMP_THRESHOLD (1 << 22)

void fg_bias_act_bf16_f32(const float *bias, float *z, float *y, uint16_t *y16, int64_t rows, int64_t cols,
                          int act)
{
    FG_PARALLEL_SHARES_ABOVE(rows, rows * cols, FG_BF16_EPILOGUE_OMP_THRESHOLD, 1, {
        fg_bias_act_fwd_f32(bias, z + lo * cols, y + lo * cols, hi - lo, cols, act);
        to_bf16(y + lo * cols, y16 + lo * cols, (hi - lo) * cols);
    })
}
