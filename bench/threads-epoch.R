# Whole epochs on the full Fashion-MNIST training set (60000 images in
# R's rows, copied once as byte codes, as bench/mlp.R trains them): one
# thread against the default thread policy, on an idle machine and with
# one busy-loop process holding a core. bench/threads.R measures smaller
# workloads whose data are copied by R; this one includes the coding of
# the images and the reading of shuffled samples.
#
# Each time is the median of `reps` epochs, one thread and the default
# alternating, each after a warm-up call.
#
# Usage (from the package root, with nnfs installed and
# `apt-get install -y dataset-fashion-mnist`):
#   Rscript bench/threads-epoch.R [results-file] [reps]
suppressPackageStartupMessages(library(nnfs))
args <- commandArgs(trailingOnly = TRUE)
out_file <- if (length(args) >= 1) args[1] else "bench/threads-epoch-results.md"
reps <- if (length(args) >= 2) as.integer(args[2]) else 3L
fm <- read_mnist("/usr/share/datasets/fashion-mnist")
x <- fm$train$x
y <- factor(fm$train$y, levels = 0:9)
rm(fm)

workloads <- list(
  "784-30-10 sigmoid, batch 10" = function()
    neuralnetwork(c(784, 30, 10), list(x = x, y = y), 1, 10, 3),
  "784-256-128-10 ReLU, batch 128" = function()
    neuralnetwork(c(784, 256, 128, 10), list(x = x, y = y), 1, 128, 0.1,
                  activation = "relu", output = "softmax"),
  "784-256-128-10 ReLU, batch 128, single precision" = function()
    neuralnetwork(c(784, 256, 128, 10), list(x = x, y = y), 1, 128, 0.1,
                  activation = "relu", output = "softmax", precision = "single"))

epoch <- function(f, threads) {
  old <- options(nnfs.threads = threads)
  on.exit(options(old))
  set.seed(1)
  system.time(f())[["elapsed"]]
}

run <- function() {
  t(vapply(workloads, function(f) {
    invisible(epoch(f, NULL))
    one <- def <- numeric(reps)
    for (r in seq_len(reps)) {
      one[r] <- epoch(f, 1L)
      def[r] <- epoch(f, NULL)
    }
    c(one = stats::median(one), default = stats::median(def))
  }, c(one = 0, default = 0)))
}

idle <- run()
busy_pid <- as.integer(system("sh -c 'while :; do :; done' > /dev/null 2>&1 & echo $!",
                              intern = TRUE))
busy <- tryCatch(run(), finally = tools::pskill(busy_pid))

fmt <- function(v, d = 2) formatC(v, format = "f", digits = d)
row <- function(machine, m) sprintf("| %s | %s | %s | %s | %s |", machine,
                                    rownames(m), fmt(m[, "one"]), fmt(m[, "default"]),
                                    fmt(m[, "one"] / m[, "default"]))
cpu <- sub(".*: ", "", grep("model name", readLines("/proc/cpuinfo"), value = TRUE)[1])
lines <- c(
  "# Whole epochs, one thread against the default policy",
  "",
  sprintf("Recorded %s by `Rscript bench/threads-epoch.R` on %s, %d cores, %s.",
          format(Sys.time(), "%Y-%m-%d %H:%M UTC", tz = "UTC"), cpu,
          parallel::detectCores(), R.version.string),
  sprintf("Full Fashion-MNIST training set, one epoch, median of %d; default = %d threads with the adaptive policy.",
          reps, nnfs:::nnfs_threads()),
  "",
  "| machine | workload | one thread (s) | default (s) | one / default (speed-up) |",
  "|---|---|---|---|---|",
  row("idle", idle), row("one core busy", busy))
writeLines(lines, out_file)
cat(lines, sep = "\n")
