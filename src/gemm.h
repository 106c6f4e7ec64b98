/* gemm.h: the one matrix product every kernel in nnfs goes through.
 *
 * Column-major, BLAS conventions:
 *   C (m x n) = alpha * op(A) * op(B) + beta * C
 * op(A) is (m x k): A itself (lda >= m) or, with trans_a, the transpose of
 * a (k x m) matrix (lda >= k); likewise op(B) is (k x n).
 * beta == 0 overwrites C without reading it (NaN in C does not propagate).
 * A and B are only read, so their columns may overlap: lda = 1 makes
 * column p of A start one element after column p - 1 (the convolution
 * kernels read image patches in place this way).
 * Pure C: no R headers. */
#ifndef NNFS_GEMM_H
#define NNFS_GEMM_H

void gemm(int trans_a, int trans_b, int m, int n, int k,
          double alpha, const double *A, int lda,
          const double *B, int ldb,
          double beta, double *C, int ldc);

/* Reference triple loop, kept to test the fast kernel against. */
void gemm_naive(int trans_a, int trans_b, int m, int n, int k,
                double alpha, const double *A, int lda,
                const double *B, int ldb,
                double beta, double *C, int ldc);

/* Threads: see threads.h (the count is set per .Call, gemm() reads it). */

#endif
