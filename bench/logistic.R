# Benchmark: logistic_reg() (the network engine) against a plain R
# gradient-descent loop written the way the articles write it, on the same
# data with the same epochs, learning rate and starting point.
#
# Run from the package root with nnfs installed:
#   Rscript bench/logistic.R [epochs]
# Results of one run are recorded in bench/logistic-results.md.

library(nnfs)

args <- commandArgs(trailingOnly = TRUE)
epochs <- if (length(args)) as.integer(args[1]) else 100000L
lr <- 5

# Versicolor vs virginica, Sepal.Length and Petal.Length scaled into (0, 1].
vv <- iris[51:150, ]
X <- cbind(vv$Sepal.Length / max(vv$Sepal.Length),
           vv$Petal.Length / max(vv$Petal.Length))
y <- as.numeric(vv$Species == "virginica")

# The pure-R version: coefficients start at 1, one full-batch step per epoch.
sigmoid <- function(z) 1 / (1 + exp(-z))
logistic_r <- function(X, y, epochs, lr) {
  X <- cbind(1, X)
  n <- nrow(X)
  b <- matrix(1, ncol(X), 1)
  for (i in seq_len(epochs)) {
    b <- b - lr * t(X) %*% (sigmoid(X %*% b) - y) / n
  }
  p <- sigmoid(X %*% b)
  cat("log-likelihood:", sum(y * log(p) + (1 - y) * log(1 - p)), "\n")
  drop(b)
}

elapsed <- function(expr) system.time(expr)[["elapsed"]]
reps <- 3L

t_r <- numeric(reps)
for (i in seq_len(reps)) t_r[i] <- elapsed(b_r <- logistic_r(X, y, epochs, lr))
t_c <- numeric(reps)
for (i in seq_len(reps)) {
  t_c[i] <- elapsed(fit <- logistic_reg(X, y, epochs, lr, verbose = i == 1L))
}

# Both must land on the same coefficients (they take the same steps).
stopifnot(isTRUE(all.equal(unname(coef(fit)), unname(b_r), tolerance = 1e-8)))

cpu <- grep("^model name", readLines("/proc/cpuinfo"), value = TRUE)[1]
cat(sprintf("machine: %s, %d cores (nproc), %s\n",
            trimws(sub(".*:", "", cpu)), parallel::detectCores(),
            R.version.string))
cat(sprintf("BLAS: %s\n", extSoftVersion()[["BLAS"]]))
cat(sprintf("epochs %d, lr %g, n = %d, %d repetitions (median)\n",
            epochs, lr, nrow(X), reps))
cat(sprintf("pure R   : %8.3f s  (%.2f us per epoch)\n",
            median(t_r), 1e6 * median(t_r) / epochs))
cat(sprintf("nnfs (C) : %8.3f s  (%.2f us per epoch, loss history included)\n",
            median(t_c), 1e6 * median(t_c) / epochs))
cat(sprintf("ratio    : %.1fx\n", median(t_r) / median(t_c)))
