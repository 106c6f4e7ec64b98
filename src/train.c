/* train.c: the epoch and mini-batch loop, evaluation and prediction.
 * Uses R's memory (R_alloc), RNG, printing and interrupt check, but no
 * R objects: the glue hands it plain arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <R_ext/Memory.h>
#include <R_ext/Print.h>
#include <R_ext/Random.h>
#include <R_ext/Utils.h>
#include "net.h"
#include "gemm.h"
#include "threads.h"

/* copy columns idx[0..B-1] of src (rows x n) into dst (rows x B) */
static void gather(double *dst, const double *src, const int *idx, int rows,
                   int B)
{
    for (int j = 0; j < B; j++)
        memcpy(dst + (long) j * rows, src + (long) idx[j] * rows,
               sizeof(double) * rows);
}

const double *samples_block(const sample_set *s, int i, int B, double *buf)
{
    if (!s->rows) return s->v + (long) i * s->p;
    for (int j = 0; j < s->p; j++) {
        const double *src = s->v + (long) j * s->n + i;
        for (int b = 0; b < B; b++) buf[j + (long) b * s->p] = src[b];
    }
    return buf;
}

/* ---- samples in rows: shuffled batches through a chunk buffer ----
 * Reading a shuffled sample from an n x p matrix touches p cache lines, so
 * the samples of the next `m` batches are first gathered into `chunk`, in
 * increasing sample order so that the reads sweep each column forwards.
 * The chunk holds one sample per column (p x m) in the shuffled order, so
 * that a batch is a block of it, used in place. */

typedef struct {
    double *chunk;            /* p x cap */
    long long *key;           /* cap: sample << 32 | position in chunk */
    int cap, start, m;        /* capacity; first perm index held; count */
} chunk_reader;

static int cmp_key(const void *a, const void *b)
{
    long long x = *(const long long *) a, y = *(const long long *) b;
    return (x > y) - (x < y);
}

/* features copied per pass: a cache line of a sample's column in the chunk */
#define CHUNK_FEATURES 8

static void chunk_load(chunk_reader *c, const sample_set *s, const int *perm,
                       int start)
{
    int m = s->n - start < c->cap ? s->n - start : c->cap, p = s->p;
    for (int q = 0; q < m; q++)
        c->key[q] = ((long long) perm[start + q] << 32) | q;
    qsort(c->key, m, sizeof(long long), cmp_key);
    int nt = threads_for_elems((double) m * p, (p + CHUNK_FEATURES - 1) / CHUNK_FEATURES);
    /* a pure copy: the same result whatever the thread count. Each pass
     * reads a few feature columns forwards and writes one run per sample. */
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int j0 = 0; j0 < p; j0 += CHUNK_FEATURES) {
        int j1 = j0 + CHUNK_FEATURES < p ? j0 + CHUNK_FEATURES : p;
        for (int q = 0; q < m; q++) {
            const double *src = s->v + (c->key[q] >> 32);
            double *dst = c->chunk + (long) p * (c->key[q] & 0xffffffffLL);
            for (int j = j0; j < j1; j++) dst[j] = src[(long) j * s->n];
        }
    }
    c->start = start;
    c->m = m;
}

/* samples perm[i..i+B-1] as a p x B block: gathered into buf when the
 * samples are in columns, a block of the chunk when they are in rows */
static const double *batch_block(double *buf, const sample_set *s,
                                 const int *perm, int i, int B,
                                 chunk_reader *c)
{
    if (!s->rows) { gather(buf, s->v, perm + i, s->p, B); return buf; }
    if (i < c->start || i + B > c->start + c->m) chunk_load(c, s, perm, i);
    return c->chunk + (long) s->p * (i - c->start);
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

/* Mean loss and accuracy over x, y (k x n), in chunks of the buffer
 * capacity, without dropout. */
void net_evaluate(network *nt, const sample_set *x, const double *y, int k,
                  int cost, double *buf, double *loss, double *acc)
{
    double s = 0.0;
    long correct = 0;
    int act = nt->L[nt->n_layers - 1].act, n = x->n;
    for (int i = 0; i < n; i += nt->batch_cap) {
        int B = n - i < nt->batch_cap ? n - i : nt->batch_cap;
        net_forward(nt, samples_block(x, i, B, buf), B, 0);
        s += loss_forward(net_output(nt), y + (long) i * k, cost, act, k, B);
        correct += loss_correct(net_output(nt), y + (long) i * k, k, B);
    }
    *loss = s / n;
    *acc = (double) correct / n;
}

/* out (k x n) = network output for x */
void net_predict(network *nt, double *out, const sample_set *x, int k,
                 double *buf)
{
    for (int i = 0; i < x->n; i += nt->batch_cap) {
        int B = x->n - i < nt->batch_cap ? x->n - i : nt->batch_cap;
        net_forward(nt, samples_block(x, i, B, buf), B, 0);
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
                       int *perm, double *xb, double *yb, chunk_reader *c,
                       thread_policy *tp, double *state, long *step,
                       double *loss, double *acc)
{
    int last_act = nt->L[nt->n_layers - 1].act;
    double slope = nt->L[nt->n_layers - 1].slope, s = 0.0;
    long correct = 0;
    /* plain SGD without penalties needs no gradient buffers for dense
     * layers: their step is taken inside the backward pass */
    int fuse_sgd = cfg->opt.kind == OPT_SGD && cfg->opt.l1 == 0.0 &&
                   cfg->opt.l2 == 0.0;
    int n = d->x.n;
    if (cfg->shuffle) shuffle(perm, n);
    c->m = 0;
    for (int i = 0; i < n; i += cfg->batch) {
        int B = n - i < cfg->batch ? n - i : cfg->batch;
        policy_begin(tp, B);           /* the thread count for this batch */
        const double *xi = batch_block(xb, &d->x, perm, i, B, c);
        gather(yb, d->y, perm + i, d->k, B);
        net_forward(nt, xi, B, 1);
        double *a = net_output(nt);
        double bl = loss_forward(a, yb, cfg->cost, last_act, d->k, B);
        if (!isfinite(bl)) return 1;
        s += bl;
        correct += loss_correct(a, yb, d->k, B);
        nt->sgd_step = fuse_sgd ? cfg->opt.lr / B : 0.0;
        net_zero_grad(nt);
        loss_delta(nt->L[nt->n_layers - 1].dout, a, yb, cfg->cost, last_act,
                   slope, d->k, B);
        net_backward(nt, xi, B);
        optim_step(nt, state, &cfg->opt, 1.0 / B, ++(*step));
        policy_end(tp, B);
        R_CheckUserInterrupt();
    }
    *loss = s / n;
    *acc = (double) correct / n;
    return 0;
}

/* Samples a chunk holds when the training data are in rows: a quarter of
 * the data, whole batches, so the chunk costs far less than a copy. */
static int chunk_samples(int n, int batch)
{
    long q = ((long) n + 3) / 4;
    q = (q + batch - 1) / batch * batch;
    return q > n ? n : (int) q;
}

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h)
{
    int n = d->x.n, p = d->x.p;
    int has_val = d->xv.v != NULL && d->xv.n > 0;
    int stopping = cfg->patience > 0 && has_val;
    int *perm = (int *) R_alloc(n, sizeof(int));
    double *xb = d->x.rows ? NULL :
        (double *) R_alloc((size_t) p * cfg->batch, sizeof(double));
    double *yb = (double *) R_alloc((size_t) d->k * cfg->batch, sizeof(double));
    double *vb = has_val && d->xv.rows ?
        (double *) R_alloc((size_t) p * nt->batch_cap, sizeof(double)) : NULL;
    chunk_reader c = {NULL, NULL, 0, 0, 0};
    /* from the count the buffers were sized for down to one (threads.c) */
    thread_policy tp;
    policy_init(&tp, threads_get(), cfg->adaptive);
    if (d->x.rows) {
        c.cap = chunk_samples(n, cfg->batch);
        c.chunk = (double *) R_alloc((size_t) p * c.cap, sizeof(double));
        c.key = (long long *) R_alloc(c.cap, sizeof(long long));
    }
    long n_state = optim_state_doubles(nt, cfg->opt.kind), step = 0;
    double *state = (double *) R_alloc(n_state > 0 ? n_state : 1, sizeof(double));
    double *best = stopping ?
        (double *) R_alloc(param_count(nt), sizeof(double)) : NULL;
    double best_loss = INFINITY;
    memset(state, 0, sizeof(double) * n_state);
    for (int i = 0; i < n; i++) perm[i] = i;
    h->epochs_run = 0; h->best_epoch = 0; h->diverged_epoch = 0;

    for (int e = 0; e < cfg->epochs; e++) {
        if (train_epoch(nt, d, cfg, perm, xb, yb, &c, &tp, state, &step,
                        &h->train_loss[e], &h->train_acc[e])) {
            h->diverged_epoch = e + 1;
            return;
        }
        h->val_loss[e] = h->val_acc[e] = NAN;
        if (has_val)
            net_evaluate(nt, &d->xv, d->yv, d->k, cfg->cost, vb,
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
