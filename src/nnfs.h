/* nnfs.h: the engine's types. Pure C, no R headers. Written over the
 * scalar type `real` (real.h): compiled once for double, once for float.
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
 *
 * A layer kind is one `layer_kind` (its name, its tensors, its scratch,
 * forward and backward), defined in its own layer_<name>.c and listed in
 * the table of layers.c; the network loop (net.c) calls through it and
 * never asks which kind a layer is. */
#ifndef NNFS_H
#define NNFS_H
#include "real.h"

/* Activations (activation.c), costs (loss.c) and optimizers (optim.c) are
 * numbered here and named in one table next to their code; R learns the
 * names from those tables (C_tables) and sends names, never numbers. */
enum act_kind {
    ACT_LINEAR, ACT_SIGMOID, ACT_TANH, ACT_RELU, ACT_LEAKY_RELU, ACT_SOFTMAX,
    ACT_COUNT
};
enum cost_kind { COST_CE, COST_MSE, COST_COUNT };
enum opt_kind {
    OPT_SGD, OPT_MOMENTUM, OPT_NESTEROV, OPT_RMSPROP, OPT_ADAM, OPT_COUNT
};
extern const char *const act_names[ACT_COUNT];
extern const char *const cost_names[COST_COUNT];
extern const char *const opt_names[OPT_COUNT];

/* Geometry of a 2-D convolution or pooling window over one sample.
 * Output size: out_h = (in_h + pad_t + pad_b - kh) / stride + 1, likewise
 * out_w; padding pads with zeros (conv) or is not used (pooling). */
typedef struct {
    int in_h, in_w, in_c;
    int out_h, out_w, out_c;
    int kh, kw, stride, pad_t, pad_l;
} conv_geom;

/* ---- tensors ---- */

#define MAX_TENSORS 4

/* A tensor a layer owns: its name in the model ("W", "b", "gamma",
 * "running_mean", ...), its number of elements, and what it is for:
 * trainable tensors are updated by the optimizer from their gradient;
 * the others are state the layer itself updates (running statistics);
 * L1 and L2 penalties apply to the tensors marked `penalized` (weights);
 * `nonnegative` marks state that cannot be negative (a running variance:
 * its square root is taken). */
typedef struct {
    const char *name;
    double n;                 /* elements, in double: products can overflow */
    int trainable, penalized;
    double init;              /* the value every element starts at, for the
                               * tensors the front doors do not draw at
                               * random (all but W and b) */
    int nonnegative;          /* values below 0 make no sense (a variance):
                               * R refuses models holding any */
} tensor_spec;

struct layer;
struct network;

/* What a forward pass is for, which the kinds that behave differently
 * (dropout, batch normalisation) read:
 *  PASS_PREDICT  prediction and evaluation: no dropout, running statistics
 *  PASS_TRAIN    a training batch: dropout, batch statistics, and the
 *                running statistics updated from them
 *  PASS_GRAD     the gradient of the loss as a function of the tensors
 *                (C_backprop, C_trace, grad_check): batch statistics but
 *                no update of the running ones, no dropout */
enum pass_kind { PASS_PREDICT = 0, PASS_TRAIN = 1, PASS_GRAD = 2 };

/* ---- layer kinds ---- */

/* What the network loop asks of a layer kind:
 *  check     NULL when the layer's configuration and sizes are consistent
 *            (geometry, rates), else a description of what is not; the
 *            kernels trust a layer that passed
 *  tensors   fill t[] with the tensors of a layer of this configuration,
 *            return their count (<= MAX_TENSORS)
 *  scratch   reals (return value) and ints (*ints) of working memory for
 *            batches of up to B samples
 *  forward   out (n_out x B) from in (n_in x B); pass (enum pass_kind)
 *            says what the pass is for
 *  backward  from dout (dLoss/d(out), or dLoss/dz when the kind applies an
 *            activation: the loop has already multiplied by f'), add the
 *            gradients of the trainable tensors into dt[] (scaled by
 *            gscale, see layer) and, when din is not NULL, write
 *            dLoss/d(in). Reads t[] before it changes any dt[] that may
 *            alias them (fused SGD).
 * flags: LK_ACTIVATION  forward ends with the layer's activation `act`
 *        LK_SHARES      out and dout are the previous layer's (flatten)
 *        LK_FUSABLE     backward accumulates each gradient in one pass,
 *                       after its last read of t[], so dt[] may be t[]
 *                       itself (plain SGD stepped inside backward) */
enum { LK_ACTIVATION = 1, LK_SHARES = 2, LK_FUSABLE = 4 };

typedef struct layer_kind {
    const char *name;
    int flags;
    const char *(*check)(const struct layer *L);
    int (*tensors)(const struct layer *L, tensor_spec *t);
    double (*scratch)(const struct layer *L, int B, double *ints);
    void (*forward)(struct network *nt, struct layer *L, const real *in,
                    int B, int pass);
    void (*backward)(struct network *nt, struct layer *L, const real *in,
                     real *din, int B);
} layer_kind;

/* the table (layers.c): NULL-terminated, and a lookup by name */
extern const layer_kind *const layer_kinds[];
const layer_kind *layer_kind_find(const char *name);

/* One layer: its kind, its configuration (each kind reads the fields it
 * needs), its tensors and its buffers. */
typedef struct layer {
    const layer_kind *kind;
    int act;                  /* enum act_kind, for LK_ACTIVATION kinds */
    double slope;             /* leaky ReLU slope for x < 0 */
    double rate;              /* dropout rate */
    double eps, momentum;     /* batch normalisation */
    int n_in, n_out;          /* elements per sample in and out */
    conv_geom g;              /* conv2d, pooling; batchnorm of images */
    int n_t;                  /* tensors: spec, values, gradient sink */
    tensor_spec ts[MAX_TENSORS];
    real *t[MAX_TENSORS];
    real *dt[MAX_TENSORS];    /* trainable tensors; NULL for the others */
    real gscale;              /* gradients are added as dt += gscale * g */
    real *out;                /* (n_out x batch_cap) outputs */
    real *dout;               /* (n_out x batch_cap) dLoss/d(out), then dz */
    real *scratch;            /* the kind's working memory */
    int *iscratch;
} layer;

/* All tensors of a network, held in flat buffers so that zeroing the
 * gradients and an optimizer step are each one loop: the trainable
 * values p (n of them, the penalized ones first: [0, n_pen)), their
 * gradients g, and the other tensors (n_state values). Each layer's t[]
 * and dt[] point into them. */
typedef struct {
    real *p, *g;
    long n, n_pen;
    real *state;
    long n_state;
} param_set;

typedef struct network {
    int n_layers;
    layer *L;
    param_set ps;
    int batch_cap;            /* columns the buffers hold */
    double (*unif)(void);     /* uniform(0, 1) draws for dropout (R's RNG) */
} network;

/* ---- kernels (layer_*.c): outputs, inputs, parameters, sizes ---- */

/* in (in_h*in_w*in_c x B) -> out (out_h*out_w*out_c x B), activation
 * `act` (enum act_kind, `slope` for leaky ReLU) applied; work holds
 * conv2d_work_reals(g, B) reals (im2col chunks per thread and the
 * per-sample gradients). Samples are shared among at most split_threads(B)
 * threads; results do not depend on their number. */
long conv2d_work_reals(const conv_geom *g, int B);
void conv2d_forward(real *out, real *work, const real *in, const real *W,
                    const real *b, const conv_geom *g, int act, double slope,
                    int B);
void conv2d_backward(real *din, real *dW, real *db, real *work,
                     const real *dz, const real *in, const real *W,
                     const conv_geom *g, int B);
void maxpool2d_forward(real *out, int *argmax, const real *in,
                       const conv_geom *g, int B);
void maxpool2d_backward(real *din, const real *dout, const int *argmax,
                        const conv_geom *g, int B);
/* the geometry a conv2d or pooling layer needs, NULL when it holds */
const char *geom_check(const struct layer *L, int pool);

/* ---- activations (activation.c), in place over n rows x B columns ---- */
void act_forward(real *a, int act, double slope, int n, int B);
/* d *= f'(z), with f' written in terms of the output a */
void act_backward(real *d, const real *a, int act, double slope, int n,
                  int B);

/* ---- loss (loss.c) ---- */
/* Summed loss over the batch; dz (k x B) = dLoss/dz of the output layer. */
double loss_forward(const real *a, const real *y, int cost, int act, int k,
                    int B);
void loss_delta(real *dz, const real *a, const real *y, int cost, int act,
                double slope, int k, int B);
/* Number of correct predictions: argmax for k > 1, threshold 0.5 for k 1. */
int loss_correct(const real *a, const real *y, int k, int B);

#endif
