/* layer_flatten.c: the kind "flatten". An image is already stored as the
 * flat vector of its values (nnfs.h), so a flatten layer after another
 * layer shares that layer's buffers (LK_SHARES) and does nothing; as the
 * first layer it copies its input. */
#include <string.h>
#include "nnfs.h"

static const char *flatten_check(const layer *L)
{
    return L->n_in == L->n_out ? NULL : "sizes in and out that differ";
}

static void flatten_forward(network *nt, layer *L, const real *in, int B,
                            int pass)
{
    (void) nt; (void) pass;
    if (L->out != in) memcpy(L->out, in, sizeof(real) * L->n_out * (long) B);
}

static void flatten_backward(network *nt, layer *L, const real *in,
                             real *din, int B)
{
    (void) nt; (void) in;
    if (din && din != L->dout)
        memcpy(din, L->dout, sizeof(real) * L->n_in * (long) B);
}

const layer_kind kind_flatten = {
    "flatten", LK_SHARES, flatten_check, NULL, NULL, flatten_forward,
    flatten_backward
};
