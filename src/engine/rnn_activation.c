/* rnn_activation.c - the engine's own σ and tanh, two values at a time.
 *
 * Why not libm's: tanh and exp were half of a forward trace and a third of a training step
 * (one scalar call each, and the cells need 5 per unit and step), and glibc picks its code
 * path per CPU (an FMA variant where the CPU has FMA), so the last bit of a trained weight
 * could depend on the machine. These are straight-line double arithmetic, the same on every
 * x86-64, within 3 units in the last place of the true values (tests/test_cells.c
 * measures 2.6 for tanh and 2.9 for σ against long double libm over a sweep).
 *
 * Both rest on one table-driven reduction (Tang, "Table-driven implementation of the
 * exponential function in IEEE floating-point arithmetic", ACM TOMS 15(2), 1989): for
 * u = k·ln2/64 + r with k an integer and |r| <= ln2/128, and k = 64e + j with 0 <= j < 64,
 *   e^u = 2^e · 2^(j/64) · e^r = s · (1 + q(r)),   q(r) = e^r - 1 ≈ r + r²/2! + ... + r^n/n!
 * For e^u, n = 5 leaves out less than 2^-54 of 1 + q. For e^u - 1, which can be as small as
 * q itself, n = 7 keeps q to 2^-60 of its own size; and 2^(j/64) comes from a table in two
 * parts, hi + lo, so that e^u - 1 keeps its precision when it is small. Then
 *   σ(x)    = 1 / (1 + e^-|x|) for x >= 0, e^-|x| / (1 + e^-|x|) below: never e^(large)
 *   tanh(x) = sign(x) · m / (m + 2) with m = e^(2|x|) - 1, accurate near 0 too, where
 *             (e^2x - 1) / (e^2x + 1) would cancel.
 * Ranges: tanh(x) rounds to ±1 for |x| > 19.1, so 2|x| is clamped to 44; e^u for u < -708
 * (below the smallest normal double) is returned as 0, so no subnormal is ever made. NaN in
 * gives NaN out; ±0 and ±inf give the exact answers. */
#include "rnn.h"

#include <stdint.h>
#include <string.h>

/* 2^(j/64) = hi + lo, j = 0..63: hi rounded to double, lo the rest rounded (computed to 60
 * digits with Python's decimal module) */
static const double EXP2_TABLE[64][2] = {
    {0x1.0000000000000p+0, 0.0},
    {0x1.02c9a3e778061p+0, -0x1.19083535b085dp-56},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55},
    {0x1.0874518759bc8p+0, 0x1.186be4bb284ffp-57},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54},
    {0x1.0e3ec32d3d1a2p+0, 0x1.03a1727c57b53p-59},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54},
    {0x1.1429aaea92de0p+0, -0x1.32fbf9af1369ep-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55},
    {0x1.1a35beb6fcb75p+0, 0x1.e5b4c7b4968e4p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54},
    {0x1.2063b88628cd6p+0, 0x1.dc775814a8495p-55},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54},
    {0x1.26b4565e27cddp+0, 0x1.2bd339940e9d9p-55},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55},
    {0x1.2d285a6e4030bp+0, 0x1.0024754db41d5p-54},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55},
    {0x1.33c08b26416ffp+0, 0x1.32721843659a6p-54},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54},
    {0x1.3a7db34e59ff7p+0, -0x1.5e436d661f5e3p-56},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55},
    {0x1.4160a21f72e2ap+0, -0x1.ef3691c309278p-58},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59},
    {0x1.486a2b5c13cd0p+0, 0x1.3c1a3b69062f0p-56},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56},
    {0x1.4f9b2769d2ca7p+0, -0x1.4b309d25957e3p-54},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55},
    {0x1.56f4736b527dap+0, 0x1.9bb2c011d93adp-54},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54},
    {0x1.5e76f15ad2148p+0, 0x1.ba6f93080e65ep-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54},
    {0x1.6623882552225p+0, -0x1.bb60987591c34p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54},
    {0x1.6dfb23c651a2fp+0, -0x1.bbe3a683c88abp-57},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55},
    {0x1.75feb564267c9p+0, -0x1.0245957316dd3p-54},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55},
    {0x1.7e2f336cf4e62p+0, 0x1.05d02ba15797ep-56},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54},
    {0x1.868d99b4492edp+0, -0x1.fc6f89bd4f6bap-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54},
    {0x1.8f1ae99157736p+0, 0x1.5cc13a2e3976cp-55},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57},
    {0x1.97d829fde4e50p+0, -0x1.d185b7c1b85d1p-54},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56},
    {0x1.a0c667b5de565p+0, -0x1.359495d1cd533p-54},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54},
    {0x1.a9e6b5579fdbfp+0, 0x1.0fac90ef7fd31p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54},
    {0x1.b33a2b84f15fbp+0, -0x1.2805e3084d708p-57},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56},
    {0x1.bcc1e904bc1d2p+0, 0x1.23dd07a2d9e84p-55},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55},
    {0x1.c67f12e57d14bp+0, 0x1.2884dff483cadp-54},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56},
    {0x1.d072d4a07897cp+0, -0x1.cbc3743797a9cp-54},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55},
    {0x1.da9e603db3285p+0, 0x1.c2300696db532p-54},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54},
    {0x1.e502ee78b3ff6p+0, 0x1.39e8980a9cc8fp-55},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54},
    {0x1.efa1bee615a27p+0, 0x1.dc7f486a4b6b0p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54},
    {0x1.fa7c1819e90d8p+0, 0x1.74853f3a5931ep-55},
};

/* 1.5 · 2^52: adding it to a value below 2^51 in magnitude rounds the value to an integer,
 * which then sits in the low bits of the sum's representation. */
static const double ROUND_SHIFTER = 0x1.8p52;
static const double INV_STEP = 0x1.71547652b82fep+6; /* 64 / ln 2 */
/* ln2/64 in two parts (Cody & Waite): STEP_HI has 32 significant bits, so k · STEP_HI is
 * exact for |k| < 2^21 and r = u - k·ln2/64 keeps full precision. */
static const double STEP_HI = 0x1.62e42feep-7;
static const double STEP_LO = 0x1.a39ef35793c76p-39;
static const double EXP_MIN = -708.0; /* e^-708 ≈ 3.3e-308, just above DBL_MIN */
static const double TANH_2X_MAX = 44.0;

/* Without GCC's vector extensions (or with RNN_SCALAR_ACTIVATIONS defined, to compare) the
 * same operations run one value at a time, at the end of the file: the same bits. */
#if defined(__GNUC__) && !defined(RNN_SCALAR_ACTIVATIONS)
typedef double V2 __attribute__((vector_size(16)));
typedef int64_t I2 __attribute__((vector_size(16)));
typedef uint64_t U2 __attribute__((vector_size(16)));
#define SPLAT(v) ((V2){(v), (v)})

static inline I2 as_bits(V2 v) {
    I2 i;
    memcpy(&i, &v, sizeof i);
    return i;
}
static inline V2 from_bits(I2 i) {
    V2 v;
    memcpy(&v, &i, sizeof v);
    return v;
}
/* mask ? a : b, lane by lane (mask lanes are all ones or all zeros, as comparisons give) */
static inline V2 select2(I2 mask, V2 a, V2 b) {
    return from_bits((mask & as_bits(a)) | (~mask & as_bits(b)));
}

/* u = (64e + j)·ln2/64 + r, u within [-708, 44]: returns q(r) = e^r - 1 and sets
 * *pow2 = 2^e and *j. q's Taylor polynomial has degree 5 or 7 (see the callers). */
static inline V2 reduce(V2 u, int degree, V2 *pow2, I2 *j) {
    V2 shifted = u * SPLAT(INV_STEP) + SPLAT(ROUND_SHIFTER);
    V2 k = shifted - SPLAT(ROUND_SHIFTER);
    V2 r = (u - k * SPLAT(STEP_HI)) - k * SPLAT(STEP_LO);
    I2 k_int = as_bits(shifted) - as_bits(SPLAT(ROUND_SHIFTER));
    *j = k_int & 63;
    /* (k - j) = 64e; e added to 1.0's exponent field is 2^e (unsigned: a left shift of a
     * negative value is undefined in C) */
    *pow2 = from_bits((I2)(((U2)(k_int - *j) << 46) + (U2)as_bits(SPLAT(1.0))));
    /* q(r) = r + r² · (1/2! + r/3! + ... + r^(n-2)/n!): the exact r first, the small rest
     * added to it; the rest in Estrin's scheme (pairs of terms side by side, then r² and r⁴
     * combine them), 3 dependent steps where Horner's rule takes n - 2 (the cells wait on
     * this chain) */
    V2 r2 = r * r;
    V2 a = SPLAT(1.0 / 2.0) + r * SPLAT(1.0 / 6.0);
    V2 b = SPLAT(1.0 / 24.0) + r * SPLAT(1.0 / 120.0);
    V2 rest = a + r2 * b;
    if (degree == 7) rest += (r2 * r2) * (SPLAT(1.0 / 720.0) + r * SPLAT(1.0 / 5040.0));
    return r + r2 * rest;
}

static inline V2 sigmoid2(V2 x) {
    I2 sign = as_bits(SPLAT(-0.0));
    V2 u = from_bits(as_bits(x) | sign); /* -|x| */
    I2 tiny = u < SPLAT(EXP_MIN);
    u = select2(tiny, SPLAT(EXP_MIN), u);
    V2 pow2;
    I2 j;
    V2 q = reduce(u, 5, &pow2, &j);
    /* e^-|x| = s (1 + q), s = 2^e · hi[j] (lo is below the result's last bit here); 0
     * where e^-|x| would be subnormal */
    V2 s = (V2){EXP2_TABLE[j[0]][0], EXP2_TABLE[j[1]][0]} * pow2;
    V2 e = select2(tiny, SPLAT(0.0), s * q + s);
    V2 num = select2(x >= SPLAT(0.0), SPLAT(1.0), e);
    return num / (SPLAT(1.0) + e);
}

static inline V2 tanh2(V2 x) {
    I2 sign = as_bits(SPLAT(-0.0));
    V2 u = from_bits(as_bits(x) & ~sign) * SPLAT(2.0); /* 2|x| */
    u = select2(u > SPLAT(TANH_2X_MAX), SPLAT(TANH_2X_MAX), u);
    V2 pow2;
    I2 j;
    V2 q = reduce(u, 7, &pow2, &j);
    /* m = e^(2|x|) - 1 = (s_hi - 1) + (s_lo + s_hi q), s = 2^e (hi[j] + lo[j]); s_hi - 1 is
     * exact while it is small, which is where m needs it */
    V2 s_hi = (V2){EXP2_TABLE[j[0]][0], EXP2_TABLE[j[1]][0]} * pow2;
    V2 s_lo = (V2){EXP2_TABLE[j[0]][1], EXP2_TABLE[j[1]][1]} * pow2;
    V2 m = (s_hi - SPLAT(1.0)) + (s_lo + s_hi * q);
    V2 t = m / (m + SPLAT(2.0));
    return from_bits(as_bits(t) | (as_bits(x) & sign));
}

static inline V2 load2(const double *p) {
    V2 v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline void store2(double *p, V2 v) {
    memcpy(p, &v, sizeof v);
}

/* The cells' sums are written two at a time too: the activations read them right after,
 * and a 16-byte load of two separate 8-byte stores cannot be forwarded from the store
 * buffer, it waits until they reach the cache (a third of a vanilla RNN's training step). */
void rnn_add_many(double *out, const double *a, const double *b, int n) {
    int k = 0;
    for (; k + 2 <= n; k += 2) store2(out + k, load2(a + k) + load2(b + k));
    if (k < n) out[k] = a[k] + b[k];
}

/* One value goes through the two-lane code too, so it gets the bits an array call gives. */
double rnn_sigmoid(double x) {
    return sigmoid2((V2){x, 0.0})[0];
}
double rnn_tanh(double x) {
    return tanh2((V2){x, 0.0})[0];
}
void rnn_sigmoid_many(double *out, const double *x, int n) {
    int k = 0;
    for (; k + 2 <= n; k += 2) store2(out + k, sigmoid2(load2(x + k)));
    if (k < n) out[k] = rnn_sigmoid(x[k]);
}
void rnn_tanh_many(double *out, double *also, const double *x, int n) {
    int k = 0;
    for (; k + 2 <= n; k += 2) {
        V2 t = tanh2(load2(x + k));
        store2(out + k, t);
        if (also) store2(also + k, t);
    }
    if (k < n) out[k] = rnn_tanh(x[k]);
    if (k < n && also) also[k] = out[k];
}

#else /* without GCC's vector extensions: the same operations, one value at a time */
#include <math.h>

static double reduce(double u, int degree, double *pow2, int *j) {
    double k = (u * INV_STEP + ROUND_SHIFTER) - ROUND_SHIFTER;
    double r = (u - k * STEP_HI) - k * STEP_LO;
    int ki = (int)k;
    *j = ki & 63;
    *pow2 = ldexp(1.0, (ki - *j) / 64);
    double r2 = r * r, a = 1.0 / 2.0 + r * (1.0 / 6.0), b = 1.0 / 24.0 + r * (1.0 / 120.0);
    double rest = a + r2 * b;
    if (degree == 7) rest += (r2 * r2) * (1.0 / 720.0 + r * (1.0 / 5040.0));
    return r + r2 * rest;
}
double rnn_sigmoid(double x) {
    if (isnan(x)) return x;
    double u = -fabs(x), pow2;
    int tiny = u < EXP_MIN, j;
    double q = reduce(tiny ? EXP_MIN : u, 5, &pow2, &j);
    double s = EXP2_TABLE[j][0] * pow2;
    double e = tiny ? 0.0 : s * q + s;
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
}
double rnn_tanh(double x) {
    if (isnan(x)) return x;
    double u = 2.0 * fabs(x), pow2;
    int j;
    double q = reduce(u > TANH_2X_MAX ? TANH_2X_MAX : u, 7, &pow2, &j);
    double s_hi = EXP2_TABLE[j][0] * pow2, s_lo = EXP2_TABLE[j][1] * pow2;
    double m = (s_hi - 1.0) + (s_lo + s_hi * q);
    return copysign(m / (m + 2.0), x);
}
void rnn_add_many(double *out, const double *a, const double *b, int n) {
    for (int k = 0; k < n; k++) out[k] = a[k] + b[k];
}
void rnn_sigmoid_many(double *out, const double *x, int n) {
    for (int k = 0; k < n; k++) out[k] = rnn_sigmoid(x[k]);
}
void rnn_tanh_many(double *out, double *also, const double *x, int n) {
    for (int k = 0; k < n; k++) {
        out[k] = rnn_tanh(x[k]);
        if (also) also[k] = out[k];
    }
}
#endif

/* ---- every activation a layer can name (rnnscope-model version 2) --------------------------- */

static double clip01(double x) {
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

double rnn_activate(RnnActivation act, double x) {
    switch (act) {
    case RNN_ACT_SIGMOID:
        return rnn_sigmoid(x);
    case RNN_ACT_TANH:
        return rnn_tanh(x);
    case RNN_ACT_RELU:
        return x > 0.0 ? x : 0.0;
    case RNN_ACT_HARD_SIGMOID:
        return clip01(0.2 * x + 0.5); /* Keras 2 */
    case RNN_ACT_HARD_SIGMOID_K3:
        return clip01((x + 3.0) / 6.0); /* Keras 3: relu6(x + 3) / 6 */
    default:
        return x; /* linear (softmax: by layer) */
    }
}

double rnn_activate_deriv(RnnActivation act, double x, double y) {
    switch (act) {
    case RNN_ACT_SIGMOID:
        return y * (1.0 - y);
    case RNN_ACT_TANH:
        return 1.0 - y * y;
    case RNN_ACT_RELU:
        return x > 0.0 ? 1.0 : 0.0;
    case RNN_ACT_HARD_SIGMOID:
        return x > -2.5 && x < 2.5 ? 0.2 : 0.0;
    case RNN_ACT_HARD_SIGMOID_K3:
        return x > -3.0 && x < 3.0 ? 1.0 / 6.0 : 0.0;
    default:
        return 1.0;
    }
}
