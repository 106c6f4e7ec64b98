# GFLOP/s of the package's gemm() against its naive reference kernel and
# the BLAS behind R's %*%, on the products the package runs when it trains
# on Fashion-MNIST (one sample per column), plus a large square. One run is
# recorded in bench/gemm-results.md. Run from the package root:
#
#   Rscript bench/gemm.R [out.csv]
#
# The kernels are timed from C, on buffers allocated once, the way the
# engine calls them: through R, a product of a few microseconds is mostly
# R allocating its result. A small harness (written below, compiled with
# R CMD SHLIB against src/gemm*.c and R's BLAS) loops over each product.
# The last column times %*% itself, allocation included.
#
# To compare with OpenBLAS without touching the system's BLAS, put it
# first on R's library path for one run (Debian paths; R's start-up script
# builds LD_LIBRARY_PATH from R_LD_LIBRARY_PATH; OPENBLAS_CORETYPE=SkylakeX
# asks for its AVX-512 kernels where it does not recognise the CPU):
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
#include <time.h>
#include "gemm.h"
#ifndef FCONE
#define FCONE
#endif

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

/* seconds per call, best of `trials` loops of at least 50 ms;
 * kind 0: gemm(), 1: gemm_naive(), 2: the BLAS dgemm */
SEXP bench_gemm(SEXP kind_, SEXP shape, SEXP beta_, SEXP threads, SEXP trials)
{
    int kind = asInteger(kind_), *s = INTEGER(shape);
    int ta = s[0], tb = s[1], m = s[2], n = s[3], k = s[4];
    int lda = ta ? k : m, ldb = tb ? n : k;
    double beta = asReal(beta_);
    double *A = (double *) R_alloc((size_t) m * k, sizeof(double));
    double *B = (double *) R_alloc((size_t) k * n, sizeof(double));
    double *C = (double *) R_alloc((size_t) m * n, sizeof(double));
    for (size_t i = 0; i < (size_t) m * k; i++) A[i] = (double) (i % 17) / 17;
    for (size_t i = 0; i < (size_t) k * n; i++) B[i] = (double) (i % 13) / 13;
    for (size_t i = 0; i < (size_t) m * n; i++) C[i] = 0.0;
    gemm_set_threads(asInteger(threads));
    long reps = 1;
    double t, best;
    for (;;) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            run(kind, ta, tb, m, n, k, A, lda, B, ldb, beta, C);
        t = now() - t0;
        if (t >= 0.05) break;
        reps *= 2;
    }
    best = t / reps;
    for (int tr = 1; tr < asInteger(trials) && t < 1.0; tr++) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            run(kind, ta, tb, m, n, k, A, lda, B, ldb, beta, C);
        t = now() - t0;
        if (t / reps < best) best = t / reps;
    }
    return ScalarReal(best);
}
'

build <- file.path(tempdir(), "gemm-bench")
dir.create(build, showWarnings = FALSE)
invisible(file.copy(Sys.glob(c("src/gemm*.c", "src/gemm*.h")), build,
                     overwrite = TRUE))
writeLines(harness, file.path(build, "harness.c"))
writeLines(c("PKG_CFLAGS = $(SHLIB_OPENMP_CFLAGS)",
             "PKG_LIBS = $(SHLIB_OPENMP_CFLAGS) $(BLAS_LIBS) $(FLIBS)"),
           file.path(build, "Makevars"))
old_wd <- setwd(build)
srcs <- c("harness.c", setdiff(basename(Sys.glob("gemm*.c")), "harness.c"))
status <- system2(file.path(R.home("bin"), "R"),
                  c("CMD", "SHLIB", "-o", "harness.so", srcs),
                  stdout = FALSE, stderr = FALSE)
setwd(old_wd)
if (status != 0) stop("could not build the benchmark harness in ", build)
dll <- dyn.load(file.path(build, "harness.so"))
bench_c <- function(kind, shape, beta, threads = 1L, trials = 5L) {
  .Call(getNativeSymbolInfo("bench_gemm", dll), as.integer(kind),
        as.integer(shape), as.double(beta), as.integer(threads),
        as.integer(trials))
}

# op(A) (m x k) times op(B) (k x n), with the beta the package uses
shapes <- data.frame(
  name = c(rep("dense fwd  Z += W X", 5), rep("dense dW  += dZ t(X)", 2),
           rep("dense dX   = t(W) dZ", 2), "conv fwd   = cols W",
           "conv dW   += t(cols) dZ", "conv dcols = dZ t(W)",
           "regression  t(X) r", "square", "square"),
  ta = c(0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1),
  tb = c(0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 1),
  m = c(30, 100, 256, 128, 10, 30, 256, 784, 784, 576, 25, 576, 784, 1000,
        1000),
  n = c(10, 10, 128, 128, 128, 784, 784, 10, 128, 8, 8, 25, 1, 1000, 1000),
  k = c(784, 784, 784, 256, 128, 10, 128, 30, 256, 25, 576, 8, 60000, 1000,
        1000),
  beta = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0)
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

rows <- list()
for (s in seq_len(nrow(shapes))) {
  sh <- shapes[s, ]
  shape <- c(sh$ta, sh$tb, sh$m, sh$n, sh$k)
  gf <- function(secs) 2 * sh$m * sh$n * sh$k / secs / 1e9
  A <- if (sh$ta) matrix(runif(sh$k * sh$m), sh$k) else matrix(runif(sh$m * sh$k), sh$m)
  B <- if (sh$tb) matrix(runif(sh$n * sh$k), sh$n) else matrix(runif(sh$k * sh$n), sh$k)
  rows[[s]] <- data.frame(
    product = sprintf("%s %s%s %dx%dx%d", sh$name, if (sh$ta) "T" else "N",
                      if (sh$tb) "T" else "N", sh$m, sh$n, sh$k),
    nnfs_1 = gf(bench_c(0, shape, sh$beta, 1L)),
    nnfs_2 = gf(bench_c(0, shape, sh$beta, 2L)),
    naive = gf(bench_c(1, shape, sh$beta, 1L, trials = 1L)),
    blas = gf(bench_c(2, shape, sh$beta)),
    R_matprod = gf(time_r(function() r_product(A, B, sh$ta == 1, sh$tb == 1)))
  )
}
res <- do.call(rbind, rows)

cat("R:", R.version.string,
    "\nBLAS behind %*% and the blas column:", extSoftVersion()[["BLAS"]],
    "\nOPENBLAS_NUM_THREADS:", Sys.getenv("OPENBLAS_NUM_THREADS", "(unset)"),
    " OPENBLAS_CORETYPE:", Sys.getenv("OPENBLAS_CORETYPE", "(unset)"),
    "\nCPU:", sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"),
                                   value = TRUE)[1]),
    " cores:", parallel::detectCores(), "\n\n")
print(format(res, digits = 3), row.names = FALSE)
if (!is.na(out_csv)) utils::write.csv(res, out_csv, row.names = FALSE)
