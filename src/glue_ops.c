/* glue_ops.c: R <-> C for single operations (matrix product, convolution,
 * and the conv2d / maxpool2d kernels on their own, for gradient tests;
 * the finiteness check and the IDX reader's filling of rows).
 * R has validated the arguments; the checks here only guard against
 * internal misuse. */
#include <R.h>
#include <Rinternals.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "data_codes.h"
#include "gemm.h"
#include "threads.h"
#include "nnfs.h"

/* float copy of a double vector, in R_alloc memory */
static float *float_copy(SEXP x)
{
    R_xlen_t n = XLENGTH(x);
    float *f = (float *) R_alloc(n > 0 ? (size_t) n : 1, sizeof(float));
    const double *d = REAL(x);
    for (R_xlen_t i = 0; i < n; i++)
        f[i] = (float) d[i];
    return f;
}

/* C_gemm(A, B, trans_a, trans_b, naive, threads, alpha, beta, C, lda,
 * single): alpha op(A) %*% op(B) + beta C through the package's kernel
 * (or its naive reference), for tests and benchmarks. C is NULL (then
 * beta is ignored and the result starts uninitialised, which gemm must
 * not read) or a double matrix of the result's shape, which is copied.
 * lda is NULL (A's row count) or the leading dimension to read A's
 * storage with (R has checked that it stays inside A; 1 reads
 * overlapping columns). single: A, B and C are rounded to float, the
 * product runs in gemm_f (gemm_naive_f), and the result comes back as
 * doubles; an absent C is then filled with NaN, so that a kernel reading
 * it would show. */
SEXP C_gemm(SEXP A, SEXP B, SEXP trans_a, SEXP trans_b, SEXP naive,
            SEXP threads, SEXP alpha, SEXP beta, SEXP C0, SEXP lda_,
            SEXP single)
{
    if (!isReal(A) || !isReal(B) || !isMatrix(A) || !isMatrix(B))
        error("internal error: C_gemm needs two double matrices");
    int ta = asLogical(trans_a), tb = asLogical(trans_b);
    int ra = nrows(A), ca = ncols(A), rb = nrows(B), cb = ncols(B);
    int m = ta ? ca : ra, k = ta ? ra : ca;
    int kb = tb ? cb : rb, n = tb ? rb : cb;
    if (k != kb)
        error("internal error: C_gemm got non-conformable matrices");
    int lda = isNull(lda_) ? (ra > 0 ? ra : 1) : asInteger(lda_);
    if (lda == NA_INTEGER || lda < 1)
        error("internal error: C_gemm got a bad lda");
    SEXP C;
    double al = asReal(alpha), be = 0.0;
    if (isNull(C0)) {
        C = PROTECT(allocMatrix(REALSXP, m, n));
    } else {
        if (!isReal(C0) || !isMatrix(C0) || nrows(C0) != m || ncols(C0) != n)
            error("internal error: C_gemm got a C of the wrong shape");
        C = PROTECT(duplicate(C0));
        be = asReal(beta);
    }
    int ldb = rb > 0 ? rb : 1, ldc = m > 0 ? m : 1;
    threads_set(asInteger(threads));
    if (asLogical(single)) {
        float *Af = float_copy(A), *Bf = float_copy(B), *Cf = float_copy(C);
        if (isNull(C0))
            for (R_xlen_t i = 0; i < XLENGTH(C); i++)
                Cf[i] = (float) R_NaN;
        if (asLogical(naive))
            gemm_naive_f(ta, tb, m, n, k, (float) al, Af, lda, Bf, ldb,
                         (float) be, Cf, ldc);
        else
            gemm_f(ta, tb, m, n, k, (float) al, Af, lda, Bf, ldb,
                   (float) be, Cf, ldc);
        double *c = REAL(C);
        for (R_xlen_t i = 0; i < XLENGTH(C); i++)
            c[i] = Cf[i];
    } else if (asLogical(naive)) {
        gemm_naive(ta, tb, m, n, k, al, REAL(A), lda, REAL(B), ldb, be,
                   REAL(C), ldc);
    } else {
        gemm(ta, tb, m, n, k, al, REAL(A), lda, REAL(B), ldb, be,
             REAL(C), ldc);
    }
    UNPROTECT(1);
    return C;
}

/* ---- convolution and pooling (layer_conv2d.c, layer_maxpool2d.c) ---- */

/* from layer_conv2d.c, kept out of nnfs.h: the direct-loop reference
 * (only tests use it) and the scratch size the kernels need (<= P*K) */
void conv2d_forward_naive(double *out, const double *in, const double *W,
                          const double *b, const conv_geom *g, int B);

/* geom: the 11 integers of conv_geom in declaration order (in_h, in_w,
 * in_c, out_h, out_w, out_c, kh, kw, stride, pad_t, pad_l), as made by
 * the R helper conv_geom(). Checks only what the kernels rely on. */
static conv_geom geom_from_sexp(SEXP geom, int pool)
{
    if (!isInteger(geom) || XLENGTH(geom) != 11)
        error("internal error: geometry must be 11 integers");
    const int *v = INTEGER(geom);
    conv_geom g = { v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                    v[9], v[10] };
    for (int i = 0; i < 9; i++)
        if (v[i] == NA_INTEGER || v[i] < 1)
            error("internal error: geometry entry %d is not positive", i + 1);
    if (g.pad_t < 0 || g.pad_l < 0 || g.pad_t == NA_INTEGER ||
        g.pad_l == NA_INTEGER)
        error("internal error: negative padding");
    /* convolution checks every tap against the image, so any output size
     * is safe; pooling reads its windows unchecked: they must fit */
    double top = (double) (g.out_h - 1) * g.stride;
    double left = (double) (g.out_w - 1) * g.stride;
    if (pool && (g.out_c != g.in_c || g.pad_t || g.pad_l ||
                 top + g.kh > g.in_h || left + g.kw > g.in_w))
        error("internal error: pooling window outside the input");
    if ((double) g.in_h * g.in_w * g.in_c > INT_MAX ||
        (double) g.out_h * g.out_w * g.kh * g.kw * g.in_c > INT_MAX ||
        (double) g.out_h * g.out_w * g.out_c > INT_MAX)
        error("internal error: geometry too large");
    return g;
}

/* a double matrix with `rows` rows; returns its column count */
static int check_batch(SEXP x, double rows, const char *what)
{
    if (!isReal(x) || !isMatrix(x) || nrows(x) != rows)
        error("internal error: %s must be a double matrix with %.0f rows",
              what, rows);
    return ncols(x);
}

/* C_conv2d(x, W, b, geom, naive, threads): x holds B samples of
 * in_h*in_w*in_c doubles (a matrix, or an image array whose channels are
 * the samples, as convolution() passes it), W the (kh, kw, in_c, filters)
 * array, b NULL or one per filter. Returns (out_h*out_w*filters x B).
 * naive = TRUE uses the direct-loop reference. */
SEXP C_conv2d(SEXP x, SEXP W, SEXP b, SEXP geom, SEXP naive, SEXP threads)
{
    conv_geom g = geom_from_sexp(geom, 0);
    int P = g.out_h * g.out_w, K = g.kh * g.kw * g.in_c;
    R_xlen_t n_in = (R_xlen_t) g.in_h * g.in_w * g.in_c;
    if (!isReal(x) || XLENGTH(x) % n_in != 0 || XLENGTH(x) / n_in > INT_MAX)
        error("internal error: x must hold whole samples of doubles");
    int B = (int) (XLENGTH(x) / n_in);
    if (!isReal(W) || XLENGTH(W) != (R_xlen_t) K * g.out_c)
        error("internal error: W must hold kh*kw*in_c*filters doubles");
    if (!isNull(b) && (!isReal(b) || XLENGTH(b) != g.out_c))
        error("internal error: b must be NULL or one double per filter");
    const double *bp = isNull(b) ? NULL : REAL(b);
    SEXP out = PROTECT(allocMatrix(REALSXP, P * g.out_c, B));
    if (asLogical(naive)) {
        conv2d_forward_naive(REAL(out), REAL(x), REAL(W), bp, &g, B);
    } else {
        threads_set(asInteger(threads));
        double *work = (double *) R_alloc((size_t) conv2d_work_reals(&g, B),
                                          sizeof(double));
        conv2d_forward(REAL(out), work, REAL(x), REAL(W), bp, &g, ACT_LINEAR, 0.0,
                       B);
    }
    UNPROTECT(1);
    return out;
}

/* C_conv2d_backward(dz, x, W, geom, threads): dz (out_h*out_w*filters x B).
 * Returns list(din, dW, db): din like x, dW like W (a plain vector), db one
 * per filter, the gradients summed over the batch. */
SEXP C_conv2d_backward(SEXP dz, SEXP x, SEXP W, SEXP geom, SEXP threads)
{
    conv_geom g = geom_from_sexp(geom, 0);
    int P = g.out_h * g.out_w, K = g.kh * g.kw * g.in_c;
    int B = check_batch(x, (double) g.in_h * g.in_w * g.in_c, "x");
    if (check_batch(dz, (double) P * g.out_c, "dz") != B)
        error("internal error: dz and x differ in batch size");
    if (!isReal(W) || XLENGTH(W) != (R_xlen_t) K * g.out_c)
        error("internal error: W must hold kh*kw*in_c*filters doubles");
    SEXP res = PROTECT(allocVector(VECSXP, 3));
    SEXP din = SET_VECTOR_ELT(res, 0, allocMatrix(REALSXP, nrows(x), B));
    SEXP dW = SET_VECTOR_ELT(res, 1, allocVector(REALSXP, XLENGTH(W)));
    SEXP db = SET_VECTOR_ELT(res, 2, allocVector(REALSXP, g.out_c));
    memset(REAL(dW), 0, sizeof(double) * (size_t) XLENGTH(W));
    memset(REAL(db), 0, sizeof(double) * (size_t) g.out_c);
    threads_set(asInteger(threads));
    double *work = (double *) R_alloc((size_t) conv2d_work_reals(&g, B),
                                      sizeof(double));
    conv2d_backward(REAL(din), REAL(dW), REAL(db), work, REAL(dz), REAL(x),
                    REAL(W), &g, B);
    UNPROTECT(1);
    return res;
}

/* C_maxpool2d_forward(x, geom): x (in_h*in_w*c x B). Returns list(out,
 * argmax), both (out_h*out_w*c x B); argmax is 1-based for R. */
SEXP C_maxpool2d_forward(SEXP x, SEXP geom)
{
    conv_geom g = geom_from_sexp(geom, 1);
    int B = check_batch(x, (double) g.in_h * g.in_w * g.in_c, "x");
    int n_out = g.out_h * g.out_w * g.out_c;
    SEXP res = PROTECT(allocVector(VECSXP, 2));
    SEXP out = SET_VECTOR_ELT(res, 0, allocMatrix(REALSXP, n_out, B));
    SEXP am = SET_VECTOR_ELT(res, 1, allocMatrix(INTSXP, n_out, B));
    maxpool2d_forward(REAL(out), INTEGER(am), REAL(x), &g, B);
    int *a = INTEGER(am);
    for (R_xlen_t i = 0; i < XLENGTH(am); i++) a[i] += 1;
    UNPROTECT(1);
    return res;
}

/* C_maxpool2d_backward(dout, argmax, geom): dout and argmax (1-based) as
 * returned by C_maxpool2d_forward. Returns din (in_h*in_w*c x B). */
SEXP C_maxpool2d_backward(SEXP dout, SEXP argmax, SEXP geom)
{
    conv_geom g = geom_from_sexp(geom, 1);
    int n_in = g.in_h * g.in_w * g.in_c;
    int B = check_batch(dout, (double) g.out_h * g.out_w * g.out_c, "dout");
    if (!isInteger(argmax) || XLENGTH(argmax) != XLENGTH(dout))
        error("internal error: argmax must be integers shaped like dout");
    /* 0-based copy: the argument itself is never modified */
    R_xlen_t n = XLENGTH(argmax);
    int *am = (int *) R_alloc((size_t) n, sizeof(int));
    const int *a = INTEGER(argmax);
    for (R_xlen_t i = 0; i < n; i++) {
        if (a[i] == NA_INTEGER || a[i] < 1 || a[i] > n_in)
            error("internal error: argmax out of range");
        am[i] = a[i] - 1;
    }
    SEXP din = PROTECT(allocMatrix(REALSXP, n_in, B));
    maxpool2d_backward(REAL(din), REAL(dout), am, &g, B);
    UNPROTECT(1);
    return din;
}

/* C_all_finite(x, threads): TRUE when a double, integer or logical vector
 * has no NA, NaN or infinite value. One pass without allocating, for
 * R-side argument checks on large images and data (the message stays in
 * R); a vector of millions of doubles is shared among `threads`. */

/* nonzero when v[0..n-1] holds a double whose exponent bits are all ones
 * (NA, NaN, Inf): adding one at the exponent's lowest bit then carries
 * into the sign bit, three integer operations a value and no branch */
static int block_nonfinite(const double *v, R_xlen_t n)
{
    const uint64_t exp = 0x7ff0000000000000ULL, one = 1ULL << 52;
    uint64_t bad[4] = {0, 0, 0, 0};
    R_xlen_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint64_t b[4];
        memcpy(b, v + i, sizeof b);
        for (int k = 0; k < 4; k++) bad[k] |= (b[k] & exp) + one;
    }
    for (; i < n; i++) {
        uint64_t b;
        memcpy(&b, v + i, sizeof b);
        bad[0] |= (b & exp) + one;
    }
    return (int) ((bad[0] | bad[1] | bad[2] | bad[3]) >> 63);
}

SEXP C_all_finite(SEXP x, SEXP threads)
{
    if (!isReal(x) && !isInteger(x) && !isLogical(x))
        error("internal error: C_all_finite needs a numeric vector");
    R_xlen_t n = XLENGTH(x);
    if (isReal(x)) {
        /* blocks of 64K values, so that a bad value stops the pass early */
        const double *v = REAL(x);
        const R_xlen_t blk = 65536;
        long nb = (long) ((n + blk - 1) / blk);
        int th = threads_forked() ? 1 : asInteger(threads);
        if (th < 1 || nb < 16) th = 1;
        if (th > nb) th = (int) nb;
        int bad = 0;
#pragma omp parallel for num_threads(th) schedule(dynamic, 8) if (th > 1)
        for (long b = 0; b < nb; b++) {
            int seen;
#pragma omp atomic read
            seen = bad;
            if (seen) continue;
            R_xlen_t i0 = (R_xlen_t) b * blk;
            if (block_nonfinite(v + i0, n - i0 < blk ? n - i0 : blk)) {
#pragma omp atomic write
                bad = 1;
            }
        }
        if (bad) return ScalarLogical(FALSE);
    } else {
        const int *v = isInteger(x) ? INTEGER(x) : LOGICAL(x);
        for (R_xlen_t i = 0; i < n; i++)
            if (v[i] == NA_INTEGER) return ScalarLogical(FALSE);
    }
    return ScalarLogical(TRUE);
}

/* C_byte_codes(x, threads): the byte codes data_codes.c makes of an n x p
 * double matrix, for tests: list(codes = p x n raw, one sample per
 * column, values = the value of each code), or NULL when x takes more
 * than 256 values. */
SEXP C_byte_codes(SEXP x, SEXP threads)
{
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (!isReal(x) || TYPEOF(dim) != INTSXP || xlength(dim) != 2)
        error("internal error: C_byte_codes needs a double matrix");
    int n = INTEGER(dim)[0], p = INTEGER(dim)[1];
    SEXP codes = PROTECT(allocMatrix(RAWSXP, p, n));
    double values[256];
    int count = byte_codes(REAL(x), n, p, RAW(codes), values,
                           threads_forked() ? 1 : asInteger(threads));
    if (count == 0) { UNPROTECT(1); return R_NilValue; }
    const char *nm[] = {"codes", "values", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, nm));
    SEXP v = allocVector(REALSXP, count);
    SET_VECTOR_ELT(out, 1, v);
    memcpy(REAL(v), values, sizeof(double) * count);
    SET_VECTOR_ELT(out, 0, codes);
    UNPROTECT(2);
    return out;
}

/* C_idx_rows(x, bytes, first, table): rows first + 1 .. first + m of x,
 * an n x p integer or double matrix (or a vector, p = 1), from m * p bytes
 * in row-major order, m items of p values as an IDX file of bytes stores
 * them: x[first + r, j] = table[bytes[r * p + j]]. The 256 values of a
 * byte come from R in x's type (0:255 / 255 for normalized pixels), so
 * the numbers are R's own. x is filled in place: read_idx()'s reader
 * allocates it freshly, nothing else refers to it, and it is filled a
 * chunk of the file at a time without a copy of the file's bytes or of
 * their transposition. The writes run down each column, sequentially; the
 * chunk read across stays in the cache. */
SEXP C_idx_rows(SEXP x, SEXP bytes, SEXP first, SEXP table)
{
    if ((!isReal(x) && !isInteger(x)) || TYPEOF(table) != TYPEOF(x) ||
        XLENGTH(table) != 256 || TYPEOF(bytes) != RAWSXP)
        error("internal error: C_idx_rows needs an integer or double x, a raw "
              "chunk and 256 values of x's type");
    R_xlen_t n = isMatrix(x) ? nrows(x) : XLENGTH(x);
    R_xlen_t p = isMatrix(x) ? ncols(x) : 1;
    R_xlen_t len = XLENGTH(bytes);
    R_xlen_t m = p > 0 ? len / p : 0;
    double f = asReal(first);
    if (m * p != len || !(f >= 0) || f + (double) m > (double) n)
        error("internal error: C_idx_rows: a chunk of %.0f bytes does not fill "
              "whole rows from row %.0f of a %.0f x %.0f matrix",
              (double) len, f + 1, (double) n, (double) p);
    R_xlen_t r0 = (R_xlen_t) f;
    const Rbyte *b = RAW(bytes);
    if (isReal(x)) {
        const double *t = REAL(table);
        double *out = REAL(x) + r0;
        for (R_xlen_t j = 0; j < p; j++) {
            double *col = out + j * n;
            for (R_xlen_t r = 0; r < m; r++) col[r] = t[b[r * p + j]];
        }
    } else {
        const int *t = INTEGER(table);
        int *out = INTEGER(x) + r0;
        for (R_xlen_t j = 0; j < p; j++) {
            int *col = out + j * n;
            for (R_xlen_t r = 0; r < m; r++) col[r] = t[b[r * p + j]];
        }
    }
    return R_NilValue;
}

/* C_threads_info(): c(available, forked), for nnfs_threads() and the
 * tests: processors OpenMP may use here, and 1 in a forked child (which
 * runs on one thread whatever it asks for, threads.c). */
SEXP C_threads_info(void)
{
    SEXP res = PROTECT(allocVector(INTSXP, 2));
    INTEGER(res)[0] = threads_available();
    INTEGER(res)[1] = threads_forked();
    UNPROTECT(1);
    return res;
}
