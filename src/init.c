/* init.c: registration of the .Call entry points, with exact arities. */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>
#include "threads.h"

/* ---- single operations (glue_ops.c) ---- */
extern SEXP C_gemm(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_conv2d(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_conv2d_backward(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_maxpool2d_forward(SEXP, SEXP);
extern SEXP C_maxpool2d_backward(SEXP, SEXP, SEXP);
extern SEXP C_all_finite(SEXP, SEXP);
extern SEXP C_byte_codes(SEXP, SEXP);
extern SEXP C_idx_rows(SEXP, SEXP, SEXP, SEXP);
extern SEXP C_threads_info(void);

/* ---- least squares of linear_reg() (glue_ols.c) ---- */
extern SEXP C_linear_ols(SEXP, SEXP, SEXP);

/* ---- network engine (glue_train.c: double; single_glue_train.c: _f) ---- */
extern SEXP C_tables(void);
extern SEXP C_layer_info(SEXP);
extern SEXP C_train(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_predict(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_backprop(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_trace(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_train_f(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_predict_f(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_backprop_f(SEXP, SEXP, SEXP, SEXP, SEXP);
extern SEXP C_trace_f(SEXP, SEXP, SEXP, SEXP, SEXP);

#define CALLDEF(name, n) {#name, (DL_FUNC) (void (*)(void)) &name, n}

static const R_CallMethodDef call_entries[] = {
    /* single operations */
    CALLDEF(C_gemm, 9),
    CALLDEF(C_conv2d, 6),
    CALLDEF(C_conv2d_backward, 5),
    CALLDEF(C_maxpool2d_forward, 2),
    CALLDEF(C_maxpool2d_backward, 3),
    CALLDEF(C_all_finite, 2),
    CALLDEF(C_byte_codes, 2),
    CALLDEF(C_idx_rows, 4),
    CALLDEF(C_threads_info, 0),
    /* least squares */
    CALLDEF(C_linear_ols, 3),
    /* network engine */
    CALLDEF(C_tables, 0),
    CALLDEF(C_layer_info, 1),
    CALLDEF(C_train, 7),
    CALLDEF(C_predict, 5),
    CALLDEF(C_backprop, 5),
    CALLDEF(C_trace, 5),
    CALLDEF(C_train_f, 7),
    CALLDEF(C_predict_f, 5),
    CALLDEF(C_backprop_f, 5),
    CALLDEF(C_trace_f, 5),
    {NULL, NULL, 0}
};

void attribute_visible R_init_nnfs(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_entries, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
    threads_init();               /* one thread in forked children */
}
