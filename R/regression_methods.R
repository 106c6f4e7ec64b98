# Methods of the regression fits: predict, and print, summary and logLik,
# which the three kinds share.

# ---- fields ----

#' Fields of a regression fit
#'
#' The fits of [linear_reg()], [logistic_reg()] and [softmax_reg()] are the
#' tutorials' coefficient matrix (`beta_hat`): one row per coefficient
#' (`"(Intercept)"` first), one column (or one per class for softmax
#' regression), so that `beta_hat[1]`, `beta_hat[[2]]` and
#' `X %*% beta_hat` work as in the tutorials. The rest of the fit
#' (`history`, `loss`, `fitted.values`, `nobs`, ...) is kept in attributes
#' and read with `$`; `fit$coefficients` is the named coefficient vector
#' (the matrix, for softmax regression), as [coef()] returns it.
#'
#' @param x A fitted regression.
#' @param name The name of a field.
#' @return The field, or `NULL` when the fit has none.
#' @name regression-fields
#' @examples
#' set.seed(1234567)
#' x <- runif(100, -5, 5)
#' y <- x + rnorm(100) + 3
#' beta_hat <- linear_reg(x, y, method = "gd", epochs = 200, lr = 0.1)
#' beta_hat[[1]]                       # the intercept
#' head(cbind(1, x) %*% beta_hat)      # fitted values
#' beta_hat$history[200]               # final mean squared error
NULL

#' @rdname regression-fields
#' @export
`$.nnfs_regression` <- function(x, name) {
  # fits saved by nnfs 0.1.0 were lists of these fields
  if (is.list(x)) return(.subset2(x, name))
  if (name == "coefficients") return(regression_coefficients(x))
  if (name %in% c("dim", "dimnames", "class")) return(NULL)
  attr(x, name, exact = TRUE)
}

# The coefficient matrix without the fit's other attributes: a named vector
# when it has one column.
regression_coefficients <- function(x) {
  m <- matrix(as.double(x), nrow(x), ncol(x), dimnames = dimnames(x))
  if (ncol(m) == 1L) stats::setNames(m[, 1L], rownames(m)) else m
}

# ---- predict ----

# Linear predictors for newdata (or the training data when it is missing):
# newdata is checked like X; when both have column names, its columns are
# matched to X's by name (extra columns are ignored).
regression_scores <- function(object, newdata) {
  if (missing(newdata) || is.null(newdata)) return(object$linear.predictors)
  cf <- as.matrix(object$coefficients)
  p <- nrow(cf) - 1L
  if (!is.null(object$terms) && is.data.frame(newdata))
    newdata <- formula_matrix(object, newdata)
  want <- object$x_names
  have <- colnames(newdata)
  if (!is.null(want) && !is.null(have) &&
      (is.data.frame(newdata) || is.matrix(newdata))) {
    miss <- setdiff(want, have)
    if (length(miss))
      arg_error("`newdata` must have the columns of `X`; ",
                paste0("'", miss, "'", collapse = ", "), " missing.")
    newdata <- newdata[, want, drop = FALSE]
  }
  x <- as_numeric_matrix(newdata, "newdata")
  if (ncol(x) != p)
    arg_error("`newdata` must have ", p, " column", if (p > 1L) "s",
              " like `X`, not ", ncol(x), ".")
  z <- cbind(1, unname(x)) %*% cf
  if (ncol(z) == 1L) drop(z) else z
}

# The model matrix (without intercept) of a formula fit for new raw rows.
formula_matrix <- function(object, newdata) {
  miss <- setdiff(all.vars(object$terms), names(newdata))
  if (length(miss))
    arg_error("`newdata` lacks the column", if (length(miss) > 1L) "s",
              " the formula uses: ", paste0('"', miss, '"', collapse = ", "), ".")
  mf <- tryCatch(stats::model.frame(object$terms, newdata, xlev = object$xlevels,
                                    na.action = stats::na.pass),
                 error = function(e) arg_error("`newdata` does not fit the ",
                                               "formula: ", conditionMessage(e)))
  X <- stats::model.matrix(object$terms, mf, xlev = object$xlevels)
  X[, colnames(X) != "(Intercept)", drop = FALSE]
}

#' @rdname linear_reg
#' @param object A fitted model.
#' @param newdata Predictors for the predictions, in the form `X` had (the
#'   same number of columns; when both have column names, columns are
#'   matched by name). If missing, the training data is used.
#' @param type The kind of prediction. Linear regression: `"response"`.
#'   Logistic regression: `"response"` (the probability of 1), `"link"` (the
#'   log-odds) or `"class"` (coded like `y`: a factor, logical or 0/1).
#'   Softmax regression: `"class"` (a factor with the training levels) or
#'   `"prob"` (an n x K matrix of probabilities).
#' @param ... Unused.
#' @export
predict.nnfs_linear_reg <- function(object, newdata, type = "response", ...) {
  check_choice(type, "response", "type")
  unname(regression_scores(object, newdata))
}

#' @rdname logistic_reg
#' @inheritParams predict.nnfs_linear_reg
#' @export
predict.nnfs_logistic_reg <- function(object, newdata,
                                      type = c("response", "link", "class"),
                                      ...) {
  type <- check_choice(type, c("response", "link", "class"), "type")
  eta <- unname(regression_scores(object, newdata))
  if (type == "link") return(eta)
  if (type == "response") return(stats::plogis(eta))
  switch(object$kind,
         factor = factor(object$levels[1L + (eta > 0)], levels = object$levels),
         logical = eta > 0,
         numeric = as.double(eta > 0))
}

#' @rdname softmax_reg
#' @inheritParams predict.nnfs_linear_reg
#' @export
predict.nnfs_softmax_reg <- function(object, newdata, type = c("class", "prob"),
                                     ...) {
  type <- check_choice(type, c("class", "prob"), "type")
  z <- unname(regression_scores(object, newdata))
  prob <- softmax_rows(z)
  colnames(prob) <- object$levels
  if (type == "prob") return(prob)
  factor(object$levels[max.col(prob, "first")], levels = object$levels)
}

# ---- print, summary, logLik ----

regression_family <- function(object) {
  sub("^nnfs_(.*)_reg$", "\\1", class(object)[1L])
}

# One line saying what was fitted and how.
regression_title <- function(object) {
  fam <- regression_family(object)
  what <- switch(fam, linear = "Linear regression",
                 logistic = "Logistic regression",
                 softmax = sprintf("Softmax regression (%d classes)",
                                   length(object$levels)))
  if (identical(object$method, "ols"))
    return(paste(what, "by least squares (QR)"))
  # fits saved before the engine's extras have no optimizer, l1, l2 fields
  run <- object$epochs_run
  epochs <- if (!is.null(run) && run < object$epochs)
    sprintf("%d of %d epochs", run, object$epochs) else
    sprintf("%d epochs", object$epochs)
  how <- c(if (!is.null(object$optimizer) && object$optimizer != "sgd") object$optimizer,
           epochs, paste("lr", format(object$lr)),
           if (!is.null(object$best_epoch)) paste("best epoch", object$best_epoch),
           if (isTRUE(object$l1 > 0)) paste("l1", format(object$l1)),
           if (isTRUE(object$l2 > 0)) paste("l2", format(object$l2)))
  sprintf("%s by gradient descent (%s)", what, paste(how, collapse = ", "))
}

#' Methods for fitted regressions
#'
#' `print()`, `summary()` and `logLik()` for the fits of [linear_reg()],
#' [logistic_reg()] and [softmax_reg()]; `coef()` returns their
#' `coefficients` and `predict()` is documented with each fitting function.
#'
#' The log-likelihood of a logistic or softmax fit is `-nobs` times its
#' final mean cross-entropy, with as many degrees of freedom as
#' coefficients, counting K - 1 columns for softmax regression since one
#' column is redundant (as `nnet::multinom()` counts them). That of a linear
#' fit is the Gaussian one `lm()` reports, its variance estimated by the
#' mean squared error (one degree of freedom more).
#'
#' @param object,x A fitted model, or its summary for the `print()` method.
#' @param digits Significant digits to print.
#' @param ... Unused.
#' @return `summary()` returns an object of class `summary.nnfs_regression`:
#'   a list with `call`, `coefficients`, `nobs`, `method`, `epochs`, `lr`,
#'   `loss` (the final mean loss), `loss_change` (its change over the last
#'   epoch, a convergence check; with early stopping, over the epoch kept),
#'   `best_epoch` (with early stopping), and either `residuals` (quantiles),
#'   `sigma` and `r.squared` (linear) or `logLik`, `aic`, `accuracy` and
#'   `confusion` (the training confusion table). `logLik()` returns an
#'   object of class `logLik` with attributes `df` and `nobs`. `print()`
#'   returns its argument invisibly.
#' @examples
#' fit <- logistic_reg(mtcars[, c("mpg", "wt")] / 10, mtcars$am,
#'                     epochs = 5000, lr = 1, verbose = FALSE)
#' fit
#' summary(fit)
#' logLik(fit)
#' @export
summary.nnfs_regression <- function(object, ...) {
  fields <- c("call", "coefficients", "nobs", "method", "epochs", "lr", "loss")
  s <- lapply(stats::setNames(nm = fields), function(f) `$.nnfs_regression`(object, f))
  s$title <- regression_title(object)
  s$family <- fam <- regression_family(object)
  h <- object$history
  # the epoch whose coefficients the fit holds: early stopping keeps an
  # earlier one than the last
  s$best_epoch <- object$best_epoch
  k <- if (isTRUE(s$best_epoch > 0L)) s$best_epoch else length(h)
  s$loss_change <- if (k >= 2L) h[k] - h[k - 1L] else NA_real_
  if (fam == "linear") {
    res <- object$y - object$fitted.values
    s$residuals <- stats::setNames(stats::quantile(res, names = FALSE),
                                   c("Min", "1Q", "Median", "3Q", "Max"))
    df <- object$nobs - length(object$coefficients)
    s$sigma <- if (df > 0) sqrt(sum(res^2) / df) else NaN
    s$r.squared <- 1 - sum(res^2) / sum((object$y - mean(object$y))^2)
  } else {
    s$logLik <- logLik.nnfs_regression(object)
    s$aic <- stats::AIC(s$logLik)
    if (fam == "logistic") {
      lab <- switch(object$kind, factor = object$levels,
                    logical = c("FALSE", "TRUE"), numeric = c("0", "1"))
      pred <- factor(lab[1L + (object$linear.predictors > 0)], levels = lab)
      obs <- factor(lab[1L + object$y], levels = lab)
    } else {
      pred <- predict.nnfs_softmax_reg(object, type = "class")
      obs <- object$y
    }
    s$confusion <- table(predicted = pred, observed = obs)
    s$accuracy <- mean(pred == obs)
  }
  class(s) <- "summary.nnfs_regression"
  s
}

#' @rdname summary.nnfs_regression
#' @export
print.summary.nnfs_regression <- function(x, digits = max(3L, getOption("digits") - 3L),
                                          ...) {
  cat(x$title, "\n\nCall:\n", paste(deparse(x$call), collapse = "\n"),
      "\n\nCoefficients:\n", sep = "")
  print(x$coefficients, digits = digits)
  cat("\n", x$nobs, " observations", sep = "")
  if (x$family == "linear") {
    cat("; residuals:\n")
    print(x$residuals, digits = digits)
    cat("Residual standard error: ", format(x$sigma, digits = digits),
        "; R-squared: ", format(x$r.squared, digits = digits), "\n", sep = "")
  } else {
    cat("; log-likelihood ", format(c(x$logLik), digits = digits),
        " (df = ", attr(x$logLik, "df"), "), AIC ",
        format(x$aic, digits = digits), "\nTraining accuracy ",
        format(x$accuracy, digits = digits), ":\n", sep = "")
    print(x$confusion)
  }
  if (x$method == "gd")
    cat("Mean ", if (x$family == "linear") "squared error" else "cross-entropy",
        if (isTRUE(x$best_epoch > 0L)) paste(" after epoch", x$best_epoch,
                                             "(the best)") else " after the last epoch",
        ": ", format(x$loss, digits = digits),
        " (change over that epoch: ", format(x$loss_change, digits = 2), ")\n",
        sep = "")
  invisible(x)
}

#' @rdname summary.nnfs_regression
#' @export
print.nnfs_regression <- function(x, digits = max(3L, getOption("digits") - 3L),
                                  ...) {
  cat(regression_title(x), "\n\nCoefficients:\n", sep = "")
  print(x$coefficients, digits = digits)
  if (regression_family(x) == "linear") {
    cat("\nMean squared error: ", format(x$loss, digits = digits), "\n", sep = "")
  } else {
    ll <- logLik.nnfs_regression(x)
    cat("\nLog-likelihood: ", format(c(ll), digits = digits), " (df = ",
        attr(ll, "df"), ")\n", sep = "")
  }
  invisible(x)
}

#' @rdname summary.nnfs_regression
#' @export
logLik.nnfs_regression <- function(object, ...) {
  n <- object$nobs
  cf <- as.matrix(object$coefficients)
  fam <- regression_family(object)
  val <- if (fam == "linear") -n / 2 * (log(2 * pi * object$loss) + 1) else
    -n * object$loss
  df <- switch(fam, linear = nrow(cf) + 1L, logistic = nrow(cf),
               softmax = nrow(cf) * (ncol(cf) - 1L))
  structure(val, df = df, nobs = n, class = "logLik")
}
