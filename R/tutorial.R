# The helpers of the R tutorial's network notebooks, in the form their code
# calls them: feedforward(a, biases, weights), get_predictions(test_X,
# biases, weights) and evaluate(testing_data, biases, weights). They take
# the article's list(biases, weights) (net[[1]], net[[-1]]) or a network,
# and compute with the same engine as predict().

# The dense network of a biases/weights pair, as layer specs and engine
# parameters. The activations are those named on `biases` by
# neuralnetwork(), else `activation` (the tutorials' sigmoid).
pair_network <- function(biases, weights, activation) {
  ok_list <- function(v) is.list(v) && !is.data.frame(v) && length(v) >= 1L
  if (!ok_list(biases) || !ok_list(weights) || length(biases) != length(weights))
    arg_error("`biases` and `weights` must be lists of the same length, one ",
              "bias vector and one weight matrix per layer (as in `net[[1]]` ",
              "and `net[[2]]`), not ", describe(biases), " and ",
              describe(weights), ".")
  L <- length(weights)
  acts <- if (!is.null(activation)) activation else
    attr(biases, "activation", exact = TRUE) %||% "sigmoid"
  if (!is.character(acts) || anyNA(acts) || !all(acts %in% engine_tables()$activations) ||
      !(length(acts) %in% c(1L, L)))
    arg_error("`activation` must name one activation for every layer or one ",
              "per layer (", L, "), from ",
              paste0('"', engine_tables()$activations, '"', collapse = ", "),
              "; not ", describe_value(acts), ".")
  acts <- rep_len(acts, L)
  slope <- attr(biases, "slope", exact = TRUE) %||% 0.1
  specs <- vector("list", L)
  params <- vector("list", L)
  for (l in seq_len(L)) {
    W <- weights[[l]]
    b <- biases[[l]]
    if (!is.numeric(W) || !is.matrix(W) || !all_finite(W) ||
        !is.numeric(b) || length(b) != nrow(W) || !all_finite(b) ||
        (l > 1L && ncol(W) != nrow(weights[[l - 1L]])))
      arg_error("`weights[[", l, "]]` must be a finite numeric matrix with ",
                "one row per element of `biases[[", l, "]]`",
                if (l > 1L) " and one column per row of the layer before", ".")
    specs[[l]] <- layer_spec("dense", ncol(W), nrow(W), acts[l], slope)
    params[[l]] <- list(W = W + 0, b = as.double(b))
  }
  list(layers = specs, params = params, p = ncol(weights[[1L]]))
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# Network description from `biases`, which is a network or its biases.
tutorial_network <- function(biases, weights, activation) {
  if (inherits(biases, "nnfs_network")) {
    if (!missing(weights) && !is.null(weights))
      arg_error("`weights` must be missing when `biases` is a network.")
    check_network(biases, "biases")
    return(list(layers = biases$layers, params = network_params(biases),
                p = prod(biases$input_dim)))
  }
  if (missing(weights))
    arg_error("`weights` is missing: give the weight matrices, as in ",
              "`feedforward(a, net[[1]], net[[2]])`, or a network as `biases`.")
  pair_network(biases, weights, activation)
}

# Inputs in the tutorials' layout (one sample per column, or one sample as
# a vector) -> one sample per row, as the engine's R side takes them.
tutorial_inputs <- function(a, p, arg) {
  if (!is.numeric(a) || !all_finite(a) || length(a) == 0L)
    arg_error("`", arg, "` must be finite numbers, not ", describe(a), ".")
  m <- if (is.null(dim(a))) matrix(a, ncol = 1L) else a
  if (length(dim(m)) != 2L || nrow(m) != p)
    arg_error("`", arg, "` must hold ", p, " inputs per sample (a vector, ",
              "or a matrix with one sample per column), not ",
              if (is.null(dim(a))) length(a) else paste(dim(a), collapse = " x "), ".")
  t(m)
}

#' The tutorial network's forward pass
#'
#' `feedforward(a, biases, weights)` computes what the R tutorial's helper
#' of that name computes: the output of the network for the input `a`,
#' layer after layer `a <- f(W a + b)`. [get_predictions()] and the
#' tutorial form of [evaluate()] are built on it. The arithmetic runs in
#' the package's C engine, the one that trains and predicts.
#'
#' The activations are those of the network the parameters came from:
#' [neuralnetwork()] names them on its biases (`attr(net[[1]],
#' "activation")`). Parameters without that label, such as lists built by
#' hand as in the tutorial, get the tutorial's sigmoid in every layer,
#' unless `activation` says otherwise.
#'
#' @param a The input: a numeric vector holding one sample, or a matrix
#'   with one sample per column (the tutorials' layout).
#' @param biases The biases, one vector (or one-column matrix) per layer,
#'   as `net[[1]]`; or a network returned by [neuralnetwork()] or [cnn()],
#'   and then `weights` is left out.
#' @param weights The weight matrices, `n_out x n_in`, one per layer, as
#'   `net[[2]]` (or `net[[-1]]`).
#' @param activation `NULL` (the activations named on `biases`, else
#'   sigmoid), or the activation of every layer, one name or one per layer:
#'   `"sigmoid"`, `"linear"`, `"tanh"`, `"relu"`, `"leaky_relu"` or
#'   `"softmax"`.
#' @param all If `TRUE`, return the activations of every layer, not just
#'   the output.
#' @return With `all = FALSE`, the output activations: a matrix with one
#'   row per output unit and one column per sample (`k x 1` for one
#'   sample, as in the tutorial). With `all = TRUE`, a list: its first
#'   element is the input, element `l + 1` the activations of layer `l`,
#'   each with one column per sample (for a [cnn()], each layer's values
#'   per sample flattened in R's array order).
#' @seealso [backprop_trace()] for a backward pass in the same notation.
#' @export
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 10, 3), d[[1]], 10, 10, 0.5)
#' x <- d[[2]][[1]][[1]]            # the first test flower, a 4 x 1 matrix
#' feedforward(x, net[[1]], net[[-1]])
#' predict(net, t(x), type = "prob") # the same numbers
#' str(feedforward(x, net, all = TRUE))
feedforward <- function(a, biases, weights, activation = NULL, all = FALSE) {
  all <- check_flag(all, "all")
  nt <- tutorial_network(biases, weights, activation)
  x <- tutorial_inputs(a, nt$p, "a")
  last <- if (all) seq_along(nt$layers) else length(nt$layers)
  out <- lapply(last, function(l)
    t(engine_predict(nt$layers[seq_len(l)], nt$params[seq_len(l)], x)))
  if (!all) return(out[[1L]])
  c(list(t(x)), out)
}

#' The tutorial network's predictions
#'
#' `get_predictions(test_X, biases, weights)` returns, for each input of
#' `test_X`, the number of the output unit with the largest activation,
#' as the R tutorial's helper does (a single output unit gives 2 when its
#' activation is above 0.5, else 1).
#'
#' @param test_X The inputs: a list of numeric vectors (or one-column
#'   matrices), one per sample, as `lapply(testing_data, function(p)
#'   p[[1]])` gives them; or a matrix with one sample per column.
#' @inheritParams feedforward
#' @return A list with one whole number per sample, as in the tutorial.
#' @seealso [evaluate()], [feedforward()].
#' @export
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 10, 3), d[[1]], 10, 10, 0.5)
#' test_X <- lapply(d[[2]], function(p) p[[1]])
#' unlist(get_predictions(test_X, net[[1]], net[[-1]]))[1:10]
get_predictions <- function(test_X, biases, weights, activation = NULL) {
  nt <- tutorial_network(biases, weights, activation)
  as.list(class_index(t(feedforward_matrix(test_X, nt, "test_X"))))
}

# Output activations (k x n) for inputs given as a list of samples or as
# a matrix with one sample per column.
feedforward_matrix <- function(test_X, nt, arg) {
  if (is.list(test_X) && !is.data.frame(test_X)) {
    ok <- length(test_X) >= 1L &&
      all(vapply(test_X, function(v) is.numeric(v) && length(v) == nt$p, NA))
    if (!ok)
      arg_error("`", arg, "` must be a list of numeric inputs of length ", nt$p,
                " each, or a matrix with one sample per column, not ",
                describe(test_X), ".")
    test_X <- matrix(as.double(unlist(test_X, use.names = FALSE)), nrow = nt$p)
  }
  x <- tutorial_inputs(test_X, nt$p, arg)
  t(engine_predict(nt$layers, nt$params, x))
}

#' @rdname evaluate
#' @param biases,weights With the tutorial's call,
#'   `evaluate(testing_data, biases, weights)`: the network's biases and
#'   weights (`net[[1]]`, `net[[-1]]`), or a network as `biases` (then
#'   `weights` is left out). See [feedforward()] for the activations used.
#' @param activation `NULL`, or the activations to use with unlabelled
#'   parameters (see [feedforward()]).
#' @export
evaluate.default <- function(x, biases, weights, activation = NULL, ...) {
  check_arg_names(sys.call(), "evaluate",
                  c("x", "biases", "weights", "activation"), list(...))
  if (!is_pair_list(x))
    arg_error("`x` must be a network with the data to evaluate it on, ",
              "`evaluate(net, data)`, or, as in the tutorial, a list of ",
              "(x, y) pairs followed by the biases and weights, ",
              "`evaluate(testing_data, biases, weights)`; not ", describe(x), ".")
  nt <- tutorial_network(biases, weights, activation)
  a <- feedforward_matrix(lapply(x, `[[`, 1L), nt, "x")
  ys <- lapply(x, `[[`, 2L)
  k <- unique(lengths(ys))
  if (length(k) != 1L || k != nrow(a))
    arg_error("`x`: the `y` of every pair must have ", nrow(a),
              " values, one per output of the network.")
  pred <- class_index(t(a))
  truth <- class_index(matrix(as.double(unlist(ys, use.names = FALSE)),
                              ncol = k, byrow = TRUE))
  print(mean(pred == truth))
  table(Prediction = pred, Truth = truth)
}
