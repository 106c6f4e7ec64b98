# What a network learned about its raw inputs, kept in the model so that
# predict() and evaluate() turn new raw rows into the numbers it was trained
# on. One description serves the formula and x/y doors (which standardise
# numeric columns) and train_test_from_df() (which divides them by their
# largest absolute value):
#   columns   the input columns, in order
#   type      per column: "numeric", "logical" or "factor"
#   levels    per factor column, the levels seen in training
#   center, scale  per numeric column: x -> (x - center) / scale
#   features  the names of the encoded inputs (factor f, level l: "f_l")
#   terms     for the formula door, the terms without the response
#   matrix    TRUE when training x was a matrix: a matrix newdata is raw
#             too (positional when it has no column names)

# The description of a data frame of inputs; `scaling` is "standardise"
# (the x/y doors), "max" (train_test_from_df()'s divisors) or "none".
prep_learn <- function(df, scaling, terms = NULL, matrix = FALSE) {
  standardise <- scaling == "standardise"
  type <- vapply(df, function(v) if (is.numeric(v)) "numeric" else
    if (is.logical(v)) "logical" else "factor", "")
  fac <- names(df)[type == "factor"]
  levels <- lapply(df[fac], function(v) levels(droplevels(as.factor(v))))
  num <- names(df)[type == "numeric"]
  center <- vapply(df[num], function(v) if (standardise) mean(v) else 0, 0)
  scale <- vapply(df[num], function(v) {
    s <- switch(scaling, standardise = stats::sd(v), max = max(abs(v)), 1)
    if (is.finite(s) && s > 0) s else 1
  }, 0)
  features <- unlist(lapply(names(df), function(n)
    if (type[[n]] == "factor") paste0(n, "_", levels[[n]]) else n), use.names = FALSE)
  list(columns = names(df), type = type, levels = levels, center = center,
       scale = scale, features = features, terms = terms, matrix = matrix)
}

# Encode a data frame of raw inputs (its columns those of the description,
# in any order, possibly with others) -> n x p double matrix.
prep_apply <- function(prep, df, arg) {
  miss <- setdiff(prep$columns, names(df))
  if (length(miss))
    arg_error("`", arg, "` lacks the input column", if (length(miss) > 1L) "s",
              " the model was trained on: ",
              paste0('"', utils::head(miss, 10L), '"', collapse = ", "), ".")
  blocks <- lapply(prep$columns, function(n) prep_column(prep, df[[n]], n, arg))
  x <- do.call(cbind, blocks)
  if (is.null(dim(x))) x <- matrix(x, ncol = length(prep$features))
  colnames(x) <- prep$features
  rownames(x) <- row.names(df)
  x
}

prep_column <- function(prep, v, n, arg) {
  type <- prep$type[[n]]
  if (type == "factor") {
    if (!(is.factor(v) || is.character(v) || is.logical(v)))
      arg_error("`", arg, "` column \"", n, "\" must hold categories like the ",
                "training data, not ", describe(v), ".")
    v <- as.character(v)
    lev <- prep$levels[[n]]
    unseen <- setdiff(unique(v[!is.na(v)]), lev)
    if (length(unseen))
      arg_error("`", arg, "` column \"", n, "\" has level",
                if (length(unseen) > 1L) "s", " not seen in training: ",
                paste0('"', utils::head(unseen, 5L), '"', collapse = ", "),
                "; the model knows ", paste0('"', lev, '"', collapse = ", "), ".")
    if (anyNA(v)) arg_error("`", arg, "` column \"", n, "\" has missing values.")
    return(outer(v, lev, "==") + 0)
  }
  if (!(is.numeric(v) || is.logical(v)))
    arg_error("`", arg, "` column \"", n, "\" must be ",
              if (type == "logical") "logical" else "numeric",
              " like the training data, not ", describe(v), ".")
  v <- as.double(v)
  if (!all_finite(v))
    arg_error("`", arg, "` column \"", n, "\" must not hold missing or ",
              "infinite values.")
  if (type == "numeric") v <- (v - prep$center[[n]]) / prep$scale[[n]]
  v
}

# Raw inputs of the formula and x/y doors -> a data frame of input columns:
# through the terms for a formula model, positional names for a matrix
# without column names.
prep_frame <- function(prep, newdata, arg) {
  if (!is.null(prep$terms)) {
    if (!is.data.frame(newdata))
      arg_error("`", arg, "` must be a data frame for a model fitted with a ",
                "formula, not ", describe(newdata), ".")
    miss <- setdiff(all.vars(prep$terms), names(newdata))
    if (length(miss))
      arg_error("`", arg, "` lacks the column", if (length(miss) > 1L) "s",
                " the formula uses: ",
                paste0('"', utils::head(miss, 10L), '"', collapse = ", "), ".")
    mf <- stats::model.frame(prep$terms, newdata, na.action = stats::na.pass)
    attr(mf, "terms") <- NULL
    return(mf)
  }
  if (is.matrix(newdata) && is.null(colnames(newdata)) &&
      ncol(newdata) == length(prep$columns))
    colnames(newdata) <- prep$columns
  as.data.frame(newdata, stringsAsFactors = FALSE)
}

# Does `newdata` hold raw rows the model's description must encode?
prep_applies <- function(prep, newdata) {
  !is.null(prep) && (is.data.frame(newdata) || (isTRUE(prep$matrix) && is.matrix(newdata)))
}
