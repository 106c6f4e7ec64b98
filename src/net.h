/* net.h: the engine's entry points over a whole network (net.c, optim.c,
 * train.c). */
#ifndef NNFS_NET_H
#define NNFS_NET_H
#include "nnfs.h"

/* ---- net.c ---- */
int layer_has_params(const layer *L);
int layer_fused(const network *nt, const layer *L);
void net_buffer_sizes(const network *nt, int cap, double *n_dbl, double *n_int);
void net_bind_buffers(network *nt, double *dbl, int *ints, int cap);
void net_zero_grad(network *nt);
void net_forward(network *nt, const double *x, int B, int train);
void net_backward(network *nt, const double *x, int B);
double *net_output(network *nt);

/* ---- optim.c ---- */
typedef struct {
    int kind;                  /* enum opt_kind */
    double lr, momentum, beta1, beta2, rho, eps, l1, l2;
} optim_cfg;

/* Per-parameter optimizer state: two slots per parameter (velocity, or
 * first and second moments), laid out like the parameters; none for plain
 * SGD (enum opt_kind `kind`). */
long optim_state_doubles(const network *nt, int kind);
void optim_step(network *nt, double *state, const optim_cfg *o,
                double scale, long step);

/* ---- train.c ---- */
typedef struct {
    double *train_loss, *train_acc, *val_loss, *val_acc;  /* per epoch */
    int epochs_run, best_epoch;
    /* 0, or the epoch (from 1) whose batch `diverged_batch` (from 1; 0 when
     * only the parameters, not the loss, became non-finite) stopped
     * training; the parameters are then those the epoch started with */
    int diverged_epoch, diverged_batch;
} train_hist;

/* Progress reports, made by the caller (the glue sends them to R, where
 * they become messages): after each epoch e (from 0) with its history
 * row, and every `tick` batches within an epoch (tick 0: never). Either
 * may be NULL; both are called between batches, outside any parallel
 * region. */
typedef struct {
    void (*epoch)(void *ctx, int e, const train_hist *h);
    void (*batch)(void *ctx, int e, int batch, int n_batches);
    void *ctx;
    int tick;
} train_progress;

typedef struct {
    int epochs, batch, cost, patience, shuffle;
    int adaptive;              /* thread_policy on (1) or a fixed count */
    optim_cfg opt;
    train_progress progress;
} train_cfg;

/* What training carries from one epoch to the next, and from one call to
 * the next (a warm start): the optimizer's state (optim_state_doubles()
 * values), its step count, and the order of the n training samples that
 * the last shuffle left. The caller owns and initialises it; after a
 * diverged epoch it is put back to that epoch's start, like the
 * parameters. */
typedef struct {
    double *opt;
    long n_opt, step;
    int *order;
} train_state;

/* n samples of p values each: one sample per column (p x n) or, with rows
 * set, one per row (n x p, R's own layout, read in place without a copy) */
typedef struct {
    const double *v;
    int p, n, rows;
} sample_set;

/* p x B block of samples i..i+B-1: points into s, or is gathered in buf */
const double *samples_block(const sample_set *s, int i, int B, double *buf);

/* data: x, y (k x x.n); validation xv, yv (k x xv.n), xv.n = 0 for none */
typedef struct {
    sample_set x, xv;
    const double *y, *yv;
    int k;
} train_data;

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h, train_state *st);
/* buf: p x batch_cap doubles, used when the samples are in rows */
void net_evaluate(network *nt, const sample_set *x, const double *y, int k,
                  int cost, double *buf, double *loss, double *acc);
void net_predict(network *nt, double *out, const sample_set *x, int k,
                 double *buf);

#endif
