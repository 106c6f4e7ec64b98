# The ways into neuralnetwork(): the articles' (sizes, training_data, ...),
# and the formula and x/y doors R users know from nnet() and lm(). The
# doors turn their data into the articles' form (encoded inputs, targets)
# plus the description of the raw inputs that the model keeps
# (R/preprocess.R), then share one path to the engine.

# Defaults of the formula and x/y doors (documented in ?neuralnetwork).
door_defaults <- list(hidden = 10L, epochs = 100L, mini_batch_size = 32L,
                      lr = 0.01, optimizer = "adam", activation = "relu",
                      init = "he")

# Which door: the first argument decides, as it is the one the articles
# pass positionally. Returns "formula", "xy" or "articles".
door_of <- function(first, has_first, x) {
  if (has_first && inherits(first, "formula")) return("formula")
  if (has_first && (is.data.frame(first) || is.matrix(first))) return("xy")
  if (!has_first && !is.null(x)) return("xy")
  "articles"
}

# The formula door: `formula` with `data` -> list(x = data frame of input
# columns, y = response, terms = terms without the response).
formula_inputs <- function(formula, data) {
  if (!is.data.frame(data))
    arg_error("`data` must be a data frame holding the variables of the ",
              "formula, not ", describe(data), ".")
  if (length(formula) != 3L)
    arg_error("`formula` must have a response, as in `y ~ x1 + x2`.")
  miss <- setdiff(all.vars(formula[[2L]]), names(data))
  if (length(miss))
    arg_error("`formula`'s response needs ",
              paste0('"', miss, '"', collapse = ", "),
              ", which is not a column of `data`.")
  tt <- tryCatch(stats::terms(formula, data = data),
                 error = function(e) arg_error("`formula` cannot be used with `data`: ",
                                               conditionMessage(e)))
  mf <- tryCatch(stats::model.frame(tt, data, na.action = stats::na.omit),
                 error = function(e) arg_error("`formula` cannot be used with `data`: ",
                                               conditionMessage(e)))
  if (nrow(mf) == 0L)
    arg_error("`data` has no row without missing values in the formula's variables.")
  y <- stats::model.response(mf)
  x <- mf[-1L]
  attr(x, "terms") <- NULL
  if (ncol(x) == 0L)
    arg_error("`formula` must name at least one input variable.")
  xt <- stats::delete.response(tt)
  attr(xt, ".Environment") <- NULL
  list(x = x, y = y, terms = xt)
}

# The formula as the model keeps it: without the environment it was written
# in, which saveRDS() would otherwise store with the model.
stored_formula <- function(formula) {
  environment(formula) <- globalenv()
  formula
}

# The x/y doors' targets: a factor (or character, logical) gives classes,
# numbers give a regression. Returns list(y, k, task).
door_targets <- function(y, what) {
  what <- paste0(toupper(substring(what, 1, 1)), substring(what, 2))
  if (is.data.frame(y) && ncol(y) == 1L) y <- y[[1L]]
  if (is.character(y) || is.logical(y)) y <- factor(y)
  if (is.factor(y)) {
    if (anyNA(y)) arg_error(what, " must not contain missing values.")
    y <- droplevels(y)
    if (nlevels(y) < 2L)
      arg_error(what, " must have at least two classes to tell apart; it ",
                "has one (\"", levels(y), "\").")
    return(list(y = y, k = nlevels(y), task = "classification"))
  }
  if (!is.numeric(y) || (!is.null(dim(y)) && length(dim(y)) != 2L))
    arg_error(what, " must be a factor (classes) or numeric (regression), ",
              "not ", describe(y), ".")
  if (!all_finite(y))
    arg_error(what, " must not contain missing or infinite values.")
  k <- if (is.null(dim(y))) 1L else ncol(y)
  list(y = if (is.null(dim(y))) as.double(y) else as_numeric_matrix(y, "y"),
       k = k, task = "regression")
}

# Raw x (data frame or matrix) and y -> what the shared path needs: the
# encoded inputs, the targets, the description of the inputs and the
# sizes implied by `hidden`.
door_data <- function(x, y, hidden, terms = NULL, x_arg = "x", y_what = "`y`") {
  if (!(is.data.frame(x) || is.matrix(x)))
    arg_error("`", x_arg, "` must be a data frame or a matrix, one row per ",
              "sample, not ", describe(x), ".")
  n_y <- if (is.null(dim(y))) length(y) else nrow(y)
  if (n_y != nrow(x))
    arg_error(y_what, " must have one value per row of `", x_arg, "` (",
              nrow(x), "), not ", n_y, ".")
  t <- door_targets(y, y_what)
  df <- if (is.matrix(x)) as.data.frame(x, stringsAsFactors = FALSE) else x
  ok <- vapply(df, function(v) is.numeric(v) || is.logical(v) || is.factor(v) ||
                 is.character(v), NA)
  if (!all(ok))
    arg_error("`", x_arg, "` columns must be numeric, logical, factor or ",
              "character; \"", names(df)[!ok][1L], "\" is ",
              class(df[[which(!ok)[1L]]])[1L], ".")
  prep <- prep_learn(df, "standardise", terms = terms, matrix = is.matrix(x))
  xm <- prep_apply(prep, df, x_arg)
  rownames(xm) <- NULL
  hidden <- check_hidden(hidden)
  list(train = list(x = xm, y = t$y), prep = prep, task = t$task,
       sizes = c(ncol(xm), hidden, t$k))
}

check_hidden <- function(hidden) {
  if (!are_layer_sizes(hidden, 1L))
    arg_error("`hidden` must be positive whole numbers, the units of each ",
              "hidden layer, not ", describe_value(hidden), ".")
  as.integer(hidden)
}

# Validation data of the formula and x/y doors, raw like the training data:
# a data frame with the formula's variables, or list(x = , y = ).
door_validation <- function(data, prep, formula, levels, task, k) {
  if (is.null(data)) return(NULL)
  if (!is.null(formula) && is.data.frame(data)) {
    f <- formula_inputs(formula, data)
    x <- prep_apply(prep, f$x, "validation_data")
    y <- f$y
  } else if (is_xy_list(data)) {
    x <- prep_apply(prep, prep_frame(prep, data$x, "validation_data$x"), "validation_data$x")
    y <- data$y
  } else {
    arg_error("`validation_data` must be ",
              if (!is.null(prep$terms)) "a data frame with the formula's variables or ",
              "`list(x = , y = )` with raw inputs like the training data, not ",
              describe(data), ".")
  }
  as_network_data(list(x = x, y = y), "validation_data", levels = levels,
                  task = task, k = k)
}

# Training and validation data after `validation_split` (settings `s`):
# list(train, val). Early stopping needs one of the two.
held_out <- function(train, val, s) {
  if (s$validation_split > 0) {
    if (!is.null(val))
      arg_error("Give `validation_data` or `validation_split`, not both.")
    return(split_validation(train, s$validation_split))
  }
  if (!is.null(s$patience) && is.null(val))
    arg_error("`patience` needs validation data: early stopping watches the ",
              "loss on held-out samples. Give `validation_data` or ",
              "`validation_split`.")
  list(train = train, val = val)
}

# Hold out a share of the coerced training data (rows drawn with R's RNG).
# Returns list(train, val).
split_validation <- function(train, share) {
  n <- nrow(train$x)
  m <- round(share * n)
  if (m < 1L || m > n - 1L)
    arg_error("`validation_split` = ", format(share), " holds out ", m, " of ",
              n, " samples; it must leave at least one for each part.")
  held <- sort(sample.int(n, m))
  part <- function(rows) {
    out <- train
    out$x <- take_rows(train$x, rows)
    out$y <- take_rows(train$y, rows)
    out
  }
  list(train = part(-held), val = part(held))
}

# Rows of a matrix, or samples (first index) of an image array.
take_rows <- function(x, rows) {
  idx <- c(list(x, rows), rep(list(quote(expr = )), length(dim(x)) - 1L))
  do.call(`[`, c(idx, list(drop = FALSE)))
}
