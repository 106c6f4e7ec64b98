/* layer_maxpool2d.c: 2-D max pooling, per channel, no padding.
 *
 * Layout (see nnfs.h):
 *   in     (in_h*in_w*C x B), pixel (y, x, c) of a sample at
 *          y + in_h*(x + in_w*c), C = in_c = out_c;
 *   out    (out_h*out_w*C x B), same pixel order;
 *   argmax (out_h*out_w*C x B) ints: index within the sample's input of the
 *          element each output took; the first (lowest index) on ties.
 * Windows are kh x kw with stride g->stride and lie wholly inside the input:
 * out_h = (in_h - kh) / stride + 1, likewise out_w. */
#include <stddef.h>
#include <string.h>
#include "nnfs.h"
#include "threads.h"

/* One step of the scan: take v at index i if it beats the best so far.
 * Written with a mask and a max rather than a branch (after a ReLU, ties
 * and near ties are common and a branch would often be mispredicted). */
#define POOL_TAKE(v, i) do {                                               \
        real v_ = (v);                                                   \
        int m_ = -(v_ > best);                                             \
        bi = (bi & ~m_) | ((i) & m_);                                      \
        best = v_ > best ? v_ : best;                                      \
    } while (0)

/* The common 2 x 2 window with stride 2: the same comparisons in the same
 * order as the general loop below, written without branches over one
 * output column at a time so that the compiler vectorises it (the two
 * input columns are read at stride 2). */
static void pool2x2(real *o, int *am, const real *img, const conv_geom *g)
{
    ptrdiff_t j = 0;
    const int h = g->in_h, oh = g->out_h;
    for (int c = 0; c < g->out_c; c++)
    for (int ox = 0; ox < g->out_w; ox++, j += oh) {
        const int col = h * (2 * ox + g->in_w * c);
        const real *x0 = img + col, *x1 = img + col + h;
        real *oj = o + j;
        int *aj = am + j;
#pragma omp simd
        for (int oy = 0; oy < oh; oy++) {
            int i = col + 2 * oy, bi = i, m;
            real best = x0[2 * oy], v;
            v = x0[2 * oy + 1]; m = v > best;
            best = m ? v : best; bi = m ? i + 1 : bi;
            v = x1[2 * oy]; m = v > best;
            best = m ? v : best; bi = m ? i + h : bi;
            v = x1[2 * oy + 1]; m = v > best;
            best = m ? v : best; bi = m ? i + h + 1 : bi;
            oj[oy] = best;
            aj[oy] = bi;
        }
    }
}

static void pool_any(real *o, int *am, const real *img, const conv_geom *g)
{
    ptrdiff_t j = 0;               /* output index, (y, x, c) order */
    for (int c = 0; c < g->out_c; c++)
    for (int ox = 0; ox < g->out_w; ox++)
    for (int oy = 0; oy < g->out_h; oy++, j++) {
        /* top-left of the window; scan in memory order (y fastest) so
         * that a strict > keeps the first maximum */
        int base = oy * g->stride +
                   g->in_h * (ox * g->stride + g->in_w * c);
        int bi = base;
        real best = img[base];
        for (int kx = 0; kx < g->kw; kx++)
            for (int ky = 0; ky < g->kh; ky++) {
                int i = base + ky + g->in_h * kx;
                POOL_TAKE(img[i], i);
            }
        o[j] = best;
        am[j] = bi;
    }
}

/* Samples are pooled independently, shared out among threads when the
 * batch is large enough (threads.c), one at a time as threads come free. */
void maxpool2d_forward(real *out, int *argmax, const real *in,
                       const conv_geom *g, int B)
{
    const ptrdiff_t n_in = (ptrdiff_t) g->in_h * g->in_w * g->in_c;
    const ptrdiff_t n_out = (ptrdiff_t) g->out_h * g->out_w * g->out_c;
    const int fast = g->kh == 2 && g->kw == 2 && g->stride == 2;
    const int nt = threads_for_elems((double) n_in * B, B);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int s = 0; s < B; s++) {
        if (fast)
            pool2x2(out + n_out * s, argmax + n_out * s, in + n_in * s, g);
        else
            pool_any(out + n_out * s, argmax + n_out * s, in + n_in * s, g);
    }
}

/* din (n_in x B) = 0, then each dout element is added at its argmax */
void maxpool2d_backward(real *din, const real *dout, const int *argmax,
                        const conv_geom *g, int B)
{
    const ptrdiff_t n_in = (ptrdiff_t) g->in_h * g->in_w * g->in_c;
    const ptrdiff_t n_out = (ptrdiff_t) g->out_h * g->out_w * g->out_c;
    const int nt = threads_for_elems((double) n_in * B, B);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int s = 0; s < B; s++) {
        real *d = din + n_in * s;
        memset(d, 0, sizeof(real) * (size_t) n_in);
        const real *o = dout + n_out * s;
        const int *am = argmax + n_out * s;
        for (ptrdiff_t j = 0; j < n_out; j++) d[am[j]] += o[j];
    }
}

/* ---- the kind "maxpool2d": argmax is the layer's int scratch ---- */

static const char *pool_check(const layer *L) { return geom_check(L, 1); }

static double pool_scratch(const layer *L, int B, double *ints)
{
    *ints = (double) L->n_out * B;
    return 0;
}

static void pool_forward(network *nt, layer *L, const real *in, int B,
                         int pass)
{
    (void) nt; (void) pass;
    maxpool2d_forward(L->out, L->iscratch, in, &L->g, B);
}

static void pool_backward(network *nt, layer *L, const real *in, real *din,
                          int B)
{
    (void) nt; (void) in;
    if (din) maxpool2d_backward(din, L->dout, L->iscratch, &L->g, B);
}

const layer_kind kind_maxpool2d = {
    "maxpool2d", 0, pool_check, NULL, pool_scratch, pool_forward,
    pool_backward
};
