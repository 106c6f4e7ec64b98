/* activation.c: activations applied in place to an (n x B) block of a
 * layer's output, and their derivatives written in terms of that output
 * (so the pre-activation never has to be kept). Softmax is per column. */
#include <math.h>
#include "nnfs.h"

/* a (n x B): z -> f(z) in place */
void act_forward(double *a, int act, double slope, int n, int B)
{
    long len = (long) n * B;
    switch (act) {
    case ACT_SIGMOID:
        for (long i = 0; i < len; i++) a[i] = 1.0 / (1.0 + exp(-a[i]));
        break;
    case ACT_TANH:
        for (long i = 0; i < len; i++) a[i] = tanh(a[i]);
        break;
    case ACT_RELU:
#pragma omp simd
        for (long i = 0; i < len; i++) a[i] = a[i] > 0.0 ? a[i] : 0.0;
        break;
    case ACT_LEAKY_RELU:
        for (long i = 0; i < len; i++) a[i] = a[i] > 0.0 ? a[i] : slope * a[i];
        break;
    case ACT_SOFTMAX:
        /* subtract the column maximum so exp() cannot overflow */
        for (int j = 0; j < B; j++) {
            double *col = a + (long) j * n, mx = col[0], s = 0.0;
            for (int i = 1; i < n; i++) if (col[i] > mx) mx = col[i];
            for (int i = 0; i < n; i++) { col[i] = exp(col[i] - mx); s += col[i]; }
            for (int i = 0; i < n; i++) col[i] /= s;
        }
        break;
    default: /* ACT_LINEAR */
        break;
    }
}

/* d (n x B) *= f'(z), with f' from the output a (n x B) */
void act_backward(double *d, const double *a, int act, double slope,
                  int n, int B)
{
    long len = (long) n * B;
    switch (act) {
    case ACT_SIGMOID:
        for (long i = 0; i < len; i++) d[i] *= a[i] * (1.0 - a[i]);
        break;
    case ACT_TANH:
        for (long i = 0; i < len; i++) d[i] *= 1.0 - a[i] * a[i];
        break;
    case ACT_RELU:
#pragma omp simd
        for (long i = 0; i < len; i++) d[i] = a[i] > 0.0 ? d[i] : 0.0;
        break;
    case ACT_LEAKY_RELU:
        for (long i = 0; i < len; i++) if (!(a[i] > 0.0)) d[i] *= slope;
        break;
    case ACT_SOFTMAX:
        /* Jacobian-vector product: d_i <- a_i (d_i - sum_j a_j d_j) */
        for (int j = 0; j < B; j++) {
            double *dc = d + (long) j * n, s = 0.0;
            const double *ac = a + (long) j * n;
            for (int i = 0; i < n; i++) s += ac[i] * dc[i];
            for (int i = 0; i < n; i++) dc[i] = ac[i] * (dc[i] - s);
        }
        break;
    default: /* ACT_LINEAR */
        break;
    }
}
