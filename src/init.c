/* init.c: registration of the .Call entry points, with exact arities. */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include <R_ext/Visibility.h>

/* ---- single operations (glue_ops.c) ---- */
extern SEXP C_gemm(SEXP, SEXP, SEXP, SEXP, SEXP, SEXP);

/* ---- regression (glue_regression.c) ---- */

/* ---- network engine (glue_train.c) ---- */

#define CALLDEF(name, n) {#name, (DL_FUNC) &name, n}

static const R_CallMethodDef call_entries[] = {
    /* single operations */
    CALLDEF(C_gemm, 6),
    /* regression */
    /* network engine */
    {NULL, NULL, 0}
};

void attribute_visible R_init_nnfs(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_entries, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}
