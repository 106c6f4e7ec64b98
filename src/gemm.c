/* gemm.c: matrix product, column-major (see gemm.h for the contract). */
#include "gemm.h"

static int gemm_threads = 1;

void gemm_set_threads(int n) { gemm_threads = n > 0 ? n : 1; }

/* element (i, j) of op(X) for a column-major X with leading dimension ld */
#define OP(X, t, i, j, ld) ((t) ? (X)[(j) + (long)(i) * (ld)] : (X)[(i) + (long)(j) * (ld)])

void gemm_naive(int trans_a, int trans_b, int m, int n, int k,
                double alpha, const double *A, int lda,
                const double *B, int ldb,
                double beta, double *C, int ldc)
{
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            double s = 0.0;
            for (int p = 0; p < k; p++)
                s += OP(A, trans_a, i, p, lda) * OP(B, trans_b, p, j, ldb);
            double *c = &C[i + (long)j * ldc];
            *c = (beta == 0.0) ? alpha * s : alpha * s + beta * *c;
        }
    }
}

void gemm(int trans_a, int trans_b, int m, int n, int k,
          double alpha, const double *A, int lda,
          const double *B, int ldb,
          double beta, double *C, int ldc)
{
    (void) gemm_threads;
    gemm_naive(trans_a, trans_b, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}
