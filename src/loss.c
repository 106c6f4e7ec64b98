/* loss.c: costs of the output layer. a and y are (k x B): output
 * activations and targets, one sample per column. Losses are summed over
 * the batch; the caller divides by B. */
#include <math.h>
#include "nnfs.h"

/* Keep log() finite when an output saturates at exactly 0 or 1, but let
 * NaN through: a NaN output means the parameters have diverged, and the
 * loss must say so (train.c stops on a non-finite loss). */
static double safe_log(double x) { return log(x < 1e-300 ? 1e-300 : x); }

const char *const cost_names[COST_COUNT] = {"ce", "mse"};

double loss_forward(const real *a, const real *y, int cost, int act,
                    int k, int B)
{
    long len = (long) k * B;
    double s = 0.0;
    if (cost == COST_MSE) {
        for (long i = 0; i < len; i++) { double e = (double) a[i] - y[i]; s += 0.5 * e * e; }
    } else if (act == ACT_SOFTMAX) {
        /* categorical cross-entropy */
        for (long i = 0; i < len; i++) if (y[i] != 0.0) s -= y[i] * safe_log(a[i]);
    } else {
        /* binary cross-entropy on every output unit (Nielsen's network) */
        for (long i = 0; i < len; i++) {
            if (y[i] != 0.0) s -= y[i] * safe_log(a[i]);
            if (y[i] != 1.0) s -= (1.0 - y[i]) * safe_log(1.0 - (double) a[i]);
        }
    }
    return s;
}

/* dz (k x B) = dLoss/dz for the output layer. Cross-entropy pairs with
 * sigmoid or softmax, where the derivative simplifies to a - y. */
void loss_delta(real *dz, const real *a, const real *y, int cost, int act,
                double slope, int k, int B)
{
    long len = (long) k * B;
    for (long i = 0; i < len; i++) dz[i] = a[i] - y[i];
    if (cost == COST_MSE) act_backward(dz, a, act, slope, k, B);
}

int loss_correct(const real *a, const real *y, int k, int B)
{
    int correct = 0;
    for (int j = 0; j < B; j++) {
        const real *ac = a + (long) j * k, *yc = y + (long) j * k;
        if (k == 1) {
            correct += (ac[0] > 0.5) == (yc[0] > 0.5);
        } else {
            int ia = 0, iy = 0;
            for (int i = 1; i < k; i++) {
                if (ac[i] > ac[ia]) ia = i;
                if (yc[i] > yc[iy]) iy = i;
            }
            correct += ia == iy;
        }
    }
    return correct;
}
