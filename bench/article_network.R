# A pure-R network in the style of the articles' code (a port of Nielsen's
# network.py): sigmoid everywhere, per-sample backpropagation inside each
# mini-batch, then w - (lr / batch) * grad. Used only as the speed baseline.
article_sigmoid <- function(z) 1 / (1 + exp(-z))

article_backprop <- function(biases, weights, x, y) {
  L <- length(weights)
  acts <- vector("list", L + 1L)
  acts[[1L]] <- x
  for (l in seq_len(L))
    acts[[l + 1L]] <- article_sigmoid(weights[[l]] %*% acts[[l]] + biases[[l]])
  nb <- vector("list", L)
  nw <- vector("list", L)
  delta <- acts[[L + 1L]] - y   # cross-entropy cost
  for (l in L:1) {
    nb[[l]] <- delta
    nw[[l]] <- delta %*% t(acts[[l]])
    if (l > 1L) {
      a <- acts[[l]]
      delta <- (t(weights[[l]]) %*% delta) * a * (1 - a)
    }
  }
  list(nb = nb, nw = nw)
}

# One epoch over x (p x n, one sample per column) and one-hot y (k x n).
article_epoch <- function(biases, weights, x, y, batch, lr) {
  n <- ncol(x)
  idx <- sample.int(n)
  for (start in seq(1L, n, by = batch)) {
    rows <- idx[start:min(start + batch - 1L, n)]
    gb <- lapply(biases, function(b) b * 0)
    gw <- lapply(weights, function(w) w * 0)
    for (i in rows) {
      g <- article_backprop(biases, weights, x[, i, drop = FALSE],
                            y[, i, drop = FALSE])
      gb <- Map(`+`, gb, g$nb)
      gw <- Map(`+`, gw, g$nw)
    }
    m <- length(rows)
    biases <- Map(function(b, g) b - (lr / m) * g, biases, gb)
    weights <- Map(function(w, g) w - (lr / m) * g, weights, gw)
  }
  list(biases = biases, weights = weights)
}

article_init <- function(sizes) {
  L <- length(sizes) - 1L
  list(biases = lapply(seq_len(L), function(l) matrix(stats::rnorm(sizes[l + 1L]))),
       weights = lapply(seq_len(L), function(l)
         matrix(stats::rnorm(sizes[l + 1L] * sizes[l]), sizes[l + 1L]) / sqrt(sizes[l])))
}
