/* net.h: the engine's entry points over a whole network (net.c, optim.c,
 * train.c). */
#ifndef NNFS_NET_H
#define NNFS_NET_H
#include "nnfs.h"

/* ---- net.c ---- */
int layer_has_params(const layer *L);
int layer_fused(const network *nt, const layer *L);
void net_buffer_sizes(const network *nt, int cap, long *n_dbl, long *n_int);
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
 * first and second moments), laid out like the parameters. */
long optim_state_doubles(const network *nt);
void optim_step(network *nt, double *state, const optim_cfg *o,
                double scale, long step);

/* ---- train.c ---- */
typedef struct {
    int epochs, batch, cost, patience, verbose, shuffle;
    optim_cfg opt;
} train_cfg;

typedef struct {
    double *train_loss, *train_acc, *val_loss, *val_acc;  /* per epoch */
    int epochs_run, best_epoch, diverged_epoch;
} train_hist;

/* data: x (p x n), y (k x n); validation xv (p x nv), yv (k x nv) or NULL */
typedef struct {
    const double *x, *y, *xv, *yv;
    int p, k, n, nv;
} train_data;

void train_run(network *nt, const train_data *d, const train_cfg *cfg,
               train_hist *h);
void net_evaluate(network *nt, const double *x, const double *y, int p,
                  int k, int n, int cost, double *loss, double *acc);
void net_predict(network *nt, double *out, const double *x, int p, int k,
                 int n);

#endif
