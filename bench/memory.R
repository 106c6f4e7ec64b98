# Peak resident memory of training on the 60000 x 784 Fashion-MNIST matrix,
# against the size of that matrix. Each case runs in a fresh R process and
# reads the process's peak resident set size (VmHWM, Linux).
#
# Two kinds of case:
#   - the training set alone (read_mnist(sets = "train")), one epoch of
#     784-256-128-10 (batch 128) without validation: the speed issue's
#     memory target, peak <= 1.3 x the matrix, R included;
#   - the training and test sets, one epoch of 784-30-10 (batch 10) and one
#     of 784-256-128-10, validating on the test set, then three epochs of
#     784-30-10.
#
# Usage (from the package root, with nnfs installed):
#   apt-get install -y dataset-fashion-mnist
#   Rscript bench/memory.R [results-file]
args <- commandArgs(trailingOnly = TRUE)
fm_dir <- "/usr/share/datasets/fashion-mnist"

peak_mb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", grep("^VmHWM", s, value = TRUE))) / 1024
}

if (length(args) && args[1] == "alone") {
  # the training set alone; args[2] the precision, args[3] nnfs.copy_limit
  suppressPackageStartupMessages(library(nnfs))
  options(nnfs.copy_limit = as.numeric(args[3]))
  base <- peak_mb()
  fm <- read_mnist(fm_dir, sets = "train")
  train <- list(x = fm$train$x, y = factor(fm$train$y, levels = 0:9))
  rm(fm); invisible(gc())
  before <- peak_mb()
  set.seed(1)
  t2 <- system.time(neuralnetwork(c(784, 256, 128, 10), train, 1, 128, 0.1,
                                  activation = "relu", output = "softmax",
                                  validation_data = NULL,
                                  precision = args[2]))[["elapsed"]]
  cat(sprintf("RESULT %.1f %.1f %.1f %.1f %.2f\n", object.size(train$x) / 2^20,
              base, before, peak_mb(), t2))
  quit(save = "no")
}

if (length(args) && args[1] == "child") {
  # one case: args[2] is the nnfs.copy_limit option in bytes, args[3] the
  # precision
  suppressPackageStartupMessages(library(nnfs))
  options(nnfs.copy_limit = as.numeric(args[2]), nnfs.precision = args[3])
  fm <- read_mnist(fm_dir)
  train <- list(x = fm$train$x, y = factor(fm$train$y, levels = 0:9))
  test <- list(x = fm$test$x, y = factor(fm$test$y, levels = 0:9))
  rm(fm); invisible(gc())
  before <- peak_mb()
  set.seed(1)
  t1 <- system.time(neuralnetwork(c(784, 30, 10), train, 1, 10, 3,
                                  validation_data = test))[["elapsed"]]
  t2 <- system.time(neuralnetwork(c(784, 256, 128, 10), train, 1, 128, 0.1,
                                  activation = "relu", output = "softmax",
                                  validation_data = test))[["elapsed"]]
  t3 <- system.time(neuralnetwork(c(784, 30, 10), train, 3, 10, 3,
                                  validation_data = NULL))[["elapsed"]]
  cat(sprintf("RESULT %.1f %.1f %.1f %.2f %.2f %.2f\n",
              object.size(train$x) / 2^20, before, peak_mb(), t1, t2, t3))
  quit(save = "no")
}

out_file <- if (length(args)) args[1] else "bench/memory-results.md"
stopifnot(dir.exists(fm_dir), file.exists("/proc/self/status"))
rscript <- file.path(R.home("bin"), "Rscript")
cases <- c("double, default nnfs.copy_limit (128 MiB): byte codes" = 2^27,
           "double, nnfs.copy_limit 32 MiB: R's rows in chunks" = 2^25,
           "double, nnfs.copy_limit Inf: a double copy" = Inf,
           "single, default nnfs.copy_limit: byte codes" = 2^27,
           "single, nnfs.copy_limit 32 MiB: R's rows in chunks" = 2^25)
precisions <- c("double", "double", "double", "single", "single")
rows <- character()
for (i in seq_along(cases)) {
  out <- system2(rscript, c("bench/memory.R", "child", format(cases[[i]]),
                            precisions[i]), stdout = TRUE)
  v <- as.numeric(strsplit(sub("RESULT ", "", grep("^RESULT", out, value = TRUE)),
                           " ")[[1]])
  rows <- c(rows, sprintf("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f |",
                          names(cases)[i], v[1], v[2], v[3], v[3] / v[1],
                          v[4], v[5], v[6]))
}
alone <- character()
alone_cases <- list(c("single", 2^27, "default (128 MiB): byte codes"),
                    c("single", 2^24, "16 MiB: R's rows in chunks of 16 MiB"),
                    c("double", 2^27, "default (128 MiB): byte codes"),
                    c("double", 2^24, "16 MiB: R's rows in chunks of 16 MiB"))
for (a in alone_cases) {
  out <- system2(rscript, c("bench/memory.R", "alone", a[1], a[2]), stdout = TRUE)
  v <- as.numeric(strsplit(sub("RESULT ", "", grep("^RESULT", out, value = TRUE)),
                           " ")[[1]])
  alone <- c(alone, sprintf("| %s | %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f |",
                            a[1], a[3], v[1], v[2], v[3], v[4], v[4] / v[1], v[5]))
}
lines <- c(
  "# Peak memory of training on Fashion-MNIST",
  "",
  sprintf("Recorded %s by `Rscript bench/memory.R` on %s, %d cores, %s.",
          format(Sys.Date()),
          sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"),
                               value = TRUE)[1]),
          parallel::detectCores(), R.version.string),
  "Each row is a fresh R process. Peak RSS is the process's VmHWM, so it",
  "includes R itself and the data.",
  "",
  "## The training set alone: 784-256-128-10, batch 128, one epoch",
  "",
  "`read_mnist(sets = \"train\")`, then one epoch without validation. R with",
  "nnfs loaded is the first peak; the speed issue's target is peak / matrix",
  "<= 1.3.",
  "",
  "| precision | nnfs.copy_limit | matrix (MiB) | R alone (MiB) | after reading (MiB) | after training (MiB) | peak / matrix | epoch (s) |",
  "|---|---|---|---|---|---|---|---|",
  alone,
  "",
  "## With the test set and validation",
  "",
  "Each row reads the 60000 x 784 training matrix",
  "and the 10000-image test set, then trains 784-30-10 (batch 10) and",
  "784-256-128-10 (batch 128) for one epoch each, validating on the test set.",
  "",
  "The last column trains 784-30-10 for three epochs without validation:",
  "reading the data in place costs time in every epoch, a copy only once.",
  "Image data (at most 256 distinct values) are copied as one byte per value",
  "when those bytes fit `nnfs.copy_limit`; otherwise single precision copies",
  "them to float when that fits, and else both read R's rows a chunk of a",
  "quarter of the data at a time.",
  "",
  "| precision, nnfs.copy_limit | matrix (MiB) | peak RSS before training (MiB) | peak RSS after (MiB) | peak / matrix | 784-30-10, 1 epoch (s) | 784-256-128-10, 1 epoch (s) | 784-30-10, 3 epochs (s) |",
  "|---|---|---|---|---|---|---|---|",
  rows)
writeLines(lines, out_file)
cat(lines, sep = "\n")
