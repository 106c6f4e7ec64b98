/* nnfs.h: the engine's types. Pure C, no R headers.
 *
 * Memory layout (everywhere in the engine):
 *  - A batch is a column-major matrix with one sample per column:
 *    (features x B). A sample is contiguous.
 *  - Within a sample, an image is stored as R stores an array
 *    (height, width, channels): element (y, x, c) at y + h * (x + w * c).
 *    A dense layer's n units are the shape (h = 1, w = 1, c = n).
 *  - Dense weights W are (n_out x n_in), column-major, as in the articles.
 *  - Conv2d weights W are the R array (kh, kw, in_c, filters): filter f is
 *    contiguous, a (kh*kw*in_c x filters) matrix; biases have one entry per
 *    filter.
 */
#ifndef NNFS_H
#define NNFS_H

enum layer_kind {
    LAYER_DENSE = 1, LAYER_CONV2D = 2, LAYER_MAXPOOL2D = 3,
    LAYER_DROPOUT = 4, LAYER_FLATTEN = 5
};
enum act_kind {
    ACT_LINEAR = 0, ACT_SIGMOID = 1, ACT_TANH = 2, ACT_RELU = 3,
    ACT_LEAKY_RELU = 4, ACT_SOFTMAX = 5
};
enum cost_kind { COST_CE = 1, COST_MSE = 2 };
enum opt_kind {
    OPT_SGD = 0, OPT_MOMENTUM = 1, OPT_NESTEROV = 2, OPT_RMSPROP = 3,
    OPT_ADAM = 4
};

/* Geometry of a 2-D convolution or pooling window over one sample.
 * Output size: out_h = (in_h + pad_t + pad_b - kh) / stride + 1, likewise
 * out_w; padding pads with zeros (conv) or is not used (pooling). */
typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int kh, kw, stride, pad_t, pad_l;
} conv_geom;

/* One layer. Each kind uses the fields it needs; the rest stay zero. */
typedef struct {
    int kind, act;
    double slope;            /* leaky ReLU slope for x < 0 */
    double rate;             /* dropout rate */
    int n_in, n_out;         /* elements per sample in and out */
    conv_geom g;             /* conv2d, maxpool2d */
    int n_w, n_b;            /* parameter counts (0 when none) */
    double *W, *b;           /* parameters */
    double *dW, *db;         /* gradient accumulators (sums over the batch) */
    double *out;             /* (n_out x batch_cap) activations */
    double *dout;            /* (n_out x batch_cap) dLoss/d(out), then dz */
    int *argmax;             /* maxpool2d: (n_out x batch_cap) input index */
    double *mask;            /* dropout: (n_out x batch_cap) 0 or 1/(1-rate) */
    double *work;            /* conv2d: im2col scratch for one sample */
} layer;

typedef struct {
    int n_layers;
    layer *L;
    int batch_cap;           /* columns the buffers hold */
    double (*unif)(void);    /* uniform(0, 1) draws for dropout (R's RNG) */
    double sgd_step;         /* > 0: plain SGD is fused into the backward
                                pass of dense layers, with this lr / B */
} network;

/* ---- kernels (layer_*.c): outputs, inputs, parameters, sizes ---- */

/* in (n_in x B), W (n_out x n_in), b (n_out) -> out (n_out x B) = W in + b */
void dense_forward(double *out, const double *in, const double *W,
                   const double *b, int n_out, int n_in, int B);
/* dz (n_out x B): dW += dz in^T, db += rowsums(dz), din = W^T dz (if din) */
void dense_backward(double *din, double *dW, double *db, const double *dz,
                    const double *in, const double *W,
                    int n_out, int n_in, int B);
/* Plain SGD fused into backward, with no gradient buffer: din = W^T dz
 * (weights before the step), then W -= step dz in^T, b -= step rowsums(dz) */
void dense_backward_sgd(double *din, double *W, double *b, const double *dz,
                        const double *in, double step, int n_out, int n_in,
                        int B);

/* in (in_h*in_w*in_c x B) -> out (out_h*out_w*out_c x B), activation
 * `act` (enum act_kind, `slope` for leaky ReLU) applied; work holds
 * conv2d_work_doubles(g, B) doubles (im2col chunks per thread and the
 * per-sample gradients). Samples are shared among at most split_threads(B)
 * threads; results do not depend on their number. */
long conv2d_work_doubles(const conv_geom *g, int B);
void conv2d_forward(double *out, double *work, const double *in,
                    const double *W, const double *b, const conv_geom *g,
                    int act, double slope, int B);
void conv2d_backward(double *din, double *dW, double *db, double *work,
                     const double *dz, const double *in, const double *W,
                     const conv_geom *g, int B);
void maxpool2d_forward(double *out, int *argmax, const double *in,
                       const conv_geom *g, int B);
void maxpool2d_backward(double *din, const double *dout, const int *argmax,
                        const conv_geom *g, int B);

/* ---- activations (activation.c), in place over n rows x B columns ---- */
void act_forward(double *a, int act, double slope, int n, int B);
/* d *= f'(z), with f' written in terms of the output a */
void act_backward(double *d, const double *a, int act, double slope,
                  int n, int B);

/* ---- loss (loss.c) ---- */
/* Summed loss over the batch; dz (k x B) = dLoss/dz of the output layer. */
double loss_forward(const double *a, const double *y, int cost, int act,
                    int k, int B);
void loss_delta(double *dz, const double *a, const double *y, int cost,
                int act, double slope, int k, int B);
/* Number of correct predictions: argmax for k > 1, threshold 0.5 for k 1. */
int loss_correct(const double *a, const double *y, int k, int B);

#endif
