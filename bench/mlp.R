# Epoch times of dense networks on Fashion-MNIST: nnfs against PyTorch CPU
# (the peer scripts in ../shared/peers, when present) and the articles'
# pure-R algorithm, all in one run so that the ratios are comparable.
#
# Usage (from the package root, with nnfs installed):
#   apt-get install -y dataset-fashion-mnist python3-torch   # peers, optional
#   Rscript bench/mlp.R [results-file]
# Writes a Markdown table to bench/mlp-results.md (or the file given).
suppressPackageStartupMessages(library(nnfs))
source("bench/article_network.R")
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "bench/mlp-results.md"
fm_dir <- "/usr/share/datasets/fashion-mnist"
peer_dir <- normalizePath("../shared/peers", mustWork = FALSE)
python <- "/usr/bin/python3"
stopifnot(dir.exists(fm_dir))

fm <- read_mnist(fm_dir)
xtr <- fm$train$x
ytr <- factor(fm$train$y, levels = 0:9)
test <- list(x = fm$test$x, y = factor(fm$test$y, levels = 0:9))
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

run_torch <- function(w) {
  script <- file.path(peer_dir, "torch_mlp.py")
  if (!file.exists(script) || !file.exists(python)) return(c(NA, NA))
  res <- tryCatch(system2(python, c(script, w$torch), stdout = TRUE,
                          stderr = FALSE), error = function(e) "")
  line <- grep("sec_per_epoch", res, value = TRUE)
  if (!length(line)) return(c(NA, NA))
  c(as.numeric(sub(".*sec_per_epoch=([0-9.]+).*", "\\1", line)),
    as.numeric(sub(".*test_acc=([0-9.]+).*", "\\1", line)))
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

rows <- lapply(workloads, function(w) {
  set.seed(1)
  secs <- system.time(net <- neuralnetwork(
    w$sizes, list(x = xtr, y = ytr), epochs = 1, mini_batch_size = w$batch,
    lr = w$lr, activation = w$act, output = w$output,
    validation_data = NULL))[["elapsed"]]
  acc <- evaluate(net, test)$accuracy
  torch <- run_torch(w)
  pure <- run_pure_r(w)
  cat(sprintf("%-32s nnfs %.2f s (acc %.3f) | torch %.2f s | pure R %.1f s\n",
              w$name, secs, acc, torch[1], pure))
  data.frame(workload = w$name, nnfs_s = secs, nnfs_acc = acc,
             torch_s = torch[1], torch_acc = torch[2], pure_r_s = pure,
             torch_over_nnfs = torch[1] / secs, pure_r_over_nnfs = pure / secs)
})
res <- do.call(rbind, rows)

cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
fmt <- function(v, d = 2) ifelse(is.na(v), "n/a", formatC(v, format = "f", digits = d))
lines <- c(
  "# Dense networks on Fashion-MNIST: one epoch, 60000 images",
  "",
  sprintf("Recorded %s by `Rscript bench/mlp.R` on %s, %d cores, %s;",
          format(Sys.Date()), cpu, parallel::detectCores(), R.version.string),
  sprintf("nnfs with %d threads (double precision), PyTorch CPU with 2 threads (float32).", threads),
  sprintf("R's BLAS: %s (nnfs does not use it).", basename(extSoftVersion()[["BLAS"]])),
  "Pure R: the articles' per-sample algorithm (bench/article_network.R), sigmoid;",
  "on the large network it ran on 6000 images and the time is scaled by 10.",
  "",
  "| workload | nnfs (s) | nnfs test acc | PyTorch (s) | PyTorch test acc | pure R (s) | PyTorch / nnfs | pure R / nnfs |",
  "|---|---|---|---|---|---|---|---|",
  sprintf("| %s | %s | %s | %s | %s | %s | %s | %s |", res$workload,
          fmt(res$nnfs_s), fmt(res$nnfs_acc, 3), fmt(res$torch_s),
          fmt(res$torch_acc, 3), fmt(res$pure_r_s, 1),
          fmt(res$torch_over_nnfs, 1), fmt(res$pure_r_over_nnfs, 0)))
writeLines(lines, out_file)
cat(lines, sep = "\n")
