/* layer_conv2d.c: 2-D convolution (cross-correlation, no filter flip) as
 * im2col plus gemm() (or, with stride 1 and no padding, gemm() reading the
 * patches from the image in place: see tall()), with a direct-loop
 * reference.
 *
 * Layout (see nnfs.h):
 *   in   (in_h*in_w*in_c x B), sample s contiguous, pixel (y, x, c) of a
 *        sample at y + in_h*(x + in_w*c);
 *   out  (out_h*out_w*F x B) with F = g->out_c filters, same pixel order;
 *   W    the R array (kh, kw, in_c, F): a (K x F) matrix, K = kh*kw*in_c,
 *        row k = ky + kh*(kx + kw*ic);
 *   b    F biases (may be NULL);
 *   work im2col chunks (rows: output positions, y fastest; columns: the
 *        K taps), one per thread, so that out_sample = cols %*% W is
 *        built a chunk of output columns at a time; then room for the
 *        per-sample weight and bias gradients of the backward pass. It
 *        must hold conv2d_work_reals(g, B) doubles, for the thread count
 *        split_threads(B) gives (the most the kernels use). The backward pass reuses a thread's
 *        chunk for the gradient of the columns once dW has been formed.
 * Zero padding: pad_t rows on top and pad_l columns on the left; the bottom
 * and right padding are implied by out_h and out_w. */
#include <stddef.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "nnfs.h"
#include "gemm.h"
#include "threads.h"

/* The product runs over chunks of whole output columns (ox ranges), so
 * that the im2col matrix is still in cache when gemm() reads it. With few
 * filters the product is cheap and writing the columns dominates: chunks
 * of about CHUNK_L1 doubles stay in L1. With many filters gemm() dominates
 * and prefers fewer, longer panels: about CHUNK_L2 doubles. Either way a
 * chunk has at least CHUNK_ROWS output positions (or the whole image). */
#define CHUNK_L1 4096
#define CHUNK_L2 32768
#define CHUNK_ROWS 128

/* With stride 1 and no padding, the taps of an output column read runs of
 * consecutive input values. Giving each output column all in_h rows in the
 * im2col chunk (the last kh - 1 of them are not outputs; the products fill
 * them and they are dropped) makes each tap's column of the chunk one run
 * of its input channel, so the products read the image in place instead
 * (see tall_valid()). This "tall" layout is used whenever the geometry
 * allows; the chunk then only serves the input gradient. */
static int tall(const conv_geom *g)
{
    return g->stride == 1 && g->pad_t == 0 && g->pad_l == 0 &&
           g->out_h == g->in_h - g->kh + 1 && g->out_w == g->in_w - g->kw + 1;
}

/* im2col rows per output column */
static int col_rows(const conv_geom *g)
{
    return tall(g) ? g->in_h : g->out_h;
}

/* output columns per chunk: at least one, at most all */
static int chunk_cols(const conv_geom *g)
{
    long per_col = (long) col_rows(g) * g->kh * g->kw * g->in_c;
    long target = g->out_c < 8 ? CHUNK_L1 : CHUNK_L2;
    long n = target / (per_col > 0 ? per_col : 1);
    long n_rows = (CHUNK_ROWS + col_rows(g) - 1) / col_rows(g);
    if (n < n_rows) n = n_rows;
    return n < 1 ? 1 : (n > g->out_w ? g->out_w : (int) n);
}

/* Samples of a batch are independent, so the kernels below share them out
 * among threads when the batch is worth it (threads.c), each thread with
 * its own im2col chunk, one sample at a time as threads come free (a
 * thread that loses its core to another program then holds up one
 * sample, not half the batch). Weight and bias gradients are first formed per
 * sample and then added in sample order, so the sums do not depend on the
 * thread count. */

/* im2col rows of a chunk, at most */
static long chunk_rows(const conv_geom *g)
{
    return (long) col_rows(g) * chunk_cols(g);
}

/* doubles of scratch one thread uses: the im2col chunk and, for the tall
 * layout, the chunk's product (or output gradient) with all in_h rows */
static long chunk_reals(const conv_geom *g)
{
    long K = (long) g->kh * g->kw * g->in_c;
    return chunk_rows(g) * (K + (tall(g) ? g->out_c : 0));
}

/* doubles of `work` the kernels below use for geometry g and B samples,
 * with the thread count set by threads_set() (an upper bound: the kernels
 * may use fewer threads, never more) */
long conv2d_work_reals(const conv_geom *g, int B)
{
    long K = (long) g->kh * g->kw * g->in_c, F = g->out_c;
    return chunk_reals(g) * split_threads(B) + (long) B * (K * F + F);
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* Output rows oy in [*lo, *hi) read input row oy * stride - pad_t + ky
 * inside the image; the others read padding. */
static void valid_rows(const conv_geom *g, int ky, int *lo, int *hi)
{
    /* in long: with a stride near INT_MAX, end + s - 1 overflows an int */
    long s = g->stride, top = g->pad_t - ky, end = (long) g->in_h + g->pad_t - ky;
    long a = top > 0 ? (top + s - 1) / s : 0;
    long b = end > 0 ? (end + s - 1) / s : 0;
    *lo = a < g->out_h ? (int) a : g->out_h;
    *hi = b < g->out_h ? (int) b : g->out_h;
    if (*hi < *lo) *hi = *lo;
}

/* ---- im2col / col2im ---- */

/* dst[0..n) = src[0..n): the runs im2col copies are short (an output
 * column, often 10 to 30 values), where a library call costs more than
 * the copy; fixed-size blocks of 8 compile to inline vector moves. */
static inline void copy_run(real *dst, const real *src, int n)
{
    int i = 0;
    for (; i + 8 <= n; i += 8) memcpy(dst + i, src + i, 8 * sizeof(real));
    for (; i < n; i++) dst[i] = src[i];
}

static inline void zero_run(real *dst, int n)
{
    for (int i = 0; i < n; i++) dst[i] = 0.0;
}

/* cols (Pc x K), Pc = out_h * (ox1 - ox0): the patches of output columns
 * [ox0, ox1) of one sample image `img`, rows in output order. */
static void im2col(real *cols, const real *img, const conv_geom *g,
                   int ox0, int ox1)
{
    const ptrdiff_t Pc = (ptrdiff_t) g->out_h * (ox1 - ox0);
    const int s = g->stride;
    for (int ic = 0; ic < g->in_c; ic++)
    for (int kx = 0; kx < g->kw; kx++)
    for (int ky = 0; ky < g->kh; ky++) {
        const real *chan = img + (ptrdiff_t) g->in_h * g->in_w * ic;
        ptrdiff_t k = ky + (ptrdiff_t) g->kh * (kx + (ptrdiff_t) g->kw * ic);
        int lo, hi;
        valid_rows(g, ky, &lo, &hi);
        for (int ox = ox0; ox < ox1; ox++) {
            real *dst = cols + Pc * k + (ptrdiff_t) g->out_h * (ox - ox0);
            int ix = ox * s - g->pad_l + kx;
            if (ix < 0 || ix >= g->in_w) {
                zero_run(dst, g->out_h);
                continue;
            }
            /* output row oy reads chan[base + oy * s] */
            ptrdiff_t base = (ptrdiff_t) g->in_h * ix + ky - g->pad_t;
            zero_run(dst, lo);
            if (s == 1)
                copy_run(dst + lo, chan + base + lo, hi - lo);
            else
                for (int oy = lo; oy < hi; oy++)
                    dst[oy] = chan[base + (ptrdiff_t) oy * s];
            zero_run(dst + hi, g->out_h - hi);
        }
    }
}

/* img += scatter of cols (Pc x K) for output columns [ox0, ox1): the
 * adjoint of im2col, so overlapping windows add up and padding is dropped. */
static void col2im(real *img, const real *cols, const conv_geom *g,
                   int ox0, int ox1)
{
    const ptrdiff_t Pc = (ptrdiff_t) g->out_h * (ox1 - ox0);
    const int s = g->stride;
    for (int ic = 0; ic < g->in_c; ic++)
    for (int kx = 0; kx < g->kw; kx++)
    for (int ky = 0; ky < g->kh; ky++) {
        real *chan = img + (ptrdiff_t) g->in_h * g->in_w * ic;
        ptrdiff_t k = ky + (ptrdiff_t) g->kh * (kx + (ptrdiff_t) g->kw * ic);
        int lo, hi;
        valid_rows(g, ky, &lo, &hi);
        for (int ox = ox0; ox < ox1; ox++) {
            int ix = ox * s - g->pad_l + kx;
            if (ix < 0 || ix >= g->in_w) continue;
            const real *src = cols + Pc * k +
                                (ptrdiff_t) g->out_h * (ox - ox0);
            ptrdiff_t base = (ptrdiff_t) g->in_h * ix + ky - g->pad_t;
            for (int oy = lo; oy < hi; oy++)
                chan[base + (ptrdiff_t) oy * s] += src[oy];
        }
    }
}

/* The tall layout (see tall()): the im2col chunk would be cols (Q x K),
 * Q = in_h * (ox1 - ox0), with row q of tap k = (ky, kx, ic) holding input
 * value q + ky + in_h * (kx + ox0) of channel ic. For one (kx, ic) its kh
 * columns are then the (Q x kh) matrix with leading dimension 1 that
 * starts at that value, so gemm() reads them from the image in place:
 * one product per (kx, ic), no copy. Only the first Qv = Q - (kh - 1) rows
 * are formed: the rest are not outputs and would read past the channel. */
static int tall_valid(const conv_geom *g, int ox0, int ox1)
{
    return g->in_h * (ox1 - ox0) - (g->kh - 1);
}

/* prod (Qv x F, leading dimension ldp) = cols %*% W for the chunk */
static void tall_forward(real *prod, int ldp, const real *img,
                         const real *W, const conv_geom *g, int ox0,
                         int ox1)
{
    const int K = g->kh * g->kw * g->in_c, F = g->out_c;
    const int Qv = tall_valid(g, ox0, ox1);
    const ptrdiff_t n_ch = (ptrdiff_t) g->in_h * g->in_w;
    for (int ic = 0; ic < g->in_c; ic++)
    for (int kx = 0; kx < g->kw; kx++) {
        const real *a = img + n_ch * ic + (ptrdiff_t) g->in_h * (kx + ox0);
        int k0 = g->kh * (kx + g->kw * ic);
        gemm(0, 0, Qv, F, g->kh, 1.0, a, 1, W + k0, K, k0 ? 1.0 : 0.0,
             prod, ldp);
    }
}

/* dW (K x F) = cols^T dzt + beta dW for the chunk, dzt (Q x F, leading
 * dimension ldd) */
static void tall_weight_grad(real *dW, real beta, const real *img,
                             const real *dzt, int ldd, const conv_geom *g,
                             int ox0, int ox1)
{
    const int K = g->kh * g->kw * g->in_c, F = g->out_c;
    const int Qv = tall_valid(g, ox0, ox1);
    const ptrdiff_t n_ch = (ptrdiff_t) g->in_h * g->in_w;
    for (int ic = 0; ic < g->in_c; ic++)
    for (int kx = 0; kx < g->kw; kx++) {
        const real *a = img + n_ch * ic + (ptrdiff_t) g->in_h * (kx + ox0);
        int k0 = g->kh * (kx + g->kw * ic);
        gemm(1, 0, g->kh, F, Qv, 1.0, a, 1, dzt, ldd, beta, dW + k0, K);
    }
}

/* img += scatter of cols (Q x K) in the tall layout, the adjoint of the
 * im2col; the rows that are not outputs must hold zeros */
static void col2im_tall(real *img, const real *cols, const conv_geom *g,
                        int ox0, int ox1)
{
    const ptrdiff_t Q = (ptrdiff_t) g->in_h * (ox1 - ox0);
    const ptrdiff_t n_ch = (ptrdiff_t) g->in_h * g->in_w;
    ptrdiff_t k = 0;
    for (int ic = 0; ic < g->in_c; ic++)
    for (int kx = 0; kx < g->kw; kx++)
    for (int ky = 0; ky < g->kh; ky++, k++) {
        ptrdiff_t off = ky + (ptrdiff_t) g->in_h * (kx + ox0);
        ptrdiff_t len = n_ch - off < Q ? n_ch - off : Q;
        real *dst = img + n_ch * ic + off;
        const real *src = cols + Q * k;
#pragma omp simd
        for (ptrdiff_t q = 0; q < len; q++) dst[q] += src[q];
    }
}

/* A tall chunk's (Q x F) block t against the sample's (P x F) block o
 * (leading dimension P), output columns [ox0, ox1): tall_out copies t's
 * output rows into o, adding the bias b (if not NULL); tall_in copies o
 * into t and zeroes t's other rows. */
static void tall_out(real *o, const real *t, const real *b,
                     const conv_geom *g, int ox0, int ox1)
{
    const ptrdiff_t Q = (ptrdiff_t) g->in_h * (ox1 - ox0);
    const ptrdiff_t P = (ptrdiff_t) g->out_h * g->out_w;
    for (int f = 0; f < g->out_c; f++)
    for (int ox = ox0; ox < ox1; ox++) {
        real *oc = o + P * f + (ptrdiff_t) g->out_h * ox;
        const real *tc = t + Q * f + (ptrdiff_t) g->in_h * (ox - ox0);
        if (!b) {
            copy_run(oc, tc, g->out_h);
            continue;
        }
        const real bf = b[f];
#pragma omp simd
        for (int oy = 0; oy < g->out_h; oy++) oc[oy] = tc[oy] + bf;
    }
}

static void tall_in(real *t, const real *o, const conv_geom *g,
                    int ox0, int ox1)
{
    const ptrdiff_t Q = (ptrdiff_t) g->in_h * (ox1 - ox0);
    const ptrdiff_t P = (ptrdiff_t) g->out_h * g->out_w;
    for (int f = 0; f < g->out_c; f++)
    for (int ox = ox0; ox < ox1; ox++) {
        real *tc = t + Q * f + (ptrdiff_t) g->in_h * (ox - ox0);
        copy_run(tc, o + P * f + (ptrdiff_t) g->out_h * ox, g->out_h);
        zero_run(tc + g->out_h, g->in_h - g->out_h);
    }
}

/* ---- forward ---- */

/* x[0..n) += v; v in a local so the loop vectorises (no aliasing doubt) */
static void add_const(real *x, long n, real v)
{
#pragma omp simd
    for (long i = 0; i < n; i++) x[i] += v;
}

/* sum of x[0..n): four running sums (the adds do not wait on each other)
 * added in a fixed order at the end */
static real sum_run(const real *x, long n)
{
    real s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    long i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3];
    }
    for (; i < n; i++) s0 += x[i];
    return (s0 + s1) + (s2 + s3);
}

/* out (P*F x B) = act(per sample im2col(in) (P x K) %*% W (K x F) + b), one
 * chunk of output columns at a time; bias and activation (enum act_kind,
 * slope for leaky ReLU) are applied to each sample while it is in cache */
void conv2d_forward(real *out, real *work, const real *in,
                    const real *W, const real *b, const conv_geom *g,
                    int act, double slope, int B)
{
    const int P = g->out_h * g->out_w, F = g->out_c;
    const int K = g->kh * g->kw * g->in_c, step = chunk_cols(g);
    const ptrdiff_t n_in = (ptrdiff_t) g->in_h * g->in_w * g->in_c;
    const ptrdiff_t n_out = (ptrdiff_t) P * F;
    const long chunk = chunk_reals(g);
    const int nt = threads_for_macs((double) P * K * F * B, B), is_tall = tall(g);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int s = 0; s < B; s++) {
        real *o = out + n_out * s, *wk = work + chunk * thread_id();
        real *prod = wk + chunk_rows(g) * K;   /* tall layout only */
        for (int ox0 = 0; ox0 < g->out_w; ox0 += step) {
            int ox1 = ox0 + step < g->out_w ? ox0 + step : g->out_w;
            if (is_tall) {
                int Q = g->in_h * (ox1 - ox0);
                tall_forward(prod, Q, in + n_in * s, W, g, ox0, ox1);
                tall_out(o, prod, b, g, ox0, ox1);
                continue;
            }
            int Pc = g->out_h * (ox1 - ox0);
            im2col(wk, in + n_in * s, g, ox0, ox1);
            gemm(0, 0, Pc, F, K, 1.0, wk, Pc, W, K, 0.0,
                 o + (ptrdiff_t) g->out_h * ox0, P);
        }
        if (b && !is_tall)   /* the tall layout added it on the way */
            for (int f = 0; f < F; f++) add_const(o + (ptrdiff_t) P * f, P, b[f]);
        act_forward(o, act, slope, P * F, 1);
    }
}

/* Direct loops over every output, tap and channel: the reference the im2col
 * version is tested against. Same arguments, no scratch. */
void conv2d_forward_naive(real *out, const real *in, const real *W,
                          const real *b, const conv_geom *g, int B)
{
    const ptrdiff_t n_in = (ptrdiff_t) g->in_h * g->in_w * g->in_c;
    const ptrdiff_t n_out = (ptrdiff_t) g->out_h * g->out_w * g->out_c;
    for (int s = 0; s < B; s++)
    for (int f = 0; f < g->out_c; f++)
    for (int ox = 0; ox < g->out_w; ox++)
    for (int oy = 0; oy < g->out_h; oy++) {
        real sum = b ? b[f] : 0;
        for (int ic = 0; ic < g->in_c; ic++)
        for (int kx = 0; kx < g->kw; kx++)
        for (int ky = 0; ky < g->kh; ky++) {
            int iy = oy * g->stride - g->pad_t + ky;
            int ix = ox * g->stride - g->pad_l + kx;
            if (iy < 0 || iy >= g->in_h || ix < 0 || ix >= g->in_w) continue;
            sum += W[ky + (ptrdiff_t) g->kh * (kx + (ptrdiff_t) g->kw *
                     (ic + (ptrdiff_t) g->in_c * f))] *
                   in[n_in * s + iy + (ptrdiff_t) g->in_h *
                      (ix + (ptrdiff_t) g->in_w * ic)];
        }
        out[n_out * s + oy + (ptrdiff_t) g->out_h *
            (ox + (ptrdiff_t) g->out_w * f)] = sum;
    }
}

/* ---- backward ---- */

/* dz (P*F x B) = dLoss/d(pre-activation). Per sample, with cols = im2col(in):
 *   dW (K x F) += cols^T dz_s,  db (F) += column sums of dz_s (P x F),
 *   din_s = col2im(dz_s W^T)  (overwritten, not accumulated).
 * dW, db and din may each be NULL to skip that gradient. Chunked over
 * output columns like the forward pass. */
void conv2d_backward(real *din, real *dW, real *db, real *work,
                     const real *dz, const real *in, const real *W,
                     const conv_geom *g, int B)
{
    const int P = g->out_h * g->out_w, F = g->out_c;
    const int K = g->kh * g->kw * g->in_c, step = chunk_cols(g);
    const ptrdiff_t n_in = (ptrdiff_t) g->in_h * g->in_w * g->in_c;
    const ptrdiff_t n_out = (ptrdiff_t) P * F;
    const long chunk = chunk_reals(g), n_part = (long) K * F + F;
    const int nt = threads_for_macs(2.0 * P * K * F * B, B), is_tall = tall(g);
    /* per-sample gradients (K*F for W, then F for b) after the scratch */
    real *part = work + chunk * nt;
    if (din) memset(din, 0, sizeof(real) * (size_t) n_in * B);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int s = 0; s < B; s++) {
        const real *d = dz + n_out * s;
        real *wk = work + chunk * thread_id();
        real *dWs = part + n_part * s, *dbs = dWs + (long) K * F;
        real *dzt = wk + chunk_rows(g) * K;    /* tall layout only */
        for (int ox0 = 0; ox0 < g->out_w; ox0 += step) {
            int ox1 = ox0 + step < g->out_w ? ox0 + step : g->out_w;
            if (is_tall) {
                /* dz_s's rows for the chunk, with zeros in the rows that
                 * are not outputs, so that they add nothing */
                int Q = g->in_h * (ox1 - ox0);
                tall_in(dzt, d, g, ox0, ox1);
                if (dW)
                    tall_weight_grad(dWs, ox0 ? 1.0 : 0.0, in + n_in * s, dzt,
                                     Q, g, ox0, ox1);
                if (din) {
                    gemm(0, 1, Q, K, F, 1.0, dzt, Q, W, K, 0.0, wk, Q);
                    col2im_tall(din + n_in * s, wk, g, ox0, ox1);
                }
                continue;
            }
            int Pc = g->out_h * (ox1 - ox0);
            /* the chunk's rows of dz_s: (Pc x F), leading dimension P */
            const real *dc = d + (ptrdiff_t) g->out_h * ox0;
            if (dW) {
                im2col(wk, in + n_in * s, g, ox0, ox1);
                gemm(1, 0, K, F, Pc, 1.0, wk, Pc, dc, P, ox0 ? 1.0 : 0.0,
                     dWs, K);
            }
            if (din) {
                /* wk is free again: dcols (Pc x K) = dz_chunk W^T */
                gemm(0, 1, Pc, K, F, 1.0, dc, P, W, K, 0.0, wk, Pc);
                col2im(din + n_in * s, wk, g, ox0, ox1);
            }
        }
        if (db)
            for (int f = 0; f < F; f++) dbs[f] = sum_run(d + (ptrdiff_t) P * f, P);
    }
    /* add the per-sample gradients in sample order */
    for (int s = 0; s < B; s++) {
        const real *dWs = part + n_part * s, *dbs = dWs + (long) K * F;
        if (dW) for (long i = 0; i < (long) K * F; i++) dW[i] += dWs[i];
        if (db) for (int f = 0; f < F; f++) db[f] += dbs[f];
    }
}

/* ---- the kind "conv2d" ---- */

/* Geometry of a conv2d or pooling layer: positive sizes that match the
 * layer's element counts, windows that stay inside the (padded) input;
 * pooling windows wholly inside the input. The kernels trust these, so an
 * edited model must not get past here. */
const char *geom_check(const layer *L, int pool)
{
    const conv_geom *g = &L->g;
    int ok = g->in_h > 0 && g->in_w > 0 && g->in_c > 0 && g->out_h > 0 &&
        g->out_w > 0 && g->out_c > 0 && g->kh > 0 && g->kw > 0 &&
        g->stride > 0 && g->pad_t >= 0 && g->pad_l >= 0 &&
        g->pad_t < g->kh && g->pad_l < g->kw &&
        (double) g->in_h * g->in_w * g->in_c == L->n_in &&
        (double) g->out_h * g->out_w * g->out_c == L->n_out &&
        /* the last window starts inside the image (padding < kernel) */
        (double) (g->out_h - 1) * g->stride - g->pad_t < (double) g->in_h &&
        (double) (g->out_w - 1) * g->stride - g->pad_l < (double) g->in_w;
    if (ok && pool)
        ok = g->out_c == g->in_c && g->pad_t == 0 && g->pad_l == 0 &&
            (double) (g->out_h - 1) * g->stride + g->kh <= (double) g->in_h &&
            (double) (g->out_w - 1) * g->stride + g->kw <= (double) g->in_w;
    return ok ? NULL : "an inconsistent geometry";
}

static const char *conv_check(const layer *L) { return geom_check(L, 0); }

static int conv_tensors(const layer *L, tensor_spec *t)
{
    const conv_geom *g = &L->g;
    t[0] = (tensor_spec) {.name = "W",
                          .n = (double) g->kh * g->kw * g->in_c * g->out_c,
                          .trainable = 1, .penalized = 1};
    t[1] = (tensor_spec) {.name = "b", .n = g->out_c, .trainable = 1};
    return 2;
}

static double conv_scratch(const layer *L, int B, double *ints)
{
    *ints = 0;
    return (double) conv2d_work_reals(&L->g, B);
}

static void conv_forward(network *nt, layer *L, const real *in, int B,
                         int pass)
{
    (void) nt; (void) pass;
    conv2d_forward(L->out, L->scratch, in, L->t[0], L->t[1], &L->g, L->act,
                   L->slope, B);
}

/* the gradients are added unscaled: the kind is not LK_FUSABLE, so its
 * gscale stays 1 */
static void conv_backward(network *nt, layer *L, const real *in, real *din,
                          int B)
{
    (void) nt;
    conv2d_backward(din, L->dt[0], L->dt[1], L->scratch, L->dout, in,
                    L->t[0], &L->g, B);
}

const layer_kind kind_conv2d = {
    "conv2d", LK_ACTIVATION, conv_check, conv_tensors, conv_scratch,
    conv_forward, conv_backward
};
