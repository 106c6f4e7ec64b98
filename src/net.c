/* net.c: a network is a sequence of layers; one forward and one backward
 * loop serve dense networks and CNNs alike. Pure C: buffers come from the
 * caller (R_alloc in the glue), randomness through nt->unif.
 *
 * Layer i reads the output of layer i - 1 (or the batch x for i = 0), all
 * (features x B) with one sample per column. */
#include <string.h>
#include "net.h"

static const double *layer_input(const network *nt, const double *x, int i)
{
    return i == 0 ? x : nt->L[i - 1].out;
}

int layer_has_params(const layer *L)
{
    return L->kind == LAYER_DENSE || L->kind == LAYER_CONV2D;
}

/* ---- buffers ---- */

/* Doubles and ints the buffers need, counted in double so that no size
 * can overflow (exact below 2^53; the glue refuses anything near that). */
void net_buffer_sizes(const network *nt, int cap, double *n_dbl, double *n_int)
{
    double d = 0, i = 0;
    for (int l = 0; l < nt->n_layers; l++) {
        const layer *L = &nt->L[l];
        double act = (double) L->n_out * cap;
        d += 2 * act;                                  /* out, dout */
        if (L->kind == LAYER_DROPOUT) d += act;        /* mask */
        if (L->kind == LAYER_MAXPOOL2D) i += act;      /* argmax */
        if (L->kind == LAYER_CONV2D) d += (double) conv2d_work_doubles(&L->g, cap);
        if (layer_has_params(L)) d += (double) L->n_w + L->n_b; /* dW, db */
    }
    *n_dbl = d;
    *n_int = i;
}

/* Carve the caller's blocks (sizes from net_buffer_sizes) into buffers. */
void net_bind_buffers(network *nt, double *dbl, int *ints, int cap)
{
    nt->batch_cap = cap;
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        long act = (long) L->n_out * cap;
        L->out = dbl; dbl += act;
        L->dout = dbl; dbl += act;
        L->mask = NULL; L->argmax = NULL; L->work = NULL;
        L->dW = NULL; L->db = NULL;
        if (L->kind == LAYER_DROPOUT) { L->mask = dbl; dbl += act; }
        if (L->kind == LAYER_MAXPOOL2D) { L->argmax = ints; ints += act; }
        if (L->kind == LAYER_CONV2D) {
            L->work = dbl;
            dbl += conv2d_work_doubles(&L->g, cap);
        }
        /* the layout is already flat: a flatten layer after another layer
         * shares that layer's buffers (its own stay unused), so nothing is
         * copied */
        if (L->kind == LAYER_FLATTEN && l > 0) {
            L->out = nt->L[l - 1].out;
            L->dout = nt->L[l - 1].dout;
        }
        if (layer_has_params(L)) {
            L->dW = dbl; dbl += L->n_w;
            L->db = dbl; dbl += L->n_b;
        }
    }
}

/* Dense layers whose SGD step is fused into backward keep no gradient. */
int layer_fused(const network *nt, const layer *L)
{
    return nt->sgd_step > 0.0 && L->kind == LAYER_DENSE;
}

void net_zero_grad(network *nt)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        if (!layer_has_params(L) || layer_fused(nt, L)) continue;
        memset(L->dW, 0, sizeof(double) * L->n_w);
        memset(L->db, 0, sizeof(double) * L->n_b);
    }
}

/* ---- forward ---- */

/* Inverted dropout: keep a unit with probability 1 - rate and scale it by
 * 1 / (1 - rate), so prediction needs no rescaling. */
static void dropout_forward(layer *L, const double *in, int B, int train,
                            double (*unif)(void))
{
    long len = (long) L->n_out * B;
    if (!train || L->rate <= 0.0) {
        memcpy(L->out, in, sizeof(double) * len);
        if (L->mask) for (long i = 0; i < len; i++) L->mask[i] = 1.0;
        return;
    }
    double keep = 1.0 - L->rate, scale = 1.0 / keep;
    for (long i = 0; i < len; i++) {
        L->mask[i] = unif() < keep ? scale : 0.0;
        L->out[i] = in[i] * L->mask[i];
    }
}

void net_forward(network *nt, const double *x, int B, int train)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        const double *in = layer_input(nt, x, l);
        switch (L->kind) {
        case LAYER_DENSE:
            dense_forward(L->out, in, L->W, L->b, L->n_out, L->n_in, B);
            act_forward(L->out, L->act, L->slope, L->n_out, B);
            break;
        case LAYER_CONV2D:
            conv2d_forward(L->out, L->work, in, L->W, L->b, &L->g, L->act,
                           L->slope, B);
            break;
        case LAYER_MAXPOOL2D:
            maxpool2d_forward(L->out, L->argmax, in, &L->g, B);
            break;
        case LAYER_DROPOUT:
            dropout_forward(L, in, B, train, nt->unif);
            break;
        default: /* LAYER_FLATTEN: the layout is already flat */
            if (L->out != in)
                memcpy(L->out, in, sizeof(double) * L->n_out * (long) B);
            break;
        }
    }
}

/* ---- backward ---- */

/* Expects the last layer's dout to hold dLoss/dz (loss_delta); adds every
 * parameter's gradient, summed over the batch, into dW and db (or, for
 * fused dense layers, applies the SGD step at once). */
void net_backward(network *nt, const double *x, int B)
{
    int last = nt->n_layers - 1;
    for (int l = last; l >= 0; l--) {
        layer *L = &nt->L[l];
        const double *in = layer_input(nt, x, l);
        double *din = l > 0 ? nt->L[l - 1].dout : NULL;
        long len_in = (long) L->n_in * B;
        if (l != last && layer_has_params(L))
            act_backward(L->dout, L->out, L->act, L->slope, L->n_out, B);
        switch (L->kind) {
        case LAYER_DENSE:
            if (layer_fused(nt, L))
                dense_backward_sgd(din, L->W, L->b, L->dout, in, nt->sgd_step,
                                   L->n_out, L->n_in, B);
            else
                dense_backward(din, L->dW, L->db, L->dout, in, L->W,
                               L->n_out, L->n_in, B);
            break;
        case LAYER_CONV2D:
            conv2d_backward(din, L->dW, L->db, L->work, L->dout, in, L->W,
                            &L->g, B);
            break;
        case LAYER_MAXPOOL2D:
            if (din) maxpool2d_backward(din, L->dout, L->argmax, &L->g, B);
            break;
        case LAYER_DROPOUT:
            if (din) for (long i = 0; i < len_in; i++) din[i] = L->dout[i] * L->mask[i];
            break;
        default: /* LAYER_FLATTEN */
            if (din && din != L->dout)
                memcpy(din, L->dout, sizeof(double) * len_in);
            break;
        }
    }
}

/* Output of the last layer, (k x batch_cap). */
double *net_output(network *nt) { return nt->L[nt->n_layers - 1].out; }
