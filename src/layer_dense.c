/* layer_dense.c: fully connected layer, the kind "dense".
 * in (n_in x B), W (n_out x n_in), b (n_out), out (n_out x B). */
#include <string.h>
#include "nnfs.h"
#include "gemm.h"

static int dense_tensors(const layer *L, tensor_spec *t)
{
    t[0] = (tensor_spec) {.name = "W", .n = (double) L->n_out * L->n_in,
                          .trainable = 1, .penalized = 1};
    t[1] = (tensor_spec) {.name = "b", .n = L->n_out, .trainable = 1};
    return 2;
}

/* out = act(W in + b) */
static void dense_forward(network *nt, layer *L, const real *in, int B,
                          int pass)
{
    (void) nt; (void) pass;
    int n_out = L->n_out, n_in = L->n_in;
    for (int j = 0; j < B; j++)
        memcpy(L->out + (long) j * n_out, L->t[1], sizeof(real) * n_out);
    gemm(0, 0, n_out, B, n_in, 1, L->t[0], n_out, in, n_in, 1, L->out, n_out);
    act_forward(L->out, L->act, L->slope, n_out, B);
}

/* dz = dout (n_out x B): din = W^T dz (before W changes: with fused SGD
 * the sinks are W and b themselves), dW += gscale dz in^T,
 * db += gscale rowsums(dz), the sums over the batch in sample order. */
static void dense_backward(network *nt, layer *L, const real *in, real *din,
                           int B)
{
    (void) nt;
    int n_out = L->n_out, n_in = L->n_in;
    const real *dz = L->dout;
    real *db = L->dt[1];
    if (din)
        gemm(1, 0, n_in, B, n_out, 1, L->t[0], n_out, dz, n_out, 0, din, n_in);
    gemm(0, 1, n_out, n_in, B, L->gscale, dz, n_out, in, n_in, 1, L->dt[0],
         n_out);
    if (L->gscale == 1) {
        /* into a zeroed buffer: column by column, the loop vectorises */
        for (int j = 0; j < B; j++) {
            const real *col = dz + (long) j * n_out;
            for (int i = 0; i < n_out; i++) db[i] += col[i];
        }
        return;
    }
    for (int i = 0; i < n_out; i++) {
        real s = 0;
        for (int j = 0; j < B; j++) s += dz[i + (long) j * n_out];
        db[i] += L->gscale * s;
    }
}

const layer_kind kind_dense = {
    "dense", LK_ACTIVATION | LK_FUSABLE, NULL, dense_tensors, NULL,
    dense_forward, dense_backward
};
