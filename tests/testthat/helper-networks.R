# Shared fixtures for test-neuralnetwork.R, test-methods.R and
# test-grad_check.R.

# The article's iris split: (x, y) pairs from train_test_from_df().
iris_pairs <- function(seed = 1) {
  set.seed(seed)
  train_test_from_df(iris, 5, 0.7)
}

# iris as list(x, y) with inputs divided by their maxima.
iris_xy <- function(rows = seq_len(nrow(iris))) {
  x <- as.matrix(iris[rows, 1:4])
  list(x = sweep(x, 2, apply(as.matrix(iris[, 1:4]), 2, max), "/"),
       y = iris$Species[rows])
}

# A small trained classifier, quick to make.
small_net <- function(seed = 1, ...) {
  set.seed(seed)
  neuralnetwork(c(4, 8, 3), iris_xy(), 5, 10, 0.5, ...)
}

# Random inputs and targets for small networks: x (n x p), y one-hot
# (classes), 0/1 values (binary CE on sigmoid outputs) or real values.
random_data <- function(n, p, k, kind = c("onehot", "unit", "real")) {
  kind <- match.arg(kind)
  x <- matrix(rnorm(n * p), n, p)
  y <- switch(kind,
              onehot = diag(k)[sample(k, n, replace = TRUE), , drop = FALSE],
              unit = matrix(runif(n * k), n, k),
              real = matrix(rnorm(n * k), n, k))
  list(x = x, y = y)
}

# The article's training loop in plain R (Nielsen's network.py: sigmoid
# layers, biases rnorm, weights rnorm / sqrt(n_in), output delta a - y
# for "ce", (a - y) a (1 - a) for "mse", w - (lr / batch) grad). Each
# epoch reshuffles the order of the previous one with the Fisher-Yates
# shuffle the engine uses (sample.int(i + 1, 1) draws what the engine's
# R_unif_index(i + 1) does), so a seeded run must give the parameters of
# neuralnetwork() up to rounding.
reference_sgd <- function(sizes, x, y, epochs, batch, lr, cost = "ce") {
  sig <- function(z) 1 / (1 + exp(-z))
  x <- unname(x)
  y <- unname(y)
  L <- length(sizes) - 1L
  b <- lapply(sizes[-1L], function(n) rnorm(n))
  W <- Map(function(o, i) matrix(rnorm(o * i), o, i) / sqrt(i),
           sizes[-1L], sizes[-(L + 1L)])
  n <- nrow(x)
  perm <- seq_len(n)
  for (e in seq_len(epochs)) {
    for (i in (n - 1L):1L) {
      j <- sample.int(i + 1L, 1L)
      tmp <- perm[i + 1L]
      perm[i + 1L] <- perm[j]
      perm[j] <- tmp
    }
    for (s in seq(1L, n, by = batch)) {
      idx <- perm[s:min(s + batch - 1L, n)]
      a <- list(t(x[idx, , drop = FALSE]))
      for (l in 1:L) a[[l + 1L]] <- sig(W[[l]] %*% a[[l]] + b[[l]])
      d <- a[[L + 1L]] - t(y[idx, , drop = FALSE])
      if (cost == "mse") d <- d * a[[L + 1L]] * (1 - a[[L + 1L]])
      gW <- gb <- vector("list", L)
      for (l in L:1) {
        gW[[l]] <- d %*% t(a[[l]])
        gb[[l]] <- rowSums(d)
        if (l > 1L) d <- (t(W[[l]]) %*% d) * a[[l]] * (1 - a[[l]])
      }
      for (l in 1:L) {
        W[[l]] <- W[[l]] - lr / length(idx) * gW[[l]]
        b[[l]] <- b[[l]] - lr / length(idx) * gb[[l]]
      }
    }
  }
  list(biases = b, weights = W)
}

fashion_dir <- "/usr/share/datasets/fashion-mnist"

# Fashion-MNIST as list(train, test) of list(x, y): read_mnist() when the
# package has it, else a minimal reader of the gzipped IDX files.
read_fashion <- function(dir = fashion_dir) {
  if (exists("read_mnist", envir = asNamespace("nnfs"), inherits = FALSE))
    return(read_mnist(dir))
  idx <- function(file, n_skip) {
    con <- gzfile(file.path(dir, file), "rb")
    on.exit(close(con))
    readBin(con, "raw", n_skip)
    as.integer(readBin(con, "raw", 1e8))
  }
  part <- function(stem) {
    px <- idx(paste0(stem, "-images-idx3-ubyte.gz"), 16)
    list(x = matrix(px, ncol = 784, byrow = TRUE) / 255,
         y = idx(paste0(stem, "-labels-idx1-ubyte.gz"), 8))
  }
  list(train = part("train"), test = part("t10k"))
}
