/* activation.c: activations applied in place to an (n x B) block of a
 * layer's output, and their derivatives written in terms of that output
 * (so the pre-activation never has to be kept). Softmax is per column. */
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "nnfs.h"
#include "threads.h"

const char *const act_names[ACT_COUNT] = {
    "linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"
};

/* a (n x B): z -> f(z) in place, one thread */
static void act_forward1(real *a, int act, double slope, int n, int B)
{
    long len = (long) n * B;
    switch (act) {
    case ACT_SIGMOID:
        for (long i = 0; i < len; i++) a[i] = 1 / (1 + rexp(-a[i]));
        break;
    case ACT_TANH:
        for (long i = 0; i < len; i++) a[i] = rtanh(a[i]);
        break;
    case ACT_RELU:
#pragma omp simd
        for (long i = 0; i < len; i++) a[i] = a[i] > 0 ? a[i] : 0;
        break;
    case ACT_LEAKY_RELU:
        for (long i = 0; i < len; i++) a[i] = a[i] > 0 ? a[i] : (real) slope * a[i];
        break;
    case ACT_SOFTMAX:
        /* subtract the column maximum so exp() cannot overflow */
        for (int j = 0; j < B; j++) {
            real *col = a + (long) j * n, mx = col[0], s = 0;
            for (int i = 1; i < n; i++) if (col[i] > mx) mx = col[i];
            for (int i = 0; i < n; i++) { col[i] = rexp(col[i] - mx); s += col[i]; }
            for (int i = 0; i < n; i++) col[i] /= s;
        }
        break;
    default: /* ACT_LINEAR */
        break;
    }
}

/* d (n x B) *= f'(z), with f' from the output a (n x B), one thread */
static void act_backward1(real *d, const real *a, int act, double slope,
                          int n, int B)
{
    long len = (long) n * B;
    switch (act) {
    case ACT_SIGMOID:
        for (long i = 0; i < len; i++) d[i] *= a[i] * (1 - a[i]);
        break;
    case ACT_TANH:
        for (long i = 0; i < len; i++) d[i] *= 1 - a[i] * a[i];
        break;
    case ACT_RELU:
#pragma omp simd
        for (long i = 0; i < len; i++) d[i] = a[i] > 0 ? d[i] : 0;
        break;
    case ACT_LEAKY_RELU:
        for (long i = 0; i < len; i++) if (!(a[i] > 0)) d[i] *= (real) slope;
        break;
    case ACT_SOFTMAX:
        /* Jacobian-vector product: d_i <- a_i (d_i - sum_j a_j d_j) */
        for (int j = 0; j < B; j++) {
            real *dc = d + (long) j * n, s = 0;
            const real *ac = a + (long) j * n;
            for (int i = 0; i < n; i++) s += ac[i] * dc[i];
            for (int i = 0; i < n; i++) dc[i] = ac[i] * (dc[i] - s);
        }
        break;
    default: /* ACT_LINEAR */
        break;
    }
}

/* threads for an (n x B) block, shared out by columns when it is large
 * enough (each value's result is the same whatever the split) */
static int act_threads(int n, int B)
{
    return threads_for_elems((double) n * B, B);
}

#ifdef _OPENMP
/* first column of part t of nt */
static int part_start(int B, int t, int nt)
{
    return (int) ((long) B * t / nt);
}
#endif

void act_forward(real *a, int act, double slope, int n, int B)
{
    int nt = act_threads(n, B);
    if (nt == 1 || act == ACT_LINEAR) {
        act_forward1(a, act, slope, n, B);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), j0 = part_start(B, t, nt);
        act_forward1(a + (long) n * j0, act, slope, n,
                     part_start(B, t + 1, nt) - j0);
    }
#endif
}

void act_backward(real *d, const real *a, int act, double slope,
                  int n, int B)
{
    int nt = act_threads(n, B);
    if (nt == 1 || act == ACT_LINEAR) {
        act_backward1(d, a, act, slope, n, B);
        return;
    }
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
    {
        int t = omp_get_thread_num(), j0 = part_start(B, t, nt);
        long off = (long) n * j0;
        act_backward1(d + off, a + off, act, slope, n,
                      part_start(B, t + 1, nt) - j0);
    }
#endif
}
