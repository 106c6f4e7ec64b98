/* layer_dense.c: fully connected layer.
 * in (n_in x B), W (n_out x n_in), b (n_out), out (n_out x B). */
#include <string.h>
#include "nnfs.h"
#include "gemm.h"

/* out = W in + b */
void dense_forward(double *out, const double *in, const double *W,
                   const double *b, int n_out, int n_in, int B)
{
    for (int j = 0; j < B; j++)
        memcpy(out + (long) j * n_out, b, sizeof(double) * n_out);
    gemm(0, 0, n_out, B, n_in, 1.0, W, n_out, in, n_in, 1.0, out, n_out);
}

/* dz (n_out x B): dW += dz in^T, db += rowsums(dz), din = W^T dz */
void dense_backward(double *din, double *dW, double *db, const double *dz,
                    const double *in, const double *W,
                    int n_out, int n_in, int B)
{
    gemm(0, 1, n_out, n_in, B, 1.0, dz, n_out, in, n_in, 1.0, dW, n_out);
    for (int j = 0; j < B; j++) {
        const double *col = dz + (long) j * n_out;
        for (int i = 0; i < n_out; i++) db[i] += col[i];
    }
    if (din)
        gemm(1, 0, n_in, B, n_out, 1.0, W, n_out, dz, n_out, 0.0, din, n_in);
}

/* Plain SGD without a gradient buffer, for small batches where zeroing,
 * filling and reading dW would cost more than the product itself. The sums
 * over the batch are formed in the same order as dense_backward's. */
void dense_backward_sgd(double *din, double *W, double *b, const double *dz,
                        const double *in, double step, int n_out, int n_in,
                        int B)
{
    if (din)
        gemm(1, 0, n_in, B, n_out, 1.0, W, n_out, dz, n_out, 0.0, din, n_in);
    gemm(0, 1, n_out, n_in, B, -step, dz, n_out, in, n_in, 1.0, W, n_out);
    for (int i = 0; i < n_out; i++) {
        double s = 0.0;
        for (int j = 0; j < B; j++) s += dz[i + (long) j * n_out];
        b[i] -= step * s;
    }
}
