# Linear, logistic and softmax regression: the first steps of the articles.
# R checks and codes the data, C (src/regression.c) does the arithmetic, and
# the fit comes back as the articles' result, the coefficient matrix (p x 1,
# or p x K for softmax), of class c("nnfs_<kind>_reg", "nnfs_regression"),
# with the rest of the fit in its attributes; its methods are in
# R/regression_methods.R.

# ---- data checks shared by the three front doors ----

# The formula door of the three: `formula` with `data` (a data frame, or
# NULL for the formula's environment) -> list(X, y, terms, xlevels), X the
# model matrix without its intercept column (regression_design() adds it).
regression_formula <- function(formula, data) {
  if (length(formula) != 3L)
    arg_error("`X` is a formula without a response; write it as `y ~ x1 + x2`.")
  if (!is.null(data) && !is.data.frame(data))
    arg_error("`data` must be a data frame holding the formula's variables, ",
              "not ", describe(data), ".")
  env <- environment(formula)
  miss <- setdiff(all.vars(formula), c(names(data), "."))
  miss <- miss[!vapply(miss, exists, NA, envir = env)]
  if (length(miss))
    arg_error("`X` (the formula) uses ", paste0('"', miss, '"', collapse = ", "),
              ", found neither in `data` nor in the formula's environment.")
  mf <- tryCatch(stats::model.frame(formula, data = data %||% env,
                                    na.action = stats::na.omit),
                 error = function(e) arg_error("`X` (the formula) cannot be ",
                                               "used with `data`: ", conditionMessage(e)))
  tt <- attr(mf, "terms")
  X <- stats::model.matrix(tt, mf)
  keep <- colnames(X) != "(Intercept)"
  list(X = X[, keep, drop = FALSE], y = stats::model.response(mf),
       terms = stats::delete.response(tt),
       xlevels = stats::.getXlevels(tt, mf))
}

# The formula door of a regression: NULL when X is not a formula, else
# regression_formula()'s result; a data frame given positionally as `y`
# serves as `data`.
formula_door <- function(X, y, data) {
  if (!inherits(X, "formula")) return(NULL)
  if (is.null(data) && is.data.frame(y)) data <- y
  regression_formula(X, data)
}

# The line verbose gradient descent prints at the end, as the tutorial's
# logistic regression prints its log-likelihood.
print_loglik <- function(epochs, ll) {
  cat("Log-likelihood after ", epochs, " epochs: ", format(ll, digits = 7),
      "\n", sep = "")
}

# Fields a formula fit keeps so that predict() can build its model matrix.
formula_fields <- function(f) {
  if (is.null(f)) return(list())
  list(terms = f$terms, xlevels = f$xlevels)
}

# The design matrix: X coerced and checked, a column of ones in front, and
# the coefficient names. `named` says whether X brought its own column names
# (then predict() matches newdata's columns by name).
regression_design <- function(X) {
  x <- as_numeric_matrix(X, "X")
  cn <- colnames(x)
  named <- !is.null(cn) && !anyNA(cn) && all(nzchar(cn))
  if (!named) {
    auto <- paste0("x", seq_len(ncol(x)))
    cn <- if (is.null(cn)) auto else ifelse(is.na(cn) | !nzchar(cn), auto, cn)
  }
  x <- cbind(1, unname(x))
  colnames(x) <- c("(Intercept)", cn)
  list(x = x, names = c("(Intercept)", cn), named = named)
}

check_same_length <- function(y, n) {
  if (length(y) != n)
    arg_error("`y` must have one value per row of `X` (", n, "), not ",
              length(y), ".")
}

# Epochs, learning rate and the options every gradient descent needs.
check_gd <- function(epochs, lr) {
  list(epochs = check_count(epochs, "epochs"),
       lr = check_number(lr, "lr", positive = TRUE))
}

# y of logistic_reg(): logical, numeric 0/1, or a factor with two levels in
# use (the second level is coded 1, as in glm()).
logistic_response <- function(y) {
  if (is.factor(y)) {
    if (anyNA(y)) arg_error("`y` must not contain NA values.")
    y <- droplevels(y)
    if (nlevels(y) != 2L)
      arg_error("`y` must be a factor with two levels in use, not ",
                nlevels(y), " (", paste0("'", levels(y), "'", collapse = ", "), ").")
    return(list(y = as.double(unclass(y) == 2L), kind = "factor",
                levels = levels(y)))
  }
  if (!(is.logical(y) || is.numeric(y)) || !is.null(dim(y)))
    arg_error("`y` must be a logical vector, a numeric vector of 0s and 1s ",
              "or a factor with two levels, not ", describe(y), ".")
  if (anyNA(y)) arg_error("`y` must not contain NA values.")
  bad <- y != 0 & y != 1
  if (any(bad))
    arg_error("`y` must contain only 0 and 1, not ", format(y[bad][1L]), ".")
  list(y = as.double(y), kind = if (is.logical(y)) "logical" else "numeric",
       levels = NULL)
}

# y of softmax_reg(): a factor, character or logical vector, or whole-number
# labels; unused factor levels are dropped, and two classes must remain.
softmax_response <- function(y) {
  if (is.numeric(y) && is.null(dim(y))) {
    if (anyNA(y)) arg_error("`y` must not contain NA values.")
    bad <- !is.finite(y) | y != round(y)
    if (any(bad))
      arg_error("`y` must hold whole-number class labels when it is numeric, not ",
                format(y[bad][1L]), ".")
    y <- factor(y)
  } else if ((is.character(y) || is.logical(y)) && is.null(dim(y))) {
    y <- factor(y)
  } else if (!is.factor(y)) {
    arg_error("`y` must be a factor, a character vector or whole-number ",
              "class labels, not ", describe(y), ".")
  }
  if (anyNA(y)) arg_error("`y` must not contain NA values.")
  y <- droplevels(y)
  if (nlevels(y) < 2L)
    arg_error("`y` must have at least two classes, not one ('", levels(y), "').")
  y
}

# Gradient descent in C for one family (codes as in glue_regression.c).
# A loss that turned infinite or NaN means the steps overshoot: warn, and
# return the fit so that its history shows where it happened.
regression_gd <- function(x, y, start, family, epochs, lr) {
  code <- match(family, c("linear", "logistic", "softmax"))
  fit <- .Call(C_regression_gd, x, y, start, code, epochs, lr, nnfs_threads())
  bad <- which(!is.finite(fit$history))
  if (length(bad))
    warning("gradient descent diverged: the loss is not finite after epoch ",
            bad[1L], "; try a smaller `lr`.", call. = FALSE)
  fit
}

# The fit: the coefficients as a matrix with one row per coefficient (the
# tutorials' beta_hat, so that beta_hat[1] and X %*% beta_hat work), the
# other fields (a named list) as attributes, read with `$`.
new_regression <- function(family, fields) {
  cf <- fields$coefficients
  m <- if (is.matrix(cf)) cf else matrix(cf, ncol = 1L, dimnames = list(names(cf), NULL))
  fields$coefficients <- NULL
  attributes(m) <- c(attributes(m), fields[!vapply(fields, is.null, NA)],
                     list(class = c(paste0("nnfs_", family, "_reg"),
                                    "nnfs_regression")))
  m
}

# ---- linear regression ----

#' Linear regression by least squares or gradient descent
#'
#' Fits `y = b0 + X b` either in closed form (`method = "ols"`, a QR
#' decomposition of the design matrix computed in C) or by full-batch
#' gradient descent (`method = "gd"`) as in the first step of the "from
#' scratch" tutorials: the coefficients start at 0.1 and each epoch
#' subtracts `lr * t(X) %*% (X %*% b - y) / n` (half the gradient of the
#' mean squared error).
#'
#' A design with more coefficients (columns plus intercept) than
#' observations, or with a column that is a linear combination of the
#' intercept and the columns before it, has no unique least-squares
#' solution: `method = "ols"` stops with an error naming the problem (the
#' first such column, with the tolerance `lm()` uses). Gradient descent does
#' not need a unique solution and runs anyway; it then converges to the
#' solution closest to its starting point.
#'
#' @param X The predictors: a numeric vector, a numeric matrix or a data
#'   frame of numeric (or logical) columns, one row per observation, with no
#'   missing or infinite values. An intercept is added. Or a formula with a
#'   response, such as `y ~ x1 + x2`, with its variables in `data`.
#' @param y The numeric response, one value per row of `X`.
#' @param method `"ols"` (closed form) or `"gd"` (gradient descent).
#' @param epochs Number of gradient descent steps (a positive whole number),
#'   used by `method = "gd"`.
#' @param lr Learning rate (a positive number), used by `method = "gd"`.
#' @param data With a formula as `X` (`linear_reg(y ~ x1 + x2, data)`): the
#'   data frame holding its variables, else the formula's environment. The
#'   model matrix is built as [lm()] builds it (factors as treatment
#'   contrasts), without the intercept column, which is always added; rows
#'   with missing values are dropped, and `predict()` builds the same
#'   columns from new data frames. Positionally, `y` also serves.
#' @return The tutorial's `beta_hat`: the coefficients as a one-column
#'   matrix, rows `"(Intercept)"`, then the columns of `X` (or `x1`, `x2`,
#'   ... when `X` has no column names), of class `nnfs_linear_reg`. Its
#'   other fields are attributes, read with `$` (see [regression-fields]):
#'   `coefficients` (the named vector), `history` (the mean
#'   squared error after each epoch; `NULL` for `"ols"`), `loss` (the final
#'   mean squared error), `fitted.values`, `y`, `nobs`, `method`, `epochs`,
#'   `lr` and `call`. It has `coef()`, `predict()`, `print()`, `summary()`
#'   and `logLik()` methods.
#' @seealso [logistic_reg()], [softmax_reg()], [summary.nnfs_regression()].
#' @examples
#' set.seed(1234567)
#' x <- runif(100, -5, 5)
#' y <- x + rnorm(100) + 3
#' coef(linear_reg(x, y))
#' fit <- linear_reg(x, y, method = "gd", epochs = 200, lr = 0.1)
#' coef(fit)
#' plot(fit$history, type = "l", log = "y", xlab = "epoch", ylab = "MSE")
#' predict(fit, c(-1, 0, 1))
#' @export
linear_reg <- function(X, y, method = c("ols", "gd"), epochs = 200, lr = 0.1,
                       data = NULL) {
  f <- formula_door(X, if (!missing(y)) y, data)
  if (!is.null(f)) {
    X <- f$X
    y <- f$y
    if (!is.numeric(y))
      arg_error("The response of `X` (the formula) must be numeric for a ",
                "linear regression, not ", describe(y), ".")
  }
  d <- regression_design(X)
  if (!is.numeric(y) || !(is.null(dim(y)) || identical(ncol(y), 1L)))
    arg_error("`y` must be a numeric vector, not ", describe(y), ".")
  y <- as.double(y)
  if (anyNA(y) || any(!is.finite(y)))
    arg_error("`y` must not contain NA, NaN or infinite values.")
  n <- nrow(d$x)
  check_same_length(y, n)
  method <- check_choice(method, c("ols", "gd"), "method")
  gd <- check_gd(epochs, lr)
  if (method == "ols") {
    p <- ncol(d$x)
    if (p > n)
      arg_error("`X` gives more coefficients (", p, ", with the intercept) ",
                "than observations (", n, "): least squares has no unique ",
                "solution. Use fewer columns or `method = \"gd\"`.")
    fit <- .Call(C_linear_ols, d$x, y, 1e-7)
    if (fit$deficient > 0L)
      arg_error("`X` is rank deficient: column '", d$names[fit$deficient],
                "' is a linear combination of the others. Drop it or use ",
                "`method = \"gd\"`.")
    b <- fit$coefficients
    fitted <- drop(d$x %*% b)
    history <- NULL
    gd$epochs <- gd$lr <- NULL
  } else {
    fit <- regression_gd(d$x, y, matrix(0.1, ncol(d$x), 1L), "linear",
                         gd$epochs, gd$lr)
    b <- drop(fit$coefficients)
    fitted <- drop(fit$scores)
    history <- fit$history
  }
  names(b) <- d$names
  new_regression("linear", c(
    list(coefficients = b, history = history,
         loss = mean((y - fitted)^2), fitted.values = fitted,
         linear.predictors = fitted, y = y, nobs = n, method = method,
         epochs = gd$epochs, lr = gd$lr, x_names = if (d$named) d$names[-1L],
         call = match.call()), formula_fields(f)))
}

# ---- logistic regression ----

#' Logistic regression by gradient descent
#'
#' Fits `P(y = 1) = sigmoid(b0 + X b)` by full-batch gradient descent on the
#' mean cross-entropy, as in the second step of the "from scratch"
#' tutorials: the coefficients start at 1 and each epoch subtracts
#' `lr * t(X) %*% (sigmoid(X %*% b) - y) / n`. With enough epochs the
#' coefficients are the maximum-likelihood ones that `glm(family =
#' binomial)` finds.
#'
#' @inheritParams linear_reg
#' @param y The response, one value per row of `X`: a logical vector, a
#'   numeric vector of 0s and 1s, or a factor with two levels in use (unused
#'   levels are dropped; the second level is coded 1, as in `glm()`).
#' @param epochs Number of gradient descent steps, a positive whole number.
#' @param lr Learning rate, a positive number.
#' @param verbose If `TRUE`, report the final log-likelihood with
#'   [message()].
#' @return The tutorial's `beta_hat`: the coefficients as a one-column
#'   matrix (rows as in [linear_reg()]), of class `nnfs_logistic_reg`, with
#'   these fields read with `$` (see [regression-fields]): `coefficients`
#'   (the named vector), `history` (the mean
#'   cross-entropy after each epoch), `loss` (its final value, minus the
#'   log-likelihood divided by `nobs`), `fitted.values` (probabilities),
#'   `linear.predictors`, `y` (coded 0/1), `levels` (for a factor `y`),
#'   `nobs`, `epochs`, `lr` and `call`. It has `coef()`, `predict()`,
#'   `print()`, `summary()` and `logLik()` methods.
#' @seealso [linear_reg()], [softmax_reg()], [summary.nnfs_regression()].
#' @examples
#' vv <- iris[51:150, ]
#' X <- data.frame(Sepal.Length = vv$Sepal.Length / max(vv$Sepal.Length),
#'                 Petal.Length = vv$Petal.Length / max(vv$Petal.Length))
#' fit <- logistic_reg(X, vv$Species == "virginica", epochs = 20000, lr = 5)
#' coef(fit)
#' logLik(fit)
#' table(predicted = predict(fit, X, type = "class"), observed = vv$Species)
#' @export
logistic_reg <- function(X, y, epochs, lr, verbose = TRUE, data = NULL) {
  f <- formula_door(X, if (!missing(y)) y, data)
  if (!is.null(f)) {
    X <- f$X
    y <- f$y
  }
  d <- regression_design(X)
  r <- logistic_response(y)
  n <- nrow(d$x)
  check_same_length(r$y, n)
  gd <- check_gd(epochs, lr)
  verbose <- check_flag(verbose, "verbose")
  fit <- regression_gd(d$x, r$y, matrix(1, ncol(d$x), 1L), "logistic",
                       gd$epochs, gd$lr)
  b <- stats::setNames(drop(fit$coefficients), d$names)
  eta <- drop(fit$scores)
  loss <- fit$history[gd$epochs]
  if (verbose) print_loglik(gd$epochs, -n * loss)
  new_regression("logistic", c(
    list(coefficients = b, history = fit$history, loss = loss,
         fitted.values = stats::plogis(eta), linear.predictors = eta,
         y = r$y, kind = r$kind, levels = r$levels, nobs = n, method = "gd",
         epochs = gd$epochs, lr = gd$lr, x_names = if (d$named) d$names[-1L],
         call = match.call()), formula_fields(f)))
}

# ---- softmax regression ----

#' Softmax (multinomial logistic) regression by gradient descent
#'
#' Fits class probabilities `softmax(b0 + X B)` for K classes by full-batch
#' gradient descent on the mean categorical cross-entropy: the coefficients
#' start at 0 and each epoch subtracts `lr * t(X) %*% (P - Y) / n`, with `P`
#' the (n x K) matrix of probabilities and `Y` the one-hot coding of `y`.
#' The softmax subtracts each row's largest score before exponentiating, so
#' it cannot overflow.
#'
#' The model has one coefficient column per class, one more than it needs
#' (adding the same vector to every column changes no probability). Models
#' such as `nnet::multinom()` fix the first class at zero instead, so
#' compare their fitted probabilities, not their coefficients.
#'
#' @inheritParams logistic_reg
#' @param y The classes, one per row of `X`: a factor, a character or
#'   logical vector, or whole-number labels. Unused factor levels are
#'   dropped; at least two classes must remain.
#' @return The coefficients as a (p + 1) x K matrix (rows `"(Intercept)"`
#'   and the columns of `X`, one column per class), of class
#'   `nnfs_softmax_reg`, with these fields read with `$` (see
#'   [regression-fields]): `coefficients` (the same matrix), `history` (the mean
#'   cross-entropy after each epoch), `loss` (its final value),
#'   `fitted.values` (an n x K matrix of probabilities), `linear.predictors`,
#'   `y` (a factor), `levels`, `nobs`, `epochs`, `lr` and `call`. It has
#'   `coef()`, `predict()`, `print()`, `summary()` and `logLik()` methods.
#' @seealso [logistic_reg()], [summary.nnfs_regression()].
#' @examples
#' X <- scale(iris[, c("Sepal.Length", "Sepal.Width")])
#' fit <- softmax_reg(X, iris$Species, epochs = 2000, lr = 0.5)
#' coef(fit)
#' head(predict(fit, X, type = "prob"))
#' mean(predict(fit, X) == iris$Species)
#' @export
softmax_reg <- function(X, y, epochs, lr, verbose = TRUE, data = NULL) {
  f <- formula_door(X, if (!missing(y)) y, data)
  if (!is.null(f)) {
    X <- f$X
    y <- f$y
  }
  d <- regression_design(X)
  y <- softmax_response(y)
  n <- nrow(d$x)
  check_same_length(y, n)
  gd <- check_gd(epochs, lr)
  verbose <- check_flag(verbose, "verbose")
  K <- nlevels(y)
  fit <- regression_gd(d$x, as.integer(y) - 1L, matrix(0, ncol(d$x), K),
                       "softmax", gd$epochs, gd$lr)
  W <- fit$coefficients
  dimnames(W) <- list(d$names, levels(y))
  loss <- fit$history[gd$epochs]
  if (verbose) print_loglik(gd$epochs, -n * loss)
  scores <- fit$scores
  colnames(scores) <- levels(y)
  new_regression("softmax", c(
    list(coefficients = W, history = fit$history, loss = loss,
         fitted.values = softmax_rows(scores), linear.predictors = scores,
         y = y, levels = levels(y), nobs = n, method = "gd",
         epochs = gd$epochs, lr = gd$lr, x_names = if (d$named) d$names[-1L],
         call = match.call()), formula_fields(f)))
}

# Row-wise softmax of a score matrix, shifted by each row's maximum.
softmax_rows <- function(z) {
  z <- exp(z - z[cbind(seq_len(nrow(z)), max.col(z, "first"))])
  z / rowSums(z)
}
