# One CNN epoch on Fashion-MNIST: nnfs against PyTorch CPU (the peer script
# ../shared/peers/torch_cnn.py, when present), in one run.
# Network: conv 5x5x8 -> ReLU -> 2x2 max-pool -> dense 10 (softmax), plain
# SGD, mini-batches of 32, lr 0.1.
#
# Usage (from the package root, with nnfs installed):
#   apt-get install -y dataset-fashion-mnist python3-torch   # peer, optional
#   Rscript bench/cnn.R [results-file]
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "bench/cnn-results.md"
fm_dir <- "/usr/share/datasets/fashion-mnist"
source("bench/peer.R")
stopifnot(dir.exists(fm_dir))

fm <- read_mnist(fm_dir)
train <- list(x = as_images(fm$train$x, 28), y = fm$train$y)
test <- list(x = as_images(fm$test$x, 28), y = fm$test$y)
rm(fm)
layers <- list(layer_conv2d(8, 5), layer_maxpool2d(2), layer_flatten(),
               layer_dense(10, "softmax"))
run_nnfs <- function(precision) {
  set.seed(1)
  secs <- system.time(net <- cnn(layers, train, 1, 32, 0.1,
                                 precision = precision))[["elapsed"]]
  c(secs, evaluate(net, test)$accuracy)
}
# medians of 3 runs, nnfs and PyTorch alternating (the machine's speed
# drifts from minute to minute)
runs <- lapply(1:3, function(i)
  list(dbl = run_nnfs("double"), sgl = run_nnfs("single"),
       torch = run_peer("torch_cnn.py", c("8", "32", "0.1", "1", "2"))))
med <- function(k) apply(sapply(runs, `[[`, k), 1, stats::median)
dbl <- med("dbl")
sgl <- med("sgl")
torch <- med("torch")
cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
fmt <- function(v, d = 2) ifelse(is.na(v), "n/a", formatC(v, format = "f", digits = d))
lines <- c(
  "# CNN on Fashion-MNIST: one epoch, 60000 images",
  "",
  sprintf("Recorded %s by `Rscript bench/cnn.R` on %s, %d cores, %s.",
          format(Sys.Date()), cpu, parallel::detectCores(), R.version.string),
  sprintf("conv 5x5x8, ReLU, 2x2 max-pool, dense 10; SGD, batch 32, lr 0.1. nnfs with %d threads (double and single), PyTorch CPU with 2 threads (float32); each time the median of 3 runs, nnfs and PyTorch alternating.",
          getOption("nnfs.threads", 2L)),
  peer_note(torch[3]),
  "",
  "| | seconds per epoch | test accuracy |",
  "|---|---|---|",
  sprintf("| nnfs, double | %s | %s |", fmt(dbl[1]), fmt(dbl[2], 4)),
  sprintf("| nnfs, single | %s | %s |", fmt(sgl[1]), fmt(sgl[2], 4)),
  sprintf("| PyTorch, float32 | %s | %s |", fmt(torch[1]), fmt(torch[2], 4)),
  "",
  sprintf("PyTorch / nnfs time ratio: %s (nnfs double), %s (nnfs single).",
          fmt(torch[1] / dbl[1]), fmt(torch[1] / sgl[1])))
writeLines(lines, out_file)
cat(lines, sep = "\n")
