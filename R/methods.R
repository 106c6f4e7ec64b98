# Methods for trained networks. They work from the stored layer specs and
# parameters (network_params()), not from `sizes`, so that any class built
# on "nnfs_network" (a CNN: c("nnfs_cnn", "nnfs_network")) can reuse them.
# An nnfs_network holds: biases, weights, layers, history, settings (with
# the cost C), levels, features, input_dim and task.

# ---- helpers ----------------------------------------------------------------

n_outputs <- function(object) {
  object$layers[[length(object$layers)]]$n_out
}

output_activation <- function(object) {
  object$layers[[length(object$layers)]]$act
}

# New samples for predict(): a matrix or data frame (one row per sample; a
# data frame with the training feature names may hold other columns too),
# one sample as a vector, an array of images, list(x = ) or (x, y) pairs.
# Returns the n x p matrix the engine takes.
network_inputs <- function(object, newdata, arg = "newdata") {
  if (is.list(newdata) && !is.data.frame(newdata)) {
    if (is_pair_list(newdata)) newdata <- stack_pairs(newdata, arg)$x
    else if ("x" %in% names(newdata)) newdata <- newdata$x
    else arg_error("`", arg, "` must be a matrix, a data frame, a vector with ",
                   "one sample, `list(x = , y = )` or a list of (x, y) pairs, ",
                   "not ", describe(newdata), ".")
  }
  p <- prod(object$input_dim)
  prep <- object$preprocess
  if (prep_applies(prep, newdata))
    return(prep_apply(prep, prep_frame(prep, newdata, arg), arg))
  if (is.data.frame(newdata) && length(object$features) == p &&
      all(object$features %in% names(newdata)))
    newdata <- newdata[object$features]
  one_sample <- is.null(dim(newdata)) && !is.data.frame(newdata) &&
    length(newdata) == p && p > 1L
  if (one_sample) newdata <- matrix(newdata, nrow = 1L)
  x <- flatten_samples(coerce_x(newdata, arg))
  if (ncol(x) != p)
    arg_error("`", arg, "` must have ", p, " inputs per sample like the ",
              "training data, not ", ncol(x), ".")
  x
}

# Data with targets for evaluate(): raw rows are encoded as the model
# encoded its training data (list(x = raw, y = ), or for a model fitted
# with a formula, a data frame holding its variables).
raw_inputs <- function(object, data) {
  prep <- object$preprocess
  if (is.null(prep)) return(data)
  if (!is.null(prep$terms) && is.data.frame(data)) {
    f <- formula_inputs(object$formula, data)
    return(list(x = prep_apply(prep, f$x, "data"), y = f$y))
  }
  if (is_xy_list(data) && prep_applies(prep, data$x))
    data$x <- prep_apply(prep, prep_frame(prep, data$x, "data$x"), "data$x")
  data
}

# Row index of the predicted (or target) class: argmax, or the threshold
# 0.5 for a single output, as the engine counts accuracy.
class_index <- function(a) {
  if (ncol(a) == 1L) return(ifelse(a[, 1L] > 0.5, 2L, 1L))
  max.col(a, ties.method = "first")
}

# Mean loss over the samples (rows), the engine's formulas (src/loss.c).
mean_loss <- function(a, y, cost, output) {
  if (cost == "mse") return(0.5 * sum((a - y)^2) / nrow(a))
  lg <- function(v) log(pmax(v, 1e-300))
  s <- sum((y * lg(a))[y != 0])
  if (output != "softmax") s <- s + sum(((1 - y) * lg(1 - a))[y != 1])
  -s / nrow(a)
}

# ---- predict ----------------------------------------------------------------

#' Predictions of a trained network
#'
#' @param object A network returned by [neuralnetwork()].
#' @param newdata Samples to predict: a numeric matrix or data frame with one
#'   row per sample (a data frame that has columns with the training
#'   feature names may hold other columns too), a numeric vector holding one
#'   sample, `list(x = , y = )`, or a list of `list(x, y)` pairs (their `y`
#'   is ignored). Inputs must be scaled as the training inputs were: pairs
#'   from the same [train_test_from_df()] call are, a raw data frame is
#'   not.
#' @param type `"class"` (a factor with the training classes), `"prob"`
#'   (the output activations, one row per sample and one column per class)
#'   or `"raw"` (the same matrix without names, as the engine returns it).
#'   For a single output unit trained on two classes, `"prob"` is the
#'   probability of the second class. For a regression network there are
#'   no classes: `"class"` returns the predicted values (a vector with one
#'   output, else a matrix) and `"prob"` the matrix of outputs.
#' @param ... Not used; unknown arguments are an error.
#' @return A factor of length `n`, or an `n x k` numeric matrix.
#' @seealso [evaluate()] for accuracy and loss.
#' @export
#' @importFrom stats predict
#' @examples
#' set.seed(1)
#' net <- neuralnetwork(c(4, 10, 3), list(x = iris[, 1:4] / 8, y = iris$Species),
#'                      20, 10, 1)
#' scaled <- cbind(iris[, 1:4] / 8, Species = iris$Species)
#' head(predict(net, scaled)) # uses the columns named like the inputs
#' head(predict(net, iris[, 1:4] / 8, type = "prob"))
#' predict(net, c(5.1, 3.5, 1.4, 0.2) / 8)
predict.nnfs_network <- function(object, newdata, type = c("class", "prob", "raw"),
                                 ...) {
  check_arg_names(sys.call(), "predict", c("object", "newdata", "type"), list(...))
  check_network(object, "object")
  if (missing(newdata))
    arg_error("`newdata` is missing: give the samples to predict.")
  type <- check_choice(type, c("class", "prob", "raw"), "type")
  x <- network_inputs(object, newdata)
  a <- engine_predict(object$layers, network_params(object), x,
                      network_precision(object))
  if (type == "raw") return(a)
  rownames(a) <- rownames(x)
  if (identical(object$task, "regression")) {
    if (type == "class" && ncol(a) == 1L) return(stats::setNames(a[, 1L], rownames(a)))
    return(a)
  }
  lev <- object$levels
  colnames(a) <- if (ncol(a) == 1L) lev[2L] else lev
  if (type == "prob") return(a)
  factor(lev[class_index(a)], levels = lev)
}

# ---- evaluate ---------------------------------------------------------------

#' Evaluate a network on labelled data
#'
#' Accuracy, confusion table and mean loss of a classifier, or the errors of
#' a regression network, on data with known targets.
#'
#' Two calls are understood. `evaluate(net, data)` takes a network and
#' data in any format [neuralnetwork()] takes. `evaluate(testing_data,
#' biases, weights)` is the R tutorial's: a list of `(x, y)` pairs as made
#' by [train_test_from_df()] and the network's `net[[1]]` and `net[[-1]]`;
#' like the tutorial's helper it prints the accuracy and returns the
#' confusion table of output-unit numbers (see [get_predictions()]).
#'
#' @param x A network returned by [neuralnetwork()] or [cnn()]; or, in the
#'   tutorial's call, the list of `(x, y)` pairs to evaluate on.
#' @param data Samples with targets, in any format [neuralnetwork()] takes
#'   for `training_data`; labels are encoded with the network's classes.
#' @param ... Not used; unknown arguments are an error.
#' @return For a network, an object of class `nnfs_evaluation`, a list with `n` (samples),
#'   `loss` (mean of the network's cost, as in its training history) and,
#'   for a classifier, `accuracy` and `confusion`, a [table()] of predicted
#'   (rows) against actual (columns) classes; for a regression network,
#'   `mse` (mean squared error over all outputs) and `rmse`, its square
#'   root. For the tutorial's call, the accuracy is printed and a
#'   [table()] of predicted (rows) against true (columns) output-unit
#'   numbers returned.
#' @export
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5)
#' e <- evaluate(net, d[[2]])
#' e
#' e$accuracy
#'
#' # The tutorial's call
#' conf <- evaluate(d[[2]], net[[1]], net[[-1]])
#' conf
evaluate <- function(x, ...) {
  UseMethod("evaluate")
}

#' @rdname evaluate
#' @export
evaluate.nnfs_network <- function(x, data, ...) {
  check_arg_names(sys.call(), "evaluate", c("x", "data"), list(...))
  net <- x
  check_network(net, "x")
  if (missing(data)) arg_error("`data` is missing: give samples with targets.")
  d <- as_network_data(raw_inputs(net, data), "data", levels = net$levels,
                       task = net$task, k = n_outputs(net))
  x <- flatten_samples(d$x)
  if (ncol(x) != prod(net$input_dim) || ncol(d$y) != n_outputs(net))
    arg_error("`data` must have ", prod(net$input_dim), " inputs and ",
              n_outputs(net), " outputs per sample like the network, not ",
              ncol(x), " and ", ncol(d$y), ".")
  a <- engine_predict(net$layers, network_params(net), x, network_precision(net))
  res <- list(task = net$task, n = nrow(a),
              loss = mean_loss(a, d$y, net$settings$C, output_activation(net)),
              cost = net$settings$C)
  if (identical(net$task, "regression")) {
    res$mse <- mean((a - d$y)^2)
    res$rmse <- sqrt(res$mse)
  } else {
    lev <- net$levels
    pred <- factor(lev[class_index(a)], levels = lev)
    actual <- factor(lev[class_index(d$y)], levels = lev)
    res$accuracy <- mean(pred == actual)
    res$confusion <- table(predicted = pred, actual = actual)
  }
  structure(res, class = "nnfs_evaluation")
}

#' @export
print.nnfs_evaluation <- function(x, ...) {
  cat(sprintf("Evaluation on %d samples: ", x$n))
  if (identical(x$task, "regression")) {
    cat(sprintf("RMSE %.4g, MSE %.4g, mean loss (%s) %.4g\n", x$rmse, x$mse,
                x$cost, x$loss))
  } else {
    cat(sprintf("accuracy %.4f, mean loss (%s) %.4f\n", x$accuracy, x$cost, x$loss))
    cat("Confusion table (rows predicted, columns actual):\n")
    print(x$confusion)
  }
  invisible(x)
}

# ---- print, summary, coef ---------------------------------------------------

# One row per layer spec: type, units in and out, activation, parameters
# (trainable values), and for networks with running statistics (batch
# normalisation) a column of those, which training sets but does not
# train; the engine says which tensors are which.
layer_table <- function(object) {
  params <- network_params(object)
  count <- function(p, s, trainable) {
    if (is.null(p)) return(0)
    t <- spec_tensors(s)
    sum(t$n[t$trainable == trainable])
  }
  act_name <- function(s) {
    if (s$kind == "dropout") return(sprintf("rate %g", s$rate))
    if (s$kind %in% c("dense", "conv2d")) return(s$act)
    "-"
  }
  specs <- object$layers
  tab <- data.frame(
    layer = seq_along(specs),
    type = vapply(specs, `[[`, "", "kind"),
    inputs = vapply(specs, `[[`, 0L, "n_in"),
    outputs = vapply(specs, `[[`, 0L, "n_out"),
    activation = vapply(specs, act_name, ""),
    parameters = unlist(Map(count, params, specs, TRUE)),
    stringsAsFactors = FALSE)
  running <- unlist(Map(count, params, specs, FALSE))
  if (any(running > 0)) tab$running_stats <- running
  tab
}

# " (and 32 running statistics)" when the table has any, else ""
running_note <- function(tab) {
  n <- sum(tab$running_stats)
  if (n > 0) sprintf(" (and %d running statistics)", as.integer(n)) else ""
}

network_shape <- function(object) {
  if (inherits(object, "nnfs_cnn")) {
    outs <- vapply(object$layers, function(s)
      if (is.null(s$geom)) as.character(s$n_out) else paste(s$geom[4:6], collapse = "x"), "")
    return(paste(c(paste(object$input_dim, collapse = "x"), outs), collapse = " > "))
  }
  specs <- object$layers[vapply(object$layers, has_params, NA)]
  paste(c(specs[[1L]]$n_in, vapply(specs, `[[`, 0L, "n_out")), collapse = "-")
}

describe_task <- function(object) {
  if (identical(object$task, "regression"))
    return(sprintf("regression with %d output(s)", n_outputs(object)))
  lev <- object$levels
  sprintf("classification into %d classes: %s%s", length(lev),
          paste(utils::head(lev, 10L), collapse = ", "),
          if (length(lev) > 10L) ", ..." else "")
}

# The history row of the parameters the network holds: the last epoch, or
# the one early stopping kept (best_epoch counts within the last call).
kept_row <- function(object) {
  h <- object$history
  if (is.na(object$best_epoch)) return(nrow(h))
  nrow(h) - object$epochs_run + object$best_epoch
}

# "loss 0.1234, accuracy 0.9714" for the training or validation columns of
# history row i.
final_metrics <- function(h, prefix = "", i = nrow(h)) {
  last <- h[i, ]
  loss <- last[[paste0(prefix, "loss")]]
  if (is.na(loss)) return(NULL)
  second <- if ("rmse" %in% names(h)) "RMSE" else "accuracy"
  value <- last[[paste0(prefix, tolower(second))]]
  if (is.na(value)) return(sprintf("loss %.4f", loss))
  sprintf("loss %.4f, %s %.4f", loss, second, value)
}

#' @rdname summary.nnfs_network
#' @export
print.nnfs_network <- function(x, ...) {
  check_network(x, "x")
  tab <- layer_table(x)
  s <- x$settings
  cat(sprintf("A neural network (%s), %s, %d parameters%s\n", class(x)[1L],
              network_shape(x), as.integer(sum(tab$parameters)),
              running_note(tab)))
  acts <- tab$activation[tab$type %in% c("dense", "conv2d")]
  cat(sprintf("  activations: %s; cost \"%s\"\n", paste(acts, collapse = ", "), s$C))
  cat("  ", describe_task(x), "\n", sep = "")
  h <- x$history
  if (!is.null(h) && nrow(h) > 0L) {
    cat(sprintf("  trained %d epoch(s) by %s (lr %g, mini-batch %d)%s\n",
                nrow(h), s$optimizer, s$lr, s$mini_batch_size,
                if (is.na(x$best_epoch)) "" else
                  sprintf(", early stopping kept epoch %d", x$best_epoch)))
    i <- kept_row(x)
    cat(sprintf("  epoch %d: training ", h$epoch[i]), final_metrics(h, "", i), sep = "")
    val <- final_metrics(h, "val_", i)
    if (!is.null(val)) cat("; validation ", val, sep = "")
    cat("\n")
  }
  invisible(x)
}

#' Print and summarise a trained network
#'
#' `print()` shows the layer sizes, activations, task and the losses and
#' accuracies of the epoch whose parameters the network holds (the last
#' one, or the one early stopping kept); `summary()` adds a table of the
#' layers with their parameter counts.
#'
#' @param object A network returned by [neuralnetwork()].
#' @param x A network (for `print()`), or a `summary.nnfs_network` object.
#' @param ... Not used.
#' @return `print()` returns `x` invisibly. `summary()` returns an object
#'   of class `summary.nnfs_network`: a list with `layers` (a data frame with one row per layer: type, inputs,
#'   outputs, activation or dropout rate, number of parameters, and for
#'   networks with batch normalisation the number of running statistics,
#'   which training sets but not by gradients), `parameters` (the total
#'   of trainable parameters), `task`, `settings`, `epochs` (epochs in the
#'   history), `best_epoch` and `final`, the row of the history of the
#'   parameters kept (the last row unless early stopping kept another).
#' @export
#' @examples
#' set.seed(1)
#' net <- neuralnetwork(c(4, 8, 3), list(x = iris[, 1:4] / 8, y = iris$Species),
#'                      10, 10, 1, dropout = 0.1)
#' summary(net)
summary.nnfs_network <- function(object, ...) {
  check_network(object, "object")
  tab <- layer_table(object)
  h <- object$history
  structure(list(layers = tab, parameters = sum(tab$parameters),
                 shape = network_shape(object), task = describe_task(object),
                 settings = object$settings, epochs = if (is.null(h)) 0L else nrow(h),
                 best_epoch = object$best_epoch,
                 final = if (is.null(h) || nrow(h) == 0L) NULL else h[kept_row(object), ]),
            class = "summary.nnfs_network")
}

#' @rdname summary.nnfs_network
#' @export
print.summary.nnfs_network <- function(x, ...) {
  s <- x$settings
  cat(sprintf("Neural network %s: %s\n\n", x$shape, x$task))
  print(x$layers, row.names = FALSE)
  cat(sprintf("\nTotal parameters: %d%s\n", as.integer(x$parameters),
              running_note(x$layers)))
  cat(sprintf("Cost \"%s\", optimizer %s, lr %g, mini-batch %d", s$C, s$optimizer,
              s$lr, s$mini_batch_size))
  if (isTRUE(s$l1 > 0) || isTRUE(s$l2 > 0)) cat(sprintf(", l1 %g, l2 %g", s$l1, s$l2))
  cat(sprintf(", %d epoch(s)", x$epochs))
  if (!is.na(x$best_epoch))
    cat(sprintf(" (early stopping kept epoch %d)", x$best_epoch))
  cat("\n")
  if (!is.null(x$final)) {
    f <- x$final
    cat(sprintf("Epoch %d (the parameters kept): training %s\n", f$epoch,
                final_metrics(f, "", 1L)))
    val <- final_metrics(f, "val_", 1L)
    if (!is.null(val)) cat(sprintf("Validation %s\n", val))
  }
  invisible(x)
}

#' Parameters of a trained network
#'
#' @param object A network returned by [neuralnetwork()].
#' @param ... Not used.
#' @return A list with one element per layer that has parameters, named
#'   `layer1`, `layer2`, ..., each `list(W = , b = )`: the `n_out x n_in`
#'   weight matrix (or the convolution's filter array) and the bias
#'   vector; for a [layer_batchnorm()], `list(gamma = , beta = ,
#'   running_mean = , running_var = )`, one value per unit or channel. The
#'   article's `list(biases, weights)` is `net[1:2]`.
#' @export
#' @importFrom stats coef
#' @examples
#' set.seed(1)
#' net <- neuralnetwork(c(2, 3, 1), list(x = diag(2), y = c(0, 1)), 1, 2, 0.1)
#' coef(net)$layer1$W
coef.nnfs_network <- function(object, ...) {
  check_network(object, "object")
  params <- Filter(Negate(is.null), network_params(object))
  stats::setNames(params, paste0("layer", seq_along(params)))
}

# ---- plot -------------------------------------------------------------------

#' Plot the training history of a network
#'
#' Two panels drawn with base graphics: the mean loss and the accuracy per
#' epoch, for the training and (when there was some) the validation data.
#' A regression network gets the loss panel only.
#'
#' @param x A network returned by [neuralnetwork()].
#' @param ... Not used.
#' @return `x`, invisibly.
#' @export
#' @importFrom graphics plot
#' @examples
#' set.seed(1)
#' d <- train_test_from_df(iris, 5, 0.7)
#' net <- neuralnetwork(c(4, 40, 3), d[[1]], 30, 10, 0.5,
#'                      validation_data = d[[2]])
#' plot(net)
plot.nnfs_network <- function(x, ...) {
  check_network(x, "x")
  h <- x$history
  if (is.null(h) || nrow(h) == 0L)
    arg_error("`x` has no training history to plot.")
  panels <- if (identical(x$task, "regression")) "loss" else c("loss", "accuracy")
  old <- graphics::par(mfrow = c(1L, length(panels)))
  on.exit(graphics::par(old))
  cols <- c("steelblue", "darkorange")
  for (m in panels) {
    tr <- h[[m]]
    va <- h[[paste0("val_", m)]]
    has_val <- any(!is.na(va))
    graphics::plot(h$epoch, tr, type = if (nrow(h) < 20L) "o" else "l",
                   col = cols[1L], lwd = 2, pch = 19, cex = 0.6,
                   ylim = range(c(tr, va), na.rm = TRUE, finite = TRUE),
                   xlab = "epoch", ylab = m, main = paste(m, "per epoch"))
    if (has_val)
      graphics::lines(h$epoch, va, type = if (nrow(h) < 20L) "o" else "l",
                      col = cols[2L], lwd = 2, lty = 2, pch = 19, cex = 0.6)
    graphics::legend(if (m == "loss") "topright" else "bottomright",
                     legend = c("training", "validation")[c(TRUE, has_val)],
                     col = cols[c(TRUE, has_val)], lty = c(1, 2)[c(TRUE, has_val)],
                     lwd = 2, bty = "n")
  }
  invisible(x)
}
