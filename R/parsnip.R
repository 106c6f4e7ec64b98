# The "nnfs" engine of parsnip's mlp(): registration in parsnip's model
# environment (run when both nnfs and parsnip are loaded, whichever comes
# first) and the fit function that parsnip calls, which maps parsnip's
# argument names onto neuralnetwork()'s x/y door. parsnip is only
# suggested: nothing here runs unless it is installed.

#' nnfs as a parsnip engine for `mlp()`
#'
#' When the \pkg{parsnip} package is loaded, nnfs registers itself as an
#' engine of `parsnip::mlp()`, for classification and regression:
#' `parsnip::mlp() |> parsnip::set_engine("nnfs")`. The model is fitted by
#' [neuralnetwork()] through its `x`/`y` interface: a dense network with
#' standardised inputs, He initialisation, and a softmax output with
#' cross-entropy (one unit per class) for classification or one linear
#' output with the squared error for regression. `nnfs_mlp_fit()` is the
#' function parsnip calls; it is exported for that purpose and need not be
#' called directly.
#'
#' @section Arguments of `mlp()`:
#' \tabular{lll}{
#'   **parsnip** \tab **neuralnetwork()** \tab **default** \cr
#'   `hidden_units` \tab `hidden` \tab 10 \cr
#'   `penalty` \tab `l2` \tab 0 \cr
#'   `dropout` \tab `dropout` \tab 0 \cr
#'   `epochs` \tab `epochs` \tab 100 \cr
#'   `activation` \tab `activation` \tab `"relu"` \cr
#'   `learn_rate` \tab `lr` \tab 0.01
#' }
#' The defaults, used for the arguments left unset, are those of
#' [neuralnetwork()]'s `x`/`y` call. `hidden_units` may give several
#' numbers, one per hidden layer.
#' `activation` takes the values of parsnip's that nnfs has: `"relu"`,
#' `"sigmoid"`, `"tanh"`, `"linear"` and `"leaky_relu"`; any other (such as
#' `"elu"` or `"softmax"`) is an error of class `nnfs_error_argument`.
#' `mlp()`'s `momentum` and `stop_iter` are not used by this engine.
#'
#' @section Engine arguments:
#' Arguments given to `set_engine("nnfs", ...)` go to [neuralnetwork()]
#' unchanged, for instance `mini_batch_size` (default 32) and `optimizer`
#' (default `"adam"`; also `"sgd"`, `"momentum"`, `"nesterov"` and
#' `"rmsprop"`), or `momentum`, `slope` and `l1`. An argument that
#' [neuralnetwork()] does not have is reported by it as an error, so
#' `precision` works as an engine argument only with a version of
#' [neuralnetwork()] that takes it.
#'
#' @section Predictions:
#' `predict()` on the fitted model gives `type = "class"` (a factor with the
#' training levels, column `.pred_class`), `type = "prob"` (one column
#' `.pred_<level>` per class) and, for regression, `type = "numeric"`
#' (`.pred`); `type = "raw"` gives the network's output matrix.
#' The predictors reach the network as they are: it standardises numeric
#' columns and turns factor columns into one indicator per level, and
#' `predict()` applies the same to new data.
#'
#' @param x A data frame or numeric matrix of predictors.
#' @param y The outcome: a factor (classification) or a numeric vector
#'   (regression).
#' @param hidden_units Units per hidden layer: positive whole numbers.
#' @param penalty L2 penalty on the weights, a number >= 0.
#' @param dropout Dropout rate of the hidden layers, in \[0, 1).
#' @param epochs Number of passes over the training data.
#' @param activation Activation of the hidden layers (see above).
#' @param learn_rate Learning rate, a positive number.
#'   For each of these, `NULL` leaves [neuralnetwork()]'s default.
#' @param mode `"classification"` or `"regression"`: parsnip's mode, which
#'   must agree with the outcome (a factor for classification, numbers for
#'   regression).
#' @param ... Engine arguments, passed to [neuralnetwork()].
#' @return `nnfs_mlp_fit()` returns the network fitted by [neuralnetwork()],
#'   an object of class `nnfs_network`; parsnip keeps it as the `fit`
#'   element of its model.
#' @name nnfs_parsnip
#' @seealso [neuralnetwork()], [predict.nnfs_network()],
#'   `vignette("tidymodels", package = "nnfs")`.
#' @examplesIf requireNamespace("parsnip", quietly = TRUE)
#' spec <- parsnip::mlp(hidden_units = 8, epochs = 50) |>
#'   parsnip::set_engine("nnfs") |>
#'   parsnip::set_mode("classification")
#' set.seed(1)
#' fitted <- parsnip::fit(spec, Species ~ ., data = iris)
#' predict(fitted, iris[c(1, 51, 101), ], type = "prob")
NULL

#' @rdname nnfs_parsnip
#' @export
nnfs_mlp_fit <- function(x, y, hidden_units = NULL, penalty = NULL,
                         dropout = NULL, epochs = NULL, activation = NULL,
                         learn_rate = NULL, mode = "classification", ...) {
  if (!is.character(mode) || length(mode) != 1L ||
      !mode %in% c("classification", "regression"))
    arg_error("`mode` must be \"classification\" or \"regression\" for ",
              "the nnfs engine, not ", describe_value(mode), ".")
  if (mode == "classification" && !is.factor(y))
    arg_error("`y` must be a factor in \"classification\" mode, not ",
              describe(y), ".")
  if (mode == "regression" && (!is.numeric(y) || !is.null(dim(y))))
    arg_error("`y` must be a numeric vector (one outcome) in ",
              "\"regression\" mode, not ", describe(y), ".")
  if (!is.null(activation) && (!is.character(activation) || !length(activation) ||
                               !all(activation %in% network_activations)))
    arg_error("`activation` must be one of ",
              paste0('"', network_activations, '"', collapse = ", "),
              " for the nnfs engine, not ", describe_value(activation), ".")
  # Arguments parsnip left unset are not passed: neuralnetwork()'s x/y
  # defaults apply.
  args <- list(hidden = hidden_units, epochs = epochs, lr = learn_rate,
               activation = activation, dropout = dropout, l2 = penalty)
  args <- args[!vapply(args, is.null, NA)]
  do.call(neuralnetwork, c(list(x = x, y = y), args, list(...)))
}

# ---- registration -----------------------------------------------------------

# Called from .onLoad(): register now if parsnip is loaded, and in any case
# whenever parsnip is loaded later in the session.
parsnip_hook <- function() {
  if (isNamespaceLoaded("parsnip")) try_register_parsnip_engine()
  setHook(packageEvent("parsnip", "onLoad"),
          function(...) try_register_parsnip_engine())
}

# A registration that fails (a parsnip whose registration functions have
# changed) must not stop nnfs or parsnip from loading: warn instead.
try_register_parsnip_engine <- function() {
  tryCatch(register_parsnip_engine(), error = function(e) {
    warning("nnfs could not register its parsnip engine: ",
            conditionMessage(e), call. = FALSE)
    invisible(FALSE)
  })
}

# Add the "nnfs" engine to parsnip's mlp(). Does nothing if it is already
# there (nnfs reloaded in the same session), since parsnip refuses to
# register the same fit twice.
register_parsnip_engine <- function() {
  engines <- parsnip::get_model_env()$mlp
  if (is.null(engines) || "nnfs" %in% engines$engine) return(invisible(FALSE))
  for (mode in c("classification", "regression")) {
    parsnip::set_model_engine("mlp", mode, "nnfs")
    parsnip::set_dependency("mlp", "nnfs", "nnfs", mode = mode)
  }
  # nnfs_mlp_fit() takes parsnip's names; dials has a parameter of each name
  for (a in c("hidden_units", "penalty", "dropout", "epochs", "activation",
              "learn_rate"))
    parsnip::set_model_arg("mlp", "nnfs", parsnip = a, original = a,
                           func = list(pkg = "dials", fun = a),
                           has_submodel = FALSE)
  for (mode in c("classification", "regression")) {
    parsnip::set_fit("mlp", mode, "nnfs", value = list(
      interface = "data.frame", protect = c("x", "y"),
      func = c(pkg = "nnfs", fun = "nnfs_mlp_fit"),
      defaults = list(mode = mode)))
    # The raw predictors go to the network, which encodes factor columns
    # itself and keeps that encoding for predict().
    parsnip::set_encoding("mlp", mode, "nnfs", options = list(
      predictor_indicators = "none", compute_intercept = FALSE,
      remove_intercept = FALSE, allow_sparse_x = FALSE))
  }
  set_nnfs_pred("classification", "class", NULL)
  set_nnfs_pred("classification", "prob", function(x, object) {
    as.data.frame(x, optional = TRUE)
  })
  set_nnfs_pred("classification", "raw", NULL, type = "raw")
  set_nnfs_pred("regression", "numeric", function(x, object) unname(x),
                type = "class")
  set_nnfs_pred("regression", "raw", NULL, type = "raw")
  invisible(TRUE)
}

# One prediction type: parsnip's `type` maps to predict.nnfs_network()'s.
set_nnfs_pred <- function(mode, parsnip_type, post, type = parsnip_type) {
  parsnip::set_pred("mlp", mode, "nnfs", parsnip_type, value = list(
    pre = NULL, post = post, func = c(fun = "predict"),
    args = list(object = quote(object$fit), newdata = quote(new_data),
                type = type)))
}
