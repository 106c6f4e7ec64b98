# Linear, logistic and softmax regression: the first steps of the articles.
# R checks and codes the data; gradient descent runs on the network engine
# (R/train.R), each regression being a network of one dense layer, and the
# closed-form least squares runs in C (src/ols.c). The fit comes back as the
# articles' result, the coefficient matrix (p x 1, or p x K for softmax),
# of class c("nnfs_<kind>_reg", "nnfs_regression"), with the rest of the
# fit in its attributes; its methods are in R/regression_methods.R.

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

# The settings of gradient descent, checked with the network front doors'
# checkers (R/validate.R; check_rate() of R/neuralnetwork.R; the optimizers
# the engine knows): list(epochs, lr, optimizer, l1, l2, patience,
# validation_split), patience NULL for no early stopping.
check_gd <- function(epochs, lr, optimizer = "sgd", l1 = 0, l2 = 0,
                     patience = NULL, validation_split = 0, precision = NULL) {
  s <- list(epochs = check_count(epochs, "epochs"),
            lr = check_number(lr, "lr", positive = TRUE),
            optimizer = check_choice(optimizer, engine_tables()$optimizers, "optimizer"),
            l1 = check_number(l1, "l1", min = 0),
            l2 = check_number(l2, "l2", min = 0),
            patience = if (!is.null(patience)) check_count(patience, "patience"),
            validation_split = check_rate(validation_split, "validation_split"),
            precision = check_precision(precision),
            precision_given = !is.null(precision))
  if (!is.null(s$patience) && s$validation_split == 0)
    arg_error("`patience` needs `validation_split` > 0: early stopping ",
              "watches the loss on held-out rows.")
  s
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

# ---- gradient descent on the network engine ----

# Each family is a network of one dense layer (R/train.R): K units (one for
# linear and logistic regression) with this activation and cost, trained
# full batch, in order. The intercept is the layer's bias b, the other
# coefficients its weights W (K x p). The engine's step is the gradient of
# the mean loss over the batch, here the whole data, which is the articles'
# step for all three families: coef - lr * t(X) %*% (output - y) / n (for
# linear regression half the gradient of the mean squared error, as the
# engine's quadratic cost is 0.5 * (a - y)^2). So lr goes to the engine
# as it is; no family of the articles uses the gradient of the sum.
regression_nets <- list(linear = c(activation = "linear", cost = "mse"),
                        logistic = c(activation = "sigmoid", cost = "ce"),
                        softmax = c(activation = "softmax", cost = "ce"))

# Mean loss of the linear predictors eta (n x K) against y (n x K: the
# response, 0/1, or one-hot classes), as the regressions report it: the
# mean squared error, or the mean cross-entropy computed from eta so that
# nothing overflows (log(1 + exp(z)) = log1p(exp(-|z|)) + max(z, 0); the
# softmax shifted by each row's maximum).
regression_loss <- function(family, eta, y) {
  switch(family,
         linear = mean((eta - y)^2),
         logistic = mean(log1p(exp(-abs(eta))) + pmax(eta, 0) - y * eta),
         softmax = {
           m <- eta[cbind(seq_len(nrow(eta)), max.col(eta, "first"))]
           mean(log(rowSums(exp(eta - m))) + m - rowSums(eta * y))
         })
}

# Gradient descent for `family` on the engine: x the design matrix (n x p,
# ones first), y the targets (n x K), start the starting coefficients
# (p x K, intercept first), s check_gd()'s settings. Returns
# list(coefficients (p x K), eta (linear predictors of the rows trained
# on), loss, history, rows (trained on), held (held out), val_history,
# epochs_run, best_epoch).
regression_fit <- function(family, x, y, start, s) {
  n <- nrow(x)
  K <- ncol(y)
  held <- integer()
  if (s$validation_split > 0) {
    # the rows to hold out, drawn as the networks draw them
    ids <- matrix(as.double(seq_len(n)))
    held <- as.integer(split_validation(list(x = ids, y = ids),
                                        s$validation_split)$val$x)
  }
  rows <- setdiff(seq_len(n), held)
  net <- regression_nets[[family]]
  layers <- list(layer_spec("dense", ncol(x) - 1L, K, net[["activation"]]))
  params <- list(list(W = t(start[-1L, , drop = FALSE]), b = start[1L, ]))
  opts <- engine_options(s$epochs, length(rows), s$lr, net[["cost"]],
                         s$optimizer, l1 = s$l1, l2 = s$l2,
                         patience = s$patience %||% 0L, shuffle = FALSE)
  opts$precision <- s$precision
  xs <- x[, -1L, drop = FALSE]
  part <- function(m, r) if (length(r)) m[r, , drop = FALSE]
  fit <- engine_fit(layers, params, part(xs, rows), part(y, rows),
                    part(xs, held), part(y, held), opts)
  W <- fit$params[[1L]]$W
  beta <- rbind(fit$params[[1L]]$b, t(matrix(W, K, length(W) / K)))
  eta <- x[rows, , drop = FALSE] %*% beta
  loss <- regression_loss(family, eta, y[rows, , drop = FALSE])
  # The engine's loss of an epoch is that of its step's starting point, the
  # end of the epoch before: shifted by one, it is the loss after each
  # epoch, as the articles record it; the last is that of the coefficients
  # returned, unless early stopping kept an earlier epoch's (then NA, as
  # the last epoch's coefficients are gone). The engine's quadratic cost
  # is half the squared error.
  half <- if (family == "linear") 2 else 1
  runs <- fit$epochs_run
  stopping <- !is.null(s$patience)
  last <- if (!stopping || fit$best_epoch %in% c(0L, runs)) loss else NA_real_
  history <- c(half * fit$history$loss[-1L], last)[seq_len(runs)]
  if (!is.finite(loss) && fit$diverged_epoch == 0L)
    warn_loss_diverged(runs)
  list(coefficients = beta, eta = eta, loss = loss, history = history,
       rows = rows, held = if (length(held)) held,
       val_history = if (length(held)) half * fit$history$val_loss,
       epochs_run = runs, best_epoch = if (stopping) fit$best_epoch)
}

# The engine stops and warns when a step makes the loss or a coefficient
# non-finite, but the loss of the last step's result is only computed here:
# the same warning, of the same class, when that one is infinite or NaN.
warn_loss_diverged <- function(epochs) {
  msg <- paste0("Training diverged in epoch ", epochs, ": the loss of the ",
                "coefficients it ended with is NaN or infinite. Try a smaller ",
                "learning rate (`lr`), or standardise the inputs.")
  warning(structure(class = c("nnfs_warning_diverged", "nnfs_warning", "warning",
                              "condition"),
                    list(message = msg, call = NULL)))
}

# The fields every gradient-descent fit records (`fit` from
# regression_fit(), `s` its settings).
gd_fields <- function(fit, s) {
  list(history = fit$history, epochs = s$epochs, lr = s$lr,
       optimizer = s$optimizer, l1 = s$l1, l2 = s$l2, precision = s$precision,
       epochs_run = fit$epochs_run, best_epoch = fit$best_epoch,
       held_out = fit$held, val_history = fit$val_history)
}

# The epochs the coefficients of a fit have had: the best one under early
# stopping, else all that were run.
epochs_kept <- function(fit) {
  if (!is.null(fit$best_epoch) && fit$best_epoch > 0L) fit$best_epoch else
    fit$epochs_run
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
#' Gradient descent runs on the engine that trains [neuralnetwork()]: the
#' model is a network of one linear unit with the quadratic cost, whose
#' bias is the intercept and whose weights are the other coefficients. So
#' it has the networks' other update rules (`optimizer`), penalties (`l1`,
#' `l2`) and early stopping (`patience` with `validation_split`); their
#' defaults give the articles' plain gradient descent on all the rows, and
#' least squares (`method = "ols"`) refuses any other value.
#'
#' A design with more coefficients (columns plus intercept) than
#' observations, or with a column that is a linear combination of the
#' intercept and the columns before it, has no unique least-squares
#' solution: `method = "ols"` stops with an error naming the problem (the
#' first such column, with the tolerance `lm()` uses). Gradient descent does
#' not need a unique solution and runs anyway; it then converges to the
#' solution closest to its starting point.
#'
#' @section Divergence:
#' If a step makes the loss or a coefficient NaN or infinite (the learning
#' rate is too large for the data), gradient descent stops with a warning
#' of class `nnfs_warning_diverged`, as network training does. The fit
#' keeps the coefficients of the end of the last epoch completed (with
#' `patience`, those of the epoch with the lowest validation loss), its
#' `history` has one value per epoch completed, and `epochs_run` counts
#' them. A smaller `lr`, or standardised columns of `X`, cure it.
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
#' @param optimizer Update rule of gradient descent: `"sgd"` (the default,
#'   the articles' step `coef - lr * gradient`), `"momentum"`,
#'   `"nesterov"`, `"rmsprop"` or `"adam"`, with the constants that
#'   [neuralnetwork()] uses by default (momentum 0.9; RMSprop's decay 0.9;
#'   Adam's decays 0.9 and 0.999; 1e-8 in the denominators).
#' @param l1,l2 Penalties on the coefficients but not the intercept,
#'   numbers >= 0 (default 0): `l2 * b + l1 * sign(b)` is added to the
#'   gradient of each coefficient `b`. `history` and `loss` stay those of
#'   the unpenalised loss.
#' @param patience `NULL` (the default: run every epoch), or a positive
#'   whole number: stop when the loss on the rows held out by
#'   `validation_split` has not improved for that many epochs, and keep the
#'   coefficients of the epoch where it was lowest (`best_epoch`).
#' @param validation_split Share of the rows to hold out from training, in
#'   \[0, 1), drawn with R's random number generator; `0` (the default)
#'   holds out none. Their loss after each epoch is the field
#'   `val_history`; `y`, `fitted.values`, `nobs`, `loss` and `history`
#'   describe the rows trained on.
#' @param precision `"double"` (the default, through the option
#'   `nnfs.precision`) or `"single"`: the floating-point type gradient
#'   descent runs in (see [neuralnetwork()]); the coefficients are returned
#'   as R's doubles either way. Least squares (`"ols"`) always solves in
#'   double: it refuses `precision = "single"` given here, and ignores the
#'   option.
#' @return The tutorial's `beta_hat`: the coefficients as a one-column
#'   matrix, rows `"(Intercept)"`, then the columns of `X` (or `x1`, `x2`,
#'   ... when `X` has no column names), of class `nnfs_linear_reg`. Its
#'   other fields are attributes, read with `$` (see [regression-fields]):
#'   `coefficients` (the named vector), `history` (the mean
#'   squared error after each epoch; `NULL` for `"ols"`), `loss` (the final
#'   mean squared error), `fitted.values`, `y`, `nobs`, `method`, `epochs`,
#'   `lr` and `call`; for gradient descent also `optimizer`, `l1`, `l2`,
#'   `epochs_run` (the epochs run, fewer than `epochs` after early stopping
#'   or divergence), and with `validation_split` `held_out` (the row
#'   numbers held out) and `val_history` (their mean squared error after
#'   each epoch), with `patience` `best_epoch` (the epoch kept; the last
#'   value of `history` is then `NA` unless it is the last epoch run, whose
#'   coefficients are dropped). It has `coef()`, `predict()`, `print()`,
#'   `summary()` and `logLik()` methods.
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
#' # ridge-like shrinkage of the slope (not the intercept), by Adam
#' coef(linear_reg(x, y, method = "gd", epochs = 2000, lr = 0.05,
#'                 optimizer = "adam", l2 = 0.5))
#' @export
linear_reg <- function(X, y, method = c("ols", "gd"), epochs = 200, lr = 0.1,
                       data = NULL, optimizer = "sgd", l1 = 0, l2 = 0,
                       patience = NULL, validation_split = 0, precision = NULL) {
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
  gd <- check_gd(epochs, lr, optimizer, l1, l2, patience, validation_split, precision)
  if (method == "ols") {
    check_no_gd_settings(gd)
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
    extra <- list()
  } else {
    fit <- regression_fit("linear", d$x, matrix(y), matrix(0.1, ncol(d$x), 1L), gd)
    b <- drop(fit$coefficients)
    fitted <- drop(fit$eta)
    y <- y[fit$rows]
    n <- length(y)
    extra <- gd_fields(fit, gd)
  }
  names(b) <- d$names
  new_regression("linear", c(
    list(coefficients = b), extra,
    list(loss = mean((y - fitted)^2), fitted.values = fitted,
         linear.predictors = fitted, y = y, nobs = n, method = method,
         x_names = if (d$named) d$names[-1L], call = match.call()),
    formula_fields(f)))
}

# Least squares has no steps: refuse the settings of gradient descent
# rather than ignore them (`s`: check_gd()'s result).
check_no_gd_settings <- function(s) {
  used <- c(optimizer = s$optimizer != "sgd", l1 = s$l1 > 0, l2 = s$l2 > 0,
            patience = !is.null(s$patience),
            validation_split = s$validation_split > 0,
            precision = s$precision_given && s$precision != "double")
  if (any(used))
    arg_error("`", names(used)[used][1L], "` is a setting of gradient ",
              "descent; least squares (`method = \"ols\"`) does not use it. ",
              "Give `method = \"gd\"`.")
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
#' Gradient descent runs on the engine that trains [neuralnetwork()]: the
#' model is a network of one sigmoid unit with the cross-entropy cost,
#' whose bias is the intercept and whose weights are the other
#' coefficients. The networks' update rules, penalties and early stopping
#' come with it (see [linear_reg()]); the defaults give the articles' plain
#' gradient descent.
#'
#' @inheritSection linear_reg Divergence
#' @inheritParams linear_reg
#' @param y The response, one value per row of `X`: a logical vector, a
#'   numeric vector of 0s and 1s, or a factor with two levels in use (unused
#'   levels are dropped; the second level is coded 1, as in `glm()`).
#' @param epochs Number of gradient descent steps, a positive whole number.
#' @param lr Learning rate, a positive number.
#' @param verbose If `TRUE`, report the final log-likelihood with
#'   [message()].
#' @param precision `"double"` (the default, through the option
#'   `nnfs.precision`) or `"single"`: the floating-point type gradient
#'   descent runs in (see [neuralnetwork()]); the coefficients are returned
#'   as R's doubles either way.
#' @return The tutorial's `beta_hat`: the coefficients as a one-column
#'   matrix (rows as in [linear_reg()]), of class `nnfs_logistic_reg`, with
#'   these fields read with `$` (see [regression-fields]): `coefficients`
#'   (the named vector), `history` (the mean
#'   cross-entropy after each epoch), `loss` (its final value, minus the
#'   log-likelihood divided by `nobs`), `fitted.values` (probabilities),
#'   `linear.predictors`, `y` (coded 0/1), `levels` (for a factor `y`),
#'   `nobs`, `epochs`, `lr`, `call`, and the fields of gradient descent
#'   described in [linear_reg()] (`optimizer`, `l1`, `l2`, `epochs_run`,
#'   and `held_out`, `val_history`, `best_epoch`). It has `coef()`,
#'   `predict()`, `print()`, `summary()` and `logLik()` methods.
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
logistic_reg <- function(X, y, epochs, lr, verbose = TRUE, data = NULL,
                         optimizer = "sgd", l1 = 0, l2 = 0, patience = NULL,
                         validation_split = 0, precision = NULL) {
  f <- formula_door(X, if (!missing(y)) y, data)
  if (!is.null(f)) {
    X <- f$X
    y <- f$y
  }
  d <- regression_design(X)
  r <- logistic_response(y)
  check_same_length(r$y, nrow(d$x))
  gd <- check_gd(epochs, lr, optimizer, l1, l2, patience, validation_split, precision)
  verbose <- check_flag(verbose, "verbose")
  fit <- regression_fit("logistic", d$x, matrix(r$y), matrix(1, ncol(d$x), 1L), gd)
  b <- stats::setNames(drop(fit$coefficients), d$names)
  eta <- drop(fit$eta)
  n <- length(fit$rows)
  if (verbose) print_loglik(epochs_kept(fit), -n * fit$loss)
  new_regression("logistic", c(
    list(coefficients = b), gd_fields(fit, gd),
    list(loss = fit$loss, fitted.values = stats::plogis(eta),
         linear.predictors = eta, y = r$y[fit$rows], kind = r$kind,
         levels = r$levels, nobs = n, method = "gd",
         x_names = if (d$named) d$names[-1L], call = match.call()),
    formula_fields(f)))
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
#' Gradient descent runs on the engine that trains [neuralnetwork()]: the
#' model is a network of one softmax layer of K units with the
#' cross-entropy cost, whose biases are the intercepts and whose weights
#' are the other coefficients. The networks' update rules, penalties and
#' early stopping come with it (see [linear_reg()]); the defaults give the
#' articles' plain gradient descent.
#'
#' The model has one coefficient column per class, one more than it needs
#' (adding the same vector to every column changes no probability). Models
#' such as `nnet::multinom()` fix the first class at zero instead, so
#' compare their fitted probabilities, not their coefficients.
#'
#' @inheritSection linear_reg Divergence
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
#'   `y` (a factor), `levels`, `nobs`, `epochs`, `lr`, `call`, and the
#'   fields of gradient descent described in [linear_reg()]. It has
#'   `coef()`, `predict()`, `print()`, `summary()` and `logLik()` methods.
#' @seealso [logistic_reg()], [summary.nnfs_regression()].
#' @examples
#' X <- scale(iris[, c("Sepal.Length", "Sepal.Width")])
#' fit <- softmax_reg(X, iris$Species, epochs = 2000, lr = 0.5)
#' coef(fit)
#' head(predict(fit, X, type = "prob"))
#' mean(predict(fit, X) == iris$Species)
#' @export
softmax_reg <- function(X, y, epochs, lr, verbose = TRUE, data = NULL,
                        optimizer = "sgd", l1 = 0, l2 = 0, patience = NULL,
                        validation_split = 0, precision = NULL) {
  f <- formula_door(X, if (!missing(y)) y, data)
  if (!is.null(f)) {
    X <- f$X
    y <- f$y
  }
  d <- regression_design(X)
  y <- softmax_response(y)
  check_same_length(y, nrow(d$x))
  gd <- check_gd(epochs, lr, optimizer, l1, l2, patience, validation_split, precision)
  verbose <- check_flag(verbose, "verbose")
  K <- nlevels(y)
  onehot <- outer(as.integer(y), seq_len(K), "==") + 0
  fit <- regression_fit("softmax", d$x, onehot, matrix(0, ncol(d$x), K), gd)
  W <- fit$coefficients
  dimnames(W) <- list(d$names, levels(y))
  n <- length(fit$rows)
  if (verbose) print_loglik(epochs_kept(fit), -n * fit$loss)
  scores <- fit$eta
  dimnames(scores) <- list(NULL, levels(y))
  new_regression("softmax", c(
    list(coefficients = W), gd_fields(fit, gd),
    list(loss = fit$loss, fitted.values = softmax_rows(scores),
         linear.predictors = scores, y = y[fit$rows], levels = levels(y),
         nobs = n, method = "gd", x_names = if (d$named) d$names[-1L],
         call = match.call()),
    formula_fields(f)))
}

# Row-wise softmax of a score matrix, shifted by each row's maximum.
softmax_rows <- function(z) {
  z <- exp(z - z[cbind(seq_len(nrow(z)), max.col(z, "first"))])
  z / rowSums(z)
}
