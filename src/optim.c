/* optim.c: the optimizer module, everything that updates parameters:
 * plain SGD, momentum, Nesterov, RMSprop, Adam, the L1 and L2 penalties,
 * and the fused fast path of plain SGD.
 *
 * Gradients arrive as sums over the batch; the step scales them by 1 / B
 * into means, so plain SGD is the articles' w - (lr / B) * grad. L1 and L2
 * penalties apply to the tensors their layer marks as penalized (weights,
 * not biases):  g = grad / B + l2 * w + l1 * sign(w). All trainable values
 * are one flat buffer, the penalized ones first (net_bind_tensors), so a
 * step is one loop over [0, n_pen) with the penalties and one over
 * [n_pen, n) without; the state is optim_slots() more such buffers. */
#include <math.h>
#include <string.h>
#include "net.h"

const char *const opt_names[OPT_COUNT] = {
    "sgd", "momentum", "nesterov", "rmsprop", "adam"
};
const char *const opt_slot_names[OPT_COUNT][2] = {
    {NULL, NULL}, {"velocity", NULL}, {"velocity", NULL},
    {"mean_square", NULL}, {"m", "v"}
};

int optim_slots(int kind)
{
    int n = 0;
    for (int i = 0; i < 2; i++) n += opt_slot_names[kind][i] != NULL;
    return n;
}

/* Plain SGD is stepped inside backward when nothing else needs the
 * gradient: no penalty, and every layer with trainable tensors adds each
 * gradient in one pass after its last read of the parameters. Small
 * batches then skip zeroing, filling and reading a gradient buffer that
 * would cost more than the products themselves. */
static int fusable(const network *nt, const optim_cfg *o)
{
    if (o->kind != OPT_SGD || o->l1 != 0.0 || o->l2 != 0.0) return 0;
    for (int l = 0; l < nt->n_layers; l++) {
        const layer *L = &nt->L[l];
        for (int i = 0; i < L->n_t; i++)
            if (L->ts[i].trainable && !(L->kind->flags & LK_FUSABLE)) return 0;
    }
    return 1;
}

/* every layer's gradient sinks: the parameters themselves scaled by
 * `scale` (fused), or the gradient buffer unscaled */
static void set_sinks(network *nt, int fused, real scale)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        for (int i = 0; i < L->n_t; i++) {
            if (!L->ts[i].trainable) continue;
            long off = (long) (L->t[i] - nt->ps.p);
            L->dt[i] = fused ? L->t[i] : nt->ps.g + off;
        }
        L->gscale = fused ? scale : 1;
    }
}

void optim_grad_only(network *nt)
{
    set_sinks(nt, 0, 1);
    memset(nt->ps.g, 0, sizeof(real) * nt->ps.n);
}

void optim_begin(network *nt, const optim_cfg *o, int B)
{
    int fused = fusable(nt, o);
    set_sinks(nt, fused, (real) (-o->lr / B));
    if (!fused) memset(nt->ps.g, 0, sizeof(real) * nt->ps.n);
}

static real sign(real v) { return (real) ((v > 0) - (v < 0)); }

/* g <- scale * g + penalties, in place: the mean gradient the rules use */
static void effective_grad(real *g, const real *p, long n, real scale,
                           real l1, real l2)
{
    if (l1 == 0 && l2 == 0) {
        for (long i = 0; i < n; i++) g[i] *= scale;
        return;
    }
    for (long i = 0; i < n; i++)
        g[i] = scale * g[i] + l2 * p[i] + l1 * sign(p[i]);
}

/* Update n parameters p from mean gradients g; s1, s2 hold the state.
 * One loop per rule, so that each compiles to straight vector code. */
static void update(real *p, const real *g, real *s1, real *s2, long n,
                   const optim_cfg *o, long step)
{
    real lr = (real) o->lr, mu = (real) o->momentum;
    switch (o->kind) {
    case OPT_MOMENTUM:
        for (long i = 0; i < n; i++) {
            s1[i] = mu * s1[i] - lr * g[i];
            p[i] += s1[i];
        }
        break;
    case OPT_NESTEROV:
        /* look-ahead form on the stored parameters */
        for (long i = 0; i < n; i++) {
            real prev = s1[i];
            s1[i] = mu * s1[i] - lr * g[i];
            p[i] += -mu * prev + (1 + mu) * s1[i];
        }
        break;
    case OPT_RMSPROP: {
        real rho = (real) o->rho, eps = (real) o->eps;
        for (long i = 0; i < n; i++) {
            s1[i] = rho * s1[i] + (1 - rho) * g[i] * g[i];
            p[i] -= lr * g[i] / (rsqrt(s1[i]) + eps);
        }
        break;
    }
    case OPT_ADAM: {
        real b1 = (real) o->beta1, b2 = (real) o->beta2, eps = (real) o->eps;
        real c1 = (real) (1.0 - pow(o->beta1, (double) step));
        real c2 = (real) (1.0 - pow(o->beta2, (double) step));
        for (long i = 0; i < n; i++) {
            s1[i] = b1 * s1[i] + (1 - b1) * g[i];
            s2[i] = b2 * s2[i] + (1 - b2) * g[i] * g[i];
            p[i] -= lr * (s1[i] / c1) / (rsqrt(s2[i] / c2) + eps);
        }
        break;
    }
    default: /* OPT_SGD */
        for (long i = 0; i < n; i++) p[i] -= lr * g[i];
        break;
    }
}

void optim_step(network *nt, real *state, const optim_cfg *o, int B,
                long step)
{
    param_set *ps = &nt->ps;
    if (fusable(nt, o)) return;       /* done inside backward */
    long n = ps->n, np = ps->n_pen;
    real scale = (real) (1.0 / B);
    real *s1 = optim_slots(o->kind) > 0 ? state : NULL;
    real *s2 = optim_slots(o->kind) > 1 ? state + n : NULL;
    effective_grad(ps->g, ps->p, np, scale, (real) o->l1, (real) o->l2);
    effective_grad(ps->g + np, ps->p + np, n - np, scale, 0, 0);
    update(ps->p, ps->g, s1, s2, n, o, step);
}
