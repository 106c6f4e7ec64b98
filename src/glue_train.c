/* glue_train.c: R <-> engine for training, prediction, backprop and its
 * layer-by-layer trace.
 *
 * A network arrives as two R lists built by R/train.R:
 *   layers[[i]]: list(kind, act, slope, rate, n_in, n_out, geom), geom an
 *                integer vector (in_h, in_w, in_c, out_h, out_w, out_c, kh,
 *                kw, stride, pad_t, pad_l) or NULL for dense layers;
 *   params[[i]]: list(W, b) of doubles, or NULL for layers without any.
 * Data are double matrices with one sample per column. R has validated all
 * of it; the checks here only guard against internal misuse. */
#include <limits.h>
#include <string.h>
#include <R.h>
#include <Rinternals.h>
#include "net.h"
#include "gemm.h"
#include "threads.h"

static SEXP get_elt(SEXP list, const char *name)
{
    SEXP names = getAttrib(list, R_NamesSymbol);
    for (R_xlen_t i = 0; i < xlength(list); i++)
        if (strcmp(CHAR(STRING_ELT(names, i)), name) == 0)
            return VECTOR_ELT(list, i);
    return R_NilValue;
}

static int get_int(SEXP list, const char *name)
{
    SEXP v = get_elt(list, name);
    if (xlength(v) != 1) error("internal error: '%s' missing", name);
    return asInteger(v);
}

static double get_dbl(SEXP list, const char *name)
{
    SEXP v = get_elt(list, name);
    if (xlength(v) != 1) error("internal error: '%s' missing", name);
    return asReal(v);
}

static double unif_draw(void) { return unif_rand(); }

/* Geometry of a conv2d or maxpool2d layer: positive sizes that match the
 * layer's element counts, windows that stay inside the (padded) input.
 * The kernels trust these, so an edited model must not get past here. */
static void check_geometry(const layer *L, int l)
{
    const conv_geom *g = &L->g;
    int ok = g->in_h > 0 && g->in_w > 0 && g->in_c > 0 && g->out_h > 0 &&
        g->out_w > 0 && g->out_c > 0 && g->kh > 0 && g->kw > 0 &&
        g->stride > 0 && g->pad_t >= 0 && g->pad_l >= 0 &&
        g->pad_t < g->kh && g->pad_l < g->kw &&
        (double) g->in_h * g->in_w * g->in_c == L->n_in &&
        (double) g->out_h * g->out_w * g->out_c == L->n_out &&
        /* the last window starts inside the image (padding < kernel) */
        (double) (g->out_h - 1) * g->stride - g->pad_t < (double) g->in_h &&
        (double) (g->out_w - 1) * g->stride - g->pad_l < (double) g->in_w;
    /* pooling windows lie wholly inside the input */
    if (ok && L->kind == LAYER_MAXPOOL2D)
        ok = g->out_c == g->in_c && g->pad_t == 0 && g->pad_l == 0 &&
            (double) (g->out_h - 1) * g->stride + g->kh <= (double) g->in_h &&
            (double) (g->out_w - 1) * g->stride + g->kw <= (double) g->in_w;
    if (!ok) error("internal error: layer %d geometry is inconsistent", l + 1);
}

/* Fill nt from the R description; parameters point into `params`, which
 * the caller has duplicated when they are to be trained. */
static void build_network(network *nt, SEXP layers, SEXP params)
{
    if (TYPEOF(layers) != VECSXP || TYPEOF(params) != VECSXP ||
        xlength(layers) != xlength(params) || xlength(layers) < 1)
        error("internal error: malformed network description");
    nt->n_layers = (int) xlength(layers);
    nt->L = (layer *) R_alloc(nt->n_layers, sizeof(layer));
    nt->unif = unif_draw;
    nt->sgd_step = 0.0;
    memset(nt->L, 0, sizeof(layer) * nt->n_layers);
    for (int l = 0; l < nt->n_layers; l++) {
        SEXP s = VECTOR_ELT(layers, l), p = VECTOR_ELT(params, l);
        layer *L = &nt->L[l];
        L->kind = get_int(s, "kind");
        L->act = get_int(s, "act");
        L->slope = get_dbl(s, "slope");
        L->rate = get_dbl(s, "rate");
        L->n_in = get_int(s, "n_in");
        L->n_out = get_int(s, "n_out");
        if (L->n_in < 1 || L->n_out < 1 || (l > 0 && L->n_in != nt->L[l - 1].n_out))
            error("internal error: layer %d sizes do not chain", l + 1);
        if (L->kind < LAYER_DENSE || L->kind > LAYER_FLATTEN ||
            L->act < ACT_LINEAR || L->act > ACT_SOFTMAX ||
            !(L->rate >= 0.0 && L->rate < 1.0))
            error("internal error: layer %d has an unknown kind or activation", l + 1);
        SEXP g = get_elt(s, "geom");
        if (L->kind == LAYER_CONV2D || L->kind == LAYER_MAXPOOL2D) {
            if (TYPEOF(g) != INTSXP || xlength(g) != 11)
                error("internal error: layer %d geometry", l + 1);
            int *v = INTEGER(g);
            conv_geom cg = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                            v[8], v[9], v[10]};
            L->g = cg;
            check_geometry(L, l);
        } else if (L->kind != LAYER_DENSE && L->n_in != L->n_out) {
            error("internal error: layer %d changes size", l + 1);
        }
        /* parameter counts in double: the product of four ints can
         * overflow any integer type; the kernels count them in int */
        double nw = 0, nb = 0;
        if (L->kind == LAYER_DENSE) { nw = (double) L->n_out * L->n_in; nb = L->n_out; }
        if (L->kind == LAYER_CONV2D) {
            nw = (double) L->g.kh * L->g.kw * L->g.in_c * L->g.out_c;
            nb = L->g.out_c;
        }
        if (nw > INT_MAX)
            error("layer %d has %.0f weights; the engine handles at most %d "
                  "per layer", l + 1, nw, INT_MAX);
        if (!layer_has_params(L)) continue;
        if (TYPEOF(p) != VECSXP || xlength(p) != 2)
            error("internal error: layer %d has no parameters", l + 1);
        SEXP W = VECTOR_ELT(p, 0), b = VECTOR_ELT(p, 1);
        if (!isReal(W) || !isReal(b) || (double) xlength(W) != nw ||
            (double) xlength(b) != nb)
            error("internal error: layer %d parameters have the wrong size", l + 1);
        L->n_w = (int) nw; L->n_b = (int) nb;
        L->W = REAL(W); L->b = REAL(b);
    }
}

static void bind_buffers(network *nt, int cap)
{
    double nd, ni;
    net_buffer_sizes(nt, cap, &nd, &ni);
    if (nd + ni > 0x1p50)
        error("the network's buffers for %d samples would need %.3g GB",
              cap, (nd * sizeof(double) + ni * sizeof(int)) / 1e9);
    double *d = (double *) R_alloc(nd > 0 ? (size_t) nd : 1, sizeof(double));
    int *iv = (int *) R_alloc(ni > 0 ? (size_t) ni : 1, sizeof(int));
    net_bind_buffers(nt, d, iv, cap);
}

/* A copy of params whose numbers the engine may overwrite. */
static SEXP copy_params(SEXP params)
{
    SEXP out = PROTECT(allocVector(VECSXP, xlength(params)));
    for (R_xlen_t i = 0; i < xlength(params); i++)
        SET_VECTOR_ELT(out, i, duplicate(VECTOR_ELT(params, i)));
    setAttrib(out, R_NamesSymbol, getAttrib(params, R_NamesSymbol));
    UNPROTECT(1);
    return out;
}

/* The samples in x: a p x n matrix (one sample per column) or, with rows,
 * an n x ... matrix or array holding one sample per row. */
static sample_set samples_of(const network *nt, SEXP x, int rows)
{
    int p = nt->L[0].n_in;
    sample_set s = {NULL, p, 0, rows != 0};
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (!isReal(x) || TYPEOF(dim) != INTSXP || xlength(dim) < 2 ||
        (!rows && xlength(dim) != 2))
        error("internal error: the data must be a double matrix or array");
    s.n = INTEGER(dim)[rows ? 0 : 1];
    if ((double) s.n * p != (double) xlength(x))
        error("internal error: the data do not have %d values per sample", p);
    s.v = REAL(x);
    return s;
}

static void check_targets(const network *nt, const sample_set *x, SEXP y)
{
    if (!isReal(y) || !isMatrix(y) || ncols(y) != x->n ||
        nrows(y) != nt->L[nt->n_layers - 1].n_out)
        error("internal error: y does not match x or the output layer");
}

/* ---- progress: R functions called between batches ----
 * opts$on_epoch(c(epoch, loss, accuracy, val_loss, val_accuracy)) after each
 * epoch and opts$on_batch(c(epoch, batch, n_batches)) every opts$tick
 * batches, both from R/train.R; they print messages there. An error they
 * raise unwinds training like an interrupt (memory is R's). */

static void call_r(SEXP fn, const double *v, int n)
{
    SEXP arg = PROTECT(allocVector(REALSXP, n));
    memcpy(REAL(arg), v, sizeof(double) * n);
    SEXP call = PROTECT(lang2(fn, arg));
    eval(call, R_GlobalEnv);
    UNPROTECT(2);
}

static void epoch_to_r(void *ctx, int e, const train_hist *h)
{
    double v[5] = {e + 1, h->train_loss[e], h->train_acc[e], h->val_loss[e],
                   h->val_acc[e]};
    call_r(get_elt((SEXP) ctx, "on_epoch"), v, 5);
}

static void batch_to_r(void *ctx, int e, int batch, int n_batches)
{
    double v[3] = {e + 1, batch, n_batches};
    call_r(get_elt((SEXP) ctx, "on_batch"), v, 3);
}

/* `opts` is an argument of the .Call, so the functions stay protected */
static void progress_from(train_progress *pr, SEXP opts)
{
    pr->epoch = isFunction(get_elt(opts, "on_epoch")) ? epoch_to_r : NULL;
    pr->batch = isFunction(get_elt(opts, "on_batch")) ? batch_to_r : NULL;
    pr->ctx = (void *) opts;
    pr->tick = pr->batch ? get_int(opts, "tick") : 0;
}

/* ---- the training state a warm start continues ----
 * opts$state: NULL (a fresh start: zero optimizer state, step 0, samples
 * in order) or list(opt, step, order) as C_train returned it, order
 * 0-based. R checked that it belongs to this network, optimizer and data;
 * here only its sizes are guarded. The result holds the state at the end. */

static SEXP state_in(train_state *st, SEXP opts, const network *nt, int kind,
                     int n)
{
    const char *nm[] = {"opt", "step", "order", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, nm));
    long n_opt = optim_state_doubles(nt, kind);
    SET_VECTOR_ELT(out, 0, allocVector(REALSXP, n_opt));
    SET_VECTOR_ELT(out, 2, allocVector(INTSXP, n));
    st->opt = REAL(VECTOR_ELT(out, 0));
    st->n_opt = n_opt;
    st->order = INTEGER(VECTOR_ELT(out, 2));
    st->step = 0;
    SEXP in = get_elt(opts, "state");
    if (in == R_NilValue) {
        memset(st->opt, 0, sizeof(double) * n_opt);
        for (int i = 0; i < n; i++) st->order[i] = i;
    } else {
        SEXP o = get_elt(in, "opt"), ord = get_elt(in, "order");
        if (!isReal(o) || xlength(o) != n_opt || TYPEOF(ord) != INTSXP ||
            xlength(ord) != n)
            error("internal error: the training state does not fit");
        memcpy(st->opt, REAL(o), sizeof(double) * n_opt);
        int *seen = (int *) R_alloc(n, sizeof(int));
        memset(seen, 0, sizeof(int) * n);
        for (int i = 0; i < n; i++) {
            int v = INTEGER(ord)[i];
            if (v < 0 || v >= n || seen[v]++)
                error("internal error: the sample order is not a permutation");
            st->order[i] = v;
        }
        st->step = (long) get_dbl(in, "step");
    }
    UNPROTECT(1);
    return out;
}

/* ---- C_train(layers, params, x, y, xval, yval, opts) ---- */

SEXP C_train(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP xval,
             SEXP yval, SEXP opts)
{
    network nt;
    SEXP trained = PROTECT(copy_params(params));
    build_network(&nt, layers, trained);
    train_data d = {samples_of(&nt, x, get_int(opts, "x_rows")),
                    {NULL, nt.L[0].n_in, 0, 0}, NULL, NULL, 0};
    check_targets(&nt, &d.x, y);
    d.y = REAL(y);
    d.k = nrows(y);
    if (xval != R_NilValue) {
        d.xv = samples_of(&nt, xval, get_int(opts, "xval_rows"));
        check_targets(&nt, &d.xv, yval);
        d.yv = REAL(yval);
    }

    train_cfg cfg;
    cfg.epochs = get_int(opts, "epochs");
    cfg.batch = get_int(opts, "batch");
    cfg.cost = get_int(opts, "cost");
    cfg.patience = get_int(opts, "patience");
    cfg.shuffle = get_int(opts, "shuffle");
    cfg.adaptive = get_int(opts, "adaptive_threads");
    cfg.opt.kind = get_int(opts, "optimizer");
    cfg.opt.lr = get_dbl(opts, "lr");
    cfg.opt.momentum = get_dbl(opts, "momentum");
    cfg.opt.beta1 = get_dbl(opts, "beta1");
    cfg.opt.beta2 = get_dbl(opts, "beta2");
    cfg.opt.rho = get_dbl(opts, "rho");
    cfg.opt.eps = get_dbl(opts, "eps");
    cfg.opt.l1 = get_dbl(opts, "l1");
    cfg.opt.l2 = get_dbl(opts, "l2");
    if (cfg.epochs < 1 || cfg.batch < 1)
        error("internal error: epochs and batch must be positive");
    progress_from(&cfg.progress, opts);
    threads_set(get_int(opts, "threads"));

    int n = d.x.n, nv = d.xv.n;
    if (n < 1) error("internal error: no samples");
    int cap = cfg.batch > n ? n : cfg.batch;
    if (cap < 256 && nv > cap) cap = nv < 256 ? nv : 256;
    cfg.batch = cfg.batch > n ? n : cfg.batch;
    bind_buffers(&nt, cap);

    SEXP hist = PROTECT(allocMatrix(REALSXP, cfg.epochs, 4));
    double *hv = REAL(hist);
    for (long i = 0; i < 4L * cfg.epochs; i++) hv[i] = NA_REAL;
    train_hist h = {hv, hv + cfg.epochs, hv + 2L * cfg.epochs,
                    hv + 3L * cfg.epochs, 0, 0, 0, 0};
    train_state st;
    SEXP state = PROTECT(state_in(&st, opts, &nt, cfg.opt.kind, n));
    GetRNGstate();
    train_run(&nt, &d, &cfg, &h, &st);
    PutRNGstate();
    SET_VECTOR_ELT(state, 1, ScalarReal((double) st.step));

    const char *nm[] = {"params", "history", "epochs_run", "best_epoch",
                        "diverged_epoch", "diverged_batch", "state", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    SET_VECTOR_ELT(res, 0, trained);
    SET_VECTOR_ELT(res, 1, hist);
    SET_VECTOR_ELT(res, 2, ScalarInteger(h.epochs_run));
    SET_VECTOR_ELT(res, 3, ScalarInteger(h.best_epoch));
    SET_VECTOR_ELT(res, 4, ScalarInteger(h.diverged_epoch));
    SET_VECTOR_ELT(res, 5, ScalarInteger(h.diverged_batch));
    SET_VECTOR_ELT(res, 6, state);
    UNPROTECT(4);
    return res;
}

/* ---- C_predict(layers, params, x, rows, threads): (k x n) outputs ---- */

SEXP C_predict(SEXP layers, SEXP params, SEXP x, SEXP rows, SEXP threads)
{
    network nt;
    build_network(&nt, layers, params);
    sample_set s = samples_of(&nt, x, asLogical(rows) == TRUE);
    int n = s.n, k = nt.L[nt.n_layers - 1].n_out;
    int cap = n < 256 ? (n > 0 ? n : 1) : 256;
    threads_set(asInteger(threads));
    bind_buffers(&nt, cap);
    double *buf = s.rows ?
        (double *) R_alloc((size_t) s.p * cap, sizeof(double)) : NULL;
    SEXP out = PROTECT(allocMatrix(REALSXP, k, n));
    net_predict(&nt, REAL(out), &s, k, buf);
    UNPROTECT(1);
    return out;
}

/* ---- one forward and backward pass over a whole batch ----
 * x (p x B) and y (k x B), without dropout, for C_backprop and C_trace:
 * builds nt over `params`, runs the pass and returns the mean loss; the
 * layers' outputs, dout (dLoss/dz for layers with parameters) and the
 * gradient sums dW, db are left in nt. *B receives the batch size. */

static double batch_pass(network *nt, int *B, SEXP layers, SEXP params,
                         SEXP x, SEXP y, SEXP opts)
{
    build_network(nt, layers, params);
    sample_set s = samples_of(nt, x, 0);
    check_targets(nt, &s, y);
    int n = s.n, k = nrows(y), cost = get_int(opts, "cost");
    if (n < 1) error("internal error: no samples");
    threads_set(get_int(opts, "threads"));
    bind_buffers(nt, n);
    layer *out = &nt->L[nt->n_layers - 1];
    net_forward(nt, REAL(x), n, 0);
    double loss = loss_forward(out->out, REAL(y), cost, out->act, k, n) / n;
    net_zero_grad(nt);
    loss_delta(out->dout, out->out, REAL(y), cost, out->act, out->slope, k, n);
    net_backward(nt, REAL(x), n);
    *B = n;
    return loss;
}

/* ---- C_backprop(layers, params, x, y, opts): mean loss and gradients ----
 * Gradients are means over the samples (no penalty terms), laid out like
 * params. */

SEXP C_backprop(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP opts)
{
    network nt;
    int n;
    double loss = batch_pass(&nt, &n, layers, params, x, y, opts);

    SEXP grads = PROTECT(copy_params(params));
    for (int l = 0; l < nt.n_layers; l++) {
        layer *L = &nt.L[l];
        if (!layer_has_params(L)) continue;
        SEXP g = VECTOR_ELT(grads, l);
        for (int i = 0; i < L->n_w; i++) REAL(VECTOR_ELT(g, 0))[i] = L->dW[i] / n;
        for (int i = 0; i < L->n_b; i++) REAL(VECTOR_ELT(g, 1))[i] = L->db[i] / n;
    }
    const char *nm[] = {"loss", "grads", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    SET_VECTOR_ELT(res, 0, ScalarReal(loss));
    SET_VECTOR_ELT(res, 1, grads);
    UNPROTECT(2);
    return res;
}

/* ---- C_trace(layers, params, x, y, opts): one batch, layer by layer ----
 * The pass of C_backprop over the batch x (p x B), without dropout, with
 * what each layer l holds along the way: a[[l]] its output (n_out x B);
 * for layers with parameters z[[l]] the weighted input before the
 * activation, delta[[l]] = dLoss/dz and the gradients summed over the
 * batch, shaped like W and b (NULL for the other layers). */

/* (rows x cols) double matrix holding v, column-major */
static SEXP matrix_of(const double *v, int rows, int cols)
{
    SEXP m = PROTECT(allocMatrix(REALSXP, rows, cols));
    memcpy(REAL(m), v, sizeof(double) * rows * (size_t) cols);
    UNPROTECT(1);
    return m;
}

/* z (n_out x B): the engine applies activations in place and keeps no z,
 * so the layer's products are recomputed with the linear activation */
static SEXP pre_activation(layer *L, const double *in, int B)
{
    SEXP z = PROTECT(allocMatrix(REALSXP, L->n_out, B));
    if (L->kind == LAYER_DENSE)
        dense_forward(REAL(z), in, L->W, L->b, L->n_out, L->n_in, B);
    else
        conv2d_forward(REAL(z), L->work, in, L->W, L->b, &L->g, ACT_LINEAR,
                       0.0, B);
    UNPROTECT(1);
    return z;
}

/* g, shaped like the parameter p (a W or a b), holding n values of v */
static SEXP like_param(SEXP p, const double *v, int n)
{
    SEXP g = PROTECT(duplicate(p));
    memcpy(REAL(g), v, sizeof(double) * n);
    UNPROTECT(1);
    return g;
}

SEXP C_trace(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP opts)
{
    network nt;
    int B;
    double loss = batch_pass(&nt, &B, layers, params, x, y, opts);
    int nl = nt.n_layers;
    const char *nm[] = {"z", "a", "delta", "nabla_w", "nabla_b", "loss", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    for (int i = 0; i < 5; i++) SET_VECTOR_ELT(res, i, allocVector(VECSXP, nl));
    SEXP z = VECTOR_ELT(res, 0), a = VECTOR_ELT(res, 1),
        delta = VECTOR_ELT(res, 2), nw = VECTOR_ELT(res, 3),
        nb = VECTOR_ELT(res, 4);

    /* the backward pass reads the outputs and leaves them as they were;
     * z is recomputed from them (conv2d reuses its scratch, done with) */
    for (int l = 0; l < nl; l++) {
        layer *L = &nt.L[l];
        const double *in = l > 0 ? nt.L[l - 1].out : REAL(x);
        SET_VECTOR_ELT(a, l, matrix_of(L->out, L->n_out, B));
        if (!layer_has_params(L)) continue;
        SEXP p = VECTOR_ELT(params, l);
        SET_VECTOR_ELT(z, l, pre_activation(L, in, B));
        SET_VECTOR_ELT(delta, l, matrix_of(L->dout, L->n_out, B));
        SET_VECTOR_ELT(nw, l, like_param(VECTOR_ELT(p, 0), L->dW, L->n_w));
        SET_VECTOR_ELT(nb, l, like_param(VECTOR_ELT(p, 1), L->db, L->n_b));
    }
    SET_VECTOR_ELT(res, 5, ScalarReal(loss));
    UNPROTECT(1);
    return res;
}
