# Double precision before and after a change of the engine, in one run:
# the package at an earlier commit and as it is now are installed into two
# private libraries, and the same workloads are timed in child R processes
# that load one or the other, in the order before, after, after, before
# (the machine's speed drifts). Each child reports the best of 3 epochs of
# each workload; the table keeps each build's best.
#
# Usage (from the package root, a git checkout):
#   apt-get install -y dataset-fashion-mnist
#   Rscript bench/before-after.R [commit-before] [results-file]
# The default commit is 00501c5, the last one before the engine's layer
# table, named tensors and single precision.
args <- commandArgs(trailingOnly = TRUE)
fm_dir <- "/usr/share/datasets/fashion-mnist"

workloads <- list(
  "784-30-10 sigmoid, batch 10" = quote(neuralnetwork(
    c(784, 30, 10), train, 1, 10, 3, validation_data = NULL)),
  "784-100-10 sigmoid, batch 10" = quote(neuralnetwork(
    c(784, 100, 10), train, 1, 10, 3, validation_data = NULL)),
  "784-256-128-10 ReLU, batch 128" = quote(neuralnetwork(
    c(784, 256, 128, 10), train, 1, 128, 0.1, activation = "relu",
    output = "softmax", validation_data = NULL)),
  "784-256-128-10 ReLU, batch 128, Adam" = quote(neuralnetwork(
    c(784, 256, 128, 10), train, 1, 128, 0.001, activation = "relu",
    output = "softmax", optimizer = "adam", validation_data = NULL)),
  "CNN conv 5x5x8, pool, dense 10, batch 32" = quote(cnn(
    list(layer_conv2d(8, 5), layer_maxpool2d(2), layer_flatten(),
         layer_dense(10, "softmax")), images, 1, 32, 0.1)),
  "logistic regression, 100 rows, 100000 epochs" = quote(logistic_reg(
    X, y01, 100000, 5, verbose = FALSE))
)

if (identical(args[1], "--child")) {
  suppressPackageStartupMessages(library(nnfs, lib.loc = args[2]))
  fm <- read_mnist(fm_dir)
  train <- list(x = fm$train$x, y = factor(fm$train$y, levels = 0:9))
  images <- list(x = as_images(fm$train$x, 28), y = fm$train$y)
  rm(fm)
  vv <- iris[51:150, ]
  X <- cbind(vv$Sepal.Length / max(vv$Sepal.Length),
             vv$Petal.Length / max(vv$Petal.Length))
  y01 <- as.numeric(vv$Species == "virginica")
  for (i in seq_along(workloads)) {
    secs <- replicate(3, {
      set.seed(1)
      system.time(eval(workloads[[i]]))[["elapsed"]]
    })
    cat(sprintf("w%d=%.3f\n", i, min(secs)))
  }
  quit(save = "no")
}

before <- if (length(args) >= 1) args[1] else "00501c5"
out_file <- if (length(args) >= 2) args[2] else "bench/before-after-results.md"
stopifnot(dir.exists(fm_dir))

# install a tree (a directory) into a new private library
install_into <- function(tree, lib) {
  dir.create(lib, showWarnings = FALSE)
  st <- system2(file.path(R.home("bin"), "R"),
                c("CMD", "INSTALL", "--no-test-load", "-l", lib, tree),
                stdout = FALSE, stderr = FALSE)
  stopifnot(st == 0)
}
tmp <- tempfile("before-after")
dir.create(tmp)
old_tree <- file.path(tmp, "before")
dir.create(old_tree)
system2("sh", c("-c", shQuote(sprintf("git archive %s | tar -x -C %s",
                                      before, old_tree))))
lib_before <- file.path(tmp, "lib-before")
lib_after <- file.path(tmp, "lib-after")
install_into(old_tree, lib_before)
install_into(".", lib_after)

child <- function(lib) {
  out <- system2(file.path(R.home("bin"), "Rscript"),
                 c("bench/before-after.R", "--child", lib), stdout = TRUE)
  kv <- grep("^w[0-9]+=", out, value = TRUE)
  as.numeric(sub(".*=", "", kv))
}
runs <- list(before = list(), after = list())
for (who in c("before", "after", "after", "before")) {
  lib <- if (who == "before") lib_before else lib_after
  runs[[who]][[length(runs[[who]]) + 1L]] <- child(lib)
}
best <- sapply(runs, function(r) do.call(pmin, r))
unlink(tmp, recursive = TRUE)

cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
after_commit <- system2("git", c("rev-parse", "--short", "HEAD"), stdout = TRUE)
lines <- c(
  "# Double precision before and after",
  "",
  sprintf("Recorded %s by `Rscript bench/before-after.R %s` on %s, %d cores, %s.",
          format(Sys.Date()), before, cpu, parallel::detectCores(), R.version.string),
  sprintf("Before: commit %s; after: the working tree at %s. nnfs threads: %s.",
          before, after_commit, getOption("nnfs.threads", "default")),
  "Each figure: the best of 3 epochs in each of two child processes per build,",
  "run in the order before, after, after, before; one epoch of Fashion-MNIST",
  "(60000 images) for the networks, the whole fit for the regression.",
  "",
  "| workload | before (s) | after (s) | after / before |",
  "|---|---|---|---|",
  sprintf("| %s | %.3f | %.3f | %.2f |", names(workloads), best[, "before"],
          best[, "after"], best[, "after"] / best[, "before"]))
writeLines(lines, out_file)
cat(lines, sep = "\n")
