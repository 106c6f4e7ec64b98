/* ols.c: least squares by Householder QR, the closed form of
 * linear_reg(method = "ols"). Pure C: no R headers, double * and sizes
 * only. (Gradient descent for the three regressions runs on the network
 * engine, train.c, as networks of one dense layer: R/regression.R.)
 *
 * Layout: X (n x p) is the design matrix, column-major, one observation
 * per row, the intercept column of ones included. QR works on whole
 * columns, so it keeps R's own layout instead of the engine's
 * one-sample-per-column batches and needs no transpose. Every matrix
 * product goes through gemm(). */
#include <math.h>
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
