/* train.c: the epoch and mini-batch loop, evaluation and prediction.
 * Uses R's memory (R_alloc), RNG, printing and interrupt check, but no
 * R objects: the glue hands it plain arrays. */
#include <math.h>
#include <string.h>
#include <R_ext/Memory.h>
#include <R_ext/Print.h>
#include <R_ext/Random.h>
#include <R_ext/Utils.h>
#include "net.h"

/* copy columns idx[0..B-1] of src (rows x n) into dst (rows x B) */
static void gather(double *dst, const double *src, const int *idx, int rows,
                   int B)
{
    for (int j = 0; j < B; j++)
        memcpy(dst + (long) j * rows, src + (long) idx[j] * rows,
               sizeof(double) * rows);
}

/* Fisher-Yates shuffle with R's RNG, so set.seed() reproduces it */
static void shuffle(int *perm, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int) R_unif_index(i + 1.0);
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
}

/* ---- parameters as one flat copy, for early stopping ---- */

static long param_count(const network *nt)
{
    long n = 0;
    for (int l = 0; l < nt->n_layers; l++)
        if (layer_has_params(&nt->L[l])) n += nt->L[l].n_w + nt->L[l].n_b;
    return n;
}

static void params_copy(network *nt, double *flat, int save)
{
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        if (!layer_has_params(L)) continue;
        size_t nw = sizeof(double) * L->n_w, nb = sizeof(double) * L->n_b;
        if (save) { memcpy(flat, L->W, nw); memcpy(flat + L->n_w, L->b, nb); }
        else      { memcpy(L->W, flat, nw); memcpy(L->b, flat + L->n_w, nb); }
        flat += L->n_w + L->n_b;
    }
}

/* ---- evaluation ---- */

/* Mean loss and accuracy over x (p x n), y (k x n), in chunks of the
 * buffer capacity, without dropout. */
void net_evaluate(network *nt, const double *x, const double *y, int p,
                  int k, int n, int cost, double *loss, double *acc)
{
    double s = 0.0;
    long correct = 0;
    int act = nt->L[nt->n_layers - 1].act;
    for (int i = 0; i < n; i += nt->batch_cap) {
        int B = n - i < nt->batch_cap ? n - i : nt->batch_cap;
        net_forward(nt, x + (long) i * p, B, 0);
        s += loss_forward(net_output(nt), y + (long) i * k, cost, act, k, B);
        correct += loss_correct(net_output(nt), y + (long) i * k, k, B);
    }
    *loss = s / n;
    *acc = (double) correct / n;
}

/* out (k x n) = network output for x (p x n) */
void net_predict(network *nt, double *out, const double *x, int p, int k,
                 int n)
{
    for (int i = 0; i < n; i += nt->batch_cap) {
        int B = n - i < nt->batch_cap ? n - i : nt->batch_cap;
        net_forward(nt, x + (long) i * p, B, 0);
        memcpy(out + (long) i * k, net_output(nt), sizeof(double) * k * (long) B);
    }
}

/* ---- training ---- */

static void report(const train_hist *h, int e, int epochs, int has_val)
{
    Rprintf("Epoch %d/%d: loss %.4f, accuracy %.4f", e + 1, epochs,
            h->train_loss[e], h->train_acc[e]);
    if (has_val)
        Rprintf(" | validation loss %.4f, accuracy %.4f", h->val_loss[e],
                h->val_acc[e]);
    Rprintf("\n");
}

/* One epoch of mini-batch training; returns 0, or 1 if the loss became
 * NaN or infinite (the parameters are then not to be used). */
static int train_epoch(network *nt, const train_data *d, const train_cfg *cfg,
                       int *perm, double *xb, double *yb, double *state,
                       long *step, double *loss, double *acc)
{
    int last_act = nt->L[nt->n_layers - 1].act;
    double slope = nt->L[nt->n_layers - 1].slope, s = 0.0;
    long correct = 0;
    /* plain SGD without penalties needs no gradient buffers for dense
     * layers: their step is taken inside the backward pass */
    int fuse_sgd = cfg->opt.kind == OPT_SGD && cfg->opt.l1 == 0.0 &&
                   cfg->opt.l2 == 0.0;
    if (cfg->shuffle) shuffle(perm, d->n);
    for (int i = 0; i < d->n; i += cfg->batch) {
        int B = d->n - i < cfg->batch ? d->n - i : cfg->batch;
        gather(xb, d->x, perm + i, d->p, B);
        gather(yb, d->y, perm + i, d->k, B);
        net_forward(nt, xb, B, 1);
        double *a = net_output(nt);
        double bl = loss_forward(a, yb, cfg->cost, last_act, d->k, B);
        if (!isfinite(bl)) return 1;
        s += bl;
        correct += loss_correct(a, yb, d->k, B);
        nt->sgd_step = fuse_sgd ? cfg->opt.lr / B : 0.0;
        net_zero_grad(nt);
        loss_delta(nt->L[nt->n_layers - 1].dout, a, yb, cfg->cost, last_act,
                   slope, d->k, B);
        net_backward(nt, xb, B);
        optim_step(nt, state, &cfg->opt, 1.0 / B, ++(*step));
        R_CheckUserInterrupt();
    }
    *loss = s / d->n;
    *acc = (double) correct / d->n;
    return 0;
}

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h)
{
    int has_val = d->xv != NULL && d->nv > 0;
    int stopping = cfg->patience > 0 && has_val;
    int *perm = (int *) R_alloc(d->n, sizeof(int));
    double *xb = (double *) R_alloc((size_t) d->p * cfg->batch, sizeof(double));
    double *yb = (double *) R_alloc((size_t) d->k * cfg->batch, sizeof(double));
    long n_state = optim_state_doubles(nt), step = 0;
    double *state = (double *) R_alloc(n_state > 0 ? n_state : 1, sizeof(double));
    double *best = stopping ?
        (double *) R_alloc(param_count(nt), sizeof(double)) : NULL;
    double best_loss = INFINITY;
    memset(state, 0, sizeof(double) * n_state);
    for (int i = 0; i < d->n; i++) perm[i] = i;
    h->epochs_run = 0; h->best_epoch = 0; h->diverged_epoch = 0;

    for (int e = 0; e < cfg->epochs; e++) {
        if (train_epoch(nt, d, cfg, perm, xb, yb, state, &step,
                        &h->train_loss[e], &h->train_acc[e])) {
            h->diverged_epoch = e + 1;
            return;
        }
        h->val_loss[e] = h->val_acc[e] = NAN;
        if (has_val)
            net_evaluate(nt, d->xv, d->yv, d->p, d->k, d->nv, cfg->cost,
                         &h->val_loss[e], &h->val_acc[e]);
        h->epochs_run = e + 1;
        if (cfg->verbose) report(h, e, cfg->epochs, has_val);
        if (!stopping) continue;
        if (h->val_loss[e] < best_loss) {
            best_loss = h->val_loss[e];
            h->best_epoch = e + 1;
            params_copy(nt, best, 1);
        } else if (e + 1 - h->best_epoch >= cfg->patience) {
            break;
        }
    }
    /* early stopping keeps the parameters of the best validation loss */
    if (stopping && h->best_epoch > 0) params_copy(nt, best, 0);
}
