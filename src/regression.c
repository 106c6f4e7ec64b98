/* regression.c: kernels for linear, logistic and softmax regression.
 * Pure C: no R headers, double * and sizes only.
 *
 * Layout (every function here):
 *  - X (n x p) is the design matrix, column-major, one observation per row,
 *    the intercept column of ones included. Regression works on whole
 *    columns (QR, X^T r), so it keeps R's own layout instead of the
 *    engine's one-sample-per-column batches and needs no transpose.
 *  - Coefficients W are (p x K): one column per output (K = 1 for linear
 *    and logistic regression, K classes for softmax regression).
 *  - Scores Z and activations A are (n x K), one row per observation.
 * Every matrix product goes through gemm(). Gradients are those of the
 * mean loss over the n observations, as in the articles; they overwrite
 * their buffer, since gradient descent here always uses the whole data. */
#include <math.h>
#include <stdint.h>
#include "gemm.h"

/* ---- closed form: least squares by Householder QR ---- */

/* Euclidean norm of x[0..n-1], scaled against overflow and underflow. */
static double norm2(const double *x, int n)
{
    double scale = 0.0, ssq = 1.0;
    for (int i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (a == 0.0) continue;
        if (scale < a) {
            ssq = 1.0 + ssq * (scale / a) * (scale / a);
            scale = a;
        } else {
            ssq += (a / scale) * (a / scale);
        }
    }
    return scale * sqrt(ssq);
}

/* Apply the reflection H = I - tau v v^T to the (m x c) block B (leading
 * dimension ldb): B -= tau v (v^T B). w holds c doubles. */
static void householder_apply(double *B, double *w, const double *v,
                              double tau, int m, int c, int ldb)
{
    if (c <= 0 || tau == 0.0) return;
    gemm(1, 0, 1, c, m, 1.0, v, m, B, ldb, 0.0, w, 1);     /* w (1 x c) = v^T B */
    gemm(0, 0, m, c, 1, -tau, v, m, w, 1, 1.0, B, ldb);    /* B -= tau v w */
}

/* Least squares b (p) minimising |X b - y|, by Householder QR of X.
 * X (n x p, n >= p) and y (n) are overwritten; work holds n + p doubles.
 * A column whose part orthogonal to the columns before it has norm at most
 * tol times its own norm counts as a linear combination of them (the rule
 * lm() uses). Returns 0 on success, else the 1-based index of the first
 * such column, and then b is left unset. */
int linear_ols(double *b, double *X, double *y, double *work,
               int n, int p, double tol)
{
    double *v = work, *w = work + n;
    for (int j = 0; j < p; j++) {
        double *xj = X + (long) j * n;
        int m = n - j;                        /* rows j..n-1 remain */
        double full = norm2(xj, n), rest = norm2(xj + j, m);
        if (rest <= tol * full) return j + 1;
        /* v = x + sign(x_j) |x| e_1, scaled so that v[0] = 1 */
        double alpha = xj[j] >= 0 ? -rest : rest;
        double v0 = xj[j] - alpha;
        v[0] = 1.0;
        for (int i = 1; i < m; i++) v[i] = xj[j + i] / v0;
        double tau = -v0 / alpha;
        householder_apply(X + j + (long) (j + 1) * n, w, v, tau, m, p - j - 1, n);
        householder_apply(y + j, w, v, tau, m, 1, n);
        xj[j] = alpha;                        /* R[j, j] */
    }
    /* back substitution R b = (Q^T y)[0..p-1] */
    for (int j = p - 1; j >= 0; j--) {
        double s = y[j];
        for (int k = j + 1; k < p; k++) s -= X[j + (long) k * n] * b[k];
        b[j] = s / X[j + (long) j * n];
    }
    return 0;
}

/* ---- linear regression: mean squared error ---- */

/* z (n) = X b; returns the mean squared error mean((z - y)^2). */
double linear_forward(double *z, const double *X, const double *y,
                      const double *b, int n, int p)
{
    gemm(0, 0, n, 1, p, 1.0, X, n, b, p, 0.0, z, n);
    double s = 0.0;
    for (int i = 0; i < n; i++) s += (z[i] - y[i]) * (z[i] - y[i]);
    return s / n;
}

/* grad (p) = X^T (z - y) / n, half the gradient of the mean squared error
 * (the articles' convention); z is overwritten with the residuals z - y. */
void linear_backward(double *grad, double *z, const double *X,
                     const double *y, int n, int p)
{
    for (int i = 0; i < n; i++) z[i] -= y[i];
    gemm(1, 0, p, 1, n, 1.0 / n, X, n, z, n, 0.0, grad, p);
}

/* ---- elementwise helpers: vectorisable exp and sum of logs ---- */

/* Loops marked SIMD run on vector lanes (OpenMP's simd directive, on with
 * the package's OpenMP flags). GCC will not vectorise a loop holding a
 * floating-point comparison under its default -ftrapping-math, so these
 * loops select with bit operations (if_negative) instead of branches. */
#ifdef _OPENMP
#define SIMD _Pragma("omp simd")
#define SIMD_PROD _Pragma("omp simd reduction(*:prod)")
#define SIMD_SUM_PROD _Pragma("omp simd reduction(+:s) reduction(*:prod)")
#else
#define SIMD
#define SIMD_PROD
#define SIMD_SUM_PROD
#endif

typedef union { double d; uint64_t u; } bits64;

/* z < 0 ? neg : nonneg, from the sign bit of z (-0 counts as negative). */
static inline double if_negative(double z, double neg, double nonneg)
{
    bits64 bz = {z}, bn = {neg}, bp = {nonneg}, out;
    uint64_t mask = 0 - (bz.u >> 63);         /* all ones when z < 0 */
    out.u = (bn.u & mask) | (bp.u & ~mask);
    return out.d;
}

/* Smallest argument of exp_clamped(); exp(-708) = 3.3e-308 stands in for
 * anything smaller, far below what a probability or a loss can resolve. */
#define EXP_MIN (-708.0)

/* out = exp(max(x, EXP_MIN)) for x <= 709 (out may be x):
 * exp(x) = 2^k exp(r), k = round(x / log 2), |r| <= log(2) / 2, exp(r) by
 * its Taylor polynomial of degree 13, 2^k built from its bits. Within one
 * unit in the last place of libm's exp() and about twice as fast, since
 * this loop runs on SIMD lanes and a call to libm's exp() cannot. The
 * clamp tests the sign of x - EXP_MIN, which rounding cannot flip. */
static void exp_clamped(double *out, const double *x, long n)
{
    const double shift = 0x1.8p52;           /* adding it rounds to integer */
    const double log2e = 0x1.71547652b82fep0;
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    const bits64 sh = {shift};
    SIMD
    for (long i = 0; i < n; i++) {
        double xi = if_negative(x[i] - EXP_MIN, EXP_MIN, x[i]);
        double t = xi * log2e + shift;        /* k sits in the low bits of t */
        double k = t - shift;
        double r = (xi - k * ln2_hi) - k * ln2_lo;
        double q = 1.0 / 6227020800.0;        /* 1 / 13! */
        q = q * r + 1.0 / 479001600.0;
        q = q * r + 1.0 / 39916800.0;
        q = q * r + 1.0 / 3628800.0;
        q = q * r + 1.0 / 362880.0;
        q = q * r + 1.0 / 40320.0;
        q = q * r + 1.0 / 5040.0;
        q = q * r + 1.0 / 720.0;
        q = q * r + 1.0 / 120.0;
        q = q * r + 1.0 / 24.0;
        q = q * r + 1.0 / 6.0;
        q = q * r + 0.5;
        q = q * r + 1.0;
        q = q * r + 1.0;
        bits64 tb = {t}, two_k;
        two_k.u = (tb.u - sh.u + 1023) << 52;
        out[i] = q * two_k.d;
    }
}

/* Sum of log(v[i]) for v[i] in [1, vmax]: a product of `chunk` such values
 * stays below 2^1000, so one log() per chunk replaces one per value (the
 * absolute error stays within a few units of 1e-16 per value). */
static double sum_log(const double *v, int n, double vmax)
{
    int chunk = vmax <= 2.0 ? 1000 : (int) (1000.0 / log2(vmax));
    if (chunk < 1) chunk = 1;
    double s = 0.0;
    for (int i0 = 0; i0 < n; i0 += chunk) {
        int i1 = n - i0 < chunk ? n : i0 + chunk;
        double prod = 1.0;
        SIMD_PROD
        for (int i = i0; i < i1; i++) prod *= v[i];
        s += log(prod);
    }
    return s;
}

/* ---- logistic regression: binary cross-entropy ---- */

/* z (n) = X b, a (n) = sigmoid(z). Returns the mean cross-entropy
 * mean(log(1 + exp(z)) - y z), computed as log1p(exp(-|z|)) + max(z, 0) - y z
 * so that nothing overflows; the log1p terms are summed as the log of a
 * product, as in sum_log() (1 + exp(-|z|) <= 2). */
double logistic_forward(double *z, double *a, const double *X,
                        const double *y, const double *b, int n, int p)
{
    gemm(0, 0, n, 1, p, 1.0, X, n, b, p, 0.0, z, n);
    SIMD
    for (int i = 0; i < n; i++) a[i] = -fabs(z[i]);
    exp_clamped(a, a, n);                     /* a = e = exp(-|z|) in (0, 1] */
    double s = 0.0;
    for (int i0 = 0; i0 < n; i0 += 1000) {    /* 2^1000 bounds the product */
        int i1 = n - i0 < 1000 ? n : i0 + 1000;
        double prod = 1.0;
        SIMD_SUM_PROD
        for (int i = i0; i < i1; i++) {
            double e = a[i], inv = 1.0 / (1.0 + e);
            prod *= 1.0 + e;
            s += 0.5 * (z[i] + fabs(z[i])) - y[i] * z[i];
            a[i] = if_negative(z[i], e * inv, inv);
        }
        s += log(prod);
    }
    return s / n;
}

/* grad (p) = X^T (a - y) / n, computed as the row (a - y)^T X; a is
 * overwritten with a - y. */
void logistic_backward(double *grad, double *a, const double *X,
                       const double *y, int n, int p)
{
    SIMD
    for (int i = 0; i < n; i++) a[i] -= y[i];
    gemm(0, 0, 1, p, n, 1.0 / n, a, 1, X, n, 0.0, grad, 1);
}

/* ---- softmax regression: categorical cross-entropy ---- */

/* Z (n x K) = X W, A (n x K) = softmax of each row of Z; y (n) holds class
 * indices 0..K-1; work holds 2 n doubles. Returns the mean cross-entropy
 * mean(-log A[i, y_i]) = mean(log(sum_k exp(Z[i, k] - m_i)) + m_i - Z[i, y_i])
 * with m_i the row maximum, so that exp() cannot overflow. */
double softmax_forward(double *Z, double *A, double *work, const double *X,
                       const int *y, const double *W, int n, int p, int K)
{
    double *m = work, *tot = work + n;
    gemm(0, 0, n, K, p, 1.0, X, n, W, p, 0.0, Z, n);
    for (int i = 0; i < n; i++) m[i] = Z[i];
    for (int k = 1; k < K; k++)
        for (int i = 0; i < n; i++)
            if (Z[i + (long) k * n] > m[i]) m[i] = Z[i + (long) k * n];
    for (int k = 0; k < K; k++)
        for (int i = 0; i < n; i++) A[i + (long) k * n] = Z[i + (long) k * n] - m[i];
    exp_clamped(A, A, (long) n * K);
    for (int i = 0; i < n; i++) tot[i] = 0.0;
    for (int k = 0; k < K; k++)
        for (int i = 0; i < n; i++) tot[i] += A[i + (long) k * n];
    for (int k = 0; k < K; k++)
        for (int i = 0; i < n; i++) A[i + (long) k * n] /= tot[i];
    double s = 0.0;
    for (int i = 0; i < n; i++) s += m[i] - Z[i + (long) y[i] * n];
    return (s + sum_log(tot, n, K)) / n;   /* 1 <= tot[i] <= K */
}

/* grad (p x K) = X^T (A - Y) / n with Y the one-hot coding of y; A is
 * overwritten with A - Y. */
void softmax_backward(double *grad, double *A, const double *X, const int *y,
                      int n, int p, int K)
{
    for (int i = 0; i < n; i++) A[i + (long) y[i] * n] -= 1.0;
    gemm(1, 0, p, K, n, 1.0 / n, X, n, A, n, 0.0, grad, p);
}

/* ---- update ---- */

/* One gradient descent step w -= lr * grad over len coefficients. */
void gd_update(double *w, const double *grad, double lr, int len)
{
    for (int i = 0; i < len; i++) w[i] -= lr * grad[i];
}
