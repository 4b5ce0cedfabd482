/* rnn_kernels_impl.h - the matrix kernels, written once for a vector of KERNEL_WIDTH doubles.
 *
 * Included by rnn_kernels.c once per width (2: SSE2, every x86-64; 4: AVX, where the CPU has
 * it), with KERNEL(name) giving each copy its own names. Only element-wise products and sums
 * of whole vectors: each lane computes what the one-value loop computes, in the same order,
 * so every width gives the same bits. No include guard: it is meant to be included again. */

typedef double KERNEL(Vec) __attribute__((vector_size(KERNEL_WIDTH * sizeof(double))));
#define VEC KERNEL(Vec)
#define W   KERNEL_WIDTH

static inline VEC KERNEL(load)(const double *p) {
    VEC v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void KERNEL(store)(double *p, VEC v) {
    memcpy(p, &v, sizeof v);
}
static inline VEC KERNEL(splat)(double x) {
    VEC v;
    for (int i = 0; i < W; i++) v[i] = x;
    return v;
}
#define LOAD  KERNEL(load)
#define STORE KERNEL(store)

/* Leaving AVX code: clear the registers' upper halves, or every SSE instruction after it
 * (libm, the activations) waits on them. GCC inserts this at some exits but not all. */
#if KERNEL_WIDTH == 4
#define LEAVE() __builtin_ia32_vzeroupper()
#else
#define LEAVE() ((void)0)
#endif

/* y_i[c0 .. c0+2W-1] = (bias or y_i) + Σ_k x_i[k] M[k][c0 ..] for 4 rows i: 8 sums of W
 * values in registers. */
static void KERNEL(rows_matmul_block)(double *const *y, const double *const *x, const double *M,
                                      const double *bias, int red, int cols, int c0) {
    VEC acc[4][2];
    for (int i = 0; i < 4; i++)
        for (int h = 0; h < 2; h++) acc[i][h] = bias ? KERNEL(splat)(0.0) : LOAD(y[i] + c0 + W * h);
    const double *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
    for (int k = 0; k < red; k++) {
        const double *m = M + (size_t)k * cols + c0;
        VEC m0 = LOAD(m), m1 = LOAD(m + W);
        acc[0][0] += x0[k] * m0, acc[0][1] += x0[k] * m1;
        acc[1][0] += x1[k] * m0, acc[1][1] += x1[k] * m1;
        acc[2][0] += x2[k] * m0, acc[2][1] += x2[k] * m1;
        acc[3][0] += x3[k] * m0, acc[3][1] += x3[k] * m1;
    }
    for (int i = 0; i < 4; i++)
        for (int h = 0; h < 2; h++)
            STORE(y[i] + c0 + W * h, bias ? LOAD(bias + c0 + W * h) + acc[i][h] : acc[i][h]);
}

/* One row, 8W columns at a time: eight named sums (so that they stay in registers), enough
 * independent additions to hide the adder's latency. */
static void KERNEL(row_times_wide)(double *y, const double *x, const double *M, const double *bias,
                                   int red, int cols, int c0) {
    const double *y0 = bias ? bias + c0 : y + c0;
    VEC a0 = KERNEL(splat)(0.0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    if (!bias) {
        a0 = LOAD(y0), a1 = LOAD(y0 + W), a2 = LOAD(y0 + 2 * W), a3 = LOAD(y0 + 3 * W);
        a4 = LOAD(y0 + 4 * W), a5 = LOAD(y0 + 5 * W), a6 = LOAD(y0 + 6 * W), a7 = LOAD(y0 + 7 * W);
    }
    for (int k = 0; k < red; k++) {
        const double *m = M + (size_t)k * cols + c0;
        double xk = x[k];
        a0 += xk * LOAD(m), a1 += xk * LOAD(m + W), a2 += xk * LOAD(m + 2 * W);
        a3 += xk * LOAD(m + 3 * W), a4 += xk * LOAD(m + 4 * W), a5 += xk * LOAD(m + 5 * W);
        a6 += xk * LOAD(m + 6 * W), a7 += xk * LOAD(m + 7 * W);
    }
    if (bias) {
        a0 = LOAD(y0) + a0, a1 = LOAD(y0 + W) + a1, a2 = LOAD(y0 + 2 * W) + a2;
        a3 = LOAD(y0 + 3 * W) + a3, a4 = LOAD(y0 + 4 * W) + a4, a5 = LOAD(y0 + 5 * W) + a5;
        a6 = LOAD(y0 + 6 * W) + a6, a7 = LOAD(y0 + 7 * W) + a7;
    }
    double *out = y + c0;
    STORE(out, a0), STORE(out + W, a1), STORE(out + 2 * W, a2), STORE(out + 3 * W, a3);
    STORE(out + 4 * W, a4), STORE(out + 5 * W, a5), STORE(out + 6 * W, a6), STORE(out + 7 * W, a7);
}

/* The same for 4W columns (what is left after the wide blocks, e.g. the 16 columns of a
 * vanilla RNN's W_hh at H = 16 when W = 4). */
static void KERNEL(row_times_narrow)(double *y, const double *x, const double *M,
                                     const double *bias, int red, int cols, int c0) {
    const double *y0 = bias ? bias + c0 : y + c0;
    VEC a0 = KERNEL(splat)(0.0), a1 = a0, a2 = a0, a3 = a0;
    if (!bias) a0 = LOAD(y0), a1 = LOAD(y0 + W), a2 = LOAD(y0 + 2 * W), a3 = LOAD(y0 + 3 * W);
    for (int k = 0; k < red; k++) {
        const double *m = M + (size_t)k * cols + c0;
        double xk = x[k];
        a0 += xk * LOAD(m), a1 += xk * LOAD(m + W), a2 += xk * LOAD(m + 2 * W);
        a3 += xk * LOAD(m + 3 * W);
    }
    if (bias) {
        a0 = LOAD(y0) + a0, a1 = LOAD(y0 + W) + a1, a2 = LOAD(y0 + 2 * W) + a2;
        a3 = LOAD(y0 + 3 * W) + a3;
    }
    double *out = y + c0;
    STORE(out, a0), STORE(out + W, a1), STORE(out + 2 * W, a2), STORE(out + 3 * W, a3);
}

static void KERNEL(rows_matmul)(double *const *out, const double *const *in, const double *M,
                                const double *bias, int n, int red, int cols) {
    int i0 = 0;
    for (; i0 + 4 <= n; i0 += 4) {
        int c0 = 0;
        for (; c0 + 2 * W <= cols; c0 += 2 * W)
            KERNEL(rows_matmul_block)(out + i0, in + i0, M, bias, red, cols, c0);
        for (int i = i0; i < i0 + 4; i++) one_row_times(out[i], in[i], M, bias, red, cols, c0);
    }
    for (; i0 < n; i0++) { /* the rows left over, one at a time */
        int c0 = 0;
        for (; c0 + 8 * W <= cols; c0 += 8 * W)
            KERNEL(row_times_wide)(out[i0], in[i0], M, bias, red, cols, c0);
        for (; c0 + 4 * W <= cols; c0 += 4 * W)
            KERNEL(row_times_narrow)(out[i0], in[i0], M, bias, red, cols, c0);
        one_row_times(out[i0], in[i0], M, bias, red, cols, c0);
    }
    LEAVE();
}

/* dW[r0 .. r0+3][c0 .. c0+2W-1] += a_q[r] v_q[c] for q = 0..n-1 in order. */
static void KERNEL(outer_block)(double *dW, const double *const *a, const double *const *v, int n,
                                int cols, int r0, int c0) {
    VEC acc[4][2];
    for (int i = 0; i < 4; i++)
        for (int h = 0; h < 2; h++) acc[i][h] = LOAD(dW + (size_t)(r0 + i) * cols + c0 + W * h);
    for (int q = 0; q < n; q++) {
        const double *aq = a[q] + r0;
        VEC v0 = LOAD(v[q] + c0), v1 = LOAD(v[q] + c0 + W);
        acc[0][0] += aq[0] * v0, acc[0][1] += aq[0] * v1;
        acc[1][0] += aq[1] * v0, acc[1][1] += aq[1] * v1;
        acc[2][0] += aq[2] * v0, acc[2][1] += aq[2] * v1;
        acc[3][0] += aq[3] * v0, acc[3][1] += aq[3] * v1;
    }
    for (int i = 0; i < 4; i++)
        for (int h = 0; h < 2; h++) STORE(dW + (size_t)(r0 + i) * cols + c0 + W * h, acc[i][h]);
}

static void KERNEL(outer_rows)(double *dW, const double *const *a, const double *const *v, int n,
                               int cols, int r_begin, int r_end) {
    int r0 = r_begin;
    for (; r0 + 4 <= r_end; r0 += 4) {
        int c0 = 0;
        for (; c0 + 2 * W <= cols; c0 += 2 * W) KERNEL(outer_block)(dW, a, v, n, cols, r0, c0);
        outer_scalar(dW, a, v, n, cols, r0, r0 + 4, c0);
    }
    outer_scalar(dW, a, v, n, cols, r0, r_end, 0);
    LEAVE();
}

/* db[c0 .. c0+4W-1] += a_q[c0 ..], q in order: four sums of W values in registers. */
static void KERNEL(sum_rows)(double *db, const double *const *a, int n, int cols) {
    int c0 = 0;
    for (; c0 + 4 * W <= cols; c0 += 4 * W) {
        VEC s0 = LOAD(db + c0), s1 = LOAD(db + c0 + W), s2 = LOAD(db + c0 + 2 * W);
        VEC s3 = LOAD(db + c0 + 3 * W);
        for (int q = 0; q < n; q++) {
            const double *aq = a[q] + c0;
            s0 += LOAD(aq), s1 += LOAD(aq + W), s2 += LOAD(aq + 2 * W), s3 += LOAD(aq + 3 * W);
        }
        STORE(db + c0, s0), STORE(db + c0 + W, s1), STORE(db + c0 + 2 * W, s2);
        STORE(db + c0 + 3 * W, s3);
    }
    sum_scalar(db, a, n, cols, c0);
    LEAVE();
}

#undef LEAVE
#undef LOAD
#undef STORE
#undef VEC
#undef W
