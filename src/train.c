/* train.c: the epoch and mini-batch loop, evaluation and prediction.
 * Uses R's memory (R_alloc), RNG, printing and interrupt check, but no
 * R objects: the glue hands it plain arrays. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <R_ext/Memory.h>
#include <R_ext/Random.h>
#include <R_ext/Utils.h>
#include "net.h"
#include "gemm.h"
#include "threads.h"
#include "data_codes.h"

/* copy columns idx[0..B-1] of src (rows x n) into dst (rows x B) */
static void gather(real *dst, const real *src, const int *idx, int rows,
                   int B)
{
    for (int j = 0; j < B; j++)
        memcpy(dst + (long) j * rows, src + (long) idx[j] * rows,
               sizeof(real) * rows);
}

/* d[0..n) = the values of codes c[0..n): a scalar loop, faster here than
 * AVX2 gathers */
static void decode(real *d, const unsigned char *c, const real *lut, long n)
{
    for (long i = 0; i < n; i++) d[i] = lut[c[i]];
}

/* samples idx[0..B-1] of byte codes (p x n) -> their values in dst (p x B),
 * then a prefetch of the samples idx[B..B+next-1] the next batch reads:
 * shuffled samples are scattered over the codes, and waiting for each one
 * from memory took as long as decoding them all */
static void gather_codes(real *dst, const sample_set *s, const int *idx,
                         int B, int next)
{
    int p = s->p;
    /* a copy: the same values whatever the thread count */
    int nt = threads_for_elems((double) B * p, B);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
    for (int b = 0; b < B; b++)
        decode(dst + (long) b * p, s->codes + (long) idx[b] * p, s->lut, p);
#ifdef __GNUC__
    for (int b = B; b < B + next; b++) {
        const unsigned char *c = s->codes + (long) idx[b] * p;
        for (int l = 0; l < p; l += 64) __builtin_prefetch(c + l);
    }
#else
    (void) next;
#endif
}

const real *samples_block(const sample_set *s, int i, int B, real *buf)
{
    if (s->codes) {
        decode(buf, s->codes + (long) i * s->p, s->lut, (long) B * s->p);
        return buf;
    }
    if (!s->rows) return s->v + (long) i * s->p;
    for (int j = 0; j < s->p; j++) {
        const double *src = s->rv + (long) j * s->n + i;
        for (int b = 0; b < B; b++) buf[j + (long) b * s->p] = (real) src[b];
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
    real *chunk;              /* p x cap */
    long long *key;           /* cap: sample << 32 | position in chunk */
    int cap, start, m;        /* capacity; first perm index held; count */
    int threads;              /* the count training asked for */
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
    /* a pure copy: the same result whatever the thread count. Each pass
     * reads a few feature columns forwards and writes one run per sample.
     * A load is tens of milliseconds, far above any region's cost, so it
     * uses the count training asked for whatever the batch policy chose;
     * passes are handed out one at a time, so that a thread that shares
     * its core with another program copies fewer of them. */
    int units = (p + CHUNK_FEATURES - 1) / CHUNK_FEATURES;
    int nt = c->threads < units ? c->threads : units;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
    for (int j0 = 0; j0 < p; j0 += CHUNK_FEATURES) {
        int j1 = j0 + CHUNK_FEATURES < p ? j0 + CHUNK_FEATURES : p;
        for (int q = 0; q < m; q++) {
            const double *src = s->rv + (c->key[q] >> 32);
            real *dst = c->chunk + (long) p * (c->key[q] & 0xffffffffLL);
            for (int j = j0; j < j1; j++) dst[j] = (real) src[(long) j * s->n];
        }
    }
    c->start = start;
    c->m = m;
}

/* samples perm[i..i+B-1] as a p x B block: gathered into buf when the
 * samples are in columns, a block of the chunk when they are in rows */
static const real *batch_block(real *buf, const sample_set *s,
                                 const int *perm, int i, int B,
                                 chunk_reader *c)
{
    if (s->codes) {
        int next = s->n - (i + B) < B ? s->n - (i + B) : B;
        gather_codes(buf, s, perm + i, B, next);
        return buf;
    }
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

/* ---- all tensors as one flat copy: early stopping, divergence ---- */

static long snapshot_len(const network *nt)
{
    return nt->ps.n + nt->ps.n_state;
}

/* save 1: the tensors -> flat; 0: flat -> the tensors */
static void params_copy(network *nt, real *flat, int save)
{
    const param_set *ps = &nt->ps;
    size_t np = sizeof(real) * ps->n, ns = sizeof(real) * ps->n_state;
    if (save) { memcpy(flat, ps->p, np); memcpy(flat + ps->n, ps->state, ns); }
    else      { memcpy(ps->p, flat, np); memcpy(ps->state, flat + ps->n, ns); }
}

/* A NaN or infinite parameter can leave the loss finite (a saturated or
 * dead unit hides it), so the end of each epoch looks at them all. */
static int params_finite(const network *nt)
{
    const param_set *ps = &nt->ps;
    for (long i = 0; i < ps->n; i++) if (!isfinite(ps->p[i])) return 0;
    for (long i = 0; i < ps->n_state; i++)
        if (!isfinite(ps->state[i])) return 0;
    return 1;
}

/* ---- evaluation ---- */

/* Mean loss and accuracy over x, y (k x n), in chunks of the buffer
 * capacity, without dropout. */
void net_evaluate(network *nt, const sample_set *x, const real *y, int k,
                  int cost, real *buf, double *loss, double *acc)
{
    double s = 0.0;
    long correct = 0;
    int act = nt->L[nt->n_layers - 1].act, n = x->n;
    for (int i = 0; i < n; i += nt->batch_cap) {
        int B = n - i < nt->batch_cap ? n - i : nt->batch_cap;
        net_forward(nt, samples_block(x, i, B, buf), B, PASS_PREDICT);
        s += loss_forward(net_output(nt), y + (long) i * k, cost, act, k, B);
        correct += loss_correct(net_output(nt), y + (long) i * k, k, B);
    }
    *loss = s / n;
    *acc = (double) correct / n;
}

/* out (k x n) = network output for x */
void net_predict(network *nt, real *out, const sample_set *x, int k,
                 real *buf)
{
    for (int i = 0; i < x->n; i += nt->batch_cap) {
        int B = x->n - i < nt->batch_cap ? x->n - i : nt->batch_cap;
        net_forward(nt, samples_block(x, i, B, buf), B, PASS_PREDICT);
        memcpy(out + (long) i * k, net_output(nt), sizeof(real) * k * (long) B);
    }
}

/* ---- training ---- */

/* One epoch of mini-batch training; returns 0, or the number (from 1) of
 * the batch whose loss became NaN or infinite: the parameters are then not
 * to be used. */
static int train_epoch(network *nt, const train_data *d, const train_cfg *cfg,
                       int e, int *perm, real *xb, real *yb,
                       chunk_reader *c, thread_policy *tp, real *state,
                       long *step,
                       double *loss, double *acc)
{
    const train_progress *pr = &cfg->progress;
    int last_act = net_last(nt)->act;
    double slope = net_last(nt)->slope, s = 0.0;
    long correct = 0;
    int n = d->x.n, n_batches = (n + cfg->batch - 1) / cfg->batch;
    if (cfg->shuffle) shuffle(perm, n);
    /* samples in columns and in their own order (no shuffle, as the
     * regressions train) are used where they lie, without a copy */
    int in_order = !cfg->shuffle && !d->x.rows;
    for (int i = 0; in_order && i < n; i++) in_order = perm[i] == i;
    c->m = 0;
    for (int i = 0, nb = 1; i < n; i += cfg->batch, nb++) {
        int B = n - i < cfg->batch ? n - i : cfg->batch;
        const real *xi, *yi = d->y + (long) i * d->k;
        if (in_order) {
            xi = samples_block(&d->x, i, B, xb);
        } else {
            xi = batch_block(xb, &d->x, perm, i, B, c);
            gather(yb, d->y, perm + i, d->k, B);
            yi = yb;
        }
        /* the thread count for this batch; the policy times the batch's
         * arithmetic, not the loading of its samples (a chunk load every
         * few hundred batches would look like a stall) */
        policy_begin(tp, B);
        net_forward(nt, xi, B, PASS_TRAIN);
        real *a = net_output(nt);
        double bl = loss_forward(a, yi, cfg->cost, last_act, d->k, B);
        if (!isfinite(bl)) return nb;
        s += bl;
        correct += loss_correct(a, yi, d->k, B);
        optim_begin(nt, &cfg->opt, B);
        loss_delta(net_last(nt)->dout, a, yi, cfg->cost, last_act, slope,
                   d->k, B);
        net_backward(nt, xi, B);
        optim_step(nt, state, &cfg->opt, B, ++(*step));
        policy_end(tp, B);
        R_CheckUserInterrupt();
        if (pr->batch && pr->tick > 0 && nb % pr->tick == 0)
            pr->batch(pr->ctx, e, nb, n_batches);
    }
    *loss = s / n;
    *acc = (double) correct / n;
    return 0;
}

/* Samples a chunk holds when the training data are in rows: a quarter of
 * the data, whole batches, so the chunk costs far less than a copy; fewer
 * when a quarter takes more than `bytes` (nnfs.copy_limit), down to one
 * batch (more chunk loads, each a pass over R's matrix). */
static int chunk_samples(int n, int batch, int p, double bytes)
{
    long q = ((long) n + 3) / 4;
    double fit = bytes / ((double) p * sizeof(real));
    if (fit < (double) q) q = fit < batch ? batch : (long) fit / batch * batch;
    q = (q + batch - 1) / batch * batch;
    return q > n ? n : (int) q;
}

/* The chunk buffer for training data in rows; none for data in columns. */
static chunk_reader chunk_reader_alloc(const sample_set *x, int batch,
                                       double bytes)
{
    chunk_reader c = {NULL, NULL, 0, 0, 0, 1};
    if (!x->rows) return c;
    c.cap = chunk_samples(x->n, batch, x->p, bytes);
    c.chunk = (real *) big_alloc((size_t) x->p * c.cap, sizeof(real));
    c.key = (long long *) R_alloc(c.cap, sizeof(long long));
    return c;
}

/* Early stopping after epoch e (from 0): keep a copy of the parameters
 * when the validation loss is the lowest yet; 1 when patience has run out */
static int patience_over(network *nt, train_hist *h, int e, int patience,
                         real *best, double *best_loss)
{
    if (h->val_loss[e] < *best_loss) {
        *best_loss = h->val_loss[e];
        h->best_epoch = e + 1;
        params_copy(nt, best, 1);
        return 0;
    }
    return e + 1 - h->best_epoch >= patience;
}

/* Copy the training state (save 1: st -> snap; 0: snap -> st). */
static void state_copy(train_state *st, train_state *snap, int n, int save)
{
    train_state *from = save ? st : snap, *to = save ? snap : st;
    memcpy(to->opt, from->opt, sizeof(real) * from->n_opt);
    memcpy(to->order, from->order, sizeof(int) * n);
    to->step = from->step;
}

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h, train_state *st)
{
    int n = d->x.n, p = d->x.p;
    int has_val = d->xv.n > 0;
    int stopping = cfg->patience > 0 && has_val;
    real *xb = d->x.rows ? NULL :
        (real *) R_alloc((size_t) p * cfg->batch, sizeof(real));
    real *yb = (real *) R_alloc((size_t) d->k * cfg->batch, sizeof(real));
    real *vb = has_val && (d->xv.rows || d->xv.codes) ?
        (real *) R_alloc((size_t) p * nt->batch_cap, sizeof(real)) : NULL;
    chunk_reader c = chunk_reader_alloc(&d->x, cfg->batch, cfg->chunk_bytes);
    c.threads = threads_get();         /* before the policy lowers it */
    /* from the count the buffers were sized for down to one (threads.c) */
    thread_policy tp;
    policy_init(&tp, threads_get(), cfg->adaptive);
    real *best = stopping ?
        (real *) R_alloc(snapshot_len(nt) + 1, sizeof(real)) : NULL;
    /* the parameters at the start of the epoch, put back if it diverges:
     * one copy per epoch, negligible beside the epoch's products */
    real *start = (real *) R_alloc(snapshot_len(nt) + 1, sizeof(real));
    train_state st0 = {(real *) R_alloc(st->n_opt + 1, sizeof(real)),
                       st->n_opt, 0, (int *) R_alloc(n, sizeof(int))};
    double best_loss = INFINITY;
    h->epochs_run = 0; h->best_epoch = 0; h->diverged_epoch = 0;
    h->diverged_batch = 0;

    for (int e = 0; e < cfg->epochs; e++) {
        params_copy(nt, start, 1);
        state_copy(st, &st0, n, 1);
        int bad = train_epoch(nt, d, cfg, e, st->order, xb, yb, &c, &tp,
                              st->opt, &st->step, &h->train_loss[e],
                              &h->train_acc[e]);
        if (bad || !params_finite(nt)) {
            /* batch 0: every loss was finite but a parameter is not */
            h->diverged_epoch = e + 1;
            h->diverged_batch = bad;
            params_copy(nt, start, 0);
            state_copy(st, &st0, n, 0);
            break;
        }
        h->val_loss[e] = h->val_acc[e] = NAN;
        if (has_val)
            net_evaluate(nt, &d->xv, d->yv, d->k, cfg->cost, vb,
                         &h->val_loss[e], &h->val_acc[e]);
        h->epochs_run = e + 1;
        if (cfg->progress.epoch) cfg->progress.epoch(cfg->progress.ctx, e, h);
        if (stopping &&
            patience_over(nt, h, e, cfg->patience, best, &best_loss))
            break;
    }
    /* early stopping keeps the parameters of the best validation loss,
     * also when a later epoch diverged */
    if (stopping && h->best_epoch > 0) params_copy(nt, best, 0);
}
