/* glue_ops.c: R <-> C for single operations (matrix product, convolution).
 * R has validated the arguments; the checks here only guard against
 * internal misuse. */
#include <R.h>
#include <Rinternals.h>
#include "gemm.h"

/* C_gemm(A, B, trans_a, trans_b, naive, threads): op(A) %*% op(B) through
 * the package's kernel (or its naive reference), for tests and benchmarks. */
SEXP C_gemm(SEXP A, SEXP B, SEXP trans_a, SEXP trans_b, SEXP naive, SEXP threads)
{
    if (!isReal(A) || !isReal(B) || !isMatrix(A) || !isMatrix(B))
        error("internal error: C_gemm needs two double matrices");
    int ta = asLogical(trans_a), tb = asLogical(trans_b);
    int ra = nrows(A), ca = ncols(A), rb = nrows(B), cb = ncols(B);
    int m = ta ? ca : ra, k = ta ? ra : ca;
    int kb = tb ? cb : rb, n = tb ? rb : cb;
    if (k != kb)
        error("internal error: C_gemm got non-conformable matrices");
    SEXP C = PROTECT(allocMatrix(REALSXP, m, n));
    gemm_set_threads(asInteger(threads));
    if (asLogical(naive))
        gemm_naive(ta, tb, m, n, k, 1.0, REAL(A), ra > 0 ? ra : 1,
                   REAL(B), rb > 0 ? rb : 1, 0.0, REAL(C), m > 0 ? m : 1);
    else
        gemm(ta, tb, m, n, k, 1.0, REAL(A), ra > 0 ? ra : 1,
             REAL(B), rb > 0 ? rb : 1, 0.0, REAL(C), m > 0 ? m : 1);
    UNPROTECT(1);
    return C;
}
