/* net.c: a network is a sequence of layers; one forward and one backward
 * loop serve every model (regressions, dense networks, CNNs), calling each
 * layer's kind through the table of layers.c. Pure C: buffers come from
 * the caller (R_alloc in the glue), randomness through nt->unif.
 *
 * Layer i reads the output of layer i - 1 (or the batch x for i = 0), all
 * (features x B) with one sample per column. */
#include <limits.h>
#include <string.h>
#include "net.h"

static const real *layer_input(const network *nt, const real *x, int i)
{
    return i == 0 ? x : nt->L[i - 1].out;
}

/* ---- tensors ---- */

int layer_init_tensors(layer *L)
{
    L->n_t = L->kind->tensors ? L->kind->tensors(L, L->ts) : 0;
    for (int i = 0; i < L->n_t; i++)
        if (L->ts[i].n > INT_MAX) return -1;
    return 0;
}

/* Position of tensor i of L in the flat buffers: which part (0 penalized,
 * 1 other trainable, 2 state) */
static int tensor_part(const tensor_spec *t)
{
    return !t->trainable ? 2 : t->penalized ? 0 : 1;
}

void net_tensor_sizes(const network *nt, double *n, double *n_pen,
                      double *n_state)
{
    double part[3] = {0, 0, 0};
    for (int l = 0; l < nt->n_layers; l++)
        for (int i = 0; i < nt->L[l].n_t; i++)
            part[tensor_part(&nt->L[l].ts[i])] += nt->L[l].ts[i].n;
    *n_pen = part[0];
    *n = part[0] + part[1];
    *n_state = part[2];
}

/* Penalized tensors first, then the other trainable ones, each group in
 * layer order; the state tensors in their own buffer. */
void net_bind_tensors(network *nt, param_set ps)
{
    long at[3] = {0, ps.n_pen, 0};
    nt->ps = ps;
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        for (int i = 0; i < L->n_t; i++) {
            int part = tensor_part(&L->ts[i]);
            long off = at[part];
            at[part] += (long) L->ts[i].n;
            L->t[i] = part == 2 ? ps.state + off : ps.p + off;
            L->dt[i] = part == 2 ? NULL : ps.g + off;
        }
        L->gscale = 1;
    }
}

/* ---- buffers ---- */

/* Reals and ints the buffers need, counted in double so that no size can
 * overflow (exact below 2^53; the glue refuses anything near that). */
void net_buffer_sizes(const network *nt, int cap, double *n_real,
                      double *n_int)
{
    double d = 0, i = 0;
    for (int l = 0; l < nt->n_layers; l++) {
        const layer *L = &nt->L[l];
        double ints = 0;
        if (!(L->kind->flags & LK_SHARES) || l == 0)
            d += 2.0 * L->n_out * cap;                  /* out, dout */
        if (L->kind->scratch) d += L->kind->scratch(L, cap, &ints);
        i += ints;
    }
    *n_real = d;
    *n_int = i;
}

/* Carve the caller's blocks (sizes from net_buffer_sizes) into buffers. */
void net_bind_buffers(network *nt, real *buf, int *ints, int cap)
{
    nt->batch_cap = cap;
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        if ((L->kind->flags & LK_SHARES) && l > 0) {
            /* the layout is already what the layer outputs: it shares the
             * previous layer's buffers, so nothing is copied */
            L->out = nt->L[l - 1].out;
            L->dout = nt->L[l - 1].dout;
        } else {
            long act = (long) L->n_out * cap;
            L->out = buf; buf += act;
            L->dout = buf; buf += act;
        }
        double n_int = 0, n_real = L->kind->scratch ?
            L->kind->scratch(L, cap, &n_int) : 0;
        L->scratch = n_real > 0 ? buf : NULL;
        L->iscratch = n_int > 0 ? ints : NULL;
        buf += (long) n_real;
        ints += (long) n_int;
    }
}

/* ---- the two loops ---- */

void net_forward(network *nt, const real *x, int B, int pass)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        L->kind->forward(nt, L, layer_input(nt, x, l), B, pass);
    }
}

/* Adds every trainable tensor's gradient, summed over the batch and scaled
 * by its layer's gscale, into its sink dt[] (see optim_begin()). */
void net_backward(network *nt, const real *x, int B)
{
    int last = nt->n_layers - 1;
    for (int l = last; l >= 0; l--) {
        layer *L = &nt->L[l];
        real *din = l > 0 ? nt->L[l - 1].dout : NULL;
        /* the loss gave the last layer dLoss/dz already */
        if (l != last && (L->kind->flags & LK_ACTIVATION))
            act_backward(L->dout, L->out, L->act, L->slope, L->n_out, B);
        L->kind->backward(nt, L, layer_input(nt, x, l), din, B);
    }
}

/* Output of the last layer, (k x batch_cap). */
real *net_output(network *nt) { return nt->L[nt->n_layers - 1].out; }
layer *net_last(network *nt) { return &nt->L[nt->n_layers - 1]; }
