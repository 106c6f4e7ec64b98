/* layer_dropout.c: inverted dropout, the kind "dropout": keep a unit with
 * probability 1 - rate and scale it by 1 / (1 - rate), so that prediction
 * needs no rescaling. The mask (n x B) is the layer's scratch; draws come
 * from R's RNG through nt->unif, one per value in column order. Only a
 * training pass (PASS_TRAIN) drops anything. */
#include <string.h>
#include "nnfs.h"

static const char *dropout_check(const layer *L)
{
    if (!(L->rate >= 0.0 && L->rate < 1.0)) return "a rate outside [0, 1)";
    return L->n_in == L->n_out ? NULL : "sizes in and out that differ";
}

static double dropout_scratch(const layer *L, int B, double *ints)
{
    *ints = 0;
    return (double) L->n_out * B;
}

static void dropout_forward(network *nt, layer *L, const real *in, int B,
                            int pass)
{
    long len = (long) L->n_out * B;
    real *mask = L->scratch;
    if (pass != PASS_TRAIN || L->rate <= 0.0) {
        memcpy(L->out, in, sizeof(real) * len);
        for (long i = 0; i < len; i++) mask[i] = 1;
        return;
    }
    double keep = 1.0 - L->rate;
    real scale = (real) (1.0 / keep);
    for (long i = 0; i < len; i++) {
        mask[i] = nt->unif() < keep ? scale : 0;
        L->out[i] = in[i] * mask[i];
    }
}

static void dropout_backward(network *nt, layer *L, const real *in,
                             real *din, int B)
{
    (void) nt; (void) in;
    long len = (long) L->n_in * B;
    if (din) for (long i = 0; i < len; i++) din[i] = L->dout[i] * L->scratch[i];
}

const layer_kind kind_dropout = {
    "dropout", 0, dropout_check, NULL, dropout_scratch, dropout_forward,
    dropout_backward
};
