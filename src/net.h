/* net.h: the engine's entry points over a whole network (net.c, optim.c,
 * train.c). */
#ifndef NNFS_NET_H
#define NNFS_NET_H
#include "nnfs.h"

/* ---- net.c ---- */
/* Fill L's tensor specs from its kind; 0, or -1 when a tensor has more
 * elements than an int counts (the kernels count them in int). */
int layer_init_tensors(layer *L);
/* Sizes of the flat tensor buffers of a network whose layers have their
 * specs: trainable values (n), penalized among them (n_pen), the others
 * (n_state). */
void net_tensor_sizes(const network *nt, double *n, double *n_pen,
                      double *n_state);
/* Point every layer's t[] and dt[] into ps (sized by net_tensor_sizes) */
void net_bind_tensors(network *nt, param_set ps);
void net_buffer_sizes(const network *nt, int cap, double *n_real,
                      double *n_int);
void net_bind_buffers(network *nt, real *buf, int *ints, int cap);
void net_forward(network *nt, const real *x, int B, int pass);
/* expects the last layer's dout to hold dLoss/dz (loss_delta) */
void net_backward(network *nt, const real *x, int B);
real *net_output(network *nt);
layer *net_last(network *nt);

/* ---- optim.c: the optimizer module ---- */
typedef struct {
    int kind;                  /* enum opt_kind */
    double lr, momentum, beta1, beta2, rho, eps, l1, l2;
} optim_cfg;

/* State slots per trainable value (velocity; mean square; two moments),
 * and their names in the model (opt_slot_names[kind][i]). */
int optim_slots(int kind);
extern const char *const opt_slot_names[OPT_COUNT][2];
/* Before a batch of B samples: where each layer's gradients go. Plain SGD
 * without penalties on a network whose trainable layers are all
 * LK_FUSABLE is stepped inside the backward pass (gradients added straight
 * into the parameters, scaled by -lr / B); otherwise gradients go to the
 * gradient buffer, zeroed here. */
void optim_begin(network *nt, const optim_cfg *o, int B);
/* After backward: one step over all trainable values (nothing if fused).
 * state holds optim_slots() * n values; `step` counts updates from 1. */
void optim_step(network *nt, real *state, const optim_cfg *o, int B,
                long step);
/* Gradients as plain sums (scale 1) into the zeroed gradient buffer, for
 * backprop and its trace. */
void optim_grad_only(network *nt);

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
    double chunk_bytes;        /* most bytes of the chunk of data in rows */
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
    real *opt;
    long n_opt, step;
    int *order;
} train_state;

/* n samples of p values each: one sample per column (p x n), or with rows
 * set one per row (n x p, R's own layout, read in place without a copy),
 * or with codes set one sample per column of byte codes (p x n) standing
 * for the values lut[code] (data_codes.c) */
typedef struct {
    const real *v;           /* one sample per column */
    const double *rv;        /* rows: R's own doubles, read in place */
    int p, n, rows;
    const unsigned char *codes;   /* or NULL */
    const real *lut;         /* 256 values, by code */
} sample_set;

/* p x B block of samples i..i+B-1: points into s, or is gathered in buf */
const real *samples_block(const sample_set *s, int i, int B, real *buf);

/* data: x, y (k x x.n); validation xv, yv (k x xv.n), xv.n = 0 for none */
typedef struct {
    sample_set x, xv;
    const real *y, *yv;
    int k;
} train_data;

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h, train_state *st);
/* buf: p x batch_cap reals, used when the samples are in rows */
void net_evaluate(network *nt, const sample_set *x, const real *y, int k,
                  int cost, real *buf, double *loss, double *acc);
void net_predict(network *nt, real *out, const sample_set *x, int k,
                 real *buf);

#endif
