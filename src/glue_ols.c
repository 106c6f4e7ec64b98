/* glue_ols.c: R <-> C for the least squares of linear_reg(method = "ols").
 * R/regression.R has validated and coerced every argument; the checks here
 * only guard against internal misuse. */
#include <string.h>
#include <R.h>
#include <Rinternals.h>
#include "threads.h"

/* defined in ols.c (layout described there) */
int linear_ols(double *b, double *X, double *y, double *work,
               int n, int p, double tol);

/* C_linear_ols(X, y, tol): least squares by QR. Returns list(coefficients,
 * deficient), deficient being 0 or the 1-based index of the first column
 * of X that is a linear combination of the columns before it. */
SEXP C_linear_ols(SEXP X, SEXP y, SEXP tol)
{
    if (!isReal(X) || !isMatrix(X) || !isReal(y))
        error("internal error: C_linear_ols needs a double matrix and vector");
    int n = nrows(X), p = ncols(X);
    if (XLENGTH(y) != n || n < p || p < 1)
        error("internal error: C_linear_ols got a %d x %d matrix and %d values",
              n, p, (int) XLENGTH(y));
    /* QR works in place: copy the inputs into scratch memory */
    double *Xw = (double *) R_alloc((size_t) n * p, sizeof(double));
    double *yw = (double *) R_alloc((size_t) n, sizeof(double));
    double *work = (double *) R_alloc((size_t) n + p, sizeof(double));
    memcpy(Xw, REAL(X), (size_t) n * p * sizeof(double));
    memcpy(yw, REAL(y), (size_t) n * sizeof(double));

    SEXP coef = PROTECT(allocVector(REALSXP, p));
    threads_set(1);                     /* rank-one updates: one thread */
    int bad = linear_ols(REAL(coef), Xw, yw, work, n, p, asReal(tol));
    if (bad) for (int j = 0; j < p; j++) REAL(coef)[j] = NA_REAL;

    SEXP out = PROTECT(allocVector(VECSXP, 2));
    SET_VECTOR_ELT(out, 0, coef);
    SET_VECTOR_ELT(out, 1, ScalarInteger(bad));
    SEXP names = PROTECT(allocVector(STRSXP, 2));
    SET_STRING_ELT(names, 0, mkChar("coefficients"));
    SET_STRING_ELT(names, 1, mkChar("deficient"));
    setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(3);
    return out;
}
