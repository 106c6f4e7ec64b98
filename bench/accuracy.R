# Test accuracy of single against double precision on the benchmark's
# dense workloads (bench/mlp.R), over several seeds: how far one epoch's
# accuracy moves when only the arithmetic changes.
#
# The sigmoid networks of the articles (learning rate 3, batches of 10)
# follow a trajectory that small changes of rounding steer elsewhere. To
# separate that from the precision itself, each seed also trains in double
# on the inputs rounded to float (the values single precision sees): a
# change of the inputs below float's rounding, the arithmetic unchanged.
#
# Usage (from the package root, with nnfs installed and Debian's
# dataset-fashion-mnist):  Rscript bench/accuracy.R [results-file]
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args)) args[1] else "bench/accuracy-results.md"
fm_dir <- "/usr/share/datasets/fashion-mnist"
stopifnot(dir.exists(fm_dir))
fm <- read_mnist(fm_dir)
train <- list(x = fm$train$x, y = factor(fm$train$y, levels = 0:9))
test <- list(x = fm$test$x, y = factor(fm$test$y, levels = 0:9))
rm(fm)
# the doubles nearest to float: through a 4-byte write and read
to_float <- function(x) {
  v <- readBin(writeBin(as.vector(x), raw(), size = 4), "double",
               length(x), size = 4)
  dim(v) <- dim(x)
  v
}
train_f <- list(x = to_float(train$x), y = train$y)
seeds <- 1:6
workloads <- list(
  list(name = "784-30-10 sigmoid, batch 10", sizes = c(784, 30, 10),
       batch = 10, lr = 3, act = "sigmoid", output = "sigmoid"),
  list(name = "784-100-10 sigmoid, batch 10", sizes = c(784, 100, 10),
       batch = 10, lr = 3, act = "sigmoid", output = "sigmoid"),
  list(name = "784-256-128-10 ReLU, batch 128", sizes = c(784, 256, 128, 10),
       batch = 128, lr = 0.1, act = "relu", output = "softmax"))
acc <- function(w, data, precision, seed) {
  set.seed(seed)
  net <- neuralnetwork(w$sizes, data, 1, w$batch, w$lr, activation = w$act,
                       output = w$output, validation_data = NULL,
                       precision = precision)
  evaluate(net, test)$accuracy
}
rows <- character()
summary_rows <- character()
for (w in workloads) {
  r <- t(sapply(seeds, function(s)
    c(double = acc(w, train, "double", s), single = acc(w, train, "single", s),
      double_f = acc(w, train_f, "double", s))))
  for (i in seq_along(seeds))
    rows <- c(rows, sprintf("| %s | %d | %.4f | %.4f | %+.4f | %.4f | %+.4f |",
                            w$name, seeds[i], r[i, 1], r[i, 2], r[i, 2] - r[i, 1],
                            r[i, 3], r[i, 3] - r[i, 1]))
  summary_rows <- c(summary_rows, sprintf(
    "| %s | %.4f (%.4f) | %.4f (%.4f) | %+.4f | %.4f (%.4f) | %.4f | %.4f |",
    w$name, mean(r[, 1]), sd(r[, 1]), mean(r[, 2]), sd(r[, 2]),
    mean(r[, 2]) - mean(r[, 1]), mean(r[, 3]), sd(r[, 3]),
    max(abs(r[, 2] - r[, 1])), max(abs(r[, 3] - r[, 1]))))
  cat(tail(summary_rows, 1), "\n")
}
lines <- c(
  "# Test accuracy: single against double precision, several seeds",
  "",
  sprintf("Recorded %s by `Rscript bench/accuracy.R` on %s, R %s.", Sys.Date(),
          sub("^model name\\s*:\\s*", "", grep("^model name",
              readLines("/proc/cpuinfo"), value = TRUE)[1]),
          getRversion()),
  "One epoch of Fashion-MNIST per run, test accuracy on the 10000 test images;",
  "the workloads and settings of bench/mlp.R. Per seed: double; single;",
  "double on the inputs rounded to float (`double, float inputs`).",
  "",
  "## Mean (standard deviation) over the seeds",
  "",
  "| workload | double | single | single - double (means) | double, float inputs | max per-seed abs(single - double) | max per-seed abs(float inputs - double) |",
  "|---|---|---|---|---|---|---|",
  summary_rows,
  "",
  "## Per seed",
  "",
  "| workload | seed | double | single | single - double | double, float inputs | float inputs - double |",
  "|---|---|---|---|---|---|---|",
  rows)
writeLines(lines, out_file)
cat(lines, sep = "\n")
