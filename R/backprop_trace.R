# backprop_trace(): one forward and backward pass of the engine, opened up
# layer by layer in the notation of the articles (Nielsen's network.py), for
# teaching. The numbers come from C_trace (src/glue_train.c), the same
# kernels that train.

#' Trace one backward pass, layer by layer
#'
#' Runs one mini-batch forward and backward through a network, as one step
#' of training does, and returns everything backpropagation computes on the
#' way, in the notation of the articles (Nielsen's `network.py`): the
#' weighted inputs `z`, the activations `a`, the errors `delta` and the
#' gradients `nabla_w` and `nabla_b`. Nothing is trained: the network is
#' left as it is. The numbers are those of the package's C engine, the
#' same code that trains the network, so the trace shows what training
#' does rather than a re-implementation of it.
#'
#' For a dense layer \eqn{l} with weights \eqn{W^l} and biases \eqn{b^l},
#' activation \eqn{\sigma} and input \eqn{a^l} (the batch itself for the
#' first layer):
#' \deqn{z^l = W^l a^l + b^l, \quad a^{l+1} = \sigma(z^l).}{z[l] = W[l]
#'   a[l] + b[l],  a[l+1] = sigma(z[l]).}
#' Going back, the output layer's error is \eqn{a - y} for the
#' cross-entropy with a sigmoid or softmax output, and
#' \eqn{(a - y) \sigma'(z)} for the quadratic cost (`C = "mse"`). Each
#' layer below receives
#' \deqn{\delta^l = ((W^{l+1})^T \delta^{l+1}) \odot \sigma'(z^l),}{delta[l]
#'   = (t(W[l+1]) delta[l+1]) * sigma'(z[l]),}
#' and its gradients are \eqn{\nabla_W = \delta^l (a^l)^T}{nabla_w =
#' delta[l] t(a[l])} and \eqn{\nabla_b = \delta^l}{nabla_b = delta[l]}, summed
#' over the samples.
#'
#' @section Sums, not means:
#' `nabla_w` and `nabla_b` are summed over the samples of the batch, as in
#' Nielsen's `update_mini_batch()`, whose plain SGD step is
#' `w - (lr / batch) * nabla_w`. [grad_check()] reports the gradient of
#' the mean loss, so its `backprop` column is `nabla / batch`; `loss` here
#' is the mean loss over the batch, the number [grad_check()] and the
#' training history report.
#'
#' @section Layers:
#' There is one entry per layer of the network, in the order [summary()]
#' lists them. For a dense network without dropout these are the layers of
#' `sizes`, so `nabla_w[[l]]` has the shape of `net$weights[[l]]`. The
#' trace runs without dropout, as prediction and [grad_check()] do: a
#' dropout layer passes its input through, and has an entry whose `a` is
#' that input. Layers without parameters (dropout, and the pooling and
#' flatten layers of a [cnn()]) have `z`, `delta`, `nabla_w` and `nabla_b`
#' equal to `NULL`.
#'
#' Convolutional layers are traced too, in the engine's layout: `z`, `a`
#' and `delta` have one column per sample holding its feature maps as R
#' stores the array (height, width, channels; `a[[1]]` holds the input
#' images flattened the same way), so
#' `array(a[[l + 1]][, i], c(h, w, channels))` is sample `i`'s output, and
#' `nabla_w[[l]]` has the dimensions of the filter bank
#' (`kernel x kernel x in_channels x filters`).
#'
#' @param net A network returned by [neuralnetwork()] or [cnn()].
#' @param x The samples of one mini-batch: an `n x p` matrix or data frame
#'   (an array of images for a CNN) with its targets in `y`, or data with
#'   targets in any format [neuralnetwork()] takes for `training_data`
#'   (`list(x = , y = )`, or a list of `list(x, y)` pairs as made by
#'   [train_test_from_df()]), with `y` left `NULL`.
#' @param y Targets for a matrix `x`, in any format `neuralnetwork()`
#'   accepts for `y`; `NULL` when `x` holds them.
#' @return An object of class `nnfs_backprop_trace`: a list of
#'   \item{z}{For each layer, its weighted input (`n_out x n`).}
#'   \item{a}{The activations, one more than the layers: `a[[1]]` is the
#'     batch itself (`p x n`), `a[[l + 1]]` the output of layer `l`.}
#'   \item{delta}{For each layer, \eqn{\partial C / \partial z}{dC/dz} for the
#'     batch's summed cost (`n_out x n`).}
#'   \item{nabla_w, nabla_b}{For each layer, the gradients of its weights
#'     and biases, summed over the batch, shaped like the parameters.}
#'   \item{loss}{The mean loss over the batch.}
#'   \item{layers}{A data frame of the layers: `type` and `activation`.}
#'   All matrices have one sample per column, as in the articles.
#' @seealso [grad_check()], which checks the same gradients against finite
#'   differences.
#' @export
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 3, 3), d[[1]], 1, 10, 0.5)
#' tr <- backprop_trace(net, d[[1]][1:4])
#' tr
#' round(tr$a[[3]], 3)                 # outputs for the four flowers
#' tr$delta[[2]]                        # output error: a - y
#' # the output layer's weight gradient, by the textbook formula
#' all.equal(tr$nabla_w[[2]], tr$delta[[2]] %*% t(tr$a[[2]]))
backprop_trace <- function(net, x, y = NULL) {
  if (missing(net))
    arg_error("`net` is missing: give a network from neuralnetwork() or cnn().")
  check_network(net, "net")
  if (missing(x))
    arg_error("`x` is missing: give the samples of one mini-batch.")
  d <- network_batch(net, x, y)
  tr <- .Call(C_trace, net$layers, network_params(net),
              samples_to_columns(d$x), samples_to_columns(d$y),
              list(cost = net$settings$C, threads = nnfs_threads()))
  tr$a <- c(list(unname(samples_to_columns(d$x))), tr$a)
  tr$layers <- trace_layers(net$layers)
  structure(tr, class = "nnfs_backprop_trace")
}

# Type and activation (NA for layers without parameters) of each layer spec.
trace_layers <- function(specs) {
  kinds <- vapply(specs, `[[`, "", "kind")
  acts <- vapply(specs, `[[`, "", "act")
  acts[!vapply(specs, has_params, NA)] <- NA_character_
  data.frame(type = kinds, activation = acts, stringsAsFactors = FALSE)
}

# Samples with targets for grad_check() and backprop_trace(): `x` with `y`,
# or `x` holding both, coerced with the network's classes and checked
# against its inputs and outputs. Returns list(x = n x p matrix, y = n x k
# matrix).
network_batch <- function(net, x, y) {
  k <- n_outputs(net)
  if (is.null(y)) {
    if (!is_xy_list(x) && !is_pair_list(x))
      arg_error("`y` is missing: give the targets in `y`, or pass `x` as ",
                "`list(x = , y = )` or as a list of (x, y) pairs.")
    d <- as_network_data(x, "x", levels = net$levels, task = net$task, k = k)
  } else {
    d <- coerce_xy(x, y, "x", "y", net$levels, net$task, k)
  }
  X <- flatten_samples(d$x)
  if (ncol(X) != prod(net$input_dim) || ncol(d$y) != k)
    arg_error("`x` and `y` must have ", prod(net$input_dim), " inputs and ", k,
              " outputs per sample like the network, not ", ncol(X), " and ",
              ncol(d$y), ".")
  list(x = X, y = d$y)
}

#' @export
print.nnfs_backprop_trace <- function(x, ...) {
  n <- ncol(x$a[[1L]])
  cat(sprintf("Backpropagation through one batch of %d sample%s: mean loss %.6g\n",
              n, if (n == 1L) "" else "s", x$loss))
  # one number per layer, "-" for layers without parameters
  per_layer <- function(el, f) {
    v <- vapply(x[[el]], function(m) if (is.null(m)) NA_real_ else f(m), 0)
    ifelse(is.na(v), "-", formatC(v, format = "e", digits = 3))
  }
  norm <- function(m) sqrt(sum(m^2))
  act <- x$layers$activation
  tab <- data.frame(layer = seq_along(x$z), type = x$layers$type,
                    activation = ifelse(is.na(act), "-", act),
                    units = vapply(x$a[-1L], nrow, 1L),
                    max_abs_delta = per_layer("delta", function(m) max(abs(m))),
                    norm_nabla_w = per_layer("nabla_w", norm),
                    norm_nabla_b = per_layer("nabla_b", norm))
  print(tab, row.names = FALSE)
  cat("Elements: z, a (a[[1]] is the batch), delta, nabla_w, nabla_b (sums",
      "over the batch), loss.\n")
  invisible(x)
}
