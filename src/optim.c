/* optim.c: the update step, separate from backward. Gradients arrive as
 * sums over the batch; `scale` (1 / B) turns them into means, so plain SGD
 * is the articles' w - (lr / B) * grad. L1 and L2 penalties apply to
 * weights, not biases:  g = scale * grad + l2 * w + l1 * sign(w). */
#include <math.h>
#include "net.h"

long optim_state_doubles(const network *nt)
{
    long n = 0;
    for (int l = 0; l < nt->n_layers; l++)
        if (layer_has_params(&nt->L[l])) n += nt->L[l].n_w + nt->L[l].n_b;
    return 2 * n;
}

static double sign(double v) { return (v > 0.0) - (v < 0.0); }

/* Update n parameters p from gradient sums g; s1, s2 hold the state. */
static void update(double *p, const double *g, double *s1, double *s2,
                   long n, const optim_cfg *o, double scale, int penalize,
                   long step)
{
    double lr = o->lr, mu = o->momentum;
    double c1 = 1.0, c2 = 1.0;
    if (o->kind == OPT_ADAM) {
        c1 = 1.0 - pow(o->beta1, (double) step);
        c2 = 1.0 - pow(o->beta2, (double) step);
    }
    for (long i = 0; i < n; i++) {
        double gi = scale * g[i];
        if (penalize) gi += o->l2 * p[i] + o->l1 * sign(p[i]);
        switch (o->kind) {
        case OPT_MOMENTUM:
            s1[i] = mu * s1[i] - lr * gi;
            p[i] += s1[i];
            break;
        case OPT_NESTEROV: {
            /* look-ahead form on the stored parameters */
            double prev = s1[i];
            s1[i] = mu * s1[i] - lr * gi;
            p[i] += -mu * prev + (1.0 + mu) * s1[i];
            break;
        }
        case OPT_RMSPROP:
            s2[i] = o->rho * s2[i] + (1.0 - o->rho) * gi * gi;
            p[i] -= lr * gi / (sqrt(s2[i]) + o->eps);
            break;
        case OPT_ADAM:
            s1[i] = o->beta1 * s1[i] + (1.0 - o->beta1) * gi;
            s2[i] = o->beta2 * s2[i] + (1.0 - o->beta2) * gi * gi;
            p[i] -= lr * (s1[i] / c1) / (sqrt(s2[i] / c2) + o->eps);
            break;
        default: /* OPT_SGD */
            p[i] -= lr * gi;
            break;
        }
    }
}

/* One step over every layer; `step` counts updates from 1 (Adam). */
void optim_step(network *nt, double *state, const optim_cfg *o,
                double scale, long step)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        if (!layer_has_params(L)) continue;
        long nw = L->n_w, nb = L->n_b;
        double *s1 = state, *s2 = state + nw + nb;
        update(L->W, L->dW, s1, s2, nw, o, scale, 1, step);
        update(L->b, L->db, s1 + nw, s2 + nw, nb, o, scale, 0, step);
        state += 2 * (nw + nb);
    }
}
