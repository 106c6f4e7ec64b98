/* layer_avgpool2d.c: 2-D average pooling, per channel, no padding: the
 * kind "avgpool2d".
 *
 * Layout (see nnfs.h): in (in_h*in_w*C x B) and out (out_h*out_w*C x B),
 * pixel (y, x, c) of a sample at y + h*(x + w*c), C = in_c = out_c.
 * Windows are kh x kw with stride g->stride and lie wholly inside the input
 * (geom_check(L, 1)); each output is the mean of its window, so each input
 * of a window receives dout / (kh*kw) of its gradient. Samples are
 * independent: they are shared out among threads one at a time, and the
 * results do not depend on the thread count. */
#include <stddef.h>
#include <string.h>
#include "nnfs.h"
#include "threads.h"

/* one sample: o (out_h*out_w*C) from img (in_h*in_w*C) */
static void avg_sample(real *o, const real *img, const conv_geom *g)
{
    const real scale = (real) (1.0 / ((double) g->kh * g->kw));
    ptrdiff_t j = 0;               /* output index, (y, x, c) order */
    for (int c = 0; c < g->out_c; c++)
    for (int ox = 0; ox < g->out_w; ox++)
    for (int oy = 0; oy < g->out_h; oy++, j++) {
        const real *w = img + oy * g->stride +
            (ptrdiff_t) g->in_h * (ox * g->stride + (ptrdiff_t) g->in_w * c);
        real s = 0;
        for (int kx = 0; kx < g->kw; kx++)
            for (int ky = 0; ky < g->kh; ky++)
                s += w[ky + (ptrdiff_t) g->in_h * kx];
        o[j] = s * scale;
    }
}

/* one sample: d (in_h*in_w*C) = 0, then each window gets its share of do_ */
static void avg_sample_back(real *d, const real *do_, const conv_geom *g)
{
    const real scale = (real) (1.0 / ((double) g->kh * g->kw));
    memset(d, 0, sizeof(real) * (size_t) g->in_h * g->in_w * g->in_c);
    ptrdiff_t j = 0;
    for (int c = 0; c < g->out_c; c++)
    for (int ox = 0; ox < g->out_w; ox++)
    for (int oy = 0; oy < g->out_h; oy++, j++) {
        real *w = d + oy * g->stride +
            (ptrdiff_t) g->in_h * (ox * g->stride + (ptrdiff_t) g->in_w * c);
        real share = do_[j] * scale;
        for (int kx = 0; kx < g->kw; kx++)
            for (int ky = 0; ky < g->kh; ky++)
                w[ky + (ptrdiff_t) g->in_h * kx] += share;
    }
}

static const char *avg_check(const layer *L) { return geom_check(L, 1); }

static void avg_forward(network *nt, layer *L, const real *in, int B,
                        int pass)
{
    (void) nt; (void) pass;
    const ptrdiff_t n_in = L->n_in, n_out = L->n_out;
    const int th = threads_for_elems((double) n_in * B, B);
#pragma omp parallel for num_threads(th) schedule(dynamic, 1) if (th > 1)
    for (int s = 0; s < B; s++)
        avg_sample(L->out + n_out * s, in + n_in * s, &L->g);
}

static void avg_backward(network *nt, layer *L, const real *in, real *din,
                         int B)
{
    (void) nt; (void) in;
    if (!din) return;
    const ptrdiff_t n_in = L->n_in, n_out = L->n_out;
    const int th = threads_for_elems((double) n_in * B, B);
#pragma omp parallel for num_threads(th) schedule(dynamic, 1) if (th > 1)
    for (int s = 0; s < B; s++)
        avg_sample_back(din + n_in * s, L->dout + n_out * s, &L->g);
}

const layer_kind kind_avgpool2d = {
    "avgpool2d", 0, avg_check, NULL, NULL, avg_forward, avg_backward
};
