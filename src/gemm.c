/* gemm.c: matrix product, column-major (see gemm.h for the contract).
 *
 * C (m x n) = alpha op(A) (m x k) op(B) (k x n) + beta C, computed the way
 * BLIS and GotoBLAS do it:
 *   - k is cut into balanced blocks (their length a function of k only);
 *     within a block every element of C is one register accumulator with
 *     one multiply-add per p, in order, then C = alpha acc + beta C (beta
 *     is 1 after the first block);
 *   - the register tiles come from an instruction-set specific kernel
 *     (gemm_avx512.c, gemm_avx2.c, or the portable one in
 *     gemm_portable.c), chosen at run time from what the CPU supports;
 *   - small and skinny products use A and B in place (op(A) = t(A) gets
 *     each micro-panel packed on the stack), so a dense layer with a batch
 *     of 10 pays no packing; large ones pack A into (mc x kc) and B into
 *     (kc x nc) panels that stay in L2 and L3; t(A) B with a skinny
 *     result and a long k (regression gradients, convolution weight
 *     gradients) runs as dot products, both operands contiguous in k;
 *   - threads split C into column or row ranges and never split a sum, and
 *     the arithmetic of an element does not depend on where its tile
 *     starts, so results are identical whatever the thread count.
 * Pure C, no R API and no allocation: the large path packs into
 * thread-local buffers of fixed size, small products need none.
 *
 * One source, two precisions (real.h): this file is the double build;
 * single_gemm.c compiles it again with real = float, where the kernels'
 * tiles and blocks are those of their own float builds (twice the rows
 * per register tile, the same bytes per cache block). */
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "gemm.h"
#include "gemm_kernels.h"
#include "threads.h"

/* element (i, j) of op(X) for a column-major X with leading dimension ld */
#define OP(X, t, i, j, ld) ((t) ? (X)[(j) + (ptrdiff_t)(i) * (ld)] : (X)[(i) + (ptrdiff_t)(j) * (ld)])

void gemm_naive(int trans_a, int trans_b, int m, int n, int k,
                real alpha, const real *A, int lda,
                const real *B, int ldb,
                real beta, real *C, int ldc)
{
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            real s = 0;
            for (int p = 0; p < k; p++)
                s += OP(A, trans_a, i, p, lda) * OP(B, trans_b, p, j, ldb);
            real *c = &C[i + (ptrdiff_t)j * ldc];
            *c = (beta == 0) ? alpha * s : alpha * s + beta * *c;
        }
    }
}

/* the best kernel this CPU runs (cheap: the CPU model is read at load) */
static const gemm_isa *gemm_pick(void)
{
    const gemm_isa *isa = gemm_isa_avx512();
    if (!isa)
        isa = gemm_isa_avx2();
    return isa ? isa : gemm_isa_portable();
}

/* ---- the product and its pieces ---- */

typedef struct {
    int ta, tb, m, n, k;
    real alpha, beta;
    const real *A, *B;
    real *C;
    ptrdiff_t lda, ldb, ldc;
} gemm_args;

/* k block q of nkb: [kb_start(q), kb_start(q + 1)), lengths differ by <= 1 */
static int kb_start(int q, int nkb, int k)
{
    return (int) ((ptrdiff_t) q * k / nkb);
}

/* Pack rows [i0, i0 + mc) and columns [p0, p0 + kc) of op(A) into panels
 * of mr rows: dst[t * mr * kc + p * mr + r], zero past the last row. */
static void pack_a(const gemm_isa *isa, real *dst, const gemm_args *x,
                   int i0, int mc, int p0, int kc)
{
    int mr = isa->mr;
    for (int ir = 0; ir < mc; ir += mr, dst += (ptrdiff_t) mr * kc) {
        int rows = mc - ir < mr ? mc - ir : mr;
        int i = i0 + ir;
        if (rows < mr)
            memset(dst, 0, sizeof(real) * mr * kc);
        if (!x->ta) {
            const real *src = x->A + i + (ptrdiff_t) p0 * x->lda;
            for (int p = 0; p < kc; p++, src += x->lda)
                memcpy(dst + (ptrdiff_t) p * mr, src, sizeof(real) * rows);
        } else {
            isa->pack_t(dst, mr, x->A + p0 + (ptrdiff_t) i * x->lda, x->lda,
                        rows, kc);
        }
    }
}

/* Pack rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B) into panels
 * of nr columns: dst[t * nr * kc + p * nr + j], zero past the last column. */
static void pack_b(const gemm_isa *isa, real *dst, const gemm_args *x,
                   int p0, int kc, int j0, int nc)
{
    int nr = isa->nr;
    for (int jr = 0; jr < nc; jr += nr, dst += (ptrdiff_t) nr * kc) {
        int cols = nc - jr < nr ? nc - jr : nr;
        int j = j0 + jr;
        if (cols < nr)
            memset(dst, 0, sizeof(real) * nr * kc);
        if (x->tb) {
            const real *src = x->B + j + (ptrdiff_t) p0 * x->ldb;
            for (int p = 0; p < kc; p++, src += x->ldb)
                memcpy(dst + (ptrdiff_t) p * nr, src, sizeof(real) * cols);
        } else {
            isa->pack_t(dst, nr, x->B + p0 + (ptrdiff_t) j * x->ldb, x->ldb,
                        cols, kc);
        }
    }
}

/* op(B) rows [p0, ..) and columns [j0, ..) used in place */
static void b_in_place(gemm_block *g, const gemm_args *x, int p0, int j0)
{
    if (x->tb) {
        g->b = x->B + j0 + (ptrdiff_t) p0 * x->ldb;
        g->b_ps = x->ldb; g->b_cs = 1; g->b_pstr = 0;
    } else {
        g->b = x->B + p0 + (ptrdiff_t) j0 * x->ldb;
        g->b_ps = 1; g->b_cs = x->ldb; g->b_pstr = 0;
    }
}

/* the largest register tile rows and k block of any kernel: 128 bytes
 * of rows (16 doubles, 32 floats), 256 */
#define MAX_MR ((int) (128 / sizeof(real)))
#define MAX_KC 256

/* C[i0:i1, j0:j1] with B in place and A in place (or, for op(A) = t(A),
 * one micro-panel at a time packed on the stack). */
static void run_small(const gemm_isa *isa, const gemm_args *x, int i0,
                      int i1, int j0, int j1)
{
    real apan[MAX_MR * MAX_KC];
    int nkb = (x->k + isa->kc - 1) / isa->kc;
    for (int q = 0; q < nkb; q++) {
        int p0 = kb_start(q, nkb, x->k);
        gemm_block g;
        g.kc = kb_start(q + 1, nkb, x->k) - p0;
        g.nc = j1 - j0;
        g.alpha = x->alpha;
        g.beta = q == 0 ? x->beta : 1;
        g.ldc = x->ldc;
        b_in_place(&g, x, p0, j0);
        if (!x->ta) {
            g.mc = i1 - i0;
            g.a = x->A + i0 + (ptrdiff_t) p0 * x->lda;
            g.a_ps = x->lda; g.a_pstr = isa->mr;
            g.c = x->C + i0 + (ptrdiff_t) j0 * x->ldc;
            isa->macro(&g);
            continue;
        }
        for (int ir = i0; ir < i1; ir += isa->mr) {
            g.mc = i1 - ir < isa->mr ? i1 - ir : isa->mr;
            pack_a(isa, apan, x, ir, g.mc, p0, g.kc);
            g.a = apan; g.a_ps = isa->mr; g.a_pstr = 0;
            g.c = x->C + ir + (ptrdiff_t) j0 * x->ldc;
            isa->macro(&g);
        }
    }
}

/* Packing buffers of the large path, one pair per thread, kept from call
 * to call: allocating them for each product costs page faults worth a
 * small product. Sized by the largest blocks of any kernel, in bytes the
 * same for both precisions: kc <= 256 and mc <= 192 doubles or 384
 * floats (A), nc <= 516 doubles or 1032 floats (B); the spare 64 bytes
 * let them start on a cache line. Without thread-local storage there is
 * no large path. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define GEMM_TLS _Thread_local
#elif defined(__GNUC__)
#define GEMM_TLS __thread
#endif
#ifdef GEMM_TLS
#define LINE ((int) (64 / sizeof(real)))
#define BUF_A (192 * 256 * LINE / 8 + LINE)
#define BUF_B (256 * 516 * LINE / 8 + LINE)
static GEMM_TLS real buf_a[BUF_A], buf_b[BUF_B];

static real *align64(real *p)
{
    return (real *) (((size_t) p + 63) & ~(size_t) 63);
}
#endif

/* C[i0:i1, j0:j1] from packed panels of A (mc x kc) and B (kc x nc).
 * Returns 0 (nothing done) when there are no buffers for it. */
static int run_large(const gemm_isa *isa, const gemm_args *x, int i0,
                     int i1, int j0, int j1)
{
#ifdef GEMM_TLS
    int mr = isa->mr, nr = isa->nr;
    if (isa->mc * isa->kc + LINE > BUF_A || isa->nc * isa->kc + LINE > BUF_B)
        return 0;
    real *pa = align64(buf_a), *pb = align64(buf_b);
    int nkb = (x->k + isa->kc - 1) / isa->kc;
    for (int jc = j0; jc < j1; jc += isa->nc) {
        int nc = j1 - jc < isa->nc ? j1 - jc : isa->nc;
        for (int q = 0; q < nkb; q++) {
            int p0 = kb_start(q, nkb, x->k);
            int kc = kb_start(q + 1, nkb, x->k) - p0;
            pack_b(isa, pb, x, p0, kc, jc, nc);
            for (int ic = i0; ic < i1; ic += isa->mc) {
                int mc = i1 - ic < isa->mc ? i1 - ic : isa->mc;
                pack_a(isa, pa, x, ic, mc, p0, kc);
                gemm_block g = {mc, nc, kc, x->alpha, q == 0 ? x->beta : 1,
                                pa, mr, (ptrdiff_t) mr * kc,
                                pb, nr, 1, (ptrdiff_t) nr * kc,
                                x->C + ic + (ptrdiff_t) jc * x->ldc, x->ldc};
                isa->macro(&g);
            }
        }
    }
    return 1;
#else
    (void) isa; (void) x; (void) i0; (void) i1; (void) j0; (void) j1;
    return 0;
#endif
}

/* C[i0:i1, j0:j1] by dot products: rows of op(A) and columns of op(B)
 * are contiguous in p (see choose_path) */
static void run_dot(const gemm_isa *isa, const gemm_args *x, int i0, int i1,
                    int j0, int j1)
{
    /* a k block of B's columns (at most nr of them at a time) stays in L1 */
    int w = x->n < isa->nr ? x->n : isa->nr;
    int kd = isa->kd / w, nkb = (x->k + kd - 1) / kd;
    for (int q = 0; q < nkb; q++) {
        int p0 = kb_start(q, nkb, x->k);
        gemm_block g = {i1 - i0, j1 - j0, kb_start(q + 1, nkb, x->k) - p0,
                        x->alpha, q == 0 ? x->beta : 1,
                        x->A + (x->ta ? p0 + (ptrdiff_t) i0 * x->lda
                                      : i0 + (ptrdiff_t) p0 * x->lda), 1,
                        x->ta ? x->lda : 1,
                        x->B + (x->tb ? j0 + (ptrdiff_t) p0 * x->ldb
                                      : p0 + (ptrdiff_t) j0 * x->ldb), 1,
                        x->tb ? 1 : x->ldb, 0,
                        x->C + i0 + (ptrdiff_t) j0 * x->ldc, x->ldc};
        isa->dot(&g);
    }
}

#define DOT_MIN_K 96
#define DOT_MAX_N 16
/* A used in place is streamed once per column tile: past about half of
 * L2 (1 MB: 131072 doubles), packing it into L2-sized blocks pays */
#define LARGE_MIN_A (1048576.0 / sizeof(real))

enum { PATH_SMALL, PATH_LARGE, PATH_DOT };

/* Dot products for t(A) B (or a 1-row A) with a long k and a skinny
 * result, where the outer-product kernel would waste vector lanes or
 * spend as long packing t(A) as multiplying; packed panels when both A
 * and B are reused across many tiles; A and B in place otherwise. A
 * function of the whole problem, never of a thread's part. */
static int choose_path(const gemm_isa *isa, const gemm_args *x)
{
    int a_rows = x->ta || (x->m == 1 && x->lda == 1);
    int b_cols = !x->tb || (x->n == 1 && x->ldb == 1);
    if (isa->dot && a_rows && b_cols &&
        ((x->n <= DOT_MAX_N && x->k >= DOT_MIN_K) ||
         (x->m < isa->mr && x->k >= 16)))
        return PATH_DOT;
    if ((double) x->m * x->k > LARGE_MIN_A &&
        x->n > 4 * isa->nr && x->k > 16)
        return PATH_LARGE;
    return PATH_SMALL;
}

/* C = beta C, the whole product when k == 0 or alpha == 0 (as BLAS does) */
static void scale_c(const gemm_args *x)
{
    if (x->beta == 1)
        return;
    for (int j = 0; j < x->n; j++) {
        real *c = x->C + (ptrdiff_t) j * x->ldc;
        for (int i = 0; i < x->m; i++)
            c[i] = x->beta == 0 ? 0 : x->beta * c[i];
    }
}

/* part t of nt: a range of C columns (or rows), cut on register-tile
 * boundaries so that parts waste no lanes (the arithmetic of an element
 * does not depend on where its part starts) */
static void run_part(const gemm_isa *isa, const gemm_args *x, int path,
                     int by_cols, int t, int nt)
{
    int step = by_cols ? isa->nr : isa->mr;
    int len = by_cols ? x->n : x->m;
    int tiles = (len + step - 1) / step;
    int a = (int) ((ptrdiff_t) tiles * t / nt) * step;
    int b = (int) ((ptrdiff_t) tiles * (t + 1) / nt) * step;
    if (b > len)
        b = len;
    if (a >= b)
        return;
    int i0 = by_cols ? 0 : a, i1 = by_cols ? x->m : b;
    int j0 = by_cols ? a : 0, j1 = by_cols ? b : x->n;
    if (path == PATH_DOT)
        run_dot(isa, x, i0, i1, j0, j1);
    else if (path == PATH_SMALL || !run_large(isa, x, i0, i1, j0, j1))
        run_small(isa, x, i0, i1, j0, j1);
}

void gemm(int trans_a, int trans_b, int m, int n, int k,
          real alpha, const real *A, int lda,
          const real *B, int ldb,
          real beta, real *C, int ldc)
{
    gemm_args x = {trans_a, trans_b, m, n, k, alpha, beta, A, B, C,
                   lda, ldb, ldc};
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0 || alpha == 0) {
        scale_c(&x);
        return;
    }
    const gemm_isa *isa = gemm_pick();
    int path = choose_path(isa, &x);
    int by_cols = n >= m;
#ifdef _OPENMP
    /* products below the threshold of threads.c run on one thread; its
     * multiply-adds are doubles', and a float one takes about half as
     * long (twice the lanes per vector) */
    int tiles = by_cols ? (n + isa->nr - 1) / isa->nr
                        : (m + isa->mr - 1) / isa->mr;
    int nt = threads_for_macs((double) m * n * k * sizeof(real) / 8, tiles);
    if (nt > 1) {
        /* small products: a few parts per thread, handed out as threads
         * come free, so that a thread sharing its core with another
         * program does less; large ones: one part per thread, as each
         * part packs the whole of the operand it does not split */
        int parts = path == PATH_LARGE ? nt : 4 * nt < tiles ? 4 * nt : tiles;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1)
        for (int t = 0; t < parts; t++)
            run_part(isa, &x, path, by_cols, t, parts);
        return;
    }
#endif
    run_part(isa, &x, path, by_cols, 0, 1);
}
