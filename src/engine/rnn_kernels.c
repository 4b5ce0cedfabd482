/* rnn_kernels.c - matrix products for many rows at once, the engine's inner loops.
 *
 * Every value is summed in the same order as the one-row loops in rnn_forward.c (affine) and
 * rnn_backward.c, one product after the other: the blocking only decides which values are
 * summed side by side. So the batched training gives the same bits as training one sequence
 * after the other, and a vector of 2 doubles (SSE2) the same bits as a vector of 4 (AVX,
 * chosen at run time where the CPU has it, without FMA: a fused multiply-add rounds once
 * where the loops round twice). */
#include "rnn.h"

#include <string.h>

/* ---- one value at a time: the edges the vector kernels leave, and the reference ---------- */

/* y[c] = (bias[c] or y[c]) + Σ_k x[k] M[k][c] for columns c_from..cols-1 of one row */
static void one_row_times(double *y, const double *x, const double *M, const double *bias, int red,
                          int cols, int c_from) {
    for (int c = c_from; c < cols; c++) {
        double sum = bias ? 0.0 : y[c];
        for (int k = 0; k < red; k++) sum += x[k] * M[(size_t)k * cols + c];
        y[c] = bias ? bias[c] + sum : sum;
    }
}

/* dW[r][c] += Σ_q a_q[r] v_q[c] for rows r_begin..r_end-1, columns c_from..cols-1 */
static void outer_scalar(double *dW, const double *const *a, const double *const *v, int n,
                         int cols, int r_begin, int r_end, int c_from) {
    for (int r = r_begin; r < r_end; r++) {
        double *w = dW + (size_t)r * cols;
        for (int q = 0; q < n; q++)
            for (int c = c_from; c < cols; c++) w[c] += a[q][r] * v[q][c];
    }
}

/* db[c] += Σ_q a_q[c] for columns c_from..cols-1 */
static void sum_scalar(double *db, const double *const *a, int n, int cols, int c_from) {
    for (int c = c_from; c < cols; c++)
        for (int q = 0; q < n; q++) db[c] += a[q][c];
}

#if defined(__GNUC__)
#define KERNEL_WIDTH 2
#define KERNEL(name) name##_w2
#include "rnn_kernels_impl.h"
#undef KERNEL
#undef KERNEL_WIDTH

#if defined(__x86_64__) && !defined(__clang__)
#define RNN_HAVE_AVX_KERNELS 1
#pragma GCC push_options
#pragma GCC target("avx")
#define KERNEL_WIDTH 4
#define KERNEL(name) name##_w4
#include "rnn_kernels_impl.h"
#undef KERNEL
#undef KERNEL_WIDTH
#pragma GCC pop_options
#endif
#endif

/* Width 1: the plain loops, for compilers without vector extensions. */
static void rows_matmul_w1(double *const *out, const double *const *in, const double *M,
                           const double *bias, int n, int red, int cols) {
    for (int i = 0; i < n; i++) one_row_times(out[i], in[i], M, bias, red, cols, 0);
}
static void outer_rows_w1(double *dW, const double *const *a, const double *const *v, int n,
                          int cols, int r_begin, int r_end) {
    outer_scalar(dW, a, v, n, cols, r_begin, r_end, 0);
}
static void sum_rows_w1(double *db, const double *const *a, int n, int cols) {
    sum_scalar(db, a, n, cols, 0);
}

typedef struct KernelSet {
    int width; /* doubles per vector */
    void (*rows_matmul)(double *const *out, const double *const *in, const double *M,
                        const double *bias, int n, int red, int cols);
    void (*outer_rows)(double *dW, const double *const *a, const double *const *v, int n, int cols,
                       int r_begin, int r_end);
    void (*sum_rows)(double *db, const double *const *a, int n, int cols);
} KernelSet;

/* widest first; the last one runs everywhere */
static const KernelSet KERNEL_SETS[] = {
#if defined(RNN_HAVE_AVX_KERNELS)
    {4, rows_matmul_w4, outer_rows_w4, sum_rows_w4},
#endif
#if defined(__GNUC__)
    {2, rows_matmul_w2, outer_rows_w2, sum_rows_w2},
#endif
    {1, rows_matmul_w1, outer_rows_w1, sum_rows_w1},
};

static int width_limit = 4;

void rnn_kernel_width_limit(int max_width) {
    width_limit = max_width;
}

/* The widest set within the limit that this CPU runs (a flag read, cheap enough per call). */
static const KernelSet *kernels(void) {
    size_t last = sizeof KERNEL_SETS / sizeof KERNEL_SETS[0] - 1;
    for (size_t i = 0; i < last; i++) {
        const KernelSet *k = &KERNEL_SETS[i];
#if defined(RNN_HAVE_AVX_KERNELS)
        if (k->width == 4 && !__builtin_cpu_supports("avx")) continue;
#endif
        if (k->width <= width_limit) return k;
    }
    return &KERNEL_SETS[last];
}

int rnn_kernel_width(void) {
    return kernels()->width;
}

void rnn_rows_matmul(double *const *out, const double *const *in, const double *M,
                     const double *bias, int n, int red, int cols) {
    kernels()->rows_matmul(out, in, M, bias, n, red, cols);
}

void rnn_outer_rows(double *dW, const double *const *a, const double *const *v, int n, int rows,
                    int cols, int r_begin, int r_end) {
    (void)rows; /* dW is (rows, cols); only rows r_begin..r_end-1 are touched */
    kernels()->outer_rows(dW, a, v, n, cols, r_begin, r_end);
}

void rnn_sum_rows(double *db, const double *const *a, int n, int cols) {
    kernels()->sum_rows(db, a, n, cols);
}
