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
 *
 * Two precisions from one source (real.h): gemm.c compiled as itself
 * gives gemm() and gemm_naive() over double; compiled through
 * single_gemm.c it gives gemm_f() and gemm_naive_f() over float.
 * Pure C: no R headers. */
#ifndef NNFS_GEMM_H
#define NNFS_GEMM_H

#include "real.h"

/* The product in the including file's precision: in the single build
 * single_names.h turns these names into gemm_f and gemm_naive_f, and the
 * double ones cannot be named there. */
void gemm(int trans_a, int trans_b, int m, int n, int k,
          real alpha, const real *A, int lda,
          const real *B, int ldb,
          real beta, real *C, int ldc);

/* Reference triple loop, kept to test the fast kernel against. */
void gemm_naive(int trans_a, int trans_b, int m, int n, int k,
                real alpha, const real *A, int lda,
                const real *B, int ldb,
                real beta, real *C, int ldc);

/* The single-precision product by its own name, for double code that
 * calls it (the R test entry). In the single build these repeat the two
 * declarations above after their renaming: the same prototypes, so no
 * conflict whichever of real.h and this header came first. */
void gemm_f(int trans_a, int trans_b, int m, int n, int k,
            float alpha, const float *A, int lda,
            const float *B, int ldb,
            float beta, float *C, int ldc);
void gemm_naive_f(int trans_a, int trans_b, int m, int n, int k,
                  float alpha, const float *A, int lda,
                  const float *B, int ldb,
                  float beta, float *C, int ldc);

/* Threads: see threads.h (the count is set per .Call, gemm() reads it). */

#endif
