/* layer_batchnorm.c: batch normalisation, the kind "batchnorm".
 *
 * Statistics per channel: after a dense layer (no geometry) every unit is
 * a channel with one position; after a convolution (geometry in = out,
 * 1 x 1 windows) channel c of a sample is its in_h*in_w positions at
 * c*P .. c*P + P - 1 (nnfs.h), and its statistics run over the batch and
 * all positions: m = B*P values.
 *
 * Tensors, one value per channel: gamma (scale) and beta (shift), trained
 * and not penalized; running_mean and running_var, the engine's state.
 *   PASS_TRAIN   batch mean and biased variance var;
 *                x_hat = (x - mean) / sqrt(var + eps), y = gamma x_hat + beta;
 *                then running = momentum running + (1 - momentum) batch,
 *                with the unbiased variance var * m / (m - 1) for
 *                running_var (var itself when m = 1), as PyTorch does.
 *   PASS_GRAD    the same without touching the running statistics.
 *   PASS_PREDICT the running statistics in place of the batch's.
 * Backward (through the batch statistics), per channel with
 * dy = dLoss/dy: dbeta = sum dy, dgamma = sum dy x_hat,
 *   dx = gamma / (m sqrt(var + eps)) (m dy - dbeta - x_hat dgamma).
 * Scratch: x_hat (n x B) and 1 / sqrt(var + eps) per channel, left by the
 * forward pass for the backward one. Sums run in double, over each run of
 * a channel's positions in four interleaved partial sums (one chain of
 * dependent additions would bound the speed), the runs in sample order;
 * channels are shared among threads, so the results do not depend on
 * their number. */
#include <math.h>
#include <stddef.h>
#include "nnfs.h"
#include "threads.h"

/* sums over a run of P values: of x, of (x - mu)^2, of a * b; four
 * partial sums, added in a fixed order */
static double run_sum(const real *x, int P)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= P; p += 4) {
        s0 += x[p]; s1 += x[p + 1]; s2 += x[p + 2]; s3 += x[p + 3];
    }
    for (; p < P; p++) s0 += x[p];
    return (s0 + s1) + (s2 + s3);
}

static double run_ssd(const real *x, int P, double mu)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= P; p += 4) {
        double d0 = x[p] - mu, d1 = x[p + 1] - mu, d2 = x[p + 2] - mu,
            d3 = x[p + 3] - mu;
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; p < P; p++) { double d = x[p] - mu; s0 += d * d; }
    return (s0 + s1) + (s2 + s3);
}

static double run_dot(const real *a, const real *b, int P)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= P; p += 4) {
        s0 += (double) a[p] * b[p]; s1 += (double) a[p + 1] * b[p + 1];
        s2 += (double) a[p + 2] * b[p + 2]; s3 += (double) a[p + 3] * b[p + 3];
    }
    for (; p < P; p++) s0 += (double) a[p] * b[p];
    return (s0 + s1) + (s2 + s3);
}

/* channels C and positions per channel P */
static void bn_shape(const layer *L, int *C, int *P)
{
    const conv_geom *g = &L->g;
    if (g->in_c > 0) { *C = g->in_c; *P = g->in_h * g->in_w; }
    else { *C = L->n_in; *P = 1; }
}

static int no_geom(const conv_geom *g)
{
    return !(g->in_h | g->in_w | g->in_c | g->out_h | g->out_w | g->out_c |
             g->kh | g->kw | g->stride | g->pad_t | g->pad_l);
}

static const char *bn_check(const layer *L)
{
    const conv_geom *g = &L->g;
    if (!(L->eps > 0 && isfinite(L->eps)))
        return "an epsilon that is not a positive number";
    if (!(L->momentum >= 0 && L->momentum <= 1))
        return "a momentum outside [0, 1]";
    if (L->n_in != L->n_out) return "sizes in and out that differ";
    if (no_geom(g)) return NULL;
    int ok = g->in_h > 0 && g->in_w > 0 && g->in_c > 0 &&
        g->out_h == g->in_h && g->out_w == g->in_w && g->out_c == g->in_c &&
        g->kh == 1 && g->kw == 1 && g->stride == 1 && g->pad_t == 0 &&
        g->pad_l == 0 && (double) g->in_h * g->in_w * g->in_c == L->n_in;
    return ok ? NULL : "an inconsistent geometry";
}

static int bn_tensors(const layer *L, tensor_spec *t)
{
    int C, P;
    bn_shape(L, &C, &P);
    t[0] = (tensor_spec) {.name = "gamma", .n = C, .trainable = 1, .init = 1};
    t[1] = (tensor_spec) {.name = "beta", .n = C, .trainable = 1};
    t[2] = (tensor_spec) {.name = "running_mean", .n = C};
    t[3] = (tensor_spec) {.name = "running_var", .n = C, .init = 1,
                          .nonnegative = 1};
    return 4;
}

static double bn_scratch(const layer *L, int B, double *ints)
{
    int C, P;
    bn_shape(L, &C, &P);
    *ints = 0;
    return (double) L->n_out * B + C;
}

static void bn_forward(network *nt, layer *L, const real *in, int B,
                       int pass)
{
    (void) nt;
    int C, P;
    bn_shape(L, &C, &P);
    const ptrdiff_t n = L->n_in;
    const real *gamma = L->t[0], *beta = L->t[1];
    real *rmean = L->t[2], *rvar = L->t[3];
    real *xhat = L->scratch, *istd = L->scratch + n * B;
    const double m = (double) B * P, mom = L->momentum, eps = L->eps;
    const int th = threads_for_elems(3.0 * (double) n * B, C);
#pragma omp parallel for num_threads(th) schedule(static) if (th > 1)
    for (int c = 0; c < C; c++) {
        const ptrdiff_t off = (ptrdiff_t) c * P;
        if (pass == PASS_PREDICT) {
            real a = (real) (gamma[c] / sqrt((double) rvar[c] + eps));
            real b = (real) (beta[c] - a * (double) rmean[c]);
            for (int s = 0; s < B; s++) {
                const real *x = in + n * s + off;
                real *y = L->out + n * s + off;
                for (int p = 0; p < P; p++) y[p] = a * x[p] + b;
            }
            continue;
        }
        double sum = 0, ss = 0;
        for (int s = 0; s < B; s++) sum += run_sum(in + n * s + off, P);
        const double mean = sum / m;
        for (int s = 0; s < B; s++) ss += run_ssd(in + n * s + off, P, mean);
        const double var = ss / m;
        const real is = (real) (1.0 / sqrt(var + eps));
        const real mu = (real) mean, g = gamma[c], b = beta[c];
        for (int s = 0; s < B; s++) {
            const real *x = in + n * s + off;
            real *xh = xhat + n * s + off, *y = L->out + n * s + off;
            for (int p = 0; p < P; p++) {
                xh[p] = (x[p] - mu) * is;
                y[p] = g * xh[p] + b;
            }
        }
        istd[c] = is;
        if (pass == PASS_TRAIN) {
            double unbiased = m > 1 ? var * m / (m - 1) : var;
            rmean[c] = (real) (mom * rmean[c] + (1 - mom) * mean);
            rvar[c] = (real) (mom * rvar[c] + (1 - mom) * unbiased);
        }
    }
}

static void bn_backward(network *nt, layer *L, const real *in, real *din,
                        int B)
{
    (void) nt; (void) in;
    int C, P;
    bn_shape(L, &C, &P);
    const ptrdiff_t n = L->n_in;
    const real *gamma = L->t[0], *xhat = L->scratch;
    const real *istd = L->scratch + n * B;
    real *dgamma = L->dt[0], *dbeta = L->dt[1];
    const double m = (double) B * P;
    const int th = threads_for_elems(3.0 * (double) n * B, C);
#pragma omp parallel for num_threads(th) schedule(static) if (th > 1)
    for (int c = 0; c < C; c++) {
        const ptrdiff_t off = (ptrdiff_t) c * P;
        double sdy = 0, sdyx = 0;
        for (int s = 0; s < B; s++) {
            const real *dy = L->dout + n * s + off, *xh = xhat + n * s + off;
            sdy += run_sum(dy, P);
            sdyx += run_dot(dy, xh, P);
        }
        /* read gamma before the sinks change (they are not gamma itself:
         * the kind is not LK_FUSABLE, but the rule costs nothing) */
        const real k = (real) (gamma[c] * istd[c] / m);
        dgamma[c] += L->gscale * (real) sdyx;
        dbeta[c] += L->gscale * (real) sdy;
        if (!din) continue;
        const real fm = (real) m, fdy = (real) sdy, fdyx = (real) sdyx;
        for (int s = 0; s < B; s++) {
            const real *dy = L->dout + n * s + off, *xh = xhat + n * s + off;
            real *dx = din + n * s + off;
            for (int p = 0; p < P; p++)
                dx[p] = k * (fm * dy[p] - fdy - xh[p] * fdyx);
        }
    }
}

const layer_kind kind_batchnorm = {
    "batchnorm", 0, bn_check, bn_tensors, bn_scratch, bn_forward,
    bn_backward
};
