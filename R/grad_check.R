# grad_check(): backpropagation checked against finite differences, as a
# teaching tool and as the package's own test of the engine's gradients.

#' Check backpropagation against finite differences
#'
#' Computes the gradient of the mean loss with respect to every trainable
#' parameter of a network (the weights `W` and biases `b` of dense and
#' convolution layers, the scales `gamma` and shifts `beta` of batch
#' normalisation) by backpropagation (the engine's backward pass) and by
#' central finite differences,
#' \deqn{fd = (L(w + \epsilon) - L(w - \epsilon)) / (2 \epsilon),}
#' where \eqn{L} is the mean loss over the samples given (the network's
#' cost, without dropout and without the L1/L2 penalties; batch
#' normalisation uses the statistics of these samples, as in training,
#' and leaves its running statistics as they are). Each parameter's
#' relative error is
#' \deqn{|g - fd| / \max(|g| + |fd|, 10^{-8}),}
#' with \eqn{g} the backpropagated gradient; the floor keeps parameters
#' whose gradient is (nearly) zero from dividing by zero.
#'
#' With `eps = 1e-5`, correct gradients typically give relative errors
#' between 1e-9 and 1e-7. Errors above 1e-4 point to a bug, or to a ReLU
#' unit whose input lies within `eps` of its kink. In between, look at the
#' size of the gradients: in double precision the finite differences carry
#' an absolute error of about 1e-11 (for a loss of order 1), so a parameter
#' whose gradient is below about 1e-5, as deep in a stack of sigmoid
#' layers, can show a relative error above 1e-6 even when backpropagation
#' is exact. The largest absolute error `max_abs_error` tells these apart.
#'
#' @param net A network returned by [neuralnetwork()] or [cnn()].
#' @param x Samples: an `n x p` matrix or data frame (with `y`), or data
#'   with targets in any format [neuralnetwork()] takes for
#'   `training_data` (then `y` is `NULL`). A handful of samples is enough.
#' @param y Targets for a matrix `x`, in any format `neuralnetwork()`
#'   accepts for `y`; `NULL` when `x` holds them.
#' @param eps Step of the finite differences, a positive number.
#' @param n_params `NULL` to check every parameter, or a positive whole
#'   number to check that many, drawn at random with R's random number
#'   generator (for big networks: each check costs two passes over `x`).
#' @return An object of class `nnfs_grad_check`: a list with
#'   `max_rel_error`, `max_abs_error` (largest \eqn{|g - fd|}), `by_layer`
#'   (a data frame with the number of checked parameters and the largest
#'   relative and absolute errors for each trainable tensor (`W`, `b`,
#'   `gamma`, `beta`) of each layer, numbered like [coef()]), `details`
#'   (one row per checked parameter: layer, tensor, its index, the backpropagated
#'   and the numerical gradient, the relative error), `loss`, `eps`,
#'   `n_checked` and `n_params` (all parameters).
#' @export
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(20), 5, 4)
#' y <- factor(c("a", "b", "c", "a", "b"))
#' net <- neuralnetwork(c(4, 6, 3), list(x = x, y = y), 1, 5, 0.1,
#'                      activation = "tanh", output = "softmax")
#' grad_check(net, x, y)
grad_check <- function(net, x, y = NULL, eps = 1e-5, n_params = NULL) {
  check_network(net, "net")
  if (missing(x)) arg_error("`x` is missing: give a few samples to check on.")
  eps <- check_number(eps, "eps", positive = TRUE)
  d <- network_batch(net, x, y)
  X <- d$x

  layers <- net$layers
  params <- network_params(net)
  cost <- net$settings$C
  bp <- engine_backprop(layers, params, X, d$y, cost)
  where <- param_positions(bp$grads, params)
  n_total <- nrow(where)
  pick <- seq_len(n_total)
  if (!is.null(n_params)) {
    n_params <- check_count(n_params, "n_params")
    if (n_params < n_total) pick <- sort(sample.int(n_total, n_params))
  }
  where <- where[pick, , drop = FALSE]

  loss_at <- function(l, w, i, delta) {
    p <- params
    p[[l]][[w]][i] <- p[[l]][[w]][i] + delta
    engine_backprop(layers, p, X, d$y, cost)$loss
  }
  g <- fd <- numeric(nrow(where))
  for (r in seq_len(nrow(where))) {
    l <- where$spec[r]; w <- where$tensor[r]; i <- where$index[r]
    g[r] <- bp$grads[[l]][[w]][i]
    fd[r] <- (loss_at(l, w, i, eps) - loss_at(l, w, i, -eps)) / (2 * eps)
  }
  rel <- abs(g - fd) / pmax(abs(g) + abs(fd), 1e-8)
  details <- data.frame(layer = where$layer, parameter = where$tensor,
                        index = where$index, backprop = g, numeric = fd,
                        rel_error = rel, stringsAsFactors = FALSE)
  structure(list(max_rel_error = max(rel), max_abs_error = max(abs(g - fd)),
                 by_layer = grad_check_by_layer(details),
                 details = details, loss = bp$loss, eps = eps,
                 n_checked = nrow(details), n_params = n_total),
            class = "nnfs_grad_check")
}

# Every trainable value, as the gradients the engine returned (`grads`,
# one named list of trainable tensors per layer spec) lay them out: spec
# (index in params), layer (count among the layers with tensors, as
# coef() numbers them), tensor (its name) and index within it.
param_positions <- function(grads, params) {
  layer_no <- cumsum(!vapply(params, is.null, NA))
  specs <- which(!vapply(grads, is.null, NA))
  rows <- lapply(specs, function(l) {
    g <- grads[[l]]
    data.frame(spec = l, layer = layer_no[l],
               tensor = rep(names(g), lengths(g)),
               index = unlist(lapply(lengths(g), seq_len), use.names = FALSE),
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

grad_check_by_layer <- function(details) {
  key <- interaction(details$parameter, details$layer, lex.order = TRUE, drop = TRUE)
  parts <- split(details, key)
  out <- do.call(rbind, lapply(parts, function(p)
    data.frame(layer = p$layer[1L], parameter = p$parameter[1L],
               checked = nrow(p), max_rel_error = max(p$rel_error),
               max_abs_error = max(abs(p$backprop - p$numeric)),
               stringsAsFactors = FALSE)))
  # within a layer, its tensors in the engine's order (W before b)
  out <- out[order(out$layer, match(out$parameter, unique(details$parameter))), ,
             drop = FALSE]
  rownames(out) <- NULL
  out
}

#' @export
print.nnfs_grad_check <- function(x, ...) {
  cat(sprintf("Gradient check of %d of %d parameters (central differences, eps = %g)\n",
              x$n_checked, x$n_params, x$eps))
  cat(sprintf("Mean loss %.6g; largest relative error %.3g, absolute error %.3g\n",
              x$loss, x$max_rel_error, x$max_abs_error))
  cat("  relative error = |g - fd| / max(|g| + |fd|, 1e-8)\n\n")
  by <- x$by_layer
  by$max_rel_error <- formatC(by$max_rel_error, format = "e", digits = 2)
  by$max_abs_error <- formatC(by$max_abs_error, format = "e", digits = 2)
  print(by, row.names = FALSE)
  verdict <- if (x$max_rel_error < 1e-6) {
    "backpropagation agrees with finite differences."
  } else if (x$max_rel_error < 1e-4) {
    paste("small differences: compare them with the size of the gradients",
          "in `details` (rounding shows on tiny ones).")
  } else {
    "backpropagation and finite differences disagree: see `details`."
  }
  cat("\n", verdict, "\n", sep = "")
  invisible(x)
}
