/* glue_regression.c: R <-> C for linear_reg(), logistic_reg() and
 * softmax_reg(). R/regression.R has validated and coerced every argument;
 * the checks here only guard against internal misuse. */
#include <string.h>
#include <R.h>
#include <Rinternals.h>
#include "gemm.h"
#include "threads.h"

/* kernels, defined in regression.c (layouts described there) */
int linear_ols(double *b, double *X, double *y, double *work,
               int n, int p, double tol);
double linear_forward(double *z, const double *X, const double *y,
                      const double *b, int n, int p);
void linear_backward(double *grad, double *z, const double *X,
                     const double *y, int n, int p);
double logistic_forward(double *z, double *a, const double *X,
                        const double *y, const double *b, int n, int p);
void logistic_backward(double *grad, double *a, const double *X,
                       const double *y, int n, int p);
double softmax_forward(double *Z, double *A, double *work, const double *X,
                       const int *y, const double *W, int n, int p, int K);
void softmax_backward(double *grad, double *A, const double *X, const int *y,
                      int n, int p, int K);
void gd_update(double *w, const double *grad, double lr, int len);

/* family codes, matching regression_family() in R/regression_methods.R */
enum { FAM_LINEAR = 1, FAM_LOGISTIC = 2, FAM_SOFTMAX = 3 };

/* epochs between two checks for Ctrl-C */
#define INTERRUPT_EVERY 1000

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

/* One forward pass: scores into Z, activations into A (work: 2 n doubles
 * of scratch); returns the mean loss. */
static double forward(int family, double *Z, double *A, double *work,
                      const double *X, SEXP y, const double *W,
                      int n, int p, int K)
{
    switch (family) {
    case FAM_LINEAR:   return linear_forward(Z, X, REAL(y), W, n, p);
    case FAM_LOGISTIC: return logistic_forward(Z, A, X, REAL(y), W, n, p);
    default:           return softmax_forward(Z, A, work, X, INTEGER(y), W, n, p, K);
    }
}

/* The matching backward pass: gradient of the mean loss into grad. */
static void backward(int family, double *grad, double *Z, double *A,
                     const double *X, SEXP y, int n, int p, int K)
{
    switch (family) {
    case FAM_LINEAR:   linear_backward(grad, Z, X, REAL(y), n, p); break;
    case FAM_LOGISTIC: logistic_backward(grad, A, X, REAL(y), n, p); break;
    default:           softmax_backward(grad, A, X, INTEGER(y), n, p, K);
    }
}

/* C_regression_gd(X, y, coef, family, epochs, lr, threads): full-batch
 * gradient descent from the starting coefficients coef (p x K), which are
 * copied, not modified. y is double (linear: response; logistic: 0/1) or
 * integer class indices 0..K-1 (softmax). Returns list(coefficients,
 * history, scores): history[e] is the mean loss after e epochs, scores
 * (n x K) the linear predictors of the final coefficients. */
SEXP C_regression_gd(SEXP X, SEXP y, SEXP coef, SEXP family, SEXP epochs,
                     SEXP lr, SEXP threads)
{
    int fam = asInteger(family), n_ep = asInteger(epochs);
    double rate = asReal(lr);
    if (!isReal(X) || !isMatrix(X) || !isReal(coef) || !isMatrix(coef))
        error("internal error: C_regression_gd needs double matrices");
    if (fam < FAM_LINEAR || fam > FAM_SOFTMAX || n_ep < 1)
        error("internal error: C_regression_gd got family %d, %d epochs",
              fam, n_ep);
    int n = nrows(X), p = ncols(X), K = ncols(coef);
    if (nrows(coef) != p || XLENGTH(y) != n || n < 1 ||
        (fam == FAM_SOFTMAX ? !isInteger(y) : (!isReal(y) || K != 1)))
        error("internal error: C_regression_gd got non-conformable arguments");
    if (fam == FAM_SOFTMAX)
        for (int i = 0; i < n; i++)
            if (INTEGER(y)[i] < 0 || INTEGER(y)[i] >= K)
                error("internal error: class index out of range");

    SEXP W = PROTECT(duplicate(coef));
    SEXP hist = PROTECT(allocVector(REALSXP, n_ep));
    SEXP Z = PROTECT(allocMatrix(REALSXP, n, K));
    double *A = (double *) R_alloc((size_t) n * K, sizeof(double));
    double *grad = (double *) R_alloc((size_t) p * K, sizeof(double));
    double *work = (double *) R_alloc((size_t) 2 * n, sizeof(double));
    double *w = REAL(W), *h = REAL(hist), *x = REAL(X), *z = REAL(Z);

    threads_set(asInteger(threads));
    for (int e = 0; e < n_ep; e++) {
        if (e % INTERRUPT_EVERY == 0) R_CheckUserInterrupt();
        double loss = forward(fam, z, A, work, x, y, w, n, p, K);
        if (e > 0) h[e - 1] = loss;           /* loss after e epochs */
        backward(fam, grad, z, A, x, y, n, p, K);
        gd_update(w, grad, rate, p * K);
    }
    h[n_ep - 1] = forward(fam, z, A, work, x, y, w, n, p, K);

    SEXP out = PROTECT(allocVector(VECSXP, 3));
    SET_VECTOR_ELT(out, 0, W);
    SET_VECTOR_ELT(out, 1, hist);
    SET_VECTOR_ELT(out, 2, Z);
    SEXP names = PROTECT(allocVector(STRSXP, 3));
    SET_STRING_ELT(names, 0, mkChar("coefficients"));
    SET_STRING_ELT(names, 1, mkChar("history"));
    SET_STRING_ELT(names, 2, mkChar("scores"));
    setAttrib(out, R_NamesSymbol, names);
    UNPROTECT(5);
    return out;
}
