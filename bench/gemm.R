# GFLOP/s of the package's gemm() against its naive reference kernel and
# the BLAS behind R's %*%, on the products the package runs when it trains
# on Fashion-MNIST (one sample per column), plus a large square; the same
# products in single precision (the package's gemm_f against the BLAS
# sgemm), in the s_ columns. Runs are recorded in bench/gemm-results.md.
# Run from the package root:
#
#   Rscript bench/gemm.R [out.csv]
#
# The kernels are timed from C, on buffers allocated once, the way the
# engine calls them: through R, a product of a few microseconds is mostly
# R allocating its result. A small harness (written below, compiled with
# R CMD SHLIB against src/gemm*.c, src/single_gemm*.c and R's BLAS)
# loops over each product. The R_matprod column times %*% itself,
# allocation included. NNFS_BENCH_QUICK=1 leaves out the slow columns
# (naive, R_matprod).
#
# To compare with OpenBLAS without touching the system's BLAS, put it
# first on R's library path for one run (Debian paths; R's start-up script
# builds LD_LIBRARY_PATH from R_LD_LIBRARY_PATH; OPENBLAS_CORETYPE=SkylakeX
# asks for its AVX-512 kernels where it does not recognise the CPU: leave
# it out on a CPU without AVX-512, where those kernels abort R):
#
#   OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX \
#     R_LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread:/usr/lib/R/lib:/usr/lib/x86_64-linux-gnu \
#     Rscript bench/gemm.R
#
# The package itself never calls R's BLAS.

args <- commandArgs(trailingOnly = TRUE)
out_csv <- if (length(args) >= 1) args[[1]] else NA
stopifnot(file.exists("src/gemm.c"))

harness <- '
#define USE_FC_LEN_T
#include <R.h>
#include <Rinternals.h>
#include <R_ext/BLAS.h>
#include <string.h>
#include <time.h>
#include "gemm.h"
#include "threads.h"
#ifndef FCONE
#define FCONE
#endif

/* R_ext/BLAS.h declares only the double routines */
extern void F77_NAME(sgemm)(const char *transa, const char *transb,
                            const int *m, const int *n, const int *k,
                            const float *alpha, const float *a,
                            const int *lda, const float *b, const int *ldb,
                            const float *beta, float *c, const int *ldc
                            FCLEN FCLEN);

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void run(int kind, int ta, int tb, int m, int n, int k, double *A,
                int lda, double *B, int ldb, double beta, double *C)
{
    double one = 1.0;
    if (kind == 0)
        gemm(ta, tb, m, n, k, 1.0, A, lda, B, ldb, beta, C, m);
    else if (kind == 1)
        gemm_naive(ta, tb, m, n, k, 1.0, A, lda, B, ldb, beta, C, m);
    else
        F77_CALL(dgemm)(ta ? "T" : "N", tb ? "T" : "N", &m, &n, &k, &one,
                        A, &lda, B, &ldb, &beta, C, &m FCONE FCONE);
}

static void run_f(int kind, int ta, int tb, int m, int n, int k, float *A,
                  int lda, float *B, int ldb, float beta, float *C)
{
    float one = 1.0f;
    if (kind == 0)
        gemm_f(ta, tb, m, n, k, 1.0f, A, lda, B, ldb, beta, C, m);
    else if (kind == 1)
        gemm_naive_f(ta, tb, m, n, k, 1.0f, A, lda, B, ldb, beta, C, m);
    else
        F77_CALL(sgemm)(ta ? "T" : "N", tb ? "T" : "N", &m, &n, &k, &one,
                        A, &lda, B, &ldb, &beta, C, &m FCONE FCONE);
}

static void run_reps(long reps, int single, int kind, int ta, int tb, int m,
                     int n, int k, void *A, int lda, void *B, int ldb,
                     double beta, void *C)
{
    for (long r = 0; r < reps; r++) {
        if (single)
            run_f(kind, ta, tb, m, n, k, A, lda, B, ldb, (float) beta, C);
        else
            run(kind, ta, tb, m, n, k, A, lda, B, ldb, beta, C);
    }
}

/* seconds per call, best of `trials` loops of at least 50 ms;
 * kind 0: gemm(), 1: gemm_naive(), 2: the BLAS dgemm; with single, the
 * float ones: gemm_f(), gemm_naive_f(), the BLAS sgemm */
SEXP bench_gemm(SEXP kind_, SEXP shape, SEXP beta_, SEXP threads,
                SEXP trials, SEXP single_)
{
    int kind = asInteger(kind_), *s = INTEGER(shape);
    int single = asLogical(single_);
    int ta = s[0], tb = s[1], m = s[2], n = s[3], k = s[4];
    int lda = ta ? k : m, ldb = tb ? n : k;
    double beta = asReal(beta_);
    size_t sz = single ? sizeof(float) : sizeof(double);
    void *A = R_alloc((size_t) m * k, sz), *B = R_alloc((size_t) k * n, sz);
    void *C = R_alloc((size_t) m * n, sz);
    for (size_t i = 0; i < (size_t) m * k; i++) {
        double v = (double) (i % 17) / 17;
        if (single) ((float *) A)[i] = (float) v; else ((double *) A)[i] = v;
    }
    for (size_t i = 0; i < (size_t) k * n; i++) {
        double v = (double) (i % 13) / 13;
        if (single) ((float *) B)[i] = (float) v; else ((double *) B)[i] = v;
    }
    memset(C, 0, (size_t) m * n * sz);
    threads_set(asInteger(threads));
    long reps = 1;
    double t, best;
    for (;;) {
        double t0 = now();
        run_reps(reps, single, kind, ta, tb, m, n, k, A, lda, B, ldb, beta,
                 C);
        t = now() - t0;
        if (t >= 0.05) break;
        reps *= 2;
    }
    best = t / reps;
    for (int tr = 1; tr < asInteger(trials) && t < 1.0; tr++) {
        double t0 = now();
        run_reps(reps, single, kind, ta, tb, m, n, k, A, lda, B, ldb, beta,
                 C);
        t = now() - t0;
        if (t / reps < best) best = t / reps;
    }
    return ScalarReal(best);
}
'

build <- file.path(tempdir(), "gemm-bench")
dir.create(build, showWarnings = FALSE)
invisible(file.copy(Sys.glob(c("src/gemm*.c", "src/gemm*.h",
                               "src/single_gemm*.c", "src/real.h",
                               "src/single_names.h", "src/threads.[ch]")),
                     build, overwrite = TRUE))
writeLines(harness, file.path(build, "harness.c"))
writeLines(c("PKG_CFLAGS = $(SHLIB_OPENMP_CFLAGS)",
             "PKG_LIBS = $(SHLIB_OPENMP_CFLAGS) $(BLAS_LIBS) $(FLIBS)"),
           file.path(build, "Makevars"))
old_wd <- setwd(build)
srcs <- c("harness.c", basename(Sys.glob(c("gemm*.c", "single_gemm*.c"))),
          "threads.c")
status <- system2(file.path(R.home("bin"), "R"),
                  c("CMD", "SHLIB", "-o", "harness.so", srcs),
                  stdout = FALSE, stderr = FALSE)
setwd(old_wd)
if (status != 0) stop("could not build the benchmark harness in ", build)
dll <- dyn.load(file.path(build, "harness.so"))
bench_c <- function(kind, shape, beta, threads = 1L, trials = 5L,
                    single = FALSE) {
  .Call(getNativeSymbolInfo("bench_gemm", dll), as.integer(kind),
        as.integer(shape), as.double(beta), as.integer(threads),
        as.integer(trials), isTRUE(single))
}
quick <- nzchar(Sys.getenv("NNFS_BENCH_QUICK"))

# op(A) (m x k) times op(B) (k x n), with the beta the package uses
shape_row <- function(name, ta, tb, m, n, k, beta) {
  data.frame(name = name, ta = ta, tb = tb, m = m, n = n, k = k, beta = beta)
}
shapes <- rbind(
  # 784-30-10 (and 784-100-10) at batch 10: forward, weight and input
  # gradients of both layers
  shape_row("dense fwd  Z += W X", 0, 0, 30, 10, 784, 1),
  shape_row("dense fwd  Z += W X", 0, 0, 100, 10, 784, 1),
  shape_row("dense fwd  Z += W X", 0, 0, 10, 10, 30, 1),
  shape_row("dense dW  += dZ t(X)", 0, 1, 30, 784, 10, 1),
  shape_row("dense dW  += dZ t(X)", 0, 1, 10, 30, 10, 1),
  shape_row("dense dX   = t(W) dZ", 1, 0, 784, 10, 30, 0),
  shape_row("dense dX   = t(W) dZ", 1, 0, 30, 10, 10, 0),
  # 784-256-128-10 at batch 128
  shape_row("dense fwd  Z += W X", 0, 0, 256, 128, 784, 1),
  shape_row("dense fwd  Z += W X", 0, 0, 128, 128, 256, 1),
  shape_row("dense fwd  Z += W X", 0, 0, 10, 128, 128, 1),
  shape_row("dense dW  += dZ t(X)", 0, 1, 256, 784, 128, 1),
  shape_row("dense dW  += dZ t(X)", 0, 1, 128, 256, 128, 1),
  shape_row("dense dW  += dZ t(X)", 0, 1, 10, 128, 128, 1),
  shape_row("dense dX   = t(W) dZ", 1, 0, 784, 128, 256, 0),
  shape_row("dense dX   = t(W) dZ", 1, 0, 256, 128, 128, 0),
  shape_row("dense dX   = t(W) dZ", 1, 0, 128, 128, 10, 0),
  # the convolution's im2col products (8 filters of 5 x 5 on 28 x 28)
  shape_row("conv fwd   = cols W", 0, 0, 576, 8, 25, 0),
  shape_row("conv dW   += t(cols) dZ", 1, 0, 25, 8, 576, 1),
  shape_row("conv dcols = dZ t(W)", 0, 1, 576, 25, 8, 0),
  shape_row("regression  t(X) r", 1, 0, 784, 1, 60000, 0),
  shape_row("square", 0, 0, 1000, 1000, 1000, 0),
  shape_row("square", 1, 1, 1000, 1000, 1000, 0)
)

# R's product with the same transposes (crossprod / tcrossprod pass the
# transpose to dgemm rather than copying)
r_product <- function(A, B, ta, tb) {
  if (ta && tb) return(t(B %*% A))
  if (ta) return(crossprod(A, B))
  if (tb) return(tcrossprod(A, B))
  A %*% B
}
time_r <- function(f, trials = 5) {
  reps <- 1
  repeat {
    t <- system.time(for (i in seq_len(reps)) f())[["elapsed"]]
    if (t >= 0.05) break
    reps <- reps * 2
  }
  best <- t / reps
  if (t < 1) for (tr in seq_len(trials - 1)) {
    t <- system.time(for (i in seq_len(reps)) f())[["elapsed"]]
    best <- min(best, t / reps)
  }
  best
}

# Two passes, every nnfs column first and then the BLAS ones, so that a
# BLAS with its own thread pool (OpenBLAS keeps its threads spinning for a
# while after a call) does not take a core from gemm()'s second thread,
# nor the OpenMP team (which spins after a region too) from the BLAS.
time_pass <- function(f) {
  lapply(seq_len(nrow(shapes)), function(s) {
    sh <- shapes[s, ]
    shape <- c(sh$ta, sh$tb, sh$m, sh$n, sh$k)
    gf <- function(secs) 2 * sh$m * sh$n * sh$k / secs / 1e9
    f(sh, shape, gf)
  })
}
nnfs_cols <- time_pass(function(sh, shape, gf) data.frame(
  product = sprintf("%s %s%s %dx%dx%d", sh$name, if (sh$ta) "T" else "N",
                    if (sh$tb) "T" else "N", sh$m, sh$n, sh$k),
  nnfs_1 = gf(bench_c(0, shape, sh$beta, 1L)),
  nnfs_2 = gf(bench_c(0, shape, sh$beta, 2L)),
  naive = if (quick) NA else gf(bench_c(1, shape, sh$beta, 1L, trials = 1L)),
  s_nnfs_1 = gf(bench_c(0, shape, sh$beta, 1L, single = TRUE)),
  s_nnfs_2 = gf(bench_c(0, shape, sh$beta, 2L, single = TRUE))
))
Sys.sleep(1)
blas_cols <- time_pass(function(sh, shape, gf) {
  A <- if (sh$ta) matrix(runif(sh$k * sh$m), sh$k) else matrix(runif(sh$m * sh$k), sh$m)
  B <- if (sh$tb) matrix(runif(sh$n * sh$k), sh$n) else matrix(runif(sh$k * sh$n), sh$k)
  data.frame(
    blas = gf(bench_c(2, shape, sh$beta)),
    R_matprod = if (quick) NA else
      gf(time_r(function() r_product(A, B, sh$ta == 1, sh$tb == 1))),
    s_blas = gf(bench_c(2, shape, sh$beta, single = TRUE))
  )
})
res <- cbind(do.call(rbind, nnfs_cols), do.call(rbind, blas_cols))
res <- res[c("product", "nnfs_1", "nnfs_2", "naive", "blas", "R_matprod",
             "s_nnfs_1", "s_nnfs_2", "s_blas")]
# single over double, nnfs on one and two threads
res$s_d_1 <- res$s_nnfs_1 / res$nnfs_1
res$s_d_2 <- res$s_nnfs_2 / res$nnfs_2

cat("R:", R.version.string,
    "\nBLAS behind %*% and the blas column:", extSoftVersion()[["BLAS"]],
    "\nOPENBLAS_NUM_THREADS:", Sys.getenv("OPENBLAS_NUM_THREADS", "(unset)"),
    " OPENBLAS_CORETYPE:", Sys.getenv("OPENBLAS_CORETYPE", "(unset)"),
    "\nCPU:", sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"),
                                   value = TRUE)[1]),
    " cores:", parallel::detectCores(), "\n\n")
options(width = 200)
print(format(res, digits = 3), row.names = FALSE)
if (!is.na(out_csv)) utils::write.csv(res, out_csv, row.names = FALSE)
