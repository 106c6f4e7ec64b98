/* glue_train.c: R <-> engine for training, prediction, backprop and its
 * layer-by-layer trace. Compiled twice like the engine (real.h): as itself
 * it gives C_train, C_predict, C_backprop and C_trace in double precision,
 * through single_glue_train.c the same entries with _f in single
 * precision. R's numbers are doubles: the single build converts data and
 * tensors to float on the way in and back on the way out.
 *
 * A network arrives as two R lists built by R/train.R:
 *   layers[[i]]: list(kind, act, slope, rate, n_in, n_out, geom, eps,
 *                momentum): kind and act are names from the engine's
 *                tables (C_tables); geom an integer vector (in_h, in_w,
 *                in_c, out_h, out_w, out_c, kh, kw, stride, pad_t, pad_l)
 *                or NULL; eps and momentum may be absent;
 *   params[[i]]: a named list holding the tensors the layer's kind owns
 *                (list(W, b) for dense and conv2d), or NULL when none.
 * Data are double matrices with one sample per column (or per row, with
 * the rows flag). R has validated all of it; the checks here only guard
 * against internal misuse. */
#include <limits.h>
#include <string.h>
#include <R.h>
#include <Rinternals.h>
#include "net.h"
#include "gemm.h"
#include "threads.h"
#include "data_codes.h"

static SEXP get_elt(SEXP list, const char *name)
{
    SEXP names = getAttrib(list, R_NamesSymbol);
    if (TYPEOF(names) != STRSXP) return R_NilValue;
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

/* a double setting that may be absent */
static double get_dbl_or(SEXP list, const char *name, double dflt)
{
    SEXP v = get_elt(list, name);
    return xlength(v) == 1 ? asReal(v) : dflt;
}

/* the index of the name list[[name]] in names[0..n), or an error */
static int get_name(SEXP list, const char *name, const char *const *names,
                    int n)
{
    SEXP v = get_elt(list, name);
    if (TYPEOF(v) != STRSXP || xlength(v) != 1)
        error("internal error: '%s' missing", name);
    for (int i = 0; i < n; i++)
        if (strcmp(CHAR(STRING_ELT(v, 0)), names[i]) == 0) return i;
    error("internal error: unknown %s '%s'", name, CHAR(STRING_ELT(v, 0)));
    return -1;
}

static double unif_draw(void) { return unif_rand(); }

/* ---- numbers in and out: R's doubles <-> the engine's reals ---- */

/* n doubles of R as reals: in place in double precision, a converted copy
 * in single */
static const real *reals_of(SEXP x)
{
#ifdef NNFS_SINGLE
    R_xlen_t n = xlength(x);
    real *r = (real *) R_alloc(n > 0 ? n : 1, sizeof(real));
    const double *v = REAL(x);
    for (R_xlen_t i = 0; i < n; i++) r[i] = (real) v[i];
    return r;
#else
    return REAL(x);
#endif
}

static void copy_in(real *dst, const double *src, long n)
{
    for (long i = 0; i < n; i++) dst[i] = (real) src[i];
}

static void copy_out(double *dst, const real *src, long n)
{
    for (long i = 0; i < n; i++) dst[i] = (double) src[i];
}

/* ---- the network ---- */

/* Fill L from the R description s of layer l (from 0, for messages);
 * NULL, or what the kind's check finds wrong with it. */
static const char *parse_layer(layer *L, SEXP s, int l)
{
    SEXP kind = get_elt(s, "kind");
    if (TYPEOF(kind) != STRSXP || xlength(kind) != 1 ||
        !(L->kind = layer_kind_find(CHAR(STRING_ELT(kind, 0)))))
        error("internal error: layer %d has an unknown kind", l + 1);
    L->act = get_name(s, "act", act_names, ACT_COUNT);
    L->slope = get_dbl(s, "slope");
    L->rate = get_dbl(s, "rate");
    L->eps = get_dbl_or(s, "eps", 0.0);
    L->momentum = get_dbl_or(s, "momentum", 0.0);
    L->n_in = get_int(s, "n_in");
    L->n_out = get_int(s, "n_out");
    SEXP g = get_elt(s, "geom");
    if (g != R_NilValue) {
        if (TYPEOF(g) != INTSXP || xlength(g) != 11)
            error("internal error: layer %d geometry", l + 1);
        int *v = INTEGER(g);
        conv_geom cg = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                        v[8], v[9], v[10]};
        L->g = cg;
    }
    return L->kind->check ? L->kind->check(L) : NULL;
}

static void build_layer(layer *L, SEXP s, int l)
{
    const char *bad = parse_layer(L, s, l);
    if (bad) error("internal error: layer %d has %s", l + 1, bad);
    if (layer_init_tensors(L))
        error("layer %d has a tensor of more than %d values; the engine "
              "handles at most that many", l + 1, INT_MAX);
}

/* Tensor i of layer l in the R list params[[l]], checked: doubles, the
 * size the kind says. */
static SEXP tensor_of(SEXP params, const layer *L, int l, int i)
{
    SEXP t = get_elt(VECTOR_ELT(params, l), L->ts[i].name);
    if (!isReal(t) || (double) xlength(t) != L->ts[i].n)
        error("internal error: layer %d tensor '%s' is missing or has the "
              "wrong size", l + 1, L->ts[i].name);
    return t;
}

/* Fill nt from the R description, with its tensors copied into flat
 * buffers of reals. */
static void build_network(network *nt, SEXP layers, SEXP params)
{
    if (TYPEOF(layers) != VECSXP || TYPEOF(params) != VECSXP ||
        xlength(layers) != xlength(params) || xlength(layers) < 1)
        error("internal error: malformed network description");
    nt->n_layers = (int) xlength(layers);
    nt->L = (layer *) R_alloc(nt->n_layers, sizeof(layer));
    nt->unif = unif_draw;
    memset(nt->L, 0, sizeof(layer) * nt->n_layers);
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        build_layer(L, VECTOR_ELT(layers, l), l);
        if (L->n_in < 1 || L->n_out < 1 ||
            (l > 0 && L->n_in != nt->L[l - 1].n_out))
            error("internal error: layer %d sizes do not chain", l + 1);
    }
    double n, n_pen, n_state;
    net_tensor_sizes(nt, &n, &n_pen, &n_state);
    if (n + n_state > 0x1p50) error("the network has too many parameters");
    param_set ps = {(real *) R_alloc((size_t) n + 1, sizeof(real)),
                    (real *) R_alloc((size_t) n + 1, sizeof(real)),
                    (long) n, (long) n_pen,
                    (real *) R_alloc((size_t) n_state + 1, sizeof(real)),
                    (long) n_state};
    net_bind_tensors(nt, ps);
    for (int l = 0; l < nt->n_layers; l++) {
        layer *L = &nt->L[l];
        for (int i = 0; i < L->n_t; i++)
            copy_in(L->t[i], REAL(tensor_of(params, L, l, i)),
                    (long) L->ts[i].n);
    }
}

static void bind_buffers(network *nt, int cap)
{
    double nd, ni;
    net_buffer_sizes(nt, cap, &nd, &ni);
    if (nd + ni > 0x1p50)
        error("the network's buffers for %d samples would need %.3g GB",
              cap, (nd * sizeof(real) + ni * sizeof(int)) / 1e9);
    real *d = (real *) R_alloc(nd > 0 ? (size_t) nd : 1, sizeof(real));
    int *iv = (int *) R_alloc(ni > 0 ? (size_t) ni : 1, sizeof(int));
    net_bind_buffers(nt, d, iv, cap);
}

/* A copy of `like` (a params list) holding values from the flat buffer
 * `base`, laid out like nt->ps.p: every tensor (trainable 0), or only the
 * trainable ones, the others NULL (trainable 1: optimizer state). */
static SEXP tensors_out(const network *nt, SEXP like, const real *base,
                        int trainable)
{
    SEXP out = PROTECT(allocVector(VECSXP, nt->n_layers));
    setAttrib(out, R_NamesSymbol, getAttrib(like, R_NamesSymbol));
    for (int l = 0; l < nt->n_layers; l++) {
        const layer *L = &nt->L[l];
        if (L->n_t == 0) continue;
        SEXP lst = PROTECT(allocVector(VECSXP, L->n_t));
        SEXP nms = PROTECT(allocVector(STRSXP, L->n_t));
        int kept = 0;
        for (int i = 0; i < L->n_t; i++) {
            const tensor_spec *ts = &L->ts[i];
            if (trainable && !ts->trainable) continue;
            SEXP t = PROTECT(duplicate(tensor_of(like, L, l, i)));
            const real *from = ts->trainable ?
                base + (L->t[i] - nt->ps.p) : L->t[i];
            copy_out(REAL(t), from, (long) ts->n);
            SET_VECTOR_ELT(lst, kept, t);
            SET_STRING_ELT(nms, kept++, mkChar(ts->name));
            UNPROTECT(1);
        }
        lst = PROTECT(xlengthgets(lst, kept));
        nms = PROTECT(xlengthgets(nms, kept));
        setAttrib(lst, R_NamesSymbol, nms);
        if (kept) SET_VECTOR_ELT(out, l, lst);
        UNPROTECT(4);
    }
    UNPROTECT(1);
    return out;
}

/* The samples in x: a p x n matrix (one sample per column) or, with rows
 * (1 or 2), an n x ... matrix or array holding one sample per row, read in
 * place (1) or, in single precision, copied once into a float matrix with
 * one sample per column (2: half the bytes of R's doubles). With codes,
 * rows whose values are at most 256 distinct numbers are copied once as
 * byte codes instead (data_codes.c). */
static sample_set samples_of(const network *nt, SEXP x, int rows, int codes)
{
    int p = nt->L[0].n_in;
    sample_set s = {.p = p, .rows = rows != 0};
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (!isReal(x) || TYPEOF(dim) != INTSXP || xlength(dim) < 2 ||
        (!rows && xlength(dim) != 2))
        error("internal error: the data must be a double matrix or array");
    s.n = INTEGER(dim)[rows ? 0 : 1];
    if ((double) s.n * p != (double) xlength(x))
        error("internal error: the data do not have %d values per sample", p);
    if (rows && codes && byte_codes_likely(REAL(x), s.n, p)) {
        /* data with at most 256 distinct values (images): one byte per
         * value and a table of the values, an eighth of R's doubles */
        unsigned char *cv = (unsigned char *) big_alloc((size_t) s.n * p, 1);
        double values[256];
        int count = byte_codes(REAL(x), s.n, p, cv, values, threads_get());
        if (count > 0) {
            real *lut = (real *) R_alloc(256, sizeof(real));
            for (int c = 0; c < 256; c++)
                lut[c] = c < count ? (real) values[c] : 0;
            s.codes = cv;
            s.lut = lut;
            s.rows = 0;
            return s;
        }
    }
#ifdef NNFS_SINGLE
    if (rows == 2) {
        /* the engine's float copy, one sample per column: half the bytes
         * of R's doubles, and batches gathered from it like small data.
         * Blocks of samples keep the writes within a cache-sized window. */
        real *v = (real *) big_alloc((size_t) s.n * p, sizeof(real));
        const double *src = REAL(x);
        int n = s.n, th = threads_get();
        /* tiles of 64 samples x 64 features: their reads and writes stay
         * within a few pages; tiles are shared among the threads */
#pragma omp parallel for num_threads(th) schedule(static) if (th > 1)
        for (int i0 = 0; i0 < n; i0 += 64) {
            int i1 = n - i0 < 64 ? n : i0 + 64;
            for (int j0 = 0; j0 < p; j0 += 64) {
                int j1 = p - j0 < 64 ? p : j0 + 64;
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++)
                        v[j + (size_t) i * p] = (real) src[i + (size_t) j * n];
            }
        }
        s.v = v;
        s.rows = 0;
        return s;
    }
#endif
    if (rows) s.rv = REAL(x); else s.v = reals_of(x);
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
 * in order) or list(slots, step, order) as C_train returned it: slots a
 * list with one element per slot of the optimizer (opt_slot_names), each
 * shaped like params but holding only the trainable tensors; order
 * 0-based. R checked that it belongs to this network, optimizer and data;
 * here only its sizes are guarded. */

static void state_in(train_state *st, SEXP opts, const network *nt, int kind,
                     int n)
{
    int slots = optim_slots(kind);
    long np = nt->ps.n;
    st->n_opt = slots * np;
    st->opt = (real *) R_alloc(st->n_opt + 1, sizeof(real));
    st->order = (int *) R_alloc(n, sizeof(int));
    st->step = 0;
    memset(st->opt, 0, sizeof(real) * st->n_opt);
    for (int i = 0; i < n; i++) st->order[i] = i;
    SEXP in = get_elt(opts, "state");
    if (in == R_NilValue) return;
    SEXP sl = get_elt(in, "slots"), ord = get_elt(in, "order");
    if (TYPEOF(ord) != INTSXP || xlength(ord) != n)
        error("internal error: the training state does not fit");
    for (int k = 0; k < slots; k++) {
        SEXP lst = get_elt(sl, opt_slot_names[kind][k]);
        if (TYPEOF(lst) != VECSXP || xlength(lst) != nt->n_layers)
            error("internal error: the training state does not fit");
        for (int l = 0; l < nt->n_layers; l++) {
            const layer *L = &nt->L[l];
            for (int i = 0; i < L->n_t; i++) {
                if (!L->ts[i].trainable) continue;
                SEXP t = tensor_of(lst, L, l, i);
                copy_in(st->opt + k * np + (L->t[i] - nt->ps.p), REAL(t),
                        (long) L->ts[i].n);
            }
        }
    }
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

/* the state at the end, for R: list(slots, step, order) */
static SEXP state_out(const train_state *st, const network *nt, int kind,
                      int n, SEXP params)
{
    const char *nm[] = {"slots", "step", "order", ""};
    SEXP out = PROTECT(mkNamed(VECSXP, nm));
    int slots = optim_slots(kind);
    SEXP sl = PROTECT(allocVector(VECSXP, slots));
    SEXP sn = PROTECT(allocVector(STRSXP, slots));
    for (int k = 0; k < slots; k++) {
        SET_VECTOR_ELT(sl, k, tensors_out(nt, params,
                                          st->opt + k * nt->ps.n, 1));
        SET_STRING_ELT(sn, k, mkChar(opt_slot_names[kind][k]));
    }
    setAttrib(sl, R_NamesSymbol, sn);
    SET_VECTOR_ELT(out, 0, sl);
    SET_VECTOR_ELT(out, 1, ScalarReal((double) st->step));
    SEXP ord = allocVector(INTSXP, n);
    SET_VECTOR_ELT(out, 2, ord);
    memcpy(INTEGER(ord), st->order, sizeof(int) * n);
    UNPROTECT(3);
    return out;
}

/* ---- C_train(layers, params, x, y, xval, yval, opts) ---- */

SEXP C_train(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP xval,
             SEXP yval, SEXP opts)
{
    network nt;
    build_network(&nt, layers, params);
    threads_set(get_int(opts, "threads"));   /* before the data's copy */
    train_data d = {.x = samples_of(&nt, x, get_int(opts, "x_rows"),
                                    get_int(opts, "x_codes")),
                    .xv = {.p = nt.L[0].n_in}};
    check_targets(&nt, &d.x, y);
    d.y = reals_of(y);
    d.k = nrows(y);
    if (xval != R_NilValue) {
        d.xv = xval == x ? d.x : samples_of(&nt, xval, get_int(opts, "xval_rows"), 0);
        check_targets(&nt, &d.xv, yval);
        d.yv = yval == y ? d.y : reals_of(yval);
    }

    train_cfg cfg;
    cfg.epochs = get_int(opts, "epochs");
    cfg.batch = get_int(opts, "batch");
    cfg.cost = get_name(opts, "cost", cost_names, COST_COUNT);
    cfg.patience = get_int(opts, "patience");
    cfg.shuffle = get_int(opts, "shuffle");
    cfg.adaptive = get_int(opts, "adaptive_threads");
    cfg.chunk_bytes = get_dbl(opts, "chunk_bytes");
    if (!(cfg.chunk_bytes >= 0)) error("internal error: chunk_bytes");
    cfg.opt.kind = get_name(opts, "optimizer", opt_names, OPT_COUNT);
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
    state_in(&st, opts, &nt, cfg.opt.kind, n);
    GetRNGstate();
    train_run(&nt, &d, &cfg, &h, &st);
    PutRNGstate();

    const char *nm[] = {"params", "history", "epochs_run", "best_epoch",
                        "diverged_epoch", "diverged_batch", "state", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    SET_VECTOR_ELT(res, 0, tensors_out(&nt, params, nt.ps.p, 0));
    SET_VECTOR_ELT(res, 1, hist);
    SET_VECTOR_ELT(res, 2, ScalarInteger(h.epochs_run));
    SET_VECTOR_ELT(res, 3, ScalarInteger(h.best_epoch));
    SET_VECTOR_ELT(res, 4, ScalarInteger(h.diverged_epoch));
    SET_VECTOR_ELT(res, 5, ScalarInteger(h.diverged_batch));
    SET_VECTOR_ELT(res, 6, state_out(&st, &nt, cfg.opt.kind, n, params));
    UNPROTECT(2);
    return res;
}

/* ---- C_predict(layers, params, x, rows, threads): (k x n) outputs ---- */

SEXP C_predict(SEXP layers, SEXP params, SEXP x, SEXP rows, SEXP threads)
{
    network nt;
    build_network(&nt, layers, params);
    sample_set s = samples_of(&nt, x, asInteger(rows), 0);
    int n = s.n, k = nt.L[nt.n_layers - 1].n_out;
    int cap = n < 256 ? (n > 0 ? n : 1) : 256;
    threads_set(asInteger(threads));
    bind_buffers(&nt, cap);
    real *buf = s.rows ?
        (real *) R_alloc((size_t) s.p * cap, sizeof(real)) : NULL;
    SEXP out = PROTECT(allocMatrix(REALSXP, k, n));
#ifdef NNFS_SINGLE
    real *o = (real *) R_alloc((size_t) k * n + 1, sizeof(real));
    net_predict(&nt, o, &s, k, buf);
    copy_out(REAL(out), o, (long) k * n);
#else
    net_predict(&nt, REAL(out), &s, k, buf);
#endif
    UNPROTECT(1);
    return out;
}

/* ---- one forward and backward pass over a whole batch ----
 * x (p x B) and y (k x B), for C_backprop and C_trace: a PASS_GRAD pass
 * (no dropout; batch statistics, the running ones left as they are):
 * builds nt over `params`, runs the pass and returns the mean loss; the
 * layers' outputs, dout (dLoss/dz for layers with an activation) and the
 * gradient sums (in nt->ps.g) are left in nt. *B receives the batch size,
 * *xr the batch as reals. */

static double batch_pass(network *nt, int *B, const real **xr, SEXP layers,
                         SEXP params, SEXP x, SEXP y, SEXP opts)
{
    build_network(nt, layers, params);
    sample_set s = samples_of(nt, x, 0, 0);
    check_targets(nt, &s, y);
    int n = s.n, k = nrows(y);
    int cost = get_name(opts, "cost", cost_names, COST_COUNT);
    if (n < 1) error("internal error: no samples");
    threads_set(get_int(opts, "threads"));
    bind_buffers(nt, n);
    layer *out = net_last(nt);
    const real *yr = reals_of(y);
    net_forward(nt, s.v, n, PASS_GRAD);
    double loss = loss_forward(out->out, yr, cost, out->act, k, n) / n;
    optim_grad_only(nt);
    loss_delta(out->dout, out->out, yr, cost, out->act, out->slope, k, n);
    net_backward(nt, s.v, n);
    *B = n;
    *xr = s.v;
    return loss;
}

/* ---- C_backprop(layers, params, x, y, opts): mean loss and gradients ----
 * Gradients are means over the samples (no penalty terms), shaped like
 * the trainable tensors of params. */

SEXP C_backprop(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP opts)
{
    network nt;
    int n;
    const real *xr;
    double loss = batch_pass(&nt, &n, &xr, layers, params, x, y, opts);
    for (long i = 0; i < nt.ps.n; i++) nt.ps.g[i] /= (real) n;
    const char *nm[] = {"loss", "grads", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    SET_VECTOR_ELT(res, 0, ScalarReal(loss));
    SET_VECTOR_ELT(res, 1, tensors_out(&nt, params, nt.ps.g, 1));
    UNPROTECT(1);
    return res;
}

/* ---- C_trace(layers, params, x, y, opts): one batch, layer by layer ----
 * The pass of C_backprop over the batch x (p x B), without dropout, with
 * what each layer l holds along the way: a[[l]] its output (n_out x B);
 * for layers with trainable tensors z[[l]] the weighted input before the
 * activation, delta[[l]] = dLoss/dz and the gradients summed over the
 * batch, shaped like W and b (NULL for the other layers). */

/* (rows x cols) double matrix holding v, column-major */
static SEXP matrix_of(const real *v, int rows, int cols)
{
    SEXP m = PROTECT(allocMatrix(REALSXP, rows, cols));
    copy_out(REAL(m), v, (long) rows * cols);
    UNPROTECT(1);
    return m;
}

/* z (n_out x B): the engine applies activations in place and keeps no z,
 * so the layer's forward pass is run again, into z, with the linear
 * activation (conv2d reuses its scratch, done with by now) */
static SEXP pre_activation(network *nt, layer *L, const real *in, int B)
{
    layer tmp = *L;
    tmp.act = ACT_LINEAR;
    tmp.out = (real *) R_alloc((size_t) L->n_out * B, sizeof(real));
    L->kind->forward(nt, &tmp, in, B, PASS_GRAD);
    return matrix_of(tmp.out, L->n_out, B);
}

/* tensor i of L's gradient sums, shaped like the parameter in `params` */
static SEXP grad_of(const network *nt, SEXP params, const layer *L, int l,
                    int i)
{
    SEXP g = PROTECT(duplicate(tensor_of(params, L, l, i)));
    copy_out(REAL(g), nt->ps.g + (L->t[i] - nt->ps.p), (long) L->ts[i].n);
    UNPROTECT(1);
    return g;
}

SEXP C_trace(SEXP layers, SEXP params, SEXP x, SEXP y, SEXP opts)
{
    network nt;
    int B;
    const real *xr;
    double loss = batch_pass(&nt, &B, &xr, layers, params, x, y, opts);
    int nl = nt.n_layers;
    const char *nm[] = {"z", "a", "delta", "nabla_w", "nabla_b", "loss", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    for (int i = 0; i < 5; i++) SET_VECTOR_ELT(res, i, allocVector(VECSXP, nl));
    SEXP z = VECTOR_ELT(res, 0), a = VECTOR_ELT(res, 1),
        delta = VECTOR_ELT(res, 2), nw = VECTOR_ELT(res, 3),
        nb = VECTOR_ELT(res, 4);

    /* the backward pass reads the outputs and leaves them as they were */
    for (int l = 0; l < nl; l++) {
        layer *L = &nt.L[l];
        const real *in = l > 0 ? nt.L[l - 1].out : xr;
        SET_VECTOR_ELT(a, l, matrix_of(L->out, L->n_out, B));
        if (!(L->kind->flags & LK_ACTIVATION) || L->n_t < 2) continue;
        SET_VECTOR_ELT(z, l, pre_activation(&nt, L, in, B));
        SET_VECTOR_ELT(delta, l, matrix_of(L->dout, L->n_out, B));
        SET_VECTOR_ELT(nw, l, grad_of(&nt, params, L, l, 0));
        SET_VECTOR_ELT(nb, l, grad_of(&nt, params, L, l, 1));
    }
    SET_VECTOR_ELT(res, 5, ScalarReal(loss));
    UNPROTECT(1);
    return res;
}

#ifndef NNFS_SINGLE
/* ---- C_layer_info(spec): what the engine makes of one layer ----
 * list(problem, tensors): problem NULL, or what the kind's check finds
 * wrong with the description (then tensors is NULL); tensors
 * list(name, n, trainable, penalized, init, nonnegative), one element per
 * tensor the kind owns, in its order. The description's fields must have the types
 * glue_train.c reads (R checks them first). R asks this instead of keeping
 * its own copy of each kind's rules and tensors. */
SEXP C_layer_info(SEXP spec)
{
    layer L;
    memset(&L, 0, sizeof(layer));
    const char *bad = parse_layer(&L, spec, 0);
    const char *nm[] = {"problem", "tensors", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    if (bad) {
        SET_VECTOR_ELT(res, 0, mkString(bad));
        UNPROTECT(1);
        return res;
    }
    /* the kind's specs, sizes in double: no limit is applied here */
    tensor_spec ts[MAX_TENSORS];
    int n = L.kind->tensors ? L.kind->tensors(&L, ts) : 0;
    const char *tn[] = {"name", "n", "trainable", "penalized", "init",
                        "nonnegative", ""};
    SEXP t = PROTECT(mkNamed(VECSXP, tn));
    SEXP name = allocVector(STRSXP, n);
    SET_VECTOR_ELT(t, 0, name);
    SEXP size = allocVector(REALSXP, n);
    SET_VECTOR_ELT(t, 1, size);
    SEXP tr = allocVector(LGLSXP, n);
    SET_VECTOR_ELT(t, 2, tr);
    SEXP pen = allocVector(LGLSXP, n);
    SET_VECTOR_ELT(t, 3, pen);
    SEXP init = allocVector(REALSXP, n);
    SET_VECTOR_ELT(t, 4, init);
    SEXP nonneg = allocVector(LGLSXP, n);
    SET_VECTOR_ELT(t, 5, nonneg);
    for (int i = 0; i < n; i++) {
        SET_STRING_ELT(name, i, mkChar(ts[i].name));
        REAL(size)[i] = ts[i].n;
        LOGICAL(tr)[i] = ts[i].trainable != 0;
        LOGICAL(pen)[i] = ts[i].penalized != 0;
        REAL(init)[i] = ts[i].init;
        LOGICAL(nonneg)[i] = ts[i].nonnegative != 0;
    }
    SET_VECTOR_ELT(res, 1, t);
    UNPROTECT(2);
    return res;
}

/* ---- C_tables(): the names R may send, from the engine's own tables ---- */

static SEXP names_of(const char *const *v, int n)
{
    SEXP out = PROTECT(allocVector(STRSXP, n));
    for (int i = 0; i < n; i++) SET_STRING_ELT(out, i, mkChar(v[i]));
    UNPROTECT(1);
    return out;
}

SEXP C_tables(void)
{
    int nk = 0;
    while (layer_kinds[nk]) nk++;
    const char *nm[] = {"layers", "activations", "costs", "optimizers",
                        "slots", ""};
    SEXP res = PROTECT(mkNamed(VECSXP, nm));
    SEXP kinds = PROTECT(allocVector(STRSXP, nk));
    for (int i = 0; i < nk; i++)
        SET_STRING_ELT(kinds, i, mkChar(layer_kinds[i]->name));
    SET_VECTOR_ELT(res, 0, kinds);
    SET_VECTOR_ELT(res, 1, names_of(act_names, ACT_COUNT));
    SET_VECTOR_ELT(res, 2, names_of(cost_names, COST_COUNT));
    SEXP opt = PROTECT(names_of(opt_names, OPT_COUNT));
    SET_VECTOR_ELT(res, 3, opt);
    SEXP slots = PROTECT(allocVector(VECSXP, OPT_COUNT));
    setAttrib(slots, R_NamesSymbol, opt);
    for (int k = 0; k < OPT_COUNT; k++)
        SET_VECTOR_ELT(slots, k, names_of(opt_slot_names[k], optim_slots(k)));
    SET_VECTOR_ELT(res, 4, slots);
    UNPROTECT(4);
    return res;
}
#endif
