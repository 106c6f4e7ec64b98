# Batch normalisation on Fashion-MNIST: one epoch of the CNN of bench/cnn.R
# (conv 5x5x8, ReLU, 2x2 max-pool, dense 10 softmax; plain SGD, batches of
# 32, lr 0.1) with and without a layer_batchnorm() after the convolution,
# from the same seeds (the same starting weights: batch normalisation draws
# nothing). Not a timed test: the test suite cannot rely on the dataset.
#
# Usage (from the package root, with nnfs installed):
#   apt-get install -y dataset-fashion-mnist
#   Rscript bench/batchnorm.R [results-file]
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "bench/batchnorm-results.md"
fm_dir <- "/usr/share/datasets/fashion-mnist"
stopifnot(dir.exists(fm_dir))

fm <- read_mnist(fm_dir)
train <- list(x = as_images(fm$train$x, 28), y = fm$train$y)
test <- list(x = as_images(fm$test$x, 28), y = fm$test$y)
rm(fm)

plain <- list(layer_conv2d(8, 5), layer_maxpool2d(2), layer_flatten(),
              layer_dense(10, "softmax"))
with_bn <- append(plain, list(layer_batchnorm()), after = 1L)

run <- function(layers, seed) {
  set.seed(seed)
  secs <- system.time(net <- cnn(layers, train, 1, 32, 0.1))[["elapsed"]]
  c(seed = seed, seconds = secs, accuracy = evaluate(net, test)$accuracy)
}
seeds <- 1:5
res <- rbind(
  data.frame(network = "without batchnorm", t(sapply(seeds, run, layers = plain))),
  data.frame(network = "with batchnorm", t(sapply(seeds, run, layers = with_bn))))

cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
fmt <- function(v, d = 4) formatC(v, format = "f", digits = d)
mean_acc <- tapply(res$accuracy, res$network, mean)
lines <- c(
  "# Batch normalisation on Fashion-MNIST: one epoch, 60000 images",
  "",
  sprintf("Recorded %s by `Rscript bench/batchnorm.R` on %s, %d cores, %s, nnfs with %d threads (double).",
          format(Sys.Date()), cpu, parallel::detectCores(), R.version.string,
          getOption("nnfs.threads", 2L)),
  "conv 5x5x8 (ReLU), [batchnorm], 2x2 max-pool, dense 10 (softmax); SGD, batch 32, lr 0.1, one epoch; test accuracy on the 10000 test images.",
  "",
  "| network | seed | seconds | test accuracy |",
  "|---|---|---|---|",
  sprintf("| %s | %d | %s | %s |", res$network, as.integer(res$seed),
          fmt(res$seconds, 1), fmt(res$accuracy)),
  "",
  sprintf("Mean test accuracy: %s without batch normalisation, %s with it.",
          fmt(mean_acc[["without batchnorm"]]), fmt(mean_acc[["with batchnorm"]])))
writeLines(lines, out_file)
cat(lines, sep = "\n")
