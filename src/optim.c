/* optim.c: the update step, separate from backward. Gradients arrive as
 * sums over the batch; `scale` (1 / B) turns them into means, so plain SGD
 * is the articles' w - (lr / B) * grad. L1 and L2 penalties apply to
 * weights, not biases:  g = scale * grad + l2 * w + l1 * sign(w). The step
 * turns the gradient buffers into that g; net_zero_grad() clears them
 * before the next backward pass. */
#include <stddef.h>
#include <math.h>
#include "net.h"

long optim_state_doubles(const network *nt, int kind)
{
    long n = 0;
    if (kind == OPT_SGD) return 0;
    for (int l = 0; l < nt->n_layers; l++)
        if (layer_has_params(&nt->L[l])) n += nt->L[l].n_w + nt->L[l].n_b;
    return 2 * n;
}

static double sign(double v) { return (v > 0.0) - (v < 0.0); }

/* g <- scale * g + penalties, in place: the mean gradient the rules use */
static void effective_grad(double *g, const double *p, long n, double scale,
                           double l1, double l2)
{
    if (l1 == 0.0 && l2 == 0.0) {
        for (long i = 0; i < n; i++) g[i] *= scale;
        return;
    }
    for (long i = 0; i < n; i++)
        g[i] = scale * g[i] + l2 * p[i] + l1 * sign(p[i]);
}

/* Update n parameters p from gradient sums g; s1, s2 hold the state.
 * One loop per rule, so that each compiles to straight vector code. */
static void update(double *p, double *g, double *s1, double *s2,
                   long n, const optim_cfg *o, double scale, int penalize,
                   long step)
{
    double lr = o->lr, mu = o->momentum;
    effective_grad(g, p, n, scale, penalize ? o->l1 : 0.0,
                   penalize ? o->l2 : 0.0);
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
            double prev = s1[i];
            s1[i] = mu * s1[i] - lr * g[i];
            p[i] += -mu * prev + (1.0 + mu) * s1[i];
        }
        break;
    case OPT_RMSPROP:
        for (long i = 0; i < n; i++) {
            s2[i] = o->rho * s2[i] + (1.0 - o->rho) * g[i] * g[i];
            p[i] -= lr * g[i] / (sqrt(s2[i]) + o->eps);
        }
        break;
    case OPT_ADAM: {
        double c1 = 1.0 - pow(o->beta1, (double) step);
        double c2 = 1.0 - pow(o->beta2, (double) step);
        for (long i = 0; i < n; i++) {
            s1[i] = o->beta1 * s1[i] + (1.0 - o->beta1) * g[i];
            s2[i] = o->beta2 * s2[i] + (1.0 - o->beta2) * g[i] * g[i];
            p[i] -= lr * (s1[i] / c1) / (sqrt(s2[i] / c2) + o->eps);
        }
        break;
    }
    default: /* OPT_SGD */
        for (long i = 0; i < n; i++) p[i] -= lr * g[i];
        break;
    }
}

/* One step over every layer; `step` counts updates from 1 (Adam). */
void optim_step(network *nt, double *state, const optim_cfg *o,
                double scale, long step)
{
    int stateful = o->kind != OPT_SGD;   /* plain SGD keeps no state */
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        if (!layer_has_params(L)) continue;
        long nw = L->n_w, nb = L->n_b;
        double *s1 = stateful ? state : NULL;
        double *s2 = stateful ? state + nw + nb : NULL;
        if (!layer_fused(nt, L)) {
            update(L->W, L->dW, s1, s2, nw, o, scale, 1, step);
            update(L->b, L->db, stateful ? s1 + nw : NULL,
                   stateful ? s2 + nw : NULL, nb, o, scale, 0, step);
        }
        if (stateful) state += 2 * (nw + nb);
    }
}
