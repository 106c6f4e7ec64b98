# Epoch times of dense networks on Fashion-MNIST: nnfs against PyTorch CPU
# (the peer scripts in ../shared/peers, when present) and the articles'
# pure-R algorithm, all in one run so that the ratios are comparable.
#
# It also gives nnfs's training throughput in GFLOP/s and sets it against
# OpenBLAS dgemm (R's %*%) at the same thread count, measured in a child R
# with OpenBLAS put first on its library path (as in bench/gemm.R; the
# system's BLAS is not touched), and re-times two nnfs workloads in child
# processes with OpenBLAS and with the reference BLAS: nnfs does not use
# R's BLAS, so those times should agree.
#
# Usage (from the package root, with nnfs installed):
#   apt-get install -y dataset-fashion-mnist python3-torch   # peers, optional
#   apt-get install -y libopenblas0-pthread                  # optional
#   Rscript bench/mlp.R [results-file]
# Writes Markdown tables to bench/mlp-results.md (or the file given).
# (The script runs itself as `Rscript bench/mlp.R --child gemm|epochs N`
# for the child processes.)
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
fm_dir <- "/usr/share/datasets/fashion-mnist"
openblas_dir <- "/usr/lib/x86_64-linux-gnu/openblas-pthread"
refblas_dir <- "/usr/lib/x86_64-linux-gnu/blas"
threads <- getOption("nnfs.threads", 2L)

workloads <- list(
  list(name = "784-30-10 sigmoid, batch 10", sizes = c(784, 30, 10),
       batch = 10, lr = 3, act = "sigmoid", output = "sigmoid",
       torch = c("784-30-10", "10", "3.0", "1", "sigmoid", "float", "2"),
       pure_n = 60000),
  list(name = "784-100-10 sigmoid, batch 10", sizes = c(784, 100, 10),
       batch = 10, lr = 3, act = "sigmoid", output = "sigmoid",
       torch = c("784-100-10", "10", "3.0", "1", "sigmoid", "float", "2"),
       pure_n = 60000),
  list(name = "784-256-128-10 ReLU, batch 128", sizes = c(784, 256, 128, 10),
       batch = 128, lr = 0.1, act = "relu", output = "softmax",
       torch = c("784-256-128-10", "128", "0.1", "1", "relu", "float", "2"),
       pure_n = 6000)
)

# One epoch of nnfs on the training set: list(secs, net)
time_epoch <- function(w, x, y, precision = "double") {
  set.seed(1)
  secs <- system.time(net <- neuralnetwork(
    w$sizes, list(x = x, y = y), epochs = 1, mini_batch_size = w$batch,
    lr = w$lr, activation = w$act, output = w$output,
    validation_data = NULL, precision = precision))[["elapsed"]]
  list(secs = secs, net = net)
}

# Flops of one epoch on n samples: per sample and layer 2 n_in n_out for
# the forward product and 2 each for the backward products dW = dz t(in)
# and din = t(W) dz. nnfs does not compute the first layer's din (the input
# needs no gradient), so it is not counted.
epoch_flops <- function(sizes, n = 60000) {
  p <- head(sizes, -1) * sizes[-1]
  n * (6 * sum(p) - 2 * p[1])
}

# ---- child processes: print key=value lines, then quit ----
if (identical(args[1], "--child")) {
  options(nnfs.threads = as.integer(args[3]))
  # which BLAS this process really runs: R's record of it, and whether a
  # libopenblas is mapped into the process
  maps <- readLines("/proc/self/maps")
  ob <- unique(sub(".* ", "", grep("libopenblas", maps, value = TRUE)))
  cat("blas=", extSoftVersion()[["BLAS"]], "\n",
      "openblas=", if (length(ob)) basename(ob[1]) else "", "\n", sep = "")
  best_of <- function(f, n) {   # seconds: best of n timings after a warm-up
    f()
    min(replicate(n, system.time(f())[["elapsed"]]))
  }
  if (args[2] == "gemm") {
    a <- matrix(runif(2000 * 2000), 2000)
    sq <- best_of(function() a %*% a, 5)
    w <- matrix(runif(256 * 784), 256)
    x <- matrix(runif(784 * 128), 784)
    reps <- 400   # about 0.5 s per timed loop
    tr <- best_of(function() for (i in seq_len(reps)) w %*% x, 5) / reps
    cat(sprintf("square=%.2f\ntrain=%.2f\n", 2 * 2000^3 / sq / 1e9,
                2 * 256 * 784 * 128 / tr / 1e9))
  } else {
    fm <- read_mnist(fm_dir)
    y <- factor(fm$train$y, levels = 0:9)
    for (i in c(3, 1))   # 784-256-128-10 and 784-30-10, best of 3 epochs
      for (p in c("double", "single"))
        cat(sprintf("epoch%d%s=%.3f\n", i, substr(p, 1, 1), min(replicate(
          3, time_epoch(workloads[[i]], fm$train$x, y, p)$secs))))
  }
  quit(save = "no")
}

# Runs this script as a child with `blas_dir` first on R's library path
# (bench/gemm.R explains the variables); returns its key=value lines as a
# named character vector.
run_child <- function(mode, blas_dir) {
  env <- c(
    R_LD_LIBRARY_PATH = paste(blas_dir, R.home("lib"),
                              "/usr/lib/x86_64-linux-gnu", sep = ":"),
    OPENBLAS_NUM_THREADS = threads,
    R_LIBS = paste(.libPaths(), collapse = ":"))
  # OpenBLAS may not recognise a virtual CPU and fall back to slow
  # kernels; ask for its AVX-512 ones only where the CPU has AVX-512
  # (on an AVX2-only CPU they abort the process)
  if (avx512) env <- c(env, OPENBLAS_CORETYPE = "SkylakeX")
  out <- system2(file.path(R.home("bin"), "Rscript"),
                 c("bench/mlp.R", "--child", mode, threads), stdout = TRUE,
                 env = paste0(names(env), "=", shQuote(env)))
  kv <- grep("^[a-z0-9]+=", out, value = TRUE)
  setNames(sub("^[^=]*=", "", kv), sub("=.*", "", kv))
}

cpu_flags <- strsplit(sub(".*: ", "", grep("^flags", readLines("/proc/cpuinfo"),
                                          value = TRUE)[1]), " ")[[1]]
avx512 <- "avx512f" %in% cpu_flags

source("bench/article_network.R")
source("bench/peer.R")
out_file <- if (length(args)) args[1] else "bench/mlp-results.md"
stopifnot(dir.exists(fm_dir))

fm <- read_mnist(fm_dir)
xtr <- fm$train$x
ytr <- factor(fm$train$y, levels = 0:9)
test <- list(x = fm$test$x, y = factor(fm$test$y, levels = 0:9))

# PyTorch in float32, or in float64 to set against nnfs in double
run_torch <- function(w, dtype = "float") {
  a <- w$torch
  a[6] <- dtype
  run_peer("torch_mlp.py", a)
}

# OpenBLAS sgemm GFLOP/s at nnfs's thread count, measured through numpy
# (float32 matmul on the system BLAS, OpenBLAS once libopenblas0-pthread is
# installed): c(square, train), NA when numpy or OpenBLAS is missing
openblas_sgemm <- function() {
  code <- paste(
    "import time, numpy as np",
    "def rate(m, k, n, reps):",
    "    a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32)",
    "    for _ in range(20): a @ b",
    "    best = 1e9",
    "    for _ in range(5):",
    "        t = time.perf_counter()",
    "        for _ in range(reps): a @ b",
    "        best = min(best, (time.perf_counter() - t) / reps)",
    "    return 2 * m * k * n / best / 1e9",
    "print('square=%.1f' % rate(2000, 2000, 2000, 3))",
    "print('train=%.1f' % rate(256, 784, 128, 400))", sep = "\n")
  f <- tempfile(fileext = ".py")
  writeLines(code, f)
  on.exit(unlink(f))
  out <- tryCatch(system2(peer_python, f, stdout = TRUE, stderr = FALSE,
                          env = paste0("OPENBLAS_NUM_THREADS=", threads)),
                  error = function(e) character())
  num <- function(k) {
    v <- grep(paste0("^", k, "="), out, value = TRUE)
    if (length(v)) as.numeric(sub(".*=", "", v[1])) else NA
  }
  c(square = num("square"), train = num("train"))
}

# The articles' algorithm is sigmoid-only; on the large network it runs on
# a subset and the time is scaled to 60000 samples.
run_pure_r <- function(w) {
  set.seed(1)
  n <- w$pure_n
  init <- article_init(w$sizes)
  x <- t(xtr[seq_len(n), ])
  y <- t(diag(10)[as.integer(ytr[seq_len(n)]), ])
  secs <- system.time(article_epoch(init$biases, init$weights, x, y,
                                    w$batch, w$lr))[["elapsed"]]
  secs * 60000 / n
}

# Each timing is the median of `reps` runs, nnfs and PyTorch alternating
# (the machine's speed drifts from minute to minute); every run of a
# configuration trains the same network from the same seed.
reps <- 3
median_of <- function(runs, k) stats::median(sapply(runs, function(r) r[[k]]))
rows <- lapply(workloads, function(w) {
  runs <- lapply(seq_len(reps), function(i)
    list(dbl = time_epoch(w, xtr, ytr), sgl = time_epoch(w, xtr, ytr, "single"),
         torch = run_torch(w), torch64 = run_torch(w, "double")))
  secs <- stats::median(sapply(runs, function(r) r$dbl$secs))
  acc <- evaluate(runs[[1]]$dbl$net, test)$accuracy
  ep1 <- list(secs = stats::median(sapply(runs, function(r) r$sgl$secs)))
  acc1 <- evaluate(runs[[1]]$sgl$net, test)$accuracy
  torch <- c(stats::median(sapply(runs, function(r) r$torch[1])), runs[[1]]$torch[2],
             min(sapply(runs, function(r) r$torch[3])))
  torch64 <- c(stats::median(sapply(runs, function(r) r$torch64[1])))
  pure <- run_pure_r(w)
  cat(sprintf("%-32s nnfs %.2f s (acc %.3f) | single %.2f s (acc %.3f) | torch %.2f s, float64 %.2f s | pure R %.1f s\n",
              w$name, secs, acc, ep1$secs, acc1, torch[1], torch64[1], pure))
  data.frame(workload = w$name, nnfs_s = secs, nnfs_acc = acc,
             single_s = ep1$secs, single_acc = acc1,
             torch_s = torch[1], torch_acc = torch[2], torch_gflops = torch[3],
             torch64_s = torch64[1], pure_r_s = pure,
             torch_over_nnfs = torch[1] / secs, torch_over_single = torch[1] / ep1$secs,
             torch64_over_nnfs = torch64[1] / secs, pure_r_over_nnfs = pure / secs)
})
res <- do.call(rbind, rows)

# ---- throughput, OpenBLAS at the same thread count, BLAS independence ----
res$gflop <- sapply(workloads, function(w) epoch_flops(w$sizes)) / 1e9
res$gflops <- res$gflop / res$nnfs_s
res$gflops1 <- res$gflop / res$single_s
ob_s <- openblas_sgemm()

key <- function(kv, k) if (k %in% names(kv)) kv[[k]] else NA
have_ob <- file.exists(file.path(openblas_dir, "libblas.so.3"))
ob_gemm <- if (have_ob) run_child("gemm", openblas_dir) else character()
ob_lib <- key(ob_gemm, "openblas")
if (is.na(ob_lib) || !nzchar(ob_lib)) {   # missing, or did not load
  ob_lib <- NA
  ob_gemm <- character()
}
ob_sq <- as.numeric(key(ob_gemm, "square"))
ob_tr <- as.numeric(key(ob_gemm, "train"))
big <- res$gflops[3]   # 784-256-128-10
cat(sprintf("OpenBLAS (%s): square %.1f, training-shaped %.1f GFLOP/s; nnfs %.1f\n",
            ob_lib, ob_sq, ob_tr, big))
cat(sprintf("OpenBLAS sgemm (numpy): square %.1f, training-shaped %.1f GFLOP/s; nnfs single %.1f\n",
            ob_s[["square"]], ob_s[["train"]], res$gflops1[3]))

# nnfs epochs under each BLAS, children run in the order reference,
# OpenBLAS, OpenBLAS, reference (the machine's speed drifts); each
# workload's best time per BLAS
ref_runs <- list(run_child("epochs", refblas_dir))
ob_runs <- if (!is.na(ob_lib)) lapply(1:2, function(i) run_child("epochs", openblas_dir))
ref_runs[[2]] <- run_child("epochs", refblas_dir)
best_times <- function(runs) {
  if (!length(runs)) return(c(NA, NA))
  sapply(c("epoch3d", "epoch1d"), function(k) min(as.numeric(sapply(runs, key, k))))
}
ref_lib <- basename(key(ref_runs[[1]], "blas"))
if (isTRUE(nzchar(key(ref_runs[[1]], "openblas"))))
  ref_lib <- "OpenBLAS, not the reference BLAS!"
ob_ep_lib <- if (length(ob_runs)) key(ob_runs[[1]], "openblas") else NA
if (is.na(ob_ep_lib) || !nzchar(ob_ep_lib)) ob_ep_lib <- "n/a"
ob_note <- if (!have_ob) {
  sprintf("OpenBLAS is not installed (no %s): its figures are n/a.", openblas_dir)
} else if (is.na(ob_lib)) {
  "OpenBLAS did not load in the child process: its figures are n/a."
} else {
  sprintf(paste("OpenBLAS: R's `%%*%%` in a child R with OpenBLAS first on its",
                "library path (loaded: %s), OPENBLAS_NUM_THREADS=%d, %s."),
          ob_lib, threads,
          if (avx512) "OPENBLAS_CORETYPE=SkylakeX (its AVX-512 kernels)" else
            "its own choice of kernels (the CPU has no AVX-512)")
}
ep <- data.frame(workload = sapply(workloads[c(3, 1)], `[[`, "name"),
                 ref = best_times(ref_runs), ob = best_times(ob_runs))
# 784-256-128-10 at its best epoch time in the children
big_best <- res$gflop[3] / min(ep$ref[1], ep$ob[1], na.rm = TRUE)
# and in single precision
best_single <- function(runs) {
  if (!length(runs)) return(NA)
  min(as.numeric(sapply(runs, key, "epoch3s")))
}
big_best1 <- res$gflop[3] / min(best_single(ref_runs), best_single(ob_runs), na.rm = TRUE)

cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
fmt <- function(v, d = 2) ifelse(is.na(v), "n/a", formatC(v, format = "f", digits = d))
lines <- c(
  "# Dense networks on Fashion-MNIST: one epoch, 60000 images",
  "",
  sprintf("Recorded %s by `Rscript bench/mlp.R` on %s, %d cores, %s;",
          format(Sys.Date()), cpu, parallel::detectCores(), R.version.string),
  sprintf(paste("nnfs with %d threads, in double and in single precision; PyTorch CPU",
                "with 2 threads, in float32 and float64; each time the median of %d",
                "runs, nnfs and PyTorch alternating (pure R: one run)."), threads, reps),
  peer_note(res$torch_gflops),
  sprintf("R's BLAS: %s (nnfs does not use it).", basename(extSoftVersion()[["BLAS"]])),
  "Pure R: the articles' per-sample algorithm (bench/article_network.R), sigmoid;",
  "on the large network it ran on 6000 images and the time is scaled by 10.",
  "",
  "| workload | nnfs double (s) | nnfs single (s) | PyTorch float32 (s) | PyTorch float64 (s) | pure R (s) | PyTorch f32 / nnfs single | PyTorch f32 / nnfs double | PyTorch f64 / nnfs double | pure R / nnfs double | pure R / nnfs single |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
  sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", res$workload,
          fmt(res$nnfs_s), fmt(res$single_s), fmt(res$torch_s),
          fmt(res$torch64_s), fmt(res$pure_r_s, 1),
          fmt(res$torch_over_single, 2), fmt(res$torch_over_nnfs, 2),
          fmt(res$torch64_over_nnfs, 2), fmt(res$pure_r_over_nnfs, 0),
          fmt(res$pure_r_s / res$single_s, 0)),
  "",
  "Test accuracy after the epoch:",
  "",
  "| workload | nnfs double | nnfs single | single - double | PyTorch float32 |",
  "|---|---|---|---|---|",
  sprintf("| %s | %s | %s | %s | %s |", res$workload, fmt(res$nnfs_acc, 4),
          fmt(res$single_acc, 4), fmt(res$single_acc - res$nnfs_acc, 4),
          fmt(res$torch_acc, 4)),
  "",
  "## Throughput against OpenBLAS dgemm",
  "",
  "nnfs GFLOP/s = flops of one epoch / the nnfs time above. Flops per sample",
  "and layer: 2 n_in n_out forward, 2 n_in n_out for each backward product",
  "(dW and din), except the first layer's din, which nnfs does not compute",
  "and which is not counted. The epoch time includes the set-up of",
  "`neuralnetwork()`; the training set, larger than `nnfs.copy_limit`, is read",
  "in place (see bench/memory.R).",
  "",
  "| workload | GFLOP per epoch | nnfs double GFLOP/s | nnfs single GFLOP/s |",
  "|---|---|---|---|",
  sprintf("| %s | %s | %s | %s |", res$workload, fmt(res$gflop, 1),
          fmt(res$gflops, 1), fmt(res$gflops1, 1)),
  "",
  ob_note,
  sprintf("Same thread count as nnfs (%d); GFLOP/s = 2 m n k / seconds.", threads),
  "",
  "The ratios set nnfs's 784-256-128-10 GFLOP/s against OpenBLAS's, with the",
  sprintf("epoch time of the table above (%.1f GFLOP/s) and with the best epoch",
          big),
  sprintf("time of the child processes below (%.1f GFLOP/s).", big_best),
  "",
  "| OpenBLAS dgemm | GFLOP/s | nnfs / OpenBLAS | nnfs best / OpenBLAS |",
  "|---|---|---|---|",
  sprintf("| 2000 x 2000 square, best of 5 after a warm-up | %s | %s | %s |",
          fmt(ob_sq, 1), fmt(big / ob_sq), fmt(big_best / ob_sq)),
  sprintf("| 256 x 784 times 784 x 128, best of 5 loops of 400 | %s | %s | %s |",
          fmt(ob_tr, 1), fmt(big / ob_tr), fmt(big_best / ob_tr)),
  "",
  sprintf(paste("In single precision, against OpenBLAS sgemm (float32 products through",
                "numpy on the system BLAS, %s, OPENBLAS_NUM_THREADS=%d): nnfs single",
                "%.1f GFLOP/s in the table above, %.1f at its best child epoch."),
          basename(Sys.readlink("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")),
          threads, res$gflops1[3], big_best1),
  "",
  "| OpenBLAS sgemm | GFLOP/s | nnfs single / OpenBLAS | nnfs single best / OpenBLAS |",
  "|---|---|---|---|",
  sprintf("| 2000 x 2000 square | %s | %s | %s |", fmt(ob_s[["square"]], 1),
          fmt(res$gflops1[3] / ob_s[["square"]]), fmt(big_best1 / ob_s[["square"]])),
  sprintf("| 256 x 784 times 784 x 128 | %s | %s | %s |", fmt(ob_s[["train"]], 1),
          fmt(res$gflops1[3] / ob_s[["train"]]), fmt(big_best1 / ob_s[["train"]])),
  "",
  "## The figures do not depend on R's BLAS",
  "",
  "The same nnfs epochs in child R processes that differ only in the BLAS",
  "first on R's library path (nnfs never calls R's BLAS): best of 3 epochs in",
  "each of two processes per BLAS, run in the order reference, OpenBLAS,",
  "OpenBLAS, reference.",
  "",
  sprintf("| workload | reference BLAS, %s (s) | OpenBLAS, %s (s) | OpenBLAS / reference |",
          ref_lib, ob_ep_lib),
  "|---|---|---|---|",
  sprintf("| %s | %s | %s | %s |", ep$workload, fmt(ep$ref), fmt(ep$ob),
          fmt(ep$ob / ep$ref)))
writeLines(lines, out_file)
cat(lines, sep = "\n")
